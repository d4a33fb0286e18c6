"""The public surface of bv_daemon.fleet matches its __all__ (STYLE rule 4)."""

from __future__ import annotations

import bv_daemon.fleet as fleet
from bv_daemon.fleet.mqtt import BrokerAddress


def test_all_matches_public_names() -> None:
    public = {n for n in vars(fleet) if not n.startswith("_") and n != "annotations"}
    modules = {"client", "commands", "connected", "convert", "errors", "mqtt", "reports"}
    assert set(fleet.__all__) == public - modules
    assert len(fleet.__all__) == len(set(fleet.__all__))


def test_broker_address() -> None:
    assert BrokerAddress.parse("mqtt://h:1883") == BrokerAddress("h", 1883, False)
    assert BrokerAddress.parse("mqtt://h:8883") == BrokerAddress("h", 8883, True)  # the original's rule
    assert BrokerAddress.parse("mqtts://h") == BrokerAddress("h", 8883, True)
    try:
        BrokerAddress.parse("ws://h:8083")
    except Exception as exc:
        assert "blockjoy_mqtt_url" in str(exc)
    else:
        raise AssertionError("websocket URL accepted")
