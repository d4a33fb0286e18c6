"""The run_sh state machine: one owner, one state writer, driven by ``tick(now)``.

The driver (``_run_sh.py``) calls ``tick`` every few tens of milliseconds with the current time
and ``request_stop`` when a termination signal arrives; all process I/O goes through the
injected ``ProcessControl``, so tests can drive this with a fake clock and a fake process.
"""

from __future__ import annotations

import logging
import signal
from typing import Protocol

from bv_core.jobs import Finished, JobConfig, signal_number

from ._backoff import Backoff, GiveUp
from ._exceptions import IllegalTransition, SpawnError
from ._states import ALLOWED, RunState

__all__ = ["Events", "ExitInfo", "ProcessControl", "RunShSupervisor"]

log = logging.getLogger(__name__)


class ExitInfo(Protocol):
    exit_code: int | None  # None when a signal ended the process
    description: str       # "exit status: 1" / "signal: 9 (SIGKILL)"


class ProcessControl(Protocol):
    def spawn(self) -> None:
        """Start the job's command in a new process group; raise SpawnError on failure."""

    def poll(self) -> ExitInfo | None:
        """Reap children; the exit of the group leader once it has ended, else None."""

    def signal_group(self, signum: int) -> None:
        """Send ``signum`` to every process of the job."""

    def group_alive(self) -> bool:
        """Whether any process of the job (leader, group or re-parented descendant) is left."""

    def kill_leftovers(self) -> None:
        """SIGKILL whatever is left of the job's processes."""


class Events(Protocol):
    def push_log(self, message: str) -> None: ...

    def register_restart(self) -> None: ...


class RunShSupervisor:
    def __init__(self, name: str, config: JobConfig, control: ProcessControl, events: Events) -> None:
        self._name = name
        self._config = config
        self._control = control
        self._events = events
        self._backoff = Backoff(config.restart)
        self._state = RunState.IDLE
        self._restart_at = 0.0
        self._kill_at = 0.0
        self._killed = False
        self.final: Finished | None = None
        self.spawn_count = 0

    @property
    def state(self) -> RunState:
        return self._state

    def _change_state(self, new: RunState) -> None:
        if new not in ALLOWED[self._state]:
            raise IllegalTransition(self._name, self._state, new, ALLOWED[self._state])
        log.debug("job %s: %s -> %s", self._name, self._state.value, new.value)
        self._state = new

    def tick(self, now: float) -> None:
        if self._state is RunState.IDLE:
            self._spawn(now)
        elif self._state is RunState.RUNNING:
            ended = self._control.poll()
            if ended is not None:
                # The leader is gone: no background child of it may outlive the run.
                self._control.kill_leftovers()
                message = f"Job '{self._name}' finished with {ended.description}"
                self._decide(now, ended.exit_code, message)
        elif self._state is RunState.BACKOFF:
            if now >= self._restart_at:
                self._spawn(now)
        elif self._state is RunState.STOPPING:
            self._control.poll()
            if not self._control.group_alive():
                self._change_state(RunState.STOPPED)  # STOPPING -> STOPPED
            elif now >= self._kill_at and not self._killed:
                self._control.signal_group(signal.SIGKILL)
                self._control.kill_leftovers()
                self._killed = True

    def request_stop(self, now: float) -> None:
        """Stop: shutdown signal now, SIGKILL of the whole group after shutdown_timeout."""
        if self._state is RunState.RUNNING:
            self._control.signal_group(signal_number(self._config.shutdown_signal))
            self._kill_at = now + self._config.shutdown_timeout_secs
            self._change_state(RunState.STOPPING)  # RUNNING -> STOPPING
        elif self._state in (RunState.IDLE, RunState.BACKOFF):
            self._change_state(RunState.STOPPED)  # nothing runs: IDLE/BACKOFF -> STOPPED

    def _spawn(self, now: float) -> None:
        try:
            self._control.spawn()
        except SpawnError as exc:
            if exc.fatal:
                self._finish(Finished(None, str(exc)))
            else:
                self._backoff.start(now)
                self._decide(now, None, f"Failed to spawn job '{self._name}': {exc}")
            return
        self.spawn_count += 1
        self._backoff.start(now)
        self._change_state(RunState.RUNNING)  # IDLE/BACKOFF -> RUNNING

    def _decide(self, now: float, exit_code: int | None, message: str) -> None:
        decision = self._backoff.stopped(now, exit_code, message)
        if isinstance(decision, GiveUp):
            if decision.status.exit_code != 0 or decision.status.message:
                self._events.push_log(message)
            self._finish(decision.status)
            return
        self._events.push_log(f"{message}; restarting in {decision.delay:.3f}s")
        self._events.register_restart()
        self._restart_at = now + decision.delay
        self._change_state(RunState.BACKOFF)  # RUNNING/IDLE/BACKOFF -> BACKOFF

    def _finish(self, status: Finished) -> None:
        self.final = status
        self._change_state(RunState.FINISHED)
