"""What a job runner can run: the JobKind seam.

``run_sh`` is implemented here; ``download``/``upload`` (protocol-data archives) belong to a
separate issue and plug in by adding a JobKind to ``kind_for``. A kind returns the final status,
or None when it was stopped on request (babel then records Stopped itself).
"""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Final, Protocol

from bv_core.jobs import (
    DownloadJob,
    Finished,
    JobConfig,
    JobPaths,
    NodePaths,
    RunShJob,
    UploadJob,
    signal_number,
)

from ._logs import LogSink, RotatingFile
from ._process import ShellProcess, previous_run_pids
from ._proctable import kill_pids
from ._states import DONE_STATES, RunState
from ._supervisor import Events, RunShSupervisor

__all__ = ["TICK_S", "JobContext", "JobKind", "RunShKind", "UnsupportedKind", "kind_for"]

TICK_S: Final = 0.05


class JobContext:
    def __init__(
        self, name: str, config: JobConfig, node: NodePaths, events: Events, stop: asyncio.Event
    ) -> None:
        self.name = name
        self.config = config
        self.node = node
        self.paths: JobPaths = node.job(name)
        self.events = events
        self.stop = stop  # set by SIGTERM/SIGINT


class JobKind(Protocol):
    async def run(self, ctx: JobContext) -> Finished | None: ...


class UnsupportedKind:
    def __init__(self, what: str) -> None:
        self._what = what

    async def run(self, ctx: JobContext) -> Finished | None:
        return Finished(None, f"job '{ctx.name}' failed with: {self._what} jobs are not supported by this job runner")


class RunShKind:
    def __init__(self, body: str) -> None:
        self._body = body

    async def run(self, ctx: JobContext) -> Finished | None:
        cfg = ctx.config
        await _kill_previous_run(ctx)
        capacity = cfg.log_buffer_capacity_mb * 1_000_000
        sink = LogSink(RotatingFile(ctx.paths.logs, capacity), timestamps=cfg.log_timestamp)
        control = ShellProcess(ctx.paths, self._body, cfg.run_as, sink)
        supervisor = RunShSupervisor(ctx.name, cfg, control, ctx.events)
        stop_sent = False
        try:
            while supervisor.state not in DONE_STATES:
                now = time.monotonic()
                if ctx.stop.is_set() and not stop_sent:
                    supervisor.request_stop(now)
                    stop_sent = True
                supervisor.tick(now)
                sink.flush()
                if supervisor.state not in DONE_STATES:
                    await asyncio.sleep(TICK_S)
        finally:
            control.kill_leftovers()  # also on a bug or cancellation: never leave the job behind
            control.close()
            sink.close()
        return supervisor.final if supervisor.state is RunState.FINISHED else None


async def _kill_previous_run(ctx: JobContext) -> None:
    """Stop what a crashed runner left: shutdown signal, then SIGKILL after the timeout."""
    pids = previous_run_pids(ctx.paths)
    if not pids:
        return
    ctx.events.push_log(f"stopping {len(pids)} process(es) left by a previous job runner")
    kill_pids(pids, signal_number(ctx.config.shutdown_signal))
    deadline = time.monotonic() + ctx.config.shutdown_timeout_secs
    while time.monotonic() < deadline and previous_run_pids(ctx.paths):
        await asyncio.sleep(TICK_S)
    kill_pids(previous_run_pids(ctx.paths), signal.SIGKILL)


def kind_for(config: JobConfig) -> JobKind:
    job_type = config.job_type
    if isinstance(job_type, RunShJob):
        return RunShKind(job_type.body)
    # Imported here: the archive kinds import this module (JobContext) for typing.
    from .archive import DownloadKind, UploadKind

    if isinstance(job_type, DownloadJob):
        return DownloadKind(job_type)
    assert isinstance(job_type, UploadJob)
    return UploadKind(job_type)
