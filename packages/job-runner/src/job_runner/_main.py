"""``babel_job_runner [--root DIR] <job_name>``: run one job to its end.

Started by babel in a new session so it survives babel. It writes ``runner.pid`` (for
re-attach), runs the job, writes the final ``status.json`` atomically and exits. On SIGTERM or
SIGINT it stops the job (shutdown signal, then SIGKILL) and exits without writing a status:
babel records Stopped (or Skipped) itself.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

from bv_core.errors import BvError
from bv_core.jobs import (
    Finished,
    JobConfig,
    NodePaths,
    ProcessRef,
    job_config_from_json,
    job_status_to_obj,
)
from bv_core.persistence import atomic_write_json

from ._kinds import JobContext, kind_for
from ._monitor import MonitorClient
from ._process import become_subreaper

__all__ = ["main", "run_job"]

log = logging.getLogger("job_runner")
ONE_TIME_UNFINISHED = "one-time job started, but not finished"
_JOB_FILES = ("config.json", "status.json", "progress.json", "logs")


def _copy_job_files(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for name in _JOB_FILES:
        if (src / name).exists():
            shutil.copy2(src / name, dst / f".{name}.copy")
            os.replace(dst / f".{name}.copy", dst / name)


async def run_job(name: str, config: JobConfig, node: NodePaths, monitor: MonitorClient) -> Finished | None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ctx = JobContext(name, config, node, monitor, stop)
    backup = node.one_time_backup(name) if config.one_time else None
    if backup is not None:
        if backup.exists():
            # Ran before on this data disk: restore its result and never run again (2.16 §5).
            _copy_job_files(backup, ctx.paths.dir)
            monitor.push_log(f"one-time job '{name}' already ran; restored its result")
            return None
        backup.mkdir(parents=True)
        unfinished = job_status_to_obj(Finished(None, ONE_TIME_UNFINISHED))
        atomic_write_json(backup / "status.json", unfinished)
        atomic_write_json(ctx.paths.status, unfinished)
    if config.use_protocol_data:
        lock = node.protocol_data_lock()
        try:
            lock.touch()
            os.utime(lock)
        except OSError as exc:
            return Finished(None, f"can't touch protocol data lock {lock}: {exc.strerror or exc}")
    final = await kind_for(config).run(ctx)
    if final is not None:
        atomic_write_json(ctx.paths.status, job_status_to_obj(final))
    if backup is not None:
        _copy_job_files(ctx.paths.dir, backup)
    return final


def _run(coro_factory: object) -> object:
    try:
        import uvloop  # optional in-node: faster loop when the rootfs bundle carries it
    except ImportError:
        return asyncio.run(coro_factory)  # type: ignore[arg-type]
    return uvloop.run(coro_factory)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="babel_job_runner", description=__doc__)
    parser.add_argument("--root", default=os.environ.get("BABEL_ROOT", "/"), help="in-node root (tests)")
    parser.add_argument("name", help="job name (a directory under /var/lib/babel/jobs)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s job_runner %(levelname)s %(message)s")
    try:
        os.setsid()  # babel's signals must never reach us (no-op if babel already did it)
    except OSError:
        pass
    become_subreaper()
    node = NodePaths(args.root)
    try:
        paths = node.job(args.name)
    except BvError as exc:
        print(f"babel_job_runner: {exc}", file=sys.stderr)
        return 2
    me = ProcessRef.of(os.getpid())
    if me is not None:
        me.write(paths.runner_pid)
    monitor = MonitorClient(node.jobs_monitor_socket, args.name)
    try:
        config = job_config_from_json(paths.config.read_bytes(), str(paths.config))
    except (OSError, BvError) as exc:
        atomic_write_json(paths.status, job_status_to_obj(Finished(None, f"can't load job config: {exc}")))
        return 1
    try:
        _run(run_job(args.name, config, node, monitor))
    except BvError as exc:
        log.error("job %s: %s", args.name, exc)
        atomic_write_json(paths.status, job_status_to_obj(Finished(None, str(exc))))
        monitor.push_log(str(exc))
        return 1
    finally:
        monitor.close()
    return 0
