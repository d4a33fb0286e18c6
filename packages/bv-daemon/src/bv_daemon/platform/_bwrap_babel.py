"""Babel inside a running bwrap node: a process apart from the sandbox's main command.

`_nsspawn` starts it into the sandbox (namespaces, root, cgroup, environment, capabilities) and
stays its host-side parent. `<node_dir>/babel.pid` records babel's host pid and start time plus
the launcher's; `babel.status` receives the launcher's `{"pid": N, "exit-code": C}` lines, which
is how a dead babel's exit code reaches `state().reason`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bv_daemon.platform import _nsspawn
from bv_daemon.platform._proc import ProcRef, kill, load_proc_ref, save_proc_ref, wait_gone
from bv_daemon.platform.base import InvalidSpec, PlatformError

__all__ = ["BabelProcess", "last_exit_code", "log_tail", "read_until_eof", "ref_field"]

START_TIMEOUT = 15.0
_NSSPAWN = str(Path(_nsspawn.__file__).resolve())


class BabelProcess:
    """Babel of the node `name` whose files live in `node_dir`."""

    def __init__(self, name: str, node_dir: Path, log_file: Path) -> None:
        self.name = name
        self.pid_file = node_dir / "babel.pid"
        self.status_file = node_dir / "babel.status"
        self.log_file = log_file

    def alive(self) -> ProcRef | None:
        """Babel's ref if it runs."""
        loaded = load_proc_ref(self.pid_file)
        return loaded[0] if loaded is not None and loaded[0].alive() else None

    def forget(self) -> None:
        self.pid_file.unlink(missing_ok=True)

    async def start(
        self,
        node_pid: int,
        command: Sequence[str],
        *,
        wrap: Callable[[list[str]], list[str]],
        env: Mapping[str, str],
        caps: tuple[str, ...] | None,
    ) -> ProcRef:
        """Starts `command` in the sandbox whose PID 1 is `node_pid`; `wrap` puts the launcher
        into the node's cgroup. Returns once babel's pid is known (babel may still die)."""
        argv = [sys.executable, "-I", _NSSPAWN, "--target", str(node_pid)]
        argv += ["--status", str(self.status_file)]
        if caps is not None:
            argv += ["--caps", str(self._cap_mask(caps))]
        argv += ["--", *command]
        self.status_file.write_bytes(b"")
        out_r, out_w = os.pipe()
        log_fd = os.open(
            self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644
        )
        try:
            try:
                proc = subprocess.Popen(
                    wrap(argv), stdin=subprocess.DEVNULL, stdout=out_w, stderr=log_fd,
                    start_new_session=True, close_fds=True, env=dict(env),
                )  # fmt: skip
            except OSError as err:
                raise PlatformError(
                    f"node {self.name}: cannot start babel: {err.strerror}"
                ) from err
            finally:
                os.close(out_w)
                os.close(log_fd)
            # The launcher waits for babel; reap it while this daemon lives (init does after).
            threading.Thread(target=proc.wait, name=f"reap-babel-{proc.pid}", daemon=True).start()
            raw = await asyncio.to_thread(read_until_eof, out_r, START_TIMEOUT)
        finally:
            os.close(out_r)
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
        pid = doc.get("pid") if isinstance(doc, dict) else None
        if not isinstance(pid, int):
            why = doc.get("error") if isinstance(doc, dict) else None
            raise PlatformError(
                f"node {self.name}: cannot start babel: {why or log_tail(self.log_file)}"
            )
        launcher = ProcRef.of(proc.pid)
        ref = ProcRef.of(pid) or ProcRef(pid, 0)  # already gone: recorded dead, status tells
        extra = {} if launcher is None else {
            "launcher_pid": launcher.pid, "launcher_start": launcher.start_time,
        }  # fmt: skip
        save_proc_ref(self.pid_file, ref, **extra)
        return ref

    def _cap_mask(self, caps: tuple[str, ...]) -> int:
        try:
            return _nsspawn.cap_mask(caps)
        except KeyError as err:
            raise InvalidSpec(f"node {self.name}: unknown capability {err.args[0]!r}") from None

    async def stop(self, timeout: float, force: bool, *, kill_after: bool) -> None:
        """SIGTERM (unless `force`), wait up to `timeout` s; then SIGKILL if `kill_after`."""
        babel = self.alive()
        if babel is None:
            return
        if not force:
            kill(babel, signal.SIGTERM)
            await wait_gone(babel, timeout)
        if kill_after and babel.alive():
            kill(babel, signal.SIGKILL)
            if not await wait_gone(babel, 10.0):
                raise PlatformError(f"node {self.name}: babel pid {babel.pid} survived SIGKILL")

    async def reason(self) -> str:
        """Why babel is not running (call when it is not)."""
        loaded = load_proc_ref(self.pid_file)
        if loaded is None:
            return "babel was not started"
        launcher = ref_field(loaded[1], "launcher")
        # The launcher records the exit code right after reaping babel: give it a moment.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 1.0
        while (code := last_exit_code(self.status_file)) is None and launcher is not None:
            if not launcher.alive() or loop.time() > deadline:
                code = last_exit_code(self.status_file)
                break
            await asyncio.sleep(0.01)
        if code is None:
            return "babel is gone"
        if code > 128:
            return f"babel killed by signal {code - 128}"
        return f"babel exited with code {code}: {log_tail(self.log_file)}"


def ref_field(raw: Mapping[str, object], name: str) -> ProcRef | None:
    """The `<name>_pid` / `<name>_start` pair saved next to a ProcRef, if present."""
    pid, start = raw.get(f"{name}_pid"), raw.get(f"{name}_start")
    if isinstance(pid, int) and isinstance(start, int):
        return ProcRef(pid, start)
    return None


def last_exit_code(path: Path) -> int | None:
    """The last `exit-code` among the JSON lines of `path` (bwrap's and the launcher's)."""
    code: int | None = None
    try:
        text = path.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            doc = json.loads(line)
            if isinstance(doc, dict) and isinstance(doc.get("exit-code"), int):
                code = doc["exit-code"]
    return code


def log_tail(path: Path) -> str:
    """The last non-blank line of a log, for one-line error messages."""
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except FileNotFoundError:
        return "(no log)"
    return lines[-1].strip() if lines else "(empty log)"


def read_until_eof(fd: int, timeout: float) -> bytes:
    """Reads a JSON document from a pipe: until it parses, EOF, or the timeout."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
        with contextlib.suppress(ValueError):
            json.loads(b"".join(chunks))
            break
    return b"".join(chunks)
