"""/etc/blockvisor.json: original shape and defaults, standalone mode, bad input."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bv_core.errors import ModelError
from bv_core.models import (
    ApptainerConfig,
    HostConfig,
    NetConf,
    load_host_config,
    save_host_config,
)

CheckError = Callable[[ModelError, str, str, str], None]


def test_full_config_round_trip(data_dir: Path, tmp_path: Path) -> None:
    cfg = load_host_config(data_dir / "blockvisor.json")
    assert cfg.connected
    assert cfg.net_conf.prefix == 28 and cfg.net_conf.available_ips[0] == "192.69.220.83"
    out = tmp_path / "blockvisor.json"
    save_host_config(out, cfg)
    assert load_host_config(out) == cfg
    assert json.loads(out.read_text()) == json.loads((data_dir / "blockvisor.json").read_text())
    assert out.stat().st_mode & 0o777 == 0o600  # holds tokens


def test_defaults_of_a_minimal_config(tmp_path: Path) -> None:
    path = tmp_path / "blockvisor.json"
    path.write_text(json.dumps({
        "id": "h1", "token": "t", "refresh_token": "r", "blockjoy_api_url": "http://127.0.0.1:1",
        # bvup always writes apptainer; the original required it
        "apptainer": {"extra_args": None, "host_network": False, "cpu_limit": True,
                      "memory_limit": True},
    }))
    cfg = load_host_config(path)
    assert cfg.name == socket.gethostname()
    assert cfg.blockvisor_port == 9001
    assert cfg.iface == "bvbr0"
    assert cfg.net_conf == NetConf(gateway_ip="0.0.0.0", host_ip="0.0.0.0", prefix=32,
                                   available_ips=[])
    assert cfg.update_check_interval_secs is None and cfg.blockjoy_mqtt_url is None
    assert cfg.apptainer == ApptainerConfig()
    assert cfg.maintenance_mode is False
    assert cfg.org_id is None and cfg.private_org_id is None


def test_standalone_config_has_no_api_credentials(tmp_path: Path) -> None:
    cfg = HostConfig(id="local-host")
    assert not cfg.connected
    path = tmp_path / "blockvisor.json"
    save_host_config(path, cfg)
    assert load_host_config(path) == cfg
    cfg.token, cfg.refresh_token, cfg.blockjoy_api_url = "t", "r", "http://api"  # bvup later
    save_host_config(path, cfg)
    assert load_host_config(path).connected


BAD: list[Any] = [
    pytest.param(["id"], "delete", None, "$.id", "required field is missing", id="missing-id"),
    pytest.param(["refresh_token"], "delete", None, "$.refresh_token", "go together",
                 id="partial-credentials"),
    pytest.param(["blockvisor_port"], "set", "9001", "$.blockvisor_port",
                 "expected `int`, got `str`", id="wrong-type"),
    pytest.param(["blockvisor_port"], "set", 70000, "$.blockvisor_port", "<= 65535",
                 id="port-out-of-range"),
    pytest.param(["update_check_interval_secs"], "set", -5, "$.update_check_interval_secs",
                 ">= 0", id="negative-interval"),
    pytest.param(["net_conf", "prefix"], "set", 300, "$.net_conf.prefix", "<= 255",
                 id="prefix-out-of-u8"),
    pytest.param(["net_conf", "prefix"], "set", 129, "$.net_conf.prefix", "<= 128",
                 id="prefix-too-long"),
    pytest.param(["net_conf", "available_ips", 2], "set", "192.69.220", "$.net_conf.available_ips[2]",
                 "IP address", id="bad-pool-ip"),
    pytest.param(["net_conf", "host_ip"], "set", "host", "$.net_conf.host_ip", "IP address",
                 id="bad-host-ip"),
    pytest.param(["apptainer", "cpu_limit"], "set", "yes", "$.apptainer.cpu_limit",
                 "expected `bool`", id="wrong-type-bool"),
    pytest.param(["apptainer", "host_network"], "rename", "host-network",
                 "$.apptainer.host-network", "unknown field", id="kebab-key"),
    pytest.param(["blockjoy_api_url"], "rename", "nodexeus_api_url", "$.nodexeus_api_url",
                 "unknown field", id="unknown-key"),
    pytest.param(["cluster_port"], "set", 2**33, "$.cluster_port", "<= 4294967295",
                 id="cluster-port-range"),
]


@pytest.mark.parametrize(("where", "op", "value", "path", "fragment"), BAD)
def test_bad_host_config(
    json_fixture: Callable[[str], Any], mutate: Callable[..., Any], check_error: CheckError,
    tmp_path: Path, where: list[Any], op: str, value: Any, path: str, fragment: str,
) -> None:
    bad = tmp_path / "blockvisor.json"
    bad.write_text(json.dumps(mutate(json_fixture("blockvisor.json"), where, op, value)))
    with pytest.raises(ModelError) as err:
        load_host_config(bad)
    check_error(err.value, str(bad), path, fragment)
