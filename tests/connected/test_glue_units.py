"""connected_glue pieces that need no daemon: env knobs, status mapping, exports."""

from __future__ import annotations

import pytest

import bv_daemon.connected_glue as glue
from bv_core.errors import InvalidInput
from bv_core.proto.blockvisor.internal.v1 import daemon_pb2
from bv_daemon.fleet.commands import ServiceStatus
from bv_daemon.fleet.mqtt import MqttProtocol


def test_all_matches_public_names() -> None:
    public = {n for n, v in vars(glue).items() if not n.startswith("_")
              and getattr(v, "__module__", None) == glue.__name__}
    assert public <= set(glue.__all__)
    assert all(hasattr(glue, n) for n in glue.__all__)


@pytest.mark.parametrize(("status", "expected"), [
    (daemon_pb2.SERVICE_STATUS_OK, ServiceStatus.OK),
    (daemon_pb2.SERVICE_STATUS_UPDATING, ServiceStatus.UPDATING),
    (daemon_pb2.SERVICE_STATUS_BROKEN, ServiceStatus.BROKEN),
    (daemon_pb2.SERVICE_STATUS_UNDEFINED, ServiceStatus.UNDEFINED),
    (daemon_pb2.SERVICE_STATUS_UNSPECIFIED, ServiceStatus.UNDEFINED),
])
def test_service_status_mapping(status: int, expected: ServiceStatus) -> None:
    assert glue.service_status_of(status) is expected


def test_ufw_command_from_env() -> None:
    assert glue.ufw_from_env({"BV_UFW_COMMAND": "none"}) is None
    ufw = glue.ufw_from_env({"BV_UFW_COMMAND": "ip netns exec 'my ns' ufw"})
    assert ufw is not None and ufw.command == ["ip", "netns", "exec", "my ns", "ufw"]


def test_env_knobs_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BV_FLEET_REPORT_PERIOD", "soon")
    with pytest.raises(InvalidInput, match="BV_FLEET_REPORT_PERIOD.*'soon'"):
        glue._env_float("BV_FLEET_REPORT_PERIOD", 30.0)
    monkeypatch.setenv("BV_FLEET_REPORT_PERIOD", "-1")
    with pytest.raises(InvalidInput, match="positive"):
        glue._env_float("BV_FLEET_REPORT_PERIOD", 30.0)
    monkeypatch.setenv("BV_FLEET_REPORT_PERIOD", "2.5")
    assert glue._env_float("BV_FLEET_REPORT_PERIOD", 30.0) == 2.5
    monkeypatch.setenv("BV_MQTT_PROTOCOL", "3.1.1")
    assert glue._mqtt_protocol() is MqttProtocol.V311
    monkeypatch.setenv("BV_MQTT_PROTOCOL", "4")
    with pytest.raises(InvalidInput, match="BV_MQTT_PROTOCOL"):
        glue._mqtt_protocol()


async def test_nothing_is_forwarded_in_standalone_mode() -> None:
    assert await glue.forward_node_command(None, "start", None) is False  # type: ignore[arg-type]
