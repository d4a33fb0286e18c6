"""Spawning, finding and killing job runner processes, and what a crashed one left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import Final

from bv_core.jobs import JobPaths, ProcessRef, job_env_token, processes_with_env

__all__ = ["adopt_runner", "job_processes", "kill_job_processes", "signal_runner", "spawn_runner"]

RUNNER_LOG_LIMIT: Final = 1_000_000


def spawn_runner(argv: list[str], paths: JobPaths) -> tuple[ProcessRef, subprocess.Popen[bytes]]:
    """Start ``argv`` in its own session so babel's death or signals never reach it."""
    with open(paths.dir / "runner.log", "ab") as log:
        if log.tell() > RUNNER_LOG_LIMIT:  # keep the last crash readable, never grow unbounded
            log.truncate(0)
        popen = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            close_fds=True,
        )
    ref = ProcessRef.of(popen.pid) or ProcessRef(popen.pid, -1)
    return ref, popen


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def adopt_runner(paths: JobPaths) -> ProcessRef | None:
    """The live runner of this job, found by its pid file and checked by start time and cmdline."""
    ref = ProcessRef.read(paths.runner_pid)
    if ref is None or not ref.alive():
        return None
    argv = _cmdline(ref.pid)
    return ref if argv and paths.name in argv else None


def signal_runner(ref: ProcessRef, signum: int) -> None:
    if ref.alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(ref.pid, signum)


def _snapshot() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, pgrp) of live processes."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if fields[0] not in ("Z", "X"):
            table[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return table


def job_processes(paths: JobPaths, runner: ProcessRef | None = None) -> list[int]:
    """Every live process of the job: the runner, the job's process group, their descendants."""
    table = _snapshot()
    roots: set[int] = set(processes_with_env(job_env_token(paths)))
    child = ProcessRef.read(paths.child_pid)
    if child is not None and child.alive():
        roots.update(pid for pid, (_, pgrp) in table.items() if pgrp == child.pid)
    if runner is not None and runner.alive():
        roots.add(runner.pid)
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _) in table.items():
            if ppid in found and pid not in found:
                found.add(pid)
                changed = True
    return sorted(found & set(table))


def kill_job_processes(paths: JobPaths, runner: ProcessRef | None = None) -> None:
    """SIGKILL everything of the job (crash and timeout paths only)."""
    for pid in job_processes(paths, runner):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
