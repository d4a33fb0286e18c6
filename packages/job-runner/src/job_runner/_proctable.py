"""A snapshot of /proc: enough to find every process of a job (by group or by ancestry)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

__all__ = ["descendants", "group_members", "kill_pids", "snapshot"]

# pid -> (state, ppid, pgrp)
Table = dict[int, tuple[str, int, int]]


def snapshot() -> Table:
    table: Table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        table[int(entry.name)] = (fields[0], int(fields[1]), int(fields[2]))
    return table


def _live(table: Table, pid: int) -> bool:
    return table[pid][0] not in ("Z", "X")


def group_members(table: Table, pgid: int) -> list[int]:
    return [pid for pid, (_, _, pgrp) in table.items() if pgrp == pgid and _live(table, pid)]


def descendants(table: Table, ancestor: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    todo = list(children.get(ancestor, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return [pid for pid in found if _live(table, pid)]


def kill_pids(pids: list[int], signum: int = signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
