"""Per-node cgroups with memory and CPU limits, on cgroup v2 or the v1 hierarchies.

Mode detection follows the kernel layout: v2 when `/sys/fs/cgroup/cgroup.controllers` exists
(unified), else v1 with one hierarchy per controller (`/sys/fs/cgroup/<ctrl>/`). Hybrid hosts
(v1 controllers + an empty v2 tree at `/sys/fs/cgroup/unified`) count as v1.

Only the container's processes are ever moved in: the spawner writes its *own* pid to
`cgroup.procs` of each group right before exec'ing the container runtime (the bwrap backend's spawn wrapper),
so the daemon and tests stay where they are.
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from pathlib import Path

from bv_daemon.platform.base import PlatformError

__all__ = ["NodeCgroup", "cgroup_root", "is_v2"]

CPU_PERIOD_US = 100_000


def cgroup_root() -> Path:
    return Path(os.environ.get("BV_CGROUP_ROOT", "/sys/fs/cgroup"))


def is_v2(root: Path | None = None) -> bool:
    return ((root or cgroup_root()) / "cgroup.controllers").exists()


@dataclass(frozen=True, slots=True)
class NodeCgroup:
    """The cgroup(s) `<parent>/<node id>` of one node."""

    node_id: str
    parent: str = "blockvisor"
    root: Path | None = None

    @property
    def _root(self) -> Path:
        return self.root or cgroup_root()

    def dirs(self) -> dict[str, Path]:
        """controller -> directory; v2 has a single directory under the key 'unified'."""
        rel = Path(self.parent) / self.node_id
        if is_v2(self._root):
            return {"unified": self._root / rel}
        return {
            c: self._root / c / rel
            for c in ("memory", "cpu", "cpuset", "pids")
            if (self._root / c).is_dir()
        }

    def procs_files(self) -> list[Path]:
        return [d / "cgroup.procs" for d in self.dirs().values()]

    def setup(self, mem_mb: int, vcpu: int, cpus: tuple[int, ...]) -> None:
        """Creates the groups and writes the limits (0 / () = unlimited). Idempotent."""
        mem = str(mem_mb * 1_000_000) if mem_mb else None
        try:
            if is_v2(self._root):
                self._setup_v2(mem, vcpu, cpus)
            else:
                self._setup_v1(mem, vcpu, cpus)
        except OSError as err:
            raise PlatformError(
                f"node {self.node_id}: cgroup setup failed at {err.filename}: {err.strerror}"
            ) from err

    def _setup_v2(self, mem: str | None, vcpu: int, cpus: tuple[int, ...]) -> None:
        (d,) = self.dirs().values()
        parent = d.parent
        parent.mkdir(parents=True, exist_ok=True)
        available = set((self._root / "cgroup.controllers").read_text().split())
        wanted = [c for c in ("memory", "cpu", "cpuset", "pids") if c in available]
        for level in (self._root, parent):
            for ctrl in wanted:
                with contextlib.suppress(OSError):
                    (level / "cgroup.subtree_control").write_text(f"+{ctrl}")
        d.mkdir(exist_ok=True)
        if (d / "memory.max").exists():
            (d / "memory.max").write_text(mem or "max")
        if (d / "cpu.max").exists():
            quota = str(vcpu * CPU_PERIOD_US) if vcpu else "max"
            (d / "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
        if cpus and (d / "cpuset.cpus").exists():
            (d / "cpuset.cpus").write_text(",".join(map(str, cpus)))

    def _setup_v1(self, mem: str | None, vcpu: int, cpus: tuple[int, ...]) -> None:
        for ctrl, d in self.dirs().items():
            if ctrl == "cpuset":
                self._setup_v1_cpuset(d, cpus)
                continue
            d.mkdir(parents=True, exist_ok=True)
            if ctrl == "memory":
                (d / "memory.limit_in_bytes").write_text(mem or "-1")
            elif ctrl == "cpu":
                (d / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                (d / "cpu.cfs_quota_us").write_text(str(vcpu * CPU_PERIOD_US) if vcpu else "-1")

    @staticmethod
    def _setup_v1_cpuset(d: Path, cpus: tuple[int, ...]) -> None:
        # A v1 cpuset group rejects tasks until cpus and mems are set; copy them from the parent
        # at each level, then narrow the node's own group to the pinned CPUs.
        for level in (d.parent, d):
            level.mkdir(exist_ok=True)
            for name in ("cpuset.cpus", "cpuset.mems"):
                f = level / name
                if not f.read_text().strip():
                    f.write_text((level.parent / name).read_text().strip())
        if cpus:
            (d / "cpuset.cpus").write_text(",".join(map(str, cpus)))

    def memory_limit_bytes(self) -> int | None:
        """The limit as the kernel reports it (v1 rounds down to pages); None = unlimited."""
        dirs = self.dirs()
        f = (
            dirs["unified"] / "memory.max"
            if "unified" in dirs
            else dirs["memory"] / "memory.limit_in_bytes"
        )
        text = f.read_text().strip()
        if text == "max":
            return None
        value = int(text)
        return None if value >= 1 << 62 else value

    def pids(self) -> list[int]:
        out: set[int] = set()
        for f in self.procs_files():
            with contextlib.suppress(OSError):
                out.update(int(p) for p in f.read_text().split())
        return sorted(out)

    def remove(self) -> None:
        """Removes the node's groups once empty; a busy group (live process) is left for later."""
        for d in self.dirs().values():
            try:
                d.rmdir()
            except FileNotFoundError:
                pass
            except OSError as err:
                if err.errno != errno.EBUSY:
                    raise PlatformError(
                        f"node {self.node_id}: cannot remove cgroup {d}: {err.strerror}"
                    ) from err
