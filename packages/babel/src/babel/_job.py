"""One job as babel knows it: config, state (an attached runner or a status), messages."""

from __future__ import annotations

import collections
import datetime
import subprocess
import time
from typing import Final

import msgspec
import orjson

from bv_core.jobs import (
    JobConfig,
    JobInfo,
    JobPaths,
    JobProgress,
    JobStatus,
    ProcessRef,
    Running,
    job_progress_from_obj,
)

__all__ = ["LOG_EXPIRE_S", "MAX_JOB_LOGS", "Active", "Job"]

MAX_JOB_LOGS: Final = 1024
MAX_LOG_ENTRY_LEN: Final = 1024  # the original meant to cap entries but its truncation was a no-op
LOG_EXPIRE_S: Final = 24 * 3600


class Active(msgspec.Struct):
    """A live job runner; ``popen`` is set when this babel spawned it (so it can reap it)."""

    runner: ProcessRef
    popen: subprocess.Popen[bytes] | None = None

    def alive(self) -> bool:
        if self.popen is not None and self.popen.poll() is not None:
            return False
        return self.runner.alive()


class Job:
    def __init__(self, name: str, config: JobConfig, paths: JobPaths, state: Active | JobStatus) -> None:
        self.name = name
        self.config = config
        self.paths = paths
        self.state: Active | JobStatus = state
        self.timestamp = time.time()
        # True while stop/skip/shutdown owns the runner: its exit is then not a crash.
        self.stopping = False
        # Created but not started since: dependents wait for it instead of failing, so the
        # order of start_job calls does not matter (the original failed them as "stopped").
        self.defined_only = False
        self._logs: collections.deque[tuple[float, str]] = collections.deque(maxlen=MAX_JOB_LOGS - 1)
        self._restarts: collections.deque[float] = collections.deque(maxlen=10_000)

    def set_state(self, state: Active | JobStatus) -> None:
        self.state = state
        self.timestamp = time.time()

    @property
    def active(self) -> Active | None:
        return self.state if isinstance(self.state, Active) else None

    @property
    def status(self) -> JobStatus:
        return Running() if isinstance(self.state, Active) else self.state

    def push_log(self, message: str) -> None:
        self._logs.append((time.time(), message[:MAX_LOG_ENTRY_LEN]))

    def register_restart(self) -> None:
        self._restarts.append(time.time())

    def info(self) -> JobInfo:
        cutoff = time.time() - LOG_EXPIRE_S
        logs = tuple(
            f"{datetime.datetime.fromtimestamp(ts).astimezone().isoformat(sep=' ', timespec='seconds')}| {msg}"
            for ts, msg in reversed(self._logs)
            if ts >= cutoff
        )
        return JobInfo(
            status=self.status,
            progress=self._progress(),
            restart_count=sum(1 for ts in self._restarts if ts >= cutoff),
            logs=logs,
            upgrade_blocking=self.config.upgrade_blocking,
            timestamp=self.timestamp,
        )

    def _progress(self) -> JobProgress | None:
        try:
            return job_progress_from_obj(orjson.loads(self.paths.progress.read_bytes()), str(self.paths.progress))
        except Exception:  # any problem reading progress means "no progress" (§3.2)
            return None
