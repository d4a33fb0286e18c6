"""CPU pinning bookkeeping (bv-host.md §2.11): a free list of core numbers.

``acquire(n)`` takes the *last* n free cores, as the original does, so the first node on a
3-core host gets core 2 and the next core 1; ``release`` appends them back.
"""

from __future__ import annotations

from bv_core.errors import Conflict

__all__ = ["CpuRegistry"]


class CpuRegistry:
    def __init__(self, cpu_count: int) -> None:
        self._free: list[int] = list(range(cpu_count))

    @property
    def free(self) -> list[int]:
        return list(self._free)

    def acquire(self, count: int) -> list[int]:
        if count < 0:
            raise ValueError(f"cannot acquire a negative number of cpus: {count}")
        if count > len(self._free):
            raise Conflict(f"not enough cpu cores: {count} requested, {len(self._free)} free")
        if count == 0:
            return []
        taken = self._free[-count:]
        del self._free[-count:]
        return taken

    def mark_acquired(self, cpus: list[int]) -> None:
        """Take specific cores out of the free list (attach after a daemon restart)."""
        self._free = [c for c in self._free if c not in set(cpus)]

    def release(self, cpus: list[int]) -> None:
        for cpu in cpus:
            if cpu not in self._free:
                self._free.append(cpu)
