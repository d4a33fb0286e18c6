"""One node: its persisted `NodeState`, machine, babel connection, plugin and engine server.

A `Node` owns one state machine. ``state`` is persisted atomically (``save()``) on every change,
and only methods of this class (and `bv_daemon.upgrade`, its journal) change it. Long operations
hold ``lock``; while it is held the node reports Busy. The actual status is computed on demand
from the machine, babel connection and ``expected_status`` (`_states.actual_status`).

Legal edges (bv-host.md §2.5-2.7, bv-host-2.16.md §3.2):
    create:  (none) -> Stopped                 start:  Stopped|Failed(expected Running) -> Running
    stop:    Running|Failed -> Stopped          delete: any -> (gone)
    start refuses a node that is Failed while expected Stopped ("not stopped properly").
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bv_core.errors import BvError, Conflict, ExternalError
from bv_core.models import NodeState, VmStatus, load_node_state, save_node_state
from bv_core.plugin import NodeEnv, ProtocolStatus, RhaiPlugin
from bv_daemon._states import MachineState, NodeStatus, actual_status
from bv_daemon.babel_client import BabelClient, BabelError, ConnectionState
from bv_daemon.engine_server import EngineServer
from bv_daemon.paths import NodePaths
from bv_daemon.platform.base import Machine, MachineSpec, MachineStatus
from bv_daemon.plugin_host import NodeFacts, NodePluginHost
from bv_daemon.recovery_backoff import BACKOFF_POLICIES, BackoffPolicy, RecoveryBackoff
from bv_daemon.runtime import Runtime

__all__ = ["DATA_MOUNT_POINT", "PROTOCOL_DATA_PATH", "Node", "NodeMetrics", "image_dir_of"]

log = logging.getLogger(__name__)

DATA_MOUNT_POINT = "/blockjoy"
PROTOCOL_DATA_PATH = "/blockjoy/protocol_data"
T = TypeVar("T")



def image_dir_of(state: NodeState) -> Path:
    """Standalone nodes record their image directory as ``file://<dir>`` in ``image.uri``."""
    uri = state.image.uri
    return Path(uri.removeprefix("file://"))


class NodeMetrics:
    """What `metrics()` gathers; a field is None when the plugin lacks it or it failed."""

    def __init__(self) -> None:
        self.height: int | None = None
        self.block_age: int | None = None
        self.consensus: bool | None = None
        self.protocol_status: ProtocolStatus | None = None
        self.address: str | None = None


class Node:
    def __init__(self, state: NodeState, rt: Runtime) -> None:
        self.state = state
        self.rt = rt
        self.id = str(state.id)
        self.paths: NodePaths = rt.paths.node(self.id)
        self.lock = asyncio.Lock()
        self.plugin_lock = asyncio.Lock()
        self.backoff = RecoveryBackoff(policies={
            kind: BackoffPolicy(p.base_secs * rt.backoff_scale, p.max_tries) for kind, p in BACKOFF_POLICIES.items()})
        self.babel = BabelClient(state.name, self.paths.babel_socket)
        self.engine = EngineServer(self.id, self.paths.engine_socket,
                                   image=lambda: self.state.image, gateway=lambda: self.rt.archives,
                                   connected=lambda: bool(self.rt.api_url))
        self.machine: Machine = rt.platform.machine(self.spec())
        self.plugin: RhaiPlugin | None = None
        self.failure: str = ""  # last failure, shown in node info while the node is Failed

    # -- persisted state --------------------------------------------------------------------------
    def save(self) -> None:
        """Persist atomically. If the disk refuses (full, read-only), the file keeps the old
        state, and so does memory: the change is undone and the error raised."""
        try:
            save_node_state(self.paths.state, self.state)
        except BvError:
            try:
                self.state = load_node_state(self.paths.state)
            except BvError as err:
                log.error("node %s: cannot re-read state after a failed save: %s", self.id, err)
            raise

    def set_expected(self, status: VmStatus) -> None:
        if self.state.expected_status is not status:
            self.state.expected_status = status
            self.save()

    # -- derived views ----------------------------------------------------------------------------
    def node_env(self) -> NodeEnv:
        s = self.state
        return NodeEnv(
            node_id=self.id, node_name=s.name, node_org_id=s.org_id, node_version=s.image.version,
            node_protocol=s.image_key.protocol_key, node_variant=s.image_key.variant_key,
            node_ip=s.ip, node_gateway=s.gateway, dev_mode=s.dev_mode, bv_host_id=self.rt.host_id,
            bv_host_name=self.rt.host_name, bv_api_url=self.rt.api_url,
            data_mount_point=DATA_MOUNT_POINT, protocol_data_path=PROTOCOL_DATA_PATH,
        )  # fmt: skip

    def env_file(self) -> str:
        """node_env: the 14 NodeEnv fields as ``KEY="value"`` lines (+ the log level)."""
        lines = [f'{key.upper()}="{_env_quote(value)}"' for key, value in self.node_env().to_value().items()]
        lines.append(f'BV_LOG="{_env_quote(self.rt.log_level)}"')
        return "\n".join(lines) + "\n"

    def spec(self) -> MachineSpec:
        s, rt = self.state, self.rt
        return MachineSpec(
            node_id=self.id, name=s.name, rootfs_source=image_dir_of(s) / "rootfs",
            node_dir=self.paths.dir, data_dir=self.paths.data, ip=s.ip, gateway=rt.net.bridge_ip,
            prefix=rt.net.prefix, bridge=rt.net.bridge,
            vcpu=s.vm_config.vcpu_count if rt.cpu_limit and not s.dev_mode else 0,
            mem_mb=s.vm_config.mem_size_mb if rt.memory_limit else 0,
            cpus=tuple(s.assigned_cpus) if rt.cpu_limit else (),
            env_file=self.env_file(), babel_command=("/usr/bin/babel",),
        )  # fmt: skip

    def refresh_machine(self) -> None:
        """Rebuild the machine object after the spec changed (image, properties, resources)."""
        self.machine = self.rt.platform.machine(self.spec())

    def facts(self) -> NodeFacts:
        return NodeFacts(self.node_env(), dict(self.state.properties), self.paths.dir, self.paths.data,
                         self.state.image)

    # -- status -----------------------------------------------------------------------------------
    async def machine_state(self) -> MachineState:
        """The original's VM states: FAILED with the container alive is INVALID (babel died,
        jobs may still run); FAILED with the container gone counts as SHUTOFF."""
        ms = await self.machine.state()
        if ms.status is MachineStatus.RUNNING:
            return MachineState.RUNNING
        if ms.babel_dead:
            return MachineState.INVALID
        return MachineState.SHUTOFF

    async def status(self) -> NodeStatus:
        if self.lock.locked():
            return NodeStatus.BUSY
        return await self.computed_status()

    async def computed_status(self) -> NodeStatus:
        expected = NodeStatus(self.state.expected_status.value)
        return actual_status(
            await self.machine_state(), expected,
            babel_ok=self.babel.state is ConnectionState.CONNECTED, initialized=self.state.initialized,
        )  # fmt: skip

    async def failure_reason(self) -> str:
        if self.state.expected_status is VmStatus.FAILED:
            return self.failure or "recovery gave up"
        ms = await self.machine.state()
        if ms.status is MachineStatus.FAILED:
            return ms.reason
        return self.failure

    # -- files put into the rootfs ----------------------------------------------------------------
    def install_babel(self) -> None:
        """Copy the bundle's babel into the rootfs (atomically: a running babel keeps its file)."""
        target = self.paths.rootfs / "usr/bin/babel"
        tmp = target.with_name(".babel.tmp")
        shutil.copyfile(self.rt.bundle.babel, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)

    def _install_files(self) -> None:
        """Copy babel (every start, so a new bundle reaches running nodes) and the plugin."""
        self.install_babel()
        src = image_dir_of(self.state) / "plugin"
        dst = self.paths.plugin_dir
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)

    # -- plugin -----------------------------------------------------------------------------------
    async def load_plugin(self) -> RhaiPlugin:
        host = NodePluginHost(self.facts, self.babel, self.rt.scheduler, asyncio.get_running_loop(),
                              secrets=lambda: self.rt.secrets, archives=lambda: self.rt.archives)
        self.plugin = await asyncio.to_thread(RhaiPlugin, self.paths.plugin_dir, host)
        return self.plugin

    async def plugin_call(self, fn: Callable[[RhaiPlugin], T]) -> T:
        """Run one plugin call in a worker thread; one call at a time per node."""
        async with self.plugin_lock:
            plugin = self.plugin or await self.load_plugin()
            return await asyncio.to_thread(fn, plugin)

    # -- lifecycle --------------------------------------------------------------------------------
    async def create_machine(self) -> None:
        self.paths.data.mkdir(parents=True, exist_ok=True)
        await self.machine.create()
        await asyncio.to_thread(self._install_files)
        if self.state.initialized and not self.paths.protocol_data_lock.exists():
            self.paths.protocol_data_lock.touch()

    async def start(self) -> None:
        """Bring the node to Running: machine, babel, job runner, setup, init when needed."""
        if (await self.computed_status() is NodeStatus.FAILED
                and self.state.expected_status is VmStatus.STOPPED):
            raise Conflict(f"can't start node {self.state.name} which is not stopped properly")
        self.set_expected(VmStatus.RUNNING)
        await self.engine.start()
        ms = await self.machine.state()
        if ms.status is not MachineStatus.RUNNING:
            await self.create_machine()
            if ms.status is MachineStatus.FAILED:
                await self.machine.recover()
            else:
                await self.machine.start()
            await self.babel.close()
        await self.babel.wait_ready(self.rt.babel_start_timeout)
        await self.babel.check_job_runner(self.rt.bundle.job_runner)
        await self.babel.setup_babel(self.node_env(), [
            (r.ram_disk_mount_point, r.ram_disk_size_mb) for r in self.state.vm_config.ramdisks])
        if not self.state.initialized:
            await self.load_plugin()
            try:
                await self.plugin_call(lambda p: p.init())
            except BvError as err:
                # 2.16: init failure is not permanent; recovery retries start (and init).
                self.failure = f"init failed: {err}"
                raise
            self.state.initialized = True
        self.state.started_at = int(time.time())
        self.state.restarting = False
        self.failure = ""
        self.save()

    async def stop(self, force: bool) -> None:
        self.set_expected(VmStatus.STOPPED)
        ms = await self.machine.state()
        if ms.status is MachineStatus.RUNNING:
            try:
                await self.babel.shutdown_babel(force)
            except BabelError as err:
                if not force:
                    raise ExternalError(
                        f"node {self.state.name}: failed to gracefully shutdown babel and background jobs: {err}"
                    ) from None
                log.warning("node %s: forced stop, babel shutdown failed: %s", self.state.name, err)
        await self.babel.close()
        if self.state.started_at is not None:
            self.state.started_at = None
            self.save()
        if ms.status is not MachineStatus.STOPPED:
            await self.machine.stop(timeout=0.0 if force else self.rt.stop_timeout, force=force)
        await self.engine.stop()

    async def restart(self, force: bool) -> None:
        self.state.restarting = True
        self.save()
        await self.stop(force)
        await self.start()

    async def delete(self) -> None:
        self.set_expected(VmStatus.STOPPED)
        await self.engine.stop()
        await self.babel.close()
        await self.machine.delete()
        await asyncio.to_thread(shutil.rmtree, self.paths.dir, True)

    async def refresh_babel(self) -> None:
        """Daemon start on a node whose container runs (bv-host.md §2.10): babel from the current
        bundle, restarted in place; the container and the protocol's jobs keep running."""
        await asyncio.to_thread(self.install_babel)
        await self.babel.close()
        await self.machine.restart_babel(self.rt.stop_timeout)

    async def shutdown_for_daemon_exit(self) -> None:
        """Daemon exit: nodes keep running; only host-side servers and channels go."""
        await self.engine.stop()
        await self.babel.close()

    # -- queries ----------------------------------------------------------------------------------
    async def metrics(self) -> NodeMetrics:
        out = NodeMetrics()
        if await self.computed_status() is not NodeStatus.RUNNING:
            return out
        plugin = self.plugin or await self.load_plugin()
        caps = set(plugin.capabilities())
        for name in ("height", "block_age", "consensus", "address"):
            if name in caps:
                try:
                    setattr(out, name, await self.plugin_call(_method_caller(name)))
                except BvError as err:
                    log.debug("node %s: %s failed: %s", self.state.name, name, err)
        try:
            out.protocol_status = await self.plugin_call(lambda p: p.protocol_status())
        except BvError as err:
            log.debug("node %s: protocol_status failed: %s", self.state.name, err)
        return out


def _method_caller(name: str) -> Callable[[RhaiPlugin], object]:
    def call(plugin: RhaiPlugin) -> object:
        return getattr(plugin, name)()

    return call


def _env_quote(value: object) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
