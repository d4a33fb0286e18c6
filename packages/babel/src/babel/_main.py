"""``babel [--root DIR] [--job-runner-cmd CMD]``: serve the Babel service inside a node.

Jobs outlive babel: on SIGTERM/SIGINT babel stops serving and exits, leaving job runners
running; the next babel re-attaches to them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import signal
from collections.abc import Coroutine
from typing import Any

import grpc

from bv_core.jobs import NodePaths
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

from ._files import JobRunnerBinary
from ._manager import JobsManager
from ._servicer import BabelServicer, JobsMonitorServicer

__all__ = ["main", "serve"]

log = logging.getLogger("babel")


async def serve(node: NodePaths, runner_cmd: list[str] | None) -> None:
    manager = JobsManager(node, runner_cmd)
    if node.babel_conf.exists():
        # babel restarted inside a node that was already set up: no setup_babel will come.
        manager.startup()
    server = grpc.aio.server()
    pb_grpc.add_BabelServicer_to_server(BabelServicer(manager, JobRunnerBinary(node.job_runner)), server)
    pb_grpc.add_JobsMonitorServicer_to_server(JobsMonitorServicer(manager), server)
    for socket in (node.babel_socket, node.jobs_monitor_socket):
        socket.parent.mkdir(parents=True, exist_ok=True)
        socket.unlink(missing_ok=True)
        server.add_insecure_port(f"unix://{socket}")
    await server.start()
    for socket in (node.babel_socket, node.jobs_monitor_socket):
        os.chmod(socket, 0o600)
    log.info("babel serving on %s", node.babel_socket)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with asyncio.TaskGroup() as tg:
        ticker = tg.create_task(manager.run())
        await stop.wait()
        log.info("babel stopping; job runners keep running")
        await server.stop(grace=1.0)
        ticker.cancel()


def _run(coro: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop  # optional in-node
    except ImportError:
        asyncio.run(coro)
        return
    uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="babel", description=__doc__)
    parser.add_argument("--root", default=os.environ.get("BABEL_ROOT", "/"),
                        help="prefix of every in-node path (tests run babel in a temp dir)")
    parser.add_argument("--job-runner-cmd", default=os.environ.get("BABEL_JOB_RUNNER_CMD"),
                        help="command that runs a job runner, instead of the uploaded binary")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s babel %(levelname)s %(message)s")
    runner_cmd = shlex.split(args.job_runner_cmd) if args.job_runner_cmd else None
    _run(serve(NodePaths(args.root), runner_cmd))
    return 0
