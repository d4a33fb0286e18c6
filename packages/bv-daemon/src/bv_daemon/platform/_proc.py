"""Process helpers shared by the backends: run a tool, identify a pid safely, wait for exit."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bv_core.persistence import atomic_write_json, read_json
from bv_daemon.platform.base import ExecResult, PlatformError

__all__ = [
    "ProcRef",
    "children",
    "kill",
    "load_proc_ref",
    "run",
    "save_proc_ref",
    "wait_gone",
]


async def run(
    argv: Sequence[str],
    *,
    what: str,
    timeout: float = 30.0,
    input: bytes | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> ExecResult:
    """Runs argv to completion. `what` names the step in errors ("node x: create netns")."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    except OSError as err:
        raise PlatformError(f"{what}: cannot run {argv[0]}: {err.strerror}") from err
    try:
        out, err_out = await asyncio.wait_for(proc.communicate(input), timeout)
    except TimeoutError:
        # The whole group: a tool like nsenter forks the real command, which would outlive it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        raise PlatformError(f"{what}: {argv[0]} timed out after {timeout:g} s") from None
    code = proc.returncode if proc.returncode is not None else -1
    if check and code != 0:
        raise PlatformError(f"{what}: {' '.join(argv[:3])} exited {code}: {_last_line(err_out)}")
    return ExecResult(code, out, err_out)


def _last_line(data: bytes) -> str:
    lines = [ln for ln in data.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output)"


@dataclass(frozen=True, slots=True)
class ProcRef:
    """A pid plus its kernel start time, so a recycled pid is never mistaken for ours."""

    pid: int
    start_time: int

    @classmethod
    def of(cls, pid: int) -> ProcRef | None:
        st = _stat(pid)
        return None if st is None else cls(pid, st[1])

    def alive(self) -> bool:
        st = _stat(self.pid)
        # A zombie has exited; only its parent's wait() is missing.
        return st is not None and st[1] == self.start_time and st[0] not in ("Z", "X")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) from /proc/<pid>/stat, or None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # comm (field 2) may hold spaces or ')' - parse from the last ')'.
    rest = raw[raw.rindex(")") + 2 :].split()
    return rest[0], int(rest[19])


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [int(p) for p in text.split()]


def kill(ref: ProcRef, sig: signal.Signals) -> None:
    if ref.alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(ref.pid, sig)


async def wait_gone(ref: ProcRef, timeout: float) -> bool:
    """Waits until the process exits (it need not be our child); False on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.01
    while ref.alive():
        left = deadline - loop.time()
        if left <= 0:
            return False
        await asyncio.sleep(min(delay, left))
        delay = min(delay * 2, 0.2)
    return True


def save_proc_ref(path: Path, ref: ProcRef, **extra: object) -> None:
    atomic_write_json(path, {"pid": ref.pid, "start_time": ref.start_time, **extra})


def load_proc_ref(path: Path) -> tuple[ProcRef, dict[str, object]] | None:
    """The ref saved at `path`, or None if the file is missing or unreadable (treated as absent)."""
    try:
        raw = read_json(path)
    except (OSError, ValueError):  # missing or torn: no container recorded
        return None
    if not isinstance(raw, dict):
        return None
    pid, start = raw.get("pid"), raw.get("start_time")
    if not isinstance(pid, int) or not isinstance(start, int):
        return None
    return ProcRef(pid, start), raw
