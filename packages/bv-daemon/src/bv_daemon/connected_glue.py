"""Connected mode wired to the daemon: the fleet pieces (``bv_daemon.fleet``) over the NodesManager.

    handle = await run_connected(tg, manager, rt, config)   # in run_daemon's TaskGroup
    ... cancel handle.task at shutdown; forward_node_command(handle, "start", node) in the
    internal API servicer ...

* ``FleetNodeHandler``: the ``NodeCommandHandler`` the command loop calls. Every method is
  idempotent (create of an existing node id is OK, delete of a missing node is OK, start of a
  running node is OK); an unknown node raises ``NotFound`` (-> NODE_NOT_FOUND). Node firewall
  rules are applied on create/update/upgrade and removed on delete and on a failed create.
* ``node_statuses`` / ``node_metrics`` / ``used_ips`` / ``image_exists``: the report sources.
* ``connected_sources``: all of them as one ``ConnectedSources``.
* ``forward_node_command``: the original's rule for the CLI in connected mode: ``bv node
  start/stop/delete`` of a non-dev node goes through ``NodeService``, so the fleet API stays the
  owner of the node and sends the command back to this host.

Knobs read from the daemon's environment (tests and operators): ``BV_UFW_COMMAND`` (argv prefix
for ufw, default ``ufw``; ``none`` = no firewall, e.g. a host without ufw),
``BV_FLEET_REPORT_PERIOD`` (seconds between status/metrics reports, default 30),
``BV_FLEET_POLL_INTERVAL`` (seconds between polls while the broker is down, default 5),
``BV_MQTT_PROTOCOL`` (``5`` or ``3.1.1``).

``run_connected`` also points the runtime's ``archives`` (engine socket archive calls) and
``secrets`` (plugins' get_secret/put_secret) at the fleet API while connected mode runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from bv_core.errors import BvError, Conflict, ExternalError, InvalidInput, NotFound
from bv_core.models import HostConfig, NodeState, ProtocolImageKey, VmStatus
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.v1 import metrics_pb2
from bv_core.proto.blockvisor.internal.v1 import daemon_pb2
from bv_daemon import __version__
from bv_daemon import upgrade as upgrade_mod
from bv_daemon._states import NodeStatus
from bv_daemon.archive_gateway import FleetArchiveGateway
from bv_daemon.firewall import Ufw, apply_node_rules, remove_node_rules
from bv_daemon.fleet.commands import (
    BlockingJobRunning,
    ServiceStatus,
    UpgradeFailed,
    UpgradeRolledBack,
)
from bv_daemon.fleet.connected import ConnectedMode, ConnectedSources
from bv_daemon.fleet.convert import apply_node_update
from bv_daemon.fleet.mqtt import MqttProtocol
from bv_daemon.fleet.reports import NodeStatusReport
from bv_daemon.images import Image
from bv_daemon.node import Node
from bv_daemon.node_factory import node_properties
from bv_daemon.nodes_manager import CREATING_MARKER, NodesManager
from bv_daemon.runtime import Runtime

__all__ = [
    "FORWARDED_COMMANDS",
    "ConnectedHandle",
    "FleetNodeHandler",
    "connected_sources",
    "forward_create",
    "forward_node_command",
    "forward_upgrade",
    "image_exists",
    "node_metrics",
    "node_statuses",
    "run_connected",
    "service_status_of",
    "ufw_from_env",
    "used_ips",
]

log = logging.getLogger(__name__)

_STATE = {
    NodeStatus.RUNNING: common_node_pb2.NODE_STATE_RUNNING,
    NodeStatus.STOPPED: common_node_pb2.NODE_STATE_STOPPED,
    NodeStatus.FAILED: common_node_pb2.NODE_STATE_FAILED,
}


_SERVICE_STATUS: dict[int, ServiceStatus] = {
    daemon_pb2.SERVICE_STATUS_OK: ServiceStatus.OK,
    daemon_pb2.SERVICE_STATUS_UPDATING: ServiceStatus.UPDATING,
    daemon_pb2.SERVICE_STATUS_BROKEN: ServiceStatus.BROKEN,
}


def ufw_from_env(env: dict[str, str] | None = None) -> Ufw | None:
    """The ufw runner of ``BV_UFW_COMMAND`` (default ``ufw``); None = no firewall management."""
    value = (env if env is not None else os.environ).get("BV_UFW_COMMAND", "ufw").strip()
    if value.lower() == "none":
        return None
    argv = shlex.split(value)
    if argv == ["ufw"] and shutil.which("ufw") is None:
        # as the original, ufw is the operator's to install; without it nodes still run
        log.warning("ufw is not installed: node firewall rules will not be applied")
        return None
    return Ufw(argv)


class FleetNodeHandler:
    """The command loop's ``NodeCommandHandler`` over the daemon's NodesManager."""

    def __init__(self, manager: NodesManager, ufw: Ufw | None) -> None:
        self.manager = manager
        self.ufw = ufw

    # -- firewall ----------------------------------------------------------------------------
    async def _apply_firewall(self, state: NodeState) -> None:
        if self.ufw is not None:
            await apply_node_rules(self.ufw, str(state.id), state.ip, state.firewall,
                                   bridge=self.manager.rt.net.bridge)

    async def _remove_firewall(self, node_id: str) -> None:
        if self.ufw is not None:
            await remove_node_rules(self.ufw, node_id)

    # -- create ------------------------------------------------------------------------------
    def _image(self, state: NodeState) -> Image:
        key = state.image_key
        return self.manager.images.resolve(key.protocol_key, key.variant_key, state.image.version)

    def _local_state(self, state: NodeState, image: Image) -> NodeState:
        """The API's state made runnable here: image dir, checked properties, fresh runtime fields."""
        props = node_properties(image, state.properties)
        local_image = msgspec.structs.replace(state.image, uri=f"file://{image.dir}")
        return msgspec.structs.replace(
            state, properties=props, image=local_image, expected_status=VmStatus.STOPPED,
            assigned_cpus=[], initialized=False, dev_mode=False)

    async def create(self, node: Any, state: NodeState) -> None:
        m = self.manager
        node_id = str(state.id)
        if node_id in m.nodes or m.find_broken(node_id) is not None:
            return  # a repeated create (crash after it ran): the node is there
        image = self._image(state)
        new_state = self._local_state(state, image)
        try:
            await m.create_from_state(new_state, image, before_commit=self._apply_firewall,
                                      on_failure=lambda st: self._remove_firewall(node_id))
        except BaseException as err:
            log.error("node %s: create from the fleet API failed: %s", node_id, err)
            raise
        log.info("node %s (%s) created from the fleet API: %s %s", new_state.name, node_id,
                 image.protocol_key, image.version)

    # -- simple lifecycle --------------------------------------------------------------------
    def _find(self, node_id: str) -> Node:
        node = self.manager.nodes.get(node_id)
        if node is None:
            if self.manager.find_broken(node_id) is not None:
                raise Conflict(f"node {node_id} is broken: only delete is possible")
            raise NotFound(f"node {node_id} not found")
        return node

    async def start(self, node_id: str) -> None:
        await self.manager.start(self._find(node_id).id)

    async def stop(self, node_id: str) -> None:
        await self.manager.stop(self._find(node_id).id, False)

    async def restart(self, node_id: str) -> None:
        await self.manager.restart(self._find(node_id).id, False)

    async def delete(self, node_id: str) -> None:
        try:
            await self.manager.delete(node_id)
        except NotFound:
            pass  # already gone: a repeated delete is OK
        await self._remove_firewall(node_id)

    # -- update / upgrade --------------------------------------------------------------------
    async def update(self, update: Any) -> None:
        node = self._find(update.node_id)
        new = apply_node_update(node.state, update)
        changed = {k: v for k, v in new.properties.items() if node.state.properties.get(k) != v}
        await self.manager.update(
            node.id, display_name=new.display_name if new.display_name != node.state.display_name else None,
            properties=changed, org_id=new.org_id if new.org_id != node.state.org_id else None,
            org_name=new.org_name if new.org_name != node.state.org_name else None)
        async with node.lock:
            node.state.firewall = new.firewall
            node.state.image = msgspec.structs.replace(node.state.image, config_id=new.image.config_id)
            node.save()
        await self._apply_firewall(node.state)

    async def upgrade(self, node: Any, state: NodeState) -> None:
        local = self._find(str(state.id))
        image = self._image(state)
        try:
            await self.manager.upgrade(local.id, image)
        except upgrade_mod.BlockingJobRunning as err:
            raise _same_message(BlockingJobRunning(), err) from err
        except upgrade_mod.NodeUpgradeRollback as err:
            raise _same_message(UpgradeRolledBack(""), err) from err
        except upgrade_mod.NodeUpgradeFailure as err:
            raise _same_message(UpgradeFailed("", ""), err) from err
        async with local.lock:
            # what the API's Node says beyond the image: its ids, firewall and names
            local.state.image = msgspec.structs.replace(
                local.state.image, id=state.image.id, config_id=state.image.config_id,
                archive_id=state.image.archive_id)
            local.state.firewall = state.firewall
            local.save()
        await self._apply_firewall(local.state)


def _same_message(exc: BvError, cause: BaseException) -> BvError:
    # the upgrade module already words its errors as the contract wants; keep that text
    exc.args = (str(cause),)
    return exc


# -- report sources ----------------------------------------------------------------------------
async def node_statuses(manager: NodesManager) -> list[NodeStatusReport]:
    """Every non-dev node's status for ReportStatus; a busy node reports no state."""
    out: list[NodeStatusReport] = []
    for node in list(manager.nodes.values()):
        if node.state.dev_mode:
            continue
        try:
            status = await node.status()
        except BvError as err:
            log.debug("node %s: status failed: %s", node.id, err)
            status = NodeStatus.FAILED
        out.append(NodeStatusReport(node.id, node.state.image.config_id,
                                    None if status is NodeStatus.BUSY else _STATE[status]))
    for broken in list(manager.broken.values()):
        if broken.state is not None and not broken.state.dev_mode:
            out.append(NodeStatusReport(broken.id, broken.state.image.config_id,
                                        common_node_pb2.NODE_STATE_FAILED))
    return out


async def node_metrics(manager: NodesManager) -> list[Any]:
    """``blockjoy.v1.NodeMetrics`` of every running non-dev node (failed plugin calls left out)."""
    out: list[Any] = []
    for node in list(manager.nodes.values()):
        if node.state.dev_mode or node.lock.locked():
            continue
        try:
            m = await node.metrics()
        except BvError as err:
            log.debug("node %s: metrics failed: %s", node.id, err)
            continue
        msg = metrics_pb2.NodeMetrics(node_id=node.id)
        if m.height is not None:
            msg.height = int(m.height)
        if m.block_age is not None:
            msg.block_age = int(m.block_age)
        if m.consensus is not None:
            msg.consensus = bool(m.consensus)
        out.append(msg)
    return out


def used_ips(manager: NodesManager) -> list[str]:
    return [s.ip for s in manager.states()]


def image_exists(manager: NodesManager, key: ProtocolImageKey, version: str, uri: str) -> bool:
    """True when the local image store holds ``key`` at ``version`` (the URI is not fetched)."""
    try:
        manager.images.resolve(key.protocol_key, key.variant_key, version or None)
    except BvError:
        return False
    return True


def connected_sources(manager: NodesManager, *, ufw: Ufw | None,
                      service_status: Callable[[], ServiceStatus] | None = None) -> ConnectedSources:
    async def statuses() -> Sequence[NodeStatusReport]:
        return await node_statuses(manager)

    async def metrics() -> Sequence[Any]:
        return await node_metrics(manager)

    return ConnectedSources(
        handler=FleetNodeHandler(manager, ufw),
        node_statuses=statuses,
        node_metrics=metrics,
        used_ips=lambda: used_ips(manager),
        service_status=service_status or (lambda: ServiceStatus.OK),
        image_exists=lambda key, version, uri: image_exists(manager, key, version, uri),
    )


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidInput(f"{name}: expected seconds, got {value!r}") from None
    if not seconds > 0:
        raise InvalidInput(f"{name}: expected a positive number of seconds, got {value!r}")
    return seconds


def _mqtt_protocol() -> MqttProtocol:
    value = os.environ.get("BV_MQTT_PROTOCOL", "5")
    for proto in MqttProtocol:
        if value in (proto.name, str(proto.value)):
            return proto
    raise InvalidInput(f"BV_MQTT_PROTOCOL: expected one of {', '.join(str(p.value) for p in MqttProtocol)}, "
                       f"got {value!r}")


@dataclass(frozen=True)
class ConnectedHandle:
    """What ``run_connected`` started: ``mode.client`` forwards CLI commands; cancel ``task`` to stop."""

    mode: ConnectedMode
    task: asyncio.Task[None]


def service_status_of(status: int) -> ServiceStatus:
    """The internal API's ``SERVICE_STATUS_*`` value as the command loop's ServiceStatus."""
    return _SERVICE_STATUS.get(status, ServiceStatus.UNDEFINED)


async def run_connected(
    tg: asyncio.TaskGroup, manager: NodesManager, rt: Runtime, config: HostConfig, *,
    config_path: Path | None = None, service_status: Callable[[], ServiceStatus] | None = None,
) -> ConnectedHandle:
    """Open connected mode and run it as a task of ``tg`` (cancel the handle's task to stop).

    ``service_status`` gates commands (SERVICE_NOT_READY / SERVICE_BROKEN); default always OK.
    """
    sources = connected_sources(manager, ufw=ufw_from_env(), service_status=service_status)
    connected = ConnectedMode(
        config, config_path or rt.paths.config, rt.paths, sources, bv_version=__version__,
        mqtt_protocol=_mqtt_protocol(), report_period=_env_float("BV_FLEET_REPORT_PERIOD", 30.0),
        poll_interval=_env_float("BV_FLEET_POLL_INTERVAL", 5.0))
    await connected.__aenter__()
    # babel's archive calls and plugins' secrets of every node now go to the fleet API
    rt.archives = FleetArchiveGateway(connected.client)
    rt.secrets = connected.client

    async def run() -> None:
        try:
            await connected.run()
        finally:
            rt.archives = rt.secrets = None  # the client closes next: fail calls clearly instead
            await connected.__aexit__(None, None, None)

    task = tg.create_task(run(), name="connected-mode")
    log.info("connected mode: fleet API %s, host %s", config.blockjoy_api_url, config.id)
    return ConnectedHandle(connected, task)


# -- CLI forwarding ----------------------------------------------------------------------------
FORWARDED_COMMANDS = ("start", "stop", "delete")


async def forward_node_command(connected: ConnectedHandle | None, kind: str, node: Node) -> bool:
    """Send ``bv node <kind>`` of a non-dev node to the fleet API; False = handle it locally.

    In connected mode the API owns non-dev nodes (as the original): it records the request and
    sends the command back to this host through the command loop. Dev nodes, standalone mode
    and other commands (restart, update...) stay local.
    """
    if connected is None or node.state.dev_mode or kind not in FORWARDED_COMMANDS:
        return False
    client = connected.mode.client
    if kind == "start":
        await client.node_start(node.id)
    elif kind == "stop":
        await client.node_stop(node.id)
    else:
        await client.node_delete(node.id)
    return True


async def forward_create(connected: ConnectedHandle, manager: NodesManager, *, protocol: str,
                         variant: str | None, version: str | None, properties: dict[str, str],
                         timeout: float = 600.0) -> Node:
    """``bv node create`` in connected mode: NodeService.Create on this host, then wait for the node.

    The image must exist locally (the variant defaults from it); the API picks the IP and sends
    NodeCreate back through the command loop, which builds the node. Returns the local node once
    it is built; ``ExternalError`` when it does not appear within ``timeout`` seconds.
    """
    local = manager.resolve_image(protocol, variant, version)
    client, config = connected.mode.client, connected.mode.config
    org_id = config.org_id or config.private_org_id
    if not org_id:
        raise InvalidInput(f"{connected.mode.config_path}: org_id is needed to create nodes "
                           "through the fleet API")
    image = await client.get_image(local.protocol_key, local.variant.variant_key,
                                   semantic_version=local.version)
    api_node = await client.node_create(org_id, config.id, image.image_id, properties)
    return await _wait_built(manager, str(api_node.node_id), timeout)


async def forward_upgrade(connected: ConnectedHandle, node: Node, version: str | None) -> None:
    """``bv node upgrade`` in connected mode: NodeService.UpgradeImage; the API sends NodeUpgrade."""
    key = node.state.image_key
    image = await connected.mode.client.get_image(
        key.protocol_key, key.variant_key, semantic_version=version if version not in (None, "", "latest") else None)
    await connected.mode.client.node_upgrade([node.id], image.image_id)


async def _wait_built(manager: NodesManager, node_id: str, timeout: float) -> Node:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        node = manager.nodes.get(node_id)
        if node is not None and not (node.paths.dir / CREATING_MARKER).exists():
            return node
        await asyncio.sleep(0.2)
    raise ExternalError(f"node {node_id} was created in the fleet API but did not appear on this "
                        f"host within {timeout:.0f} s; see `bv node list` later")
