"""Connected mode in one object: what ``blockvisord`` runs when the host config names a fleet API.

    connected = ConnectedMode(config, config_path, paths, sources, bv_version=VERSION)
    async with connected:                       # opens the API channel
        tg.create_task(connected.run())         # in the daemon's TaskGroup; cancel to stop
        ... connected.client for CLI forwarding and the engine socket's archive/secret calls ...

``run`` sends UpdateHost once, then runs, until cancelled: the command loop, the MQTT doorbell
(broker URL from the config or DiscoveryService, forgotten after a broker failure), node status
reports, host metrics and node metrics every ``report_period`` + jitter. Refreshed tokens and a
discovered broker URL are written back to the host config file (atomically, mode 0600).
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bv_core.errors import BvError, InvalidInput
from bv_core.models import HostConfig, save_host_config

from ..paths import HostPaths
from .client import FleetClient, Tokens
from .commands import Bell, CommandLoop, NodeCommandHandler, ServiceStatus
from .convert import ImageExists, node_state_from_api
from .mqtt import MqttDoorbell, MqttProtocol
from .reports import (
    BrokerDiscovery,
    MetricsReporter,
    NodeStatusReport,
    StatusReporter,
    host_metrics_now,
    periodic,
    update_host_request,
)

__all__ = ["ConnectedMode", "ConnectedSources"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectedSources:
    """What the daemon provides; see each field."""

    handler: NodeCommandHandler  # runs node commands (idempotent)
    node_statuses: Callable[[], Awaitable[Sequence[NodeStatusReport]]]  # non-dev nodes
    node_metrics: Callable[[], Awaitable[Sequence[Any]]]  # blockjoy.v1.NodeMetrics per running node
    used_ips: Callable[[], Sequence[str]]  # IPs of the host's nodes
    service_status: Callable[[], ServiceStatus] = lambda: ServiceStatus.OK
    image_exists: ImageExists | None = None  # None = accept any image in NodeCreate/Upgrade


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class ConnectedMode:
    def __init__(
        self,
        config: HostConfig,
        config_path: Path,
        paths: HostPaths,
        sources: ConnectedSources,
        *,
        bv_version: str,
        mqtt_protocol: MqttProtocol = MqttProtocol.V5,
        report_period: float = 30.0,
        poll_interval: float = 5.0,
        root_certificates: bytes | None = None,
    ) -> None:
        if not config.connected or config.token is None or config.refresh_token is None:
            raise InvalidInput(f"{config_path}: no fleet API configured (token, refresh_token "
                               "and blockjoy_api_url are needed for connected mode)")
        assert config.blockjoy_api_url is not None
        self.config = config
        self.config_path = config_path
        self.paths = paths
        self.sources = sources
        self.bv_version = bv_version
        self.report_period = report_period
        self.client = FleetClient(config.blockjoy_api_url,
                                  Tokens(config.token, config.refresh_token),
                                  on_tokens=self._save_tokens, root_certificates=root_certificates)
        self.bell = Bell()
        self.loop = CommandLoop(
            self.client, config.id, sources.handler, paths.commands_cache,
            service_status=sources.service_status,
            convert=functools.partial(node_state_from_api, image_exists=sources.image_exists))
        self.discovery = BrokerDiscovery(self.client, config.blockjoy_mqtt_url, self._save_mqtt_url)
        self.doorbell = MqttDoorbell(
            config.id, self.bell.ring, broker_url=self.discovery.url, token=self.client.valid_token,
            on_failure=self.discovery.forget, protocol=mqtt_protocol, retry_interval=poll_interval)
        self.status = StatusReporter(self.client, sources.node_statuses)
        self.metrics = MetricsReporter(self.client, host_metrics=self._host_metrics,
                                       node_metrics=sources.node_metrics)
        self._state = _State.UNOPENED

    async def __aenter__(self) -> ConnectedMode:
        if self._state is not _State.UNOPENED:
            raise RuntimeError(f"connected mode is {self._state.value}; it can be opened only once")
        await self.client.open()
        self._state = _State.OPENED
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.client.close()
        self._state = _State.CLOSED

    async def run(self) -> None:
        """Everything connected mode does, until cancelled."""
        if self._state is not _State.OPENED:
            raise RuntimeError(f"connected mode is {self._state.value}; use it inside `async with`")
        try:
            await self.client.update_host(
                update_host_request(self.config.id, self.bv_version, self.paths.var))
        except BvError as exc:  # not fatal: the host still serves its nodes and commands
            log.warning("UpdateHost at start-up failed: %s", exc)
        period = self.report_period
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.loop.run(self.bell), name="fleet-commands")
            tg.create_task(self.doorbell.run(), name="fleet-mqtt")
            tg.create_task(periodic("node status report", self.status.report_once, period),
                           name="fleet-status")
            tg.create_task(periodic("host metrics", self.metrics.send_host, period),
                           name="fleet-host-metrics")
            tg.create_task(periodic("node metrics", self.metrics.send_nodes, period),
                           name="fleet-node-metrics")
            self.bell.ring()  # look for commands right away, broker or not

    async def _host_metrics(self) -> Any:
        return await asyncio.to_thread(host_metrics_now, self.config.id, self.paths.var,
                                       list(self.sources.used_ips()))

    def _save(self) -> None:
        try:
            save_host_config(self.config_path, self.config)
        except BvError as exc:  # keep running on the in-memory tokens; say so loudly
            log.error("cannot save host config: %s", exc)

    def _save_tokens(self, tokens: Tokens) -> None:
        self.config.token = tokens.token
        self.config.refresh_token = tokens.refresh
        self._save()

    def _save_mqtt_url(self, url: str) -> None:
        self.config.blockjoy_mqtt_url = url
        self._save()
