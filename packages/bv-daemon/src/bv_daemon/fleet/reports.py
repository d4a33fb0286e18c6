"""What the daemon tells the fleet API on its own (api-contract.md §6, bv-host.md §3.8).

Each piece takes its data sources as callables so the daemon wires them to its nodes manager:

* ``StatusReporter``: ``NodeService.ReportStatus`` per node, only when the report differs from
  the last one the API accepted (node id, config_id, state, p2p address).
* ``MetricsReporter``: ``MetricsService.Host`` always, ``MetricsService.Node`` with only the jobs
  whose info changed since the last successful send; skipped when nothing is left.
* ``periodic``: run a coroutine every ``period`` + jitter (30 s + 0-14 s as the original).
* ``update_host_request`` / ``host_metrics_now``: the start-up UpdateHost and host metrics from
  psutil.
* ``BrokerDiscovery``: the MQTT URL from the config or ``DiscoveryService.Services``, forgotten
  after a broker failure so the next connection rediscovers it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import random
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import psutil

from bv_core.errors import BvError, ExternalError
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.v1 import host_pb2, metrics_pb2, node_pb2

from .client import FleetClient
from .errors import FleetNotFound

__all__ = [
    "BrokerDiscovery",
    "MetricsReporter",
    "NodeStatusReport",
    "StatusReporter",
    "host_metrics_now",
    "periodic",
    "update_host_request",
    "with_jitter",
]

log = logging.getLogger(__name__)


def with_jitter(base: float, rng: random.Random | None = None) -> float:
    """``base`` + a random whole number of seconds in [0, base/2) (none below 2 s: no range)."""
    span = int(base // 2)
    if span < 1:
        return base
    return base + (rng or random).randrange(span)


async def periodic(
    name: str, fn: Callable[[], Awaitable[object]], period: float = 30.0, *,
    jitter: bool = True, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> None:
    """Run ``fn`` forever, first after one period; a failed run is logged, not fatal."""
    while True:
        await sleep(with_jitter(period, rng) if jitter else period)
        try:
            await fn()
        except BvError as exc:
            log.warning("%s failed: %s", name, exc)
        except Exception:  # keep reporting after a bug in one round; the traceback is logged
            log.exception("%s failed unexpectedly", name)


# -- status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeStatusReport:
    """One node's status as the daemon sees it; ``state`` None = busy (status left out)."""

    node_id: str
    config_id: str
    state: int | None  # blockjoy.common.v1.NodeState value (RUNNING, STOPPED, FAILED...)
    p2p_address: str | None = None


class StatusReporter:
    def __init__(self, client: FleetClient,
                 nodes: Callable[[], Awaitable[Sequence[NodeStatusReport]]]) -> None:
        self.client = client
        self.nodes = nodes
        self._sent: dict[str, NodeStatusReport] = {}

    async def report_once(self) -> int:
        """Send the changed reports; returns how many the API accepted."""
        reports = await self.nodes()
        present = {r.node_id for r in reports}
        for gone in set(self._sent) - present:
            del self._sent[gone]
        sent = 0
        for report in reports:
            if self._sent.get(report.node_id) == report:
                continue
            request = node_pb2.NodeServiceReportStatusRequest(
                node_id=report.node_id, config_id=report.config_id)
            if report.state is not None:
                request.status.CopyFrom(common_node_pb2.NodeStatus(state=cast(Any, report.state)))
            if report.p2p_address is not None:
                request.p2p_address = report.p2p_address
            try:
                await self.client.report_status(request)
            except BvError as exc:  # one node's refusal must not stop the others' reports
                log.warning("status report for node %s failed: %s", report.node_id, exc)
                continue
            self._sent[report.node_id] = report
            sent += 1
        return sent


# -- metrics -------------------------------------------------------------------------------


class MetricsReporter:
    """Host and node metrics; node job entries are sent only when they changed."""

    def __init__(self, client: FleetClient, *,
                 host_metrics: Callable[[], Awaitable[Any]],
                 node_metrics: Callable[[], Awaitable[Sequence[Any]]]) -> None:
        self.client = client
        self.host_metrics = host_metrics
        self.node_metrics = node_metrics
        self._jobs_sent: dict[tuple[str, str], bytes] = {}

    async def send_host(self) -> None:
        await self.client.host_metrics(await self.host_metrics())

    async def send_nodes(self) -> int:
        """``MetricsService.Node`` with what changed; returns the number of nodes sent."""
        metrics = [m for m in await self.node_metrics()]
        outgoing: list[Any] = []
        pending: dict[tuple[str, str], bytes] = {}
        for m in metrics:
            trimmed = metrics_pb2.NodeMetrics()
            trimmed.CopyFrom(m)
            del trimmed.jobs[:]
            for job in m.jobs:
                key = (m.node_id, job.name)
                blob = job.SerializeToString(deterministic=True)
                if self._jobs_sent.get(key) != blob:
                    trimmed.jobs.append(job)
                    pending[key] = blob
            has_fields = any(trimmed.HasField(f) for f in
                             ("node_status", "height", "block_age", "consensus"))
            if has_fields or len(trimmed.jobs):
                outgoing.append(trimmed)
        if not outgoing:
            log.debug("no node metrics to send")
            return 0
        try:
            await self.client.node_metrics(outgoing)
        except FleetNotFound as exc:  # the API deleted a node: the others were applied
            log.info("node metrics: %s", exc)
        self._jobs_sent.update(pending)
        return len(outgoing)


def host_metrics_now(host_id: str, data_dir: Path, used_ips: Sequence[str]) -> Any:
    """``blockjoy.v1.HostMetrics`` from psutil, with the original's field semantics.

    ``used_cpu_hundreths`` carries a 0-100 percentage and loads are the raw averages, as the
    original sends (and the API expects).
    """
    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(str(data_dir))
    net = psutil.net_io_counters()
    load1, load5, load15 = os.getloadavg()
    return metrics_pb2.HostMetrics(
        host_id=host_id,
        used_cpu_hundreths=int(psutil.cpu_percent(interval=None)),
        used_memory_bytes=memory.total - memory.available,
        used_disk_bytes=disk.used,
        load_one_percent=load1, load_five_percent=load5, load_fifteen_percent=load15,
        network_received_bytes=net.bytes_recv, network_sent_bytes=net.bytes_sent,
        uptime_seconds=int(time.time() - psutil.boot_time()),
        used_ips=list(used_ips),
    )


def update_host_request(host_id: str, bv_version: str, data_dir: Path) -> Any:
    """The start-up ``HostService.UpdateHost``: hostname, version, OS and data-disk size only."""
    os_name, os_version = _os_release()
    return host_pb2.HostServiceUpdateHostRequest(
        host_id=host_id, network_name=socket.gethostname(), bv_version=bv_version,
        os=os_name, os_version=os_version, disk_bytes=psutil.disk_usage(str(data_dir)).total)


def _os_release() -> tuple[str, str]:
    try:
        fields = dict(line.split("=", 1) for line in
                      Path("/etc/os-release").read_text().splitlines() if "=" in line)
        return fields.get("NAME", "").strip('"') or platform.system(), \
            fields.get("VERSION_ID", "").strip('"') or platform.release()
    except OSError:
        return platform.system(), platform.release()


# -- broker discovery -----------------------------------------------------------------------


class BrokerDiscovery:
    """The broker URL: ``blockjoy_mqtt_url`` if set, else ``DiscoveryService.Services``.

    ``forget`` (after a broker failure) makes the next ``url`` ask the API again, as the
    original. ``save`` persists a discovered URL into the host config, only when it changed,
    so an outage does not rewrite the config every few seconds.
    """

    def __init__(self, client: FleetClient, configured: str | None,
                 save: Callable[[str], None] | None = None) -> None:
        self.client = client
        self._url = configured or None
        self._saved = self._url
        self._save = save

    async def url(self) -> str:
        if self._url is None:
            url = await self.client.notification_url()
            if not url:
                raise ExternalError("fleet API DiscoveryService.Services returned no "
                                    "notification_url; commands are polled until it does")
            self._url = url
            if self._save is not None and url != self._saved:
                self._save(url)
                self._saved = url
        return self._url

    def forget(self) -> None:
        self._url = None
