"""The jobs manager: babel's registry of jobs and the one owner of their states.

A job is Active (a live job runner process) or holds a JobStatus (pending, finished, stopped).
``tick()`` does the time- and process-driven transitions: runners that ended, pending jobs whose
dependencies are done. The driver loop (``run``) calls it on a short period and when woken;
every other method is a request from the RPC facade.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import signal
import time
from collections.abc import Iterator
from typing import Final

import orjson

from bv_core.errors import BvError
from bv_core.jobs import (
    DownloadJob,
    Finished,
    JobConfig,
    JobInfo,
    JobStatus,
    NodePaths,
    Pending,
    RestartPolicy,
    Running,
    Stopped,
    UploadJob,
    job_config_from_json,
    job_config_to_obj,
    job_status_from_obj,
    job_status_to_obj,
    validate_job_name,
)
from bv_core.persistence import atomic_write_json

from ._download_cleanup import cleanup_download
from ._exceptions import BadRequest, JobNotFound, ShuttingDown, WrongState
from ._job import Active, Job
from ._runners import adopt_runner, kill_job_processes, signal_runner, spawn_runner

__all__ = ["MAX_JOBS", "JobsManager", "ManagerState"]

log = logging.getLogger(__name__)

MAX_JOBS: Final = 16
TICK_S: Final = 0.1
# Grace on top of a job's shutdown_timeout for its runner to finish killing and exit.
RUNNER_EXIT_GRACE_S: Final = 5.0
BABEL_SHUTDOWN_EXTRA_S: Final = 15.0
POLL_S: Final = 0.05


class ManagerState(enum.Enum):
    NOT_READY = "not_ready"  # before setup_babel: jobs may be defined but nothing is spawned
    READY = "ready"
    SHUTDOWN = "shutdown"    # shutdown_babel was called: nothing new is started


class JobsManager:
    def __init__(self, node: NodePaths, runner_cmd: list[str] | None = None) -> None:
        self._node = node
        self.node = node
        # Tests (and a dev checkout) run the runner as `python -m job_runner`; in a node it is
        # the uploaded binary, which must exist for jobs to start.
        self._runner_cmd = runner_cmd
        self._jobs: dict[str, Job] = {}
        self.state = ManagerState.NOT_READY
        self._wake = asyncio.Event()
        node.jobs_dir.mkdir(parents=True, exist_ok=True)
        self._load_jobs()

    # --- lifecycle --------------------------------------------------------------------------

    def startup(self) -> None:
        """setup_babel done (or babel restarted inside a set-up node): start running jobs."""
        if self.state is ManagerState.NOT_READY:
            self.state = ManagerState.READY
        self._wake.set()

    async def run(self) -> None:
        while True:
            self.tick()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(TICK_S):
                    await self._wake.wait()

    def _load_jobs(self) -> None:
        """Re-attach to live runners and restore saved statuses (babel restart survival)."""
        for entry in sorted(self._node.jobs_dir.iterdir()) if self._node.jobs_dir.exists() else []:
            if not (entry / "config.json").exists():
                continue
            try:
                paths = self._node.job(entry.name)
                config = job_config_from_json(paths.config.read_bytes(), str(paths.config))
            except (OSError, BvError) as exc:
                log.error("ignoring job %s: %s", entry.name, exc)
                with contextlib.suppress(OSError):
                    os.replace(entry / "config.json", entry / "config.json.invalid")
                continue
            job = Job(entry.name, config, paths, Stopped())
            runner = adopt_runner(paths)
            if runner is not None:
                job.set_state(Active(runner))
                job.push_log("re-attached to running job runner after babel restart")
            else:
                status = self._read_status(job)
                if status is None or isinstance(status, Running):
                    # The runner died while babel was down: same rule as a runner crash.
                    self._runner_crashed(job, "babel_job_runner ended while babel was down")
                else:
                    job.set_state(status)
            self._jobs[job.name] = job

    # --- requests from the RPC facade -------------------------------------------------------

    def _get(self, name: str) -> Job:
        job = self._jobs.get(name)
        if job is None:
            raise JobNotFound(f"job '{name}' not found")
        return job

    def _refuse_if_shutting_down(self) -> None:
        if self.state is ManagerState.SHUTDOWN:
            raise ShuttingDown("babel is shutting down; job requests are refused")

    def create(self, name: str, config: JobConfig) -> None:
        """Define (or redefine) a job; validates everything before touching the disk."""
        self._refuse_if_shutting_down()
        validate_job_name(name, "create_job")
        existing = self._jobs.get(name)
        if existing is not None and existing.active is not None:
            raise WrongState(f"can't create job '{name}' while it is already running")
        if existing is None and len(self._jobs) >= MAX_JOBS:
            raise WrongState(f"Exceeded max number of supported jobs: {MAX_JOBS}")
        for kind, names in (("needs", config.needs), ("waits for", config.wait_for)):
            for dep in names:
                if dep == name:
                    raise BadRequest(f"job '{name}' {kind} itself")
                if dep not in self._jobs:
                    raise BadRequest(f"job '{name}' {kind} '{dep}', but it is not defined")
        if self._reaches(name, config.waiting_for):
            raise BadRequest(f"job '{name}': its needs/wait_for form a cycle")
        paths = self._node.job(name)
        paths.dir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(paths.config, job_config_to_obj(config))
        job = Job(name, config, paths, Stopped())
        job.defined_only = True
        self._save_status(job, Stopped())
        self._jobs[name] = job

    def _reaches(self, target: str, start: tuple[str, ...]) -> bool:
        seen: set[str] = set()
        todo = list(start)
        while todo:
            current = todo.pop()
            if current == target:
                return True
            if current in seen or current not in self._jobs:
                continue
            seen.add(current)
            todo.extend(self._jobs[current].config.waiting_for)
        return False

    def start(self, name: str) -> None:
        self._refuse_if_shutting_down()
        job = self._jobs.get(name)
        if job is None:
            raise JobNotFound(f"can't start, job '{name}' not found")
        if job.active is not None:
            return
        job.defined_only = False
        status = Pending(job.config.waiting_for)
        job.set_state(status)
        self._save_status(job, status)
        self._wake.set()

    async def stop(self, name: str) -> None:
        await self._end(self._get(name), Stopped())

    async def skip(self, name: str) -> None:
        await self._end(self._get(name), Finished(0, "Skipped"))

    async def stop_all(self) -> None:
        await asyncio.gather(*(self._end(job, Stopped()) for job in list(self._jobs.values())))

    async def shutdown(self, force: bool) -> None:
        """Stop every runner and mark the jobs pending, so they start again next time."""
        self.state = ManagerState.SHUTDOWN
        active = [job for job in self._jobs.values() if job.active is not None]
        await asyncio.gather(*(self._terminate(job, force=force) for job in active))
        for job in active:
            status = Pending(job.config.waiting_for)
            job.set_state(status)
            self._save_status(job, status)

    def cleanup(self, name: str) -> None:
        job = self._get(name)
        if job.active is not None:
            raise WrongState(f"can't cleanup active job '{name}'")
        job_type = job.config.job_type
        if isinstance(job_type, DownloadJob):
            cleanup_download(self._node)  # partial files too; download.completed stays
        elif isinstance(job_type, UploadJob):
            meta = self._node.data_mount_point() / ".babel_jobs"
            for file in ("upload.blueprint", "upload.chunks"):
                (meta / file).unlink(missing_ok=True)
        job.paths.progress.unlink(missing_ok=True)

    def info(self, name: str) -> JobInfo:
        job = self._jobs.get(name)
        if job is None:
            raise JobNotFound(f"unknown status, job '{name}' not found")
        return job.info()

    def jobs(self) -> dict[str, JobInfo]:
        return {name: job.info() for name, job in self._jobs.items()}

    def job_shutdown_timeout(self, name: str) -> float:
        job = self._get(name)
        return float(job.config.shutdown_timeout_secs) if job.active is not None else 0.0

    def active_jobs_shutdown_timeout(self) -> float:
        return float(sum(j.config.shutdown_timeout_secs for j in self._jobs.values() if j.active))

    def babel_shutdown_timeout(self) -> float:
        return self.active_jobs_shutdown_timeout() + BABEL_SHUTDOWN_EXTRA_S

    def push_log(self, name: str, message: str) -> None:
        if name in self._jobs:
            self._jobs[name].push_log(message)

    def register_restart(self, name: str) -> None:
        if name in self._jobs:
            self._jobs[name].register_restart()

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    # --- stopping ---------------------------------------------------------------------------

    async def _end(self, job: Job, final: Stopped | Finished) -> None:
        self._refuse_if_shutting_down()
        if job.active is not None:
            await self._terminate(job, force=False)
        job.set_state(final)
        self._save_status(job, final)
        self._wake.set()

    async def _terminate(self, job: Job, *, force: bool) -> None:
        """SIGTERM the runner (it stops the job: shutdown signal, then SIGKILL); if the runner
        is not gone after shutdown_timeout + grace (or at once when forced), kill everything."""
        active = job.active
        if active is None:
            return
        job.stopping = True
        try:
            signal_runner(active.runner, signal.SIGTERM)
            grace = 0.0 if force else job.config.shutdown_timeout_secs + RUNNER_EXIT_GRACE_S
            deadline = time.monotonic() + grace
            while active.alive() and time.monotonic() < deadline:
                await asyncio.sleep(POLL_S)
            if active.alive() or force:
                job.push_log("job runner did not stop in time; killed it and its processes")
                kill_job_processes(job.paths, active.runner)
                while active.alive():
                    await asyncio.sleep(POLL_S)
            kill_job_processes(job.paths)  # anything the runner could not reach
        finally:
            job.stopping = False

    # --- the tick ---------------------------------------------------------------------------

    def tick(self) -> None:
        for job in list(self._jobs.values()):
            active = job.active
            if active is not None and not job.stopping and not active.alive():
                self._runner_ended(job)
        if self.state is not ManagerState.READY:
            return
        for job in list(self._jobs.values()):
            if isinstance(job.state, Pending):
                self._try_start(job)

    def _runner_ended(self, job: Job) -> None:
        status = self._read_status(job)
        if isinstance(status, Finished | Stopped):
            job.set_state(status)
            self._wake.set()  # dependents may now start
        else:
            self._runner_crashed(job, "babel_job_runner process ended unexpectedly")

    def _runner_crashed(self, job: Job, why: str) -> None:
        job.push_log(why)
        if job.config.restart.policy is RestartPolicy.NEVER:
            kill_job_processes(job.paths)
            status: JobStatus = Finished(None, f"{why}; restart policy is never")
            job.set_state(status)
            self._save_status(job, status)
        else:
            # The new runner stops what the old one left (shutdown signal, then SIGKILL).
            job.register_restart()
            pending = Pending(())
            job.set_state(pending)
            self._save_status(job, pending)
        self._wake.set()

    def _blocker(self, job: Job) -> Finished | None | bool:
        """Finished(failure) if a dependency makes the job fail, True if it must wait."""
        waiting = False
        for dep in job.config.needs:
            other = self._jobs.get(dep)
            if other is None:
                return Finished(None, f"job '{job.name}' needs '{dep}', but it is not defined")
            state = other.state
            if isinstance(state, Finished):
                if state.exit_code != 0:
                    return Finished(
                        None, f"job '{job.name}' needs '{dep}', but it failed with {state.exit_code} - {state.message}"
                    )
            elif isinstance(state, Stopped) and not other.defined_only:
                return Finished(None, f"job '{job.name}' needs '{dep}', but it was stopped")
            else:
                waiting = True
        for dep in job.config.wait_for:
            other = self._jobs.get(dep)
            if other is None:
                return Finished(None, f"job '{job.name}' waits for '{dep}', but it is not defined")
            if not isinstance(other.state, Finished | Stopped) or other.defined_only:
                waiting = True
        return waiting or None

    def _try_start(self, job: Job) -> None:
        blocker = self._blocker(job)
        if blocker is True:
            return
        if isinstance(blocker, Finished):
            job.push_log(blocker.message)
            job.set_state(blocker)
            self._save_status(job, blocker)
            self._wake.set()
            return
        argv = self._runner_argv(job.name)
        if argv is None:
            failed = Finished(None, f"failed to start job '{job.name}': missing job runner binary")
            job.set_state(failed)
            self._save_status(job, failed)
            return
        self._save_status(job, Running())
        try:
            ref, popen = spawn_runner(argv, job.paths)
        except OSError as exc:
            failed = Finished(None, f"failed to start job '{job.name}': {exc.strerror or exc}")
            job.set_state(failed)
            self._save_status(job, failed)
            return
        job.set_state(Active(ref, popen))

    def _runner_argv(self, name: str) -> list[str] | None:
        root = ["--root", str(self._node.root)]
        if self._runner_cmd is not None:
            return [*self._runner_cmd, *root, name]
        binary = self._node.job_runner
        if not binary.exists():
            return None
        return [str(binary), *root, name]

    # --- files ------------------------------------------------------------------------------

    def _save_status(self, job: Job, status: JobStatus) -> None:
        atomic_write_json(job.paths.status, job_status_to_obj(status))

    def _read_status(self, job: Job) -> JobStatus | None:
        try:
            return job_status_from_obj(orjson.loads(job.paths.status.read_bytes()), str(job.paths.status))
        except (OSError, orjson.JSONDecodeError, BvError):
            return None
