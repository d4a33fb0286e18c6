"""ConnectedMode: the whole connected side wired as the daemon will, against fake API + mosquitto."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bv_core.errors import InvalidInput
from bv_core.models import HostConfig, load_host_config, save_host_config
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.v1 import metrics_pb2
from bv_daemon.fleet.commands import ExitCode
from bv_daemon.fleet.connected import ConnectedMode, ConnectedSources
from bv_daemon.fleet.reports import NodeStatusReport
from bv_daemon.paths import HostPaths
from tests.fakes.fleet_api import FakeFleetApi
from tests.fakes.mqtt_broker import Mosquitto
from tests.fleet.agent_support import RecordingHandler, mqtt_notifier, wait_until


async def test_connected_mode_end_to_end(tmp_path: Path, mqtt_broker: Mosquitto) -> None:
    paths = HostPaths(tmp_path)
    paths.var.mkdir(parents=True)
    handler = RecordingHandler()
    async with FakeFleetApi(notification_url=mqtt_broker.url) as api, \
            mqtt_notifier(api, mqtt_broker.url):
        host_id, (token, refresh) = api.add_host(ttl=-1)  # expired: refreshed and saved
        image = api.add_image("testing", "test", "1.0.0")
        config = HostConfig(id=host_id, token=token, refresh_token=refresh,
                            blockjoy_api_url=api.url)
        paths.config.parent.mkdir(parents=True)
        save_host_config(paths.config, config)

        async def statuses() -> list[NodeStatusReport]:
            return [NodeStatusReport(n.node_id, n.config_id, common_node_pb2.NODE_STATE_RUNNING)
                    for n in api.nodes.values() if n.node_id in handler.nodes]

        async def node_metrics() -> list[object]:
            return [metrics_pb2.NodeMetrics(node_id=n, height=7) for n in handler.nodes]

        sources = ConnectedSources(handler=handler, node_statuses=statuses,
                                   node_metrics=node_metrics, used_ips=lambda: ["10.0.0.2"])
        connected = ConnectedMode(config, paths.config, paths, sources, bv_version="0.1.0",
                                  report_period=0.3, poll_interval=0.2)
        async with connected:
            task = asyncio.create_task(connected.run())
            await wait_until(lambda: connected.doorbell.connects == 1, what="MQTT via discovery")
            node = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
            assert api.notifier is not None
            await api.notifier(host_id, api.commands[0].SerializeToString())
            await wait_until(lambda: len(api.finished()) == 2, what="create + start")
            await wait_until(lambda: len(api.statuses) >= 1 and len(api.node_metrics) >= 1
                             and len(api.host_metrics) >= 1, what="reports")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert [c.exit_code for c in api.finished()] == [ExitCode.OK, ExitCode.OK]
        assert handler.nodes == {node.node_id: "running"}
        assert api.host_updates[0].bv_version == "0.1.0"
        assert api.host_metrics[0].metrics.used_ips == ["10.0.0.2"]
        assert api.statuses[0].node_id == node.node_id
        saved = load_host_config(paths.config)
        assert saved.token != token and saved.refresh_token != refresh  # refreshed, persisted
        assert saved.blockjoy_mqtt_url == mqtt_broker.url  # discovered, persisted
        assert paths.config.stat().st_mode & 0o777 == 0o600
        assert paths.commands_cache.exists()


def test_standalone_config_is_refused(tmp_path: Path) -> None:
    async def nothing() -> list[NodeStatusReport]:
        return []

    sources = ConnectedSources(handler=RecordingHandler(), node_statuses=nothing,
                               node_metrics=nothing, used_ips=list)
    with pytest.raises(InvalidInput, match="no fleet API configured"):
        ConnectedMode(HostConfig(id="h"), tmp_path / "c.json", HostPaths(tmp_path), sources,
                      bv_version="0.1.0")
