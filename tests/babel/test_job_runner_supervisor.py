"""The run_sh state machine and backoff with a fake clock and a fake process (no sleeps)."""

from __future__ import annotations

import signal

import pytest

from bv_core.jobs import Finished, JobConfig, job_config_from_obj
from job_runner import Backoff, GiveUp, RestartAfter, RunShSupervisor, RunState
from job_runner._exceptions import IllegalTransition, SpawnError
from job_runner._states import ALLOWED


class FakeExit:
    def __init__(self, code: int | None) -> None:
        self.exit_code = code
        self.description = f"exit status: {code}" if code is not None else "signal: 9 (SIGKILL)"


class FakeProcess:
    """Records what the supervisor does; the test decides when the process ends."""

    def __init__(self) -> None:
        self.spawns = 0
        self.signals: list[int] = []
        self.pending_exit: FakeExit | None = None
        self.alive = False
        self.fail_spawn: SpawnError | None = None
        self.leftover_kills = 0

    def spawn(self) -> None:
        if self.fail_spawn is not None:
            raise self.fail_spawn
        self.spawns += 1
        self.alive = True

    def exit(self, code: int | None) -> None:
        self.pending_exit = FakeExit(code)
        self.alive = False

    def poll(self) -> FakeExit | None:
        ended, self.pending_exit = self.pending_exit, None
        return ended

    def signal_group(self, signum: int) -> None:
        self.signals.append(signum)

    def group_alive(self) -> bool:
        return self.alive

    def kill_leftovers(self) -> None:
        self.leftover_kills += 1
        self.alive = False


class FakeEvents:
    def __init__(self) -> None:
        self.logs: list[str] = []
        self.restarts = 0

    def push_log(self, message: str) -> None:
        self.logs.append(message)

    def register_restart(self) -> None:
        self.restarts += 1


def config(restart: object, **extra: object) -> JobConfig:
    return job_config_from_obj({"job_type": {"run_sh": "x"}, "restart": restart, **extra}, "test")


def make(restart: object, **extra: object) -> tuple[RunShSupervisor, FakeProcess, FakeEvents]:
    proc, events = FakeProcess(), FakeEvents()
    return RunShSupervisor("j", config(restart, **extra), proc, events), proc, events


def test_never_finishes_with_the_exit_code() -> None:
    sup, proc, events = make("never")
    sup.tick(0.0)
    assert sup.state is RunState.RUNNING and proc.spawns == 1
    proc.exit(2)
    sup.tick(1.0)
    assert sup.state is RunState.FINISHED
    assert sup.final == Finished(2, "Job 'j' finished with exit status: 2")
    assert events.restarts == 0 and proc.leftover_kills == 1


def test_never_success_has_empty_message() -> None:
    sup, proc, _ = make("never")
    sup.tick(0.0)
    proc.exit(0)
    sup.tick(0.1)
    assert sup.final == Finished(0, "")


def test_on_failure_backoff_doubles_and_gives_up() -> None:
    sup, proc, events = make({"on_failure": {"backoff_timeout_ms": 10_000, "backoff_base_ms": 100, "max_retries": 2}})
    sup.tick(0.0)
    proc.exit(1)
    sup.tick(0.5)  # ran 0.5 s < backoff_timeout: retry 0 waits 0.1 s
    assert sup.state is RunState.BACKOFF
    sup.tick(0.59)
    assert proc.spawns == 1  # not before the delay
    sup.tick(0.6)
    assert sup.state is RunState.RUNNING and proc.spawns == 2
    proc.exit(1)
    sup.tick(0.7)
    sup.tick(0.89)
    assert proc.spawns == 2
    sup.tick(0.9)  # retry 1 waits 0.2 s
    assert proc.spawns == 3
    proc.exit(1)
    sup.tick(1.0)  # max_retries reached
    assert sup.state is RunState.FINISHED and sup.final == Finished(1, "Job 'j' finished with exit status: 1")
    assert events.restarts == 2


def test_long_run_resets_the_backoff_and_restarts_at_once() -> None:
    sup, proc, events = make({"on_failure": {"backoff_timeout_ms": 1000, "backoff_base_ms": 100, "max_retries": 1}})
    sup.tick(0.0)
    proc.exit(1)
    sup.tick(0.1)
    sup.tick(0.2)  # retry 0 after 0.1 s
    assert proc.spawns == 2
    proc.exit(1)
    sup.tick(5.0)  # ran 4.8 s > 1 s: counter reset, restart with no delay
    sup.tick(5.0)
    assert proc.spawns == 3 and sup.state is RunState.RUNNING


def test_always_restarts_after_success_until_retries_run_out() -> None:
    sup, proc, _ = make({"always": {"backoff_timeout_ms": 1000, "backoff_base_ms": 10, "max_retries": 1}})
    sup.tick(0.0)
    proc.exit(0)
    sup.tick(0.01)
    sup.tick(0.02)
    assert proc.spawns == 2
    proc.exit(0)
    sup.tick(0.03)
    assert sup.final == Finished(0, "Job 'j' finished with exit status: 0")


def test_on_failure_success_finishes() -> None:
    sup, proc, _ = make({"on_failure": {"backoff_timeout_ms": 1000, "backoff_base_ms": 10}})
    sup.tick(0.0)
    proc.exit(0)
    sup.tick(0.1)
    assert sup.final == Finished(0, "")


def test_stop_sends_signal_then_sigkill_at_the_deadline() -> None:
    sup, proc, _ = make("never", shutdown_signal="SIGINT", shutdown_timeout_secs=5)
    sup.tick(0.0)
    sup.request_stop(1.0)
    assert sup.state is RunState.STOPPING and proc.signals == [signal.SIGINT]
    sup.tick(5.9)
    assert proc.signals == [signal.SIGINT]
    sup.tick(6.0)
    assert proc.signals == [signal.SIGINT, signal.SIGKILL]
    sup.tick(6.1)
    assert sup.state is RunState.STOPPED and sup.final is None


def test_stop_ends_when_the_group_exits_on_the_signal() -> None:
    sup, proc, _ = make("never")
    sup.tick(0.0)
    sup.request_stop(0.0)
    proc.exit(0)
    sup.tick(0.1)
    assert sup.state is RunState.STOPPED and proc.signals == [signal.SIGTERM]


def test_stop_during_backoff_and_before_start() -> None:
    sup, proc, _ = make({"always": {"backoff_timeout_ms": 1000, "backoff_base_ms": 500}})
    sup.tick(0.0)
    proc.exit(1)
    sup.tick(0.1)
    assert sup.state is RunState.BACKOFF
    sup.request_stop(0.2)
    assert sup.state is RunState.STOPPED and proc.signals == []
    idle, _, _ = make("never")
    idle.request_stop(0.0)
    assert idle.state is RunState.STOPPED


def test_fatal_spawn_error_finishes_at_once() -> None:
    sup, proc, _ = make({"always": {"backoff_timeout_ms": 1000, "backoff_base_ms": 10}})
    proc.fail_spawn = SpawnError("cant run as a 'ghost': user not found", fatal=True)
    sup.tick(0.0)
    assert sup.final == Finished(None, "cant run as a 'ghost': user not found")


def test_spawn_error_goes_through_the_policy() -> None:
    sup, proc, events = make({"on_failure": {"backoff_timeout_ms": 1000, "backoff_base_ms": 10, "max_retries": 1}})
    proc.fail_spawn = SpawnError("No such file")
    sup.tick(0.0)
    assert sup.state is RunState.BACKOFF and events.restarts == 1
    sup.tick(0.02)
    assert sup.final == Finished(None, "Failed to spawn job 'j': No such file")


def test_illegal_transition_names_states() -> None:
    sup, _, _ = make("never")
    with pytest.raises(IllegalTransition, match="cannot go from idle to stopping"):
        sup._change_state(RunState.STOPPING)


def test_every_state_has_an_edge_entry() -> None:
    assert set(ALLOWED) == set(RunState)


def test_backoff_delay_is_capped() -> None:
    backoff = Backoff(config({"always": {"backoff_timeout_ms": 10**12, "backoff_base_ms": 10**9}}).restart)
    for _ in range(3):
        backoff.start(0.0)
        decision = backoff.stopped(1.0, 1, "m")
        assert isinstance(decision, RestartAfter) and decision.delay <= 3600
    never = Backoff(config("never").restart)
    assert isinstance(never.stopped(0.0, 1, "m"), GiveUp)
