"""The real ProcessControl: ``sh -c body`` in its own session and process group.

The runner makes itself a child subreaper, so anything the job double-forks away from its
group is re-parented to the runner and still found (by ancestry) and killed: no orphans.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import os
import pwd
import signal
import subprocess
from typing import Final

from bv_core.jobs import (
    JOB_ENV_VAR,
    JobPaths,
    ProcessRef,
    job_env_token,
    processes_with_env,
    shell_argv,
)

from ._exceptions import SpawnError
from ._logs import LogSink
from ._proctable import descendants, group_members, kill_pids, snapshot

__all__ = ["ShellExit", "ShellProcess", "become_subreaper", "previous_run_pids"]

_PR_SET_CHILD_SUBREAPER: Final = 36


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class ShellExit:
    def __init__(self, status: int) -> None:
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else "?"
            self.exit_code: int | None = None
            self.description = f"signal: {sig} ({name})"
        else:
            self.exit_code = os.WEXITSTATUS(status)
            self.description = f"exit status: {self.exit_code}"


class ShellProcess:
    def __init__(self, paths: JobPaths, body: str, run_as: str | None, sink: LogSink) -> None:
        self._paths = paths
        self._body = body
        self._run_as = run_as
        self._sink = sink
        self._proc: subprocess.Popen[bytes] | None = None
        self._leader = 0
        self._exit: ShellExit | None = None
        self._read_fd: int | None = None

    def spawn(self) -> None:
        user: int | None = None
        group: int | None = None
        groups: list[int] | None = None
        if self._run_as is not None:
            try:
                entry = pwd.getpwnam(self._run_as)
            except KeyError:
                raise SpawnError(f"cant run as a '{self._run_as}': user not found", fatal=True) from None
            # uid alone would leave the job in root's groups: drop those too.
            user, group = entry.pw_uid, entry.pw_gid
            groups = os.getgrouplist(self._run_as, entry.pw_gid)
        self._close_reader()
        read_fd, write_fd = os.pipe()
        # The token lets a later runner find this job's processes even when this runner dies
        # before it records child.pid below (previous_run_pids).
        env = {**os.environ, JOB_ENV_VAR: job_env_token(self._paths)}
        try:
            self._proc = subprocess.Popen(
                shell_argv(self._body, os.environ.get("BV_USER")), stdin=subprocess.DEVNULL, stdout=write_fd,
                stderr=write_fd, start_new_session=True, user=user, group=group, extra_groups=groups,
                close_fds=True, env=env,
            )
        except OSError as exc:
            os.close(read_fd)
            raise SpawnError(exc.strerror or str(exc)) from exc
        finally:
            os.close(write_fd)
        self._leader = self._proc.pid
        self._exit = None
        ref = ProcessRef.of(self._leader)
        if ref is not None:
            ref.write(self._paths.child_pid)
        os.set_blocking(read_fd, False)
        self._read_fd = read_fd
        asyncio.get_running_loop().add_reader(read_fd, self._on_readable)

    def _on_readable(self) -> None:
        if self._read_fd is None:
            return
        try:
            data = os.read(self._read_fd, 65536)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno != errno.EINTR:
                self._close_reader()
            return
        if data:
            self._sink.feed(data)
        else:
            self._close_reader()

    def _close_reader(self) -> None:
        if self._read_fd is not None:
            asyncio.get_running_loop().remove_reader(self._read_fd)
            os.close(self._read_fd)
            self._read_fd = None
            self._sink.end_of_stream()

    def poll(self) -> ShellExit | None:
        # Reap every child: as subreaper the runner also inherits the job's orphans.
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid == self._leader and self._proc is not None:
                self._proc.returncode = status  # so Popen never waits for it again
                self._exit = ShellExit(status)
        if self._exit is not None and self._read_fd is not None:
            self._on_readable()  # drain what the leader wrote just before exiting
        exit_info, self._exit = self._exit, None
        return exit_info

    def _job_pids(self) -> list[int]:
        table = snapshot()
        pids = set(descendants(table, os.getpid()))
        if self._leader:
            pids.update(group_members(table, self._leader))
        pids.discard(os.getpid())
        return sorted(pids)

    def signal_group(self, signum: int) -> None:
        if self._leader:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._leader, signum)
        kill_pids(self._job_pids(), signum)

    def group_alive(self) -> bool:
        return bool(self._job_pids())

    def kill_leftovers(self) -> None:
        pids = self._job_pids()
        if pids:
            kill_pids(pids, signal.SIGKILL)
        self.poll()

    def close(self) -> None:
        self._close_reader()
        self._paths.child_pid.unlink(missing_ok=True)


def previous_run_pids(paths: JobPaths) -> list[int]:
    """Processes of the job a crashed runner left behind (its group and their descendants)."""
    pids = set(processes_with_env(job_env_token(paths)))
    ref = ProcessRef.read(paths.child_pid)
    if ref is not None and ref.alive():
        table = snapshot()
        pids.update(group_members(table, ref.pid) + descendants(table, ref.pid))
    pids.discard(os.getpid())
    return sorted(pids)
