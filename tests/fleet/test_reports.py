"""Status/metrics reporting, UpdateHost and broker discovery against the fake fleet API."""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bv_core.errors import ExternalError
from bv_core.models import NodeState
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.v1 import metrics_pb2
from bv_daemon._states import NodeStatus
from bv_daemon.connected_glue import node_metrics as glue_node_metrics
from bv_daemon.connected_glue import node_statuses as glue_node_statuses
from bv_daemon.fleet.client import FleetClient, Tokens
from bv_daemon.fleet.convert import node_state_from_api
from bv_daemon.fleet.reports import (
    BrokerDiscovery,
    MetricsReporter,
    NodeStatusReport,
    StatusReporter,
    host_metrics_now,
    periodic,
    update_host_request,
    with_jitter,
)
from bv_daemon.node import NodeMetrics
from bv_daemon.nodes_manager import BrokenNode
from tests.fakes.fleet_api import FakeFleetApi

RUNNING = common_node_pb2.NODE_STATE_RUNNING
STOPPED = common_node_pb2.NODE_STATE_STOPPED


async def test_status_reported_only_on_change() -> None:
    async with FakeFleetApi() as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        n1 = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        n2 = api.create_node(host_id, image.image_id, ip="10.0.0.3", gateway="10.0.0.1")
        reports = [NodeStatusReport(n1.node_id, n1.config_id, RUNNING),
                   NodeStatusReport(n2.node_id, n2.config_id, None)]  # busy: status left out

        async def nodes() -> list[NodeStatusReport]:
            return list(reports)

        async with FleetClient(api.url, Tokens(*tokens)) as client:
            reporter = StatusReporter(client, nodes)
            assert await reporter.report_once() == 2
            assert await reporter.report_once() == 0  # nothing changed, nothing sent
            reports[0] = NodeStatusReport(n1.node_id, n1.config_id, STOPPED)
            assert await reporter.report_once() == 1
            # a refused report (stale config_id) is retried next round, others still go
            reports[1] = NodeStatusReport(n2.node_id, "stale-config", RUNNING)
            assert await reporter.report_once() == 0
            reports[1] = NodeStatusReport(n2.node_id, n2.config_id, RUNNING, "/ip4/1.2.3.4")
            assert await reporter.report_once() == 1
        sent = [(s.node_id, s.status.state if s.HasField("status") else None,
                 s.p2p_address if s.HasField("p2p_address") else None) for s in api.statuses]
        assert sent == [(n1.node_id, RUNNING, None), (n2.node_id, None, None),
                        (n1.node_id, STOPPED, None), (n2.node_id, RUNNING, "/ip4/1.2.3.4")]


def job(name: str, status: Any, restarts: int = 0) -> Any:
    return common_node_pb2.NodeJob(name=name, status=status, restarts=restarts)


async def test_node_metrics_send_only_changed_jobs() -> None:
    async with FakeFleetApi() as api:
        host_id, tokens = api.add_host()
        jobs = {"init": job("init", common_node_pb2.NODE_JOB_STATUS_FINISHED),
                "node": job("node", common_node_pb2.NODE_JOB_STATUS_RUNNING)}
        height: list[int] = [100]

        async def node_metrics() -> list[Any]:
            return [metrics_pb2.NodeMetrics(node_id="n1", height=height[0], jobs=list(jobs.values()))]

        async def host_metrics() -> Any:
            return metrics_pb2.HostMetrics(host_id=host_id, uptime_seconds=5)

        async with FleetClient(api.url, Tokens(*tokens)) as client:
            reporter = MetricsReporter(client, host_metrics=host_metrics, node_metrics=node_metrics)
            await reporter.send_host()
            assert await reporter.send_nodes() == 1
            assert await reporter.send_nodes() == 1  # height still reported, jobs not
            jobs["node"] = job("node", common_node_pb2.NODE_JOB_STATUS_RUNNING, restarts=1)
            assert await reporter.send_nodes() == 1
        assert api.host_metrics[0].metrics.host_id == host_id
        sent_jobs = [[j.name for j in r.metrics[0].jobs] for r in api.node_metrics]
        assert sent_jobs == [["init", "node"], [], ["node"]]
        assert api.node_metrics[2].metrics[0].jobs[0].restarts == 1

        async with FleetClient(api.url, Tokens(*tokens)) as client:
            jobs.clear()

            async def nothing() -> list[Any]:
                return [metrics_pb2.NodeMetrics(node_id="n1")]

            quiet = MetricsReporter(client, host_metrics=host_metrics, node_metrics=nothing)
            assert await quiet.send_nodes() == 0  # empty request skipped
        assert len(api.node_metrics) == 3


async def test_update_host_at_start_up(tmp_path: Path) -> None:
    async with FakeFleetApi() as api:
        host_id, tokens = api.add_host()
        async with FleetClient(api.url, Tokens(*tokens)) as client:
            host = await client.update_host(update_host_request(host_id, "0.1.0", tmp_path))
        request = api.host_updates[0]
        assert request.bv_version == "0.1.0" and request.network_name and request.os
        assert request.disk_bytes > 0 and not request.HasField("cpu_cores")
        assert host.bv_version == "0.1.0"


def test_host_metrics_now(tmp_path: Path) -> None:
    m = host_metrics_now("h1", tmp_path, ["10.0.0.2"])
    assert m.host_id == "h1" and 0 <= m.used_cpu_hundreths <= 100
    assert m.used_memory_bytes > 0 and m.used_disk_bytes > 0 and m.uptime_seconds > 0
    assert list(m.used_ips) == ["10.0.0.2"]


async def test_broker_discovery_and_forget() -> None:
    saved: list[str] = []
    async with FakeFleetApi(notification_url="mqtt://127.0.0.1:1883") as api:
        _, tokens = api.add_host()
        async with FleetClient(api.url, Tokens(*tokens)) as client:
            configured = BrokerDiscovery(client, "mqtt://broker:1883", saved.append)
            assert await configured.url() == "mqtt://broker:1883"
            assert api.calls_of("DiscoveryService.Services") == []
            configured.forget()
            assert await configured.url() == "mqtt://127.0.0.1:1883"
            configured.forget()
            assert await configured.url() == "mqtt://127.0.0.1:1883"
            assert saved == ["mqtt://127.0.0.1:1883"]  # saved once, on change
            assert len(api.calls_of("DiscoveryService.Services")) == 2
            api.notification_url = ""
            empty = BrokerDiscovery(client, None)
            with pytest.raises(ExternalError, match="returned no notification_url"):
                await empty.url()


def test_jitter_bounds() -> None:
    rng = random.Random(7)
    values = {with_jitter(30, rng) for _ in range(500)}
    assert min(values) == 30 and max(values) == 44 and all(v == int(v) for v in values)
    assert with_jitter(1.5, rng) == 1.5  # no range below 2 s, no crash


async def test_periodic_runs_after_each_period_and_survives_failures() -> None:
    delays: list[float] = []
    runs: list[int] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)
        if len(delays) > 3:
            raise asyncio.CancelledError

    async def work() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise ExternalError("api down")

    with pytest.raises(asyncio.CancelledError):
        await periodic("host metrics", work, 30.0, sleep=sleep, rng=random.Random(1))
    assert len(runs) == 3 and all(30 <= d < 45 for d in delays)


class _RunningNode:
    """The part of a daemon Node the report sources read: a running node at height 7."""

    def __init__(self, state: NodeState) -> None:
        self.state = state
        self.id = str(state.id)
        self.lock = asyncio.Lock()

    async def status(self) -> NodeStatus:
        return NodeStatus.RUNNING

    async def metrics(self) -> NodeMetrics:
        out = NodeMetrics()
        out.height = 7
        return out


class _Manager:
    """The part of NodesManager the report sources read."""

    def __init__(self, nodes: list[_RunningNode], broken: list[BrokenNode]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.broken = {b.id: b for b in broken}


async def test_dev_nodes_are_never_reported_to_the_fleet(tmp_path: Path) -> None:
    """Dev nodes are local experiments: no ReportStatus and no node metrics for them, running
    or broken; the fleet's own node on the same host is still reported."""
    async with FakeFleetApi() as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        fleet_node = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        fleet_state = node_state_from_api(fleet_node)

        def dev(**over: object) -> NodeState:
            return msgspec.structs.replace(fleet_state, id=uuid.uuid4(), dev_mode=True, **over)

        dev_running, dev_broken = dev(ip="10.0.0.3"), dev(ip="10.0.0.4")
        manager: object = _Manager(
            [_RunningNode(fleet_state), _RunningNode(dev_running)],
            [BrokenNode(str(dev_broken.id), tmp_path, "could not attach", dev_broken)])

        async def statuses() -> list[NodeStatusReport]:
            return await glue_node_statuses(manager)  # type: ignore[arg-type]

        async def metrics() -> list[Any]:
            return await glue_node_metrics(manager)  # type: ignore[arg-type]

        async def host() -> Any:
            return metrics_pb2.HostMetrics(host_id=host_id)

        async with FleetClient(api.url, Tokens(*tokens)) as client:
            assert await StatusReporter(client, statuses).report_once() == 1
            reporter = MetricsReporter(client, host_metrics=host, node_metrics=metrics)
            assert await reporter.send_nodes() == 1
        # every attempt counts, accepted or not: the dev nodes never reach the API at all
        assert [c.request.node_id for c in api.calls_of("NodeService.ReportStatus")] == \
            [fleet_node.node_id]
        assert [[m.node_id for m in r.metrics] for r in api.node_metrics] == [[fleet_node.node_id]]
        assert api.node_metrics[0].metrics[0].height == 7
