"""Plugin scheduled tasks (bv-host.md §2.14, plugin-api-2.16.md §8.3).

Plugins call ``add_task(name, cron, fn, param)``; when the schedule fires the daemon calls the
plugin method ``fn(param)`` on that node, only while it runs. Cron strings use the Rust `cron`
crate's syntax: seconds first, 6 or 7 fields (optional year), day-of-week 1-7 = Sunday-Saturday.
They are evaluated in local time.

Better than the original: tasks are keyed by (node, name), so two nodes using the same task
name no longer replace each other's task.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from croniter import croniter

from bv_core.errors import InvalidInput

__all__ = ["ScheduledTask", "Scheduler", "parse_cron"]

log = logging.getLogger(__name__)

Fire = Callable[["ScheduledTask"], Awaitable[None]]


@dataclass(frozen=True)
class ScheduledTask:
    node_id: str
    name: str
    schedule: str
    function: str
    param: str = ""

    def to_json(self) -> dict[str, object]:
        """The original's nodes/state.json shape."""
        return {
            "node_id": self.node_id,
            "name": self.name,
            "schedule": self.schedule,
            "task": {"PluginFnCall": {"name": self.function, "param": self.param}},
        }

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> ScheduledTask:
        call = obj["task"]["PluginFnCall"]  # type: ignore[index]
        return cls(str(obj["node_id"]), str(obj["name"]), str(obj["schedule"]),
                   str(call["name"]), str(call.get("param", "")))


def _shift_dow(field: str) -> str:
    """cron crate day-of-week 1-7 (Sun=1) -> croniter 0-6 (Sun=0); names pass unchanged."""
    return re.sub(r"\d+", lambda m: str(int(m.group()) - 1), field)


def parse_cron(expr: str) -> str:
    """Validate a `cron`-crate expression and return the croniter form (seconds first)."""
    fields = expr.split()
    if len(fields) not in (6, 7):
        raise InvalidInput(
            f"invalid cron schedule '{expr}': expected 6 or 7 fields (sec min hour day month weekday [year])"
        )
    for value in fields[5]:
        if value.isdigit() and not 1 <= int(value) <= 7:
            raise InvalidInput(f"invalid cron schedule '{expr}': weekday numbers are 1-7 (Sunday = 1)")
    fields[5] = _shift_dow(fields[5])
    converted = " ".join(fields)
    try:
        croniter(converted, datetime.now(), second_at_beginning=True)
    except (ValueError, KeyError) as exc:
        raise InvalidInput(f"invalid cron schedule '{expr}': {exc}") from exc
    return converted


class Scheduler:
    """Keeps the task table and fires due tasks; ``run()`` is the worker loop."""

    def __init__(self, fire: Fire, tasks: list[ScheduledTask] | None = None) -> None:
        self._fire = fire
        self._tasks: dict[tuple[str, str], ScheduledTask] = {}
        self._next: dict[tuple[str, str], float] = {}
        self._changed = asyncio.Event()
        for task in tasks or []:
            self.add(task)

    @property
    def tasks(self) -> list[ScheduledTask]:
        return list(self._tasks.values())

    def add(self, task: ScheduledTask, now: float | None = None) -> None:
        converted = parse_cron(task.schedule)
        key = (task.node_id, task.name)
        self._tasks[key] = task
        start = datetime.fromtimestamp(now) if now is not None else datetime.now()
        self._next[key] = croniter(converted, start, second_at_beginning=True).get_next(float)
        self._changed.set()

    def delete(self, node_id: str, name: str) -> None:
        self._tasks.pop((node_id, name), None)
        self._next.pop((node_id, name), None)
        self._changed.set()

    def delete_node(self, node_id: str) -> None:
        for key in [k for k in self._tasks if k[0] == node_id]:
            self.delete(*key)

    def due(self, now: float) -> list[ScheduledTask]:
        """Tasks whose time has come at ``now``; their next time is advanced."""
        ready = []
        for key, when in list(self._next.items()):
            if when <= now:
                task = self._tasks[key]
                ready.append(task)
                converted = parse_cron(task.schedule)
                self._next[key] = croniter(
                    converted, datetime.fromtimestamp(now), second_at_beginning=True
                ).get_next(float)
        return ready

    def next_deadline(self) -> float | None:
        return min(self._next.values(), default=None)

    async def run(self) -> None:
        """Sleep until the nearest fire time or a table change, fire what is due, repeat."""
        while True:
            self._changed.clear()
            deadline = self.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - _wall())
            try:
                await asyncio.wait_for(self._changed.wait(), timeout)
                continue
            except TimeoutError:
                pass
            for task in self.due(_wall()):
                try:
                    await self._fire(task)
                except Exception as exc:  # a plugin failure must not stop the scheduler
                    log.warning("scheduled task %s of node %s failed: %s", task.name, task.node_id, exc)


def _wall() -> float:
    return datetime.now().timestamp()
