"""Pure logic of the daemon: statuses, recovery budgets, CPU registry, cron scheduling."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from bv_core.errors import Conflict, InvalidInput
from bv_daemon._states import MachineState, NodeStatus, actual_status
from bv_daemon.cpu_registry import CpuRegistry
from bv_daemon.recovery_backoff import RecoveryBackoff, RecoveryKind
from bv_daemon.scheduler import ScheduledTask, Scheduler, parse_cron

R, S, F = NodeStatus.RUNNING, NodeStatus.STOPPED, NodeStatus.FAILED


@pytest.mark.parametrize(
    ("machine", "expected", "babel_ok", "initialized", "status"),
    [
        (MachineState.RUNNING, R, True, True, R),
        (MachineState.RUNNING, R, False, True, F),  # babel connection broken
        (MachineState.RUNNING, R, True, False, F),  # init not done (or failed)
        (MachineState.SHUTOFF, S, False, False, S),
        (MachineState.SHUTOFF, R, True, True, F),  # container died
        (MachineState.RUNNING, S, True, True, F),  # should be stopped but runs
        (MachineState.INVALID, R, True, True, F),  # babel died
    ],
)
def test_actual_status(machine: MachineState, expected: NodeStatus, babel_ok: bool,
                       initialized: bool, status: NodeStatus) -> None:
    assert actual_status(machine, expected, babel_ok=babel_ok, initialized=initialized) is status


def test_backoff_doubles_and_exhausts_after_three_failures() -> None:
    b = RecoveryBackoff()
    assert b.due(0.0)
    assert not b.failed(RecoveryKind.START, now=100.0)
    assert b.not_before == 115.0 and not b.due(114.9) and b.due(115.0)
    assert not b.failed(RecoveryKind.START, now=115.0)
    assert b.not_before == 145.0
    assert b.failed(RecoveryKind.START, now=145.0)  # third failure: exhausted
    b.succeeded()
    assert b.due(0.0) and not b.failed(RecoveryKind.VM, now=0.0)
    assert b.not_before == 1.0


def test_cpu_registry_takes_last_cores_and_refuses_overcommit() -> None:
    reg = CpuRegistry(3)
    assert reg.acquire(1) == [2]
    assert reg.acquire(1) == [1]
    with pytest.raises(Conflict, match="not enough cpu cores"):
        reg.acquire(2)
    reg.release([2])
    assert sorted(reg.free) == [0, 2]
    reg.mark_acquired([0])
    assert reg.free == [2]


@pytest.mark.parametrize("expr", ["* * * * *", "a b c d e f", "0 0 0 * * 9", "1 2 3"])
def test_bad_cron_names_the_schedule(expr: str) -> None:
    with pytest.raises(InvalidInput, match="invalid cron schedule"):
        parse_cron(expr)


def test_cron_weekday_uses_rust_numbering() -> None:
    # 2026-11-25 is a Wednesday; weekday 1 = Sunday in the cron crate -> next Sunday 29th.
    sched = Scheduler(fire=_never)
    start = datetime(2026, 11, 25, 12, 0, 0).timestamp()
    sched.add(ScheduledTask("n1", "weekly", "0 0 3 * * 1", "backup"), now=start)
    assert datetime.fromtimestamp(sched.next_deadline() or 0) == datetime(2026, 11, 29, 3, 0, 0)


async def _never(task: ScheduledTask) -> None:
    raise AssertionError(f"unexpected fire of {task}")


def test_tasks_are_per_node_and_replace_by_name() -> None:
    sched = Scheduler(fire=_never)
    t0 = datetime(2026, 1, 1).timestamp()
    sched.add(ScheduledTask("n1", "up", "*/10 * * * * *", "upload"), now=t0)
    sched.add(ScheduledTask("n2", "up", "*/10 * * * * *", "upload"), now=t0)
    sched.add(ScheduledTask("n1", "up", "*/20 * * * * *", "upload", "x"), now=t0)
    assert len(sched.tasks) == 2
    due = sched.due(t0 + 10)
    assert [(t.node_id, t.param) for t in due] == [("n2", "")]
    assert {t.node_id for t in sched.due(t0 + 20)} == {"n1", "n2"}
    sched.delete_node("n1")
    assert [t.node_id for t in sched.tasks] == ["n2"]


def test_task_json_round_trip() -> None:
    task = ScheduledTask("n1", "up", "0 0 * * * * *", "upload", "p")
    assert ScheduledTask.from_json(task.to_json()) == task
    assert task.to_json()["task"] == {"PluginFnCall": {"name": "upload", "param": "p"}}


async def test_scheduler_loop_fires_due_tasks() -> None:
    fired: list[str] = []
    done = asyncio.Event()

    async def fire(task: ScheduledTask) -> None:
        fired.append(task.name)
        done.set()

    sched = Scheduler(fire=fire)
    sched.add(ScheduledTask("n1", "every-second", "* * * * * *", "height"))
    runner = asyncio.create_task(sched.run())
    try:
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        runner.cancel()
    assert fired and fired[0] == "every-second"
