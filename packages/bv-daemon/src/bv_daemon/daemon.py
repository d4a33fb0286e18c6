"""The daemon's lifetime (bv-host.md §3.1): build the runtime, attach nodes, serve, shut down.

Structure: one `asyncio.TaskGroup` holds the recovery loop and the scheduler while the gRPC
server serves the internal API on ``<BV_ROOT>/var/lib/blockvisor/blockvisor.sock`` (mode 0660,
root-owned; never TCP). SIGTERM/SIGINT start a graceful shutdown: calls are refused, the loops
stop, engine servers close, scheduled tasks are persisted - and nodes keep running.

Mode: standalone when the host config is absent or has no fleet-API credentials. Connected mode
adds its command loop, status and metrics reports and the self-updater as more tasks of the same
group. A host whose last installer rollback failed reports BROKEN.

Archive store (standalone mode only): ``BV_ARCHIVE_STORE`` (tests, operators) or the host
config's ``archive_store_dir`` names a directory store; the daemon serves it over HTTP on the
node bridge address (`bv_daemon.archive_server`) and answers nodes' archive calls from it
(`bv_daemon.archive_gateway.LocalArchiveGateway`). Without one, archive calls fail with a clear
FAILED_PRECONDITION. In connected mode the fleet API's ArchiveService is used instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import secrets
import signal
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from bv_core.errors import BvError, InvalidInput
from bv_core.models import HostConfig, encode_json, load_host_config
from bv_core.proto.blockvisor.internal.v1 import daemon_pb2, service_pb2_grpc
from bv_daemon.api.internal import InternalService, ServiceState
from bv_daemon.connected_glue import run_connected, service_status_of
from bv_daemon.nodes_manager import NodesManager
from bv_daemon.paths import HostPaths
from bv_daemon.platform import make_platform
from bv_daemon.recovery import DEFAULT_INTERVAL, recovery_loop
from bv_daemon.runtime import Bundle, NetSettings, Runtime
from bv_daemon.scheduler import ScheduledTask, Scheduler
from bv_daemon.self_updater import (
    FleetBundleClient,
    SelfUpdater,
    host_broken_reason,
    running_bundle_version,
)

__all__ = ["ARCHIVE_STORE_ENV", "DaemonOptions", "archive_store_dir", "build_runtime", "run_daemon"]

ARCHIVE_STORE_ENV = "BV_ARCHIVE_STORE"

log = logging.getLogger("blockvisord")


@dataclass
class DaemonOptions:
    config: Path | None = None  # default <BV_ROOT>/etc/blockvisor.json
    bundle_dir: Path | None = None  # default BV_BUNDLE_DIR, else the installed bundle
    log_level: str = "info"
    platform: str = "bwrap"
    recovery_interval: float = DEFAULT_INTERVAL
    backoff_scale: float = 1.0
    extra: dict[str, str] = field(default_factory=dict)


def _load_config(path: Path) -> HostConfig | None:
    if not path.exists():
        return None
    return load_host_config(path)


def _redacted(config: HostConfig | None) -> str:
    if config is None:
        return "(no host config: standalone defaults)"
    text = encode_json(config).decode()
    for secret in (config.token, config.refresh_token):
        if secret:
            text = text.replace(secret, "***")
    return text


def build_runtime(opts: DaemonOptions, paths: HostPaths) -> tuple[Runtime, HostConfig | None]:
    config = _load_config(opts.config or paths.config)
    bundle = Bundle.from_env(opts.bundle_dir)
    bundle.check()
    host_id = config.id if config else str(uuid.uuid5(uuid.NAMESPACE_DNS, socket.gethostname()))
    rt = Runtime(
        paths=paths, platform=make_platform(opts.platform), bundle=bundle,
        net=NetSettings.from_config(config), host_id=host_id,
        host_name=config.name if config else socket.gethostname(),
        api_url=(config.blockjoy_api_url or "") if config else "", log_level=opts.log_level,
        cpu_limit=config.apptainer.cpu_limit if config else True,
        memory_limit=config.apptainer.memory_limit if config else True,
        maintenance_mode=config.maintenance_mode if config else False, backoff_scale=opts.backoff_scale,
    )  # fmt: skip
    return rt, config


def archive_store_dir(config: HostConfig | None, env: dict[str, str] | None = None) -> Path | None:
    """The standalone archive store: ``BV_ARCHIVE_STORE`` wins over ``archive_store_dir``."""
    value = (env if env is not None else os.environ).get(ARCHIVE_STORE_ENV, "").strip()
    if value:
        if not os.path.isabs(value):
            raise InvalidInput(f"{ARCHIVE_STORE_ENV}: expected an absolute directory path, got {value!r}")
        return Path(value)
    if config is not None and config.archive_store_dir:
        return Path(config.archive_store_dir)
    return None


@contextlib.asynccontextmanager
async def _standalone_archives(rt: Runtime, config: HostConfig | None) -> AsyncIterator[None]:
    """Serve the local archive store (if any) while the daemon runs; sets ``rt.archives``."""
    store = None if config is not None and config.connected else archive_store_dir(config)
    if store is None:
        yield
        return
    from bv_daemon.archive_gateway import LocalArchiveGateway
    from bv_daemon.archive_server import ArchiveServer

    # A fresh secret per daemon run: URLs handed out before a restart get 403, and the jobs
    # simply ask for new ones.
    secret = secrets.token_bytes(32)
    async with ArchiveServer(store, secret, rt.net.bridge_ip) as server:
        rt.archives = LocalArchiveGateway(store, base_url=server.base_url, secret=secret)
        log.info("archive store %s served on %s", store, server.base_url)
        try:
            yield
        finally:
            rt.archives = None


@contextlib.contextmanager
def _single_instance(paths: HostPaths) -> Iterator[None]:
    paths.var.mkdir(parents=True, exist_ok=True)
    with open(paths.var / "blockvisord.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInput(f"another blockvisord already runs for {paths.var}") from None
        yield


async def _serve(service: InternalService, sock: Path) -> grpc.aio.Server:
    server = grpc.aio.server()
    service_pb2_grpc.add_BlockvisorServiceServicer_to_server(service, server)
    sock.parent.mkdir(parents=True, exist_ok=True)
    sock.unlink(missing_ok=True)
    old = os.umask(0o117)  # the socket is never world-accessible, not even for an instant
    try:
        server.add_insecure_port(f"unix://{sock}")
        await server.start()
    finally:
        os.umask(old)
    os.chmod(sock, 0o660)
    os.chown(sock, 0, 0)
    return server


async def run_daemon(opts: DaemonOptions, paths: HostPaths | None = None) -> None:
    paths = paths or HostPaths.from_env()
    with _single_instance(paths):
        rt, config = build_runtime(opts, paths)
        async with _standalone_archives(rt, config):
            await _run(opts, paths, rt, config)


async def _run(opts: DaemonOptions, paths: HostPaths, rt: Runtime, config: HostConfig | None) -> None:
    manager_holder: list[NodesManager] = []

    async def fire(task: ScheduledTask) -> None:
        from bv_daemon._states import NodeStatus

        node = manager_holder[0].nodes.get(task.node_id)
        if node is None or await node.status() is not NodeStatus.RUNNING:
            return
        await node.plugin_call(lambda p: p.call_method(task.function, task.param))

    rt.scheduler = Scheduler(fire)
    manager = NodesManager(rt)
    manager_holder.append(manager)
    state = ServiceState()
    service = InternalService(manager, state, config_text=_redacted(config))
    server = await _serve(service, paths.socket)
    log.info("blockvisord serving on %s (%s mode)", paths.socket,
             "connected" if rt.api_url else "standalone")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        await manager.load()
        broken = host_broken_reason(paths)
        if broken is not None:
            log.error("host is broken (installer rollback failed): %s; call support", broken)
        state.status = daemon_pb2.SERVICE_STATUS_BROKEN if broken else daemon_pb2.SERVICE_STATUS_OK
        async with asyncio.TaskGroup() as tg:
            loops = [
                tg.create_task(recovery_loop(manager, opts.recovery_interval)),
                tg.create_task(rt.scheduler.run()),
            ]
            if config is not None and config.connected:  # issue 7: command loop, reports
                handle = await run_connected(tg, manager, rt, config, config_path=opts.config or paths.config,
                                             service_status=lambda: service_status_of(state.status))
                loops.append(handle.task)
                updater = SelfUpdater(FleetBundleClient(handle.mode.client), paths,
                                      running_bundle_version(),
                                      interval=config.update_check_interval_secs)
                loops.append(tg.create_task(updater.run()))
                service.connected = handle  # CLI node commands of non-dev nodes go to the API
            await stop.wait()
            log.info("blockvisord shutting down; nodes keep running")
            state.shutting_down = True
            for task in loops:
                task.cancel()
    finally:
        state.shutting_down = True
        await server.stop(grace=2.0)
        try:
            await manager.detach()
        except BvError as err:
            log.error("saving state at shutdown: %s", err)
        paths.socket.unlink(missing_ok=True)
    log.info("blockvisord stopped")
