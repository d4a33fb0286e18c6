"""API Node -> NodeState: the mapping, and bad input failing by name with the right exit code."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import pytest

from bv_core.errors import InvalidInput, ModelError
from bv_core.models import Direction, FirewallAction, NetProtocol, ProtocolImageKey
from bv_core.proto.blockjoy.common.v1 import config_pb2, protocol_pb2, tag_pb2
from bv_core.proto.blockjoy.v1 import command_pb2, node_pb2
from bv_daemon.fleet.client import FleetClient, Tokens
from bv_daemon.fleet.commands import CommandLoop, ExitCode
from bv_daemon.fleet.convert import (
    MAX_PROPERTY_KEY,
    MAX_PROPERTY_VALUE,
    UnknownImage,
    apply_node_update,
    node_state_from_api,
)
from tests.fleet.agent_support import RecordingHandler

NODE_ID = "7a1f3c2e-1111-4222-8333-444455556666"
C = config_pb2


def make_node(**over: Any) -> Any:
    node = node_pb2.Node(
        node_id=NODE_ID, node_name="quiet-blue-fox", display_name="Fox", image_id="img-1",
        config_id="cfg-1", org_id="org-1", org_name="Org", protocol_id="proto-1",
        protocol_name="Ethereum", semantic_version="1.2.3", ip_address="10.0.0.7",
        ip_gateway="10.0.0.1", dns_name="quiet-blue-fox.n0des.xyz",
        version_key=protocol_pb2.ProtocolVersionKey(protocol_key="ethereum", variant_key="reth-mainnet"),
        tags=tag_pb2.Tags(tags=[tag_pb2.Tag(name="prod")]),
        config=C.NodeConfig(
            vm=C.VmConfig(cpu_cores=4, memory_bytes=8_500_000_000, disk_bytes=2_000_500_000_000,
                          ramdisks=[C.RamdiskConfig(mount="/mnt/ram", size_bytes=512_000_000)]),
            image=C.ImageConfig(
                image_id="img-1", image_uri="docker://eth:1.2.3", archive_id="arch-1",
                store_key="eth-reth-mainnet-v1", min_babel_version="0.9.0",
                values=[C.PropertyValueConfig(key="network-mainnet", key_group="network", value="mainnet"),
                        C.PropertyValueConfig(key="rpc-port", value="8545")]),
            firewall=C.FirewallConfig(
                default_in=C.FIREWALL_ACTION_DROP, default_out=C.FIREWALL_ACTION_ALLOW,
                rules=[C.FirewallRule(key="p2p", protocol=C.FIREWALL_PROTOCOL_BOTH,
                                      direction=C.FIREWALL_DIRECTION_INBOUND,
                                      action=C.FIREWALL_ACTION_ALLOW,
                                      ips=[C.IpName(ip="0.0.0.0/0")], ports=[C.PortName(port=30303)])])),
    )
    for path, value in over.items():
        target: Any = node
        *parents, leaf = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else getattr(target, p)
        if value is _CLEAR:
            target.ClearField(leaf)
        else:
            setattr(target, leaf, value)
    return node


_CLEAR = object()


def test_valid_node_maps_like_the_original() -> None:
    state = node_state_from_api(make_node())
    assert str(state.id) == NODE_ID and state.name == "quiet-blue-fox"
    assert state.image_key == ProtocolImageKey(protocol_key="ethereum", variant_key="reth-mainnet")
    assert (state.ip, state.gateway) == ("10.0.0.7", "10.0.0.1")
    assert state.properties == {"network": "mainnet", "rpc-port": "8545"}  # key_group wins
    assert (state.vm_config.vcpu_count, state.vm_config.mem_size_mb, state.vm_config.disk_size_gb) == (
        4, 8500, 2000)  # decimal units, rounded down
    assert state.vm_config.ramdisks[0].ram_disk_size_mb == 512
    assert state.firewall.default_in is FirewallAction.DENY  # API DROP = ufw deny
    rule = state.firewall.rules[0]
    assert (rule.name, rule.action, rule.direction, rule.protocol, rule.ips, rule.ports) == (
        "p2p", FirewallAction.ALLOW, Direction.IN, NetProtocol.BOTH, ["0.0.0.0/0"], [30303])
    assert state.image.version == "1.2.3" and state.image.config_id == "cfg-1"
    assert state.image.store_key == "eth-reth-mainnet-v1" and state.image.uri == "docker://eth:1.2.3"
    assert state.tags == ["prod"] and state.dns_name == "quiet-blue-fox.n0des.xyz"


def test_absent_firewall_is_the_default() -> None:
    state = node_state_from_api(make_node(config__firewall=_CLEAR))
    assert state.firewall.default_in is FirewallAction.REJECT and state.firewall.rules == []


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("invalid ip", {"ip_address": "10.0.0.300"},
     f"node {NODE_ID}: ip_address: expected an IP address, got '10.0.0.300'"),
    ("invalid gateway", {"ip_gateway": "gw"}, "ip_gateway: expected an IP address, got 'gw'"),
    ("negative memory", {"config__vm__memory_bytes": 2**64 - 1_000_000},
     "config.vm.memory_bytes: expected a non-negative size, got 18446744073708551616 "
     "(= -1000000 read as signed)"),
    ("negative disk", {"config__vm__disk_bytes": 2**64 - 1}, "config.vm.disk_bytes: expected a non-negative size"),
    ("negative ramdisk", {"config__vm__ramdisks__0__size_bytes": 2**64 - 1_000_000},
     "config.vm.ramdisks[0].size_bytes: expected a non-negative size, got 18446744073708551616 "
     "(= -1000000 read as signed)"),
    ("tiny ramdisk", {"config__vm__ramdisks__0__size_bytes": 999_999},
     "config.vm.ramdisks[0].size_bytes: expected at least 1 MB, got 999999"),
    ("zero cpus", {"config__vm__cpu_cores": 0}, "config.vm.cpu_cores: expected 1-4096 CPU cores, got 0"),
    ("tiny memory", {"config__vm__memory_bytes": 10}, "config.vm.memory_bytes: expected at least 1 MB"),
    ("no config", {"config": _CLEAR}, "config: required field is missing"),
    ("no vm", {"config__vm": _CLEAR}, "config.vm: required field is missing"),
    ("no version key", {"version_key": _CLEAR}, "version_key: required field is missing"),
    ("bad node id", {"node_id": "node-1"}, "Node: node_id: expected a UUID, got 'node-1'"),
    ("empty name", {"node_name": ""}, "node_name: expected a non-empty node name"),
]


@pytest.mark.parametrize(("name", "over", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field(name: str, over: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelError) as info:
        node_state_from_api(make_node(**over))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_firewall_and_properties() -> None:
    node = make_node()
    node.config.firewall.rules[0].action = C.FIREWALL_ACTION_UNSPECIFIED
    with pytest.raises(ModelError, match=r"config.firewall.rules\[0\].action: expected a firewall action"):
        node_state_from_api(node)
    node = make_node()
    node.config.firewall.rules[0].ports[0].port = 70000
    with pytest.raises(ModelError, match=r"ports\[0\].port: expected a port 1-65535, got 70000"):
        node_state_from_api(node)
    node = make_node()
    node.config.firewall.rules[0].ips[0].ip = "300.1.1.1/8"
    with pytest.raises(ModelError, match=r"ips\[0\].ip: expected an IP address or CIDR"):
        node_state_from_api(node)
    node = make_node()
    del node.config.firewall.rules[0].ports[:]
    node.config.firewall.rules[0].ports.extend(C.PortName(port=p) for p in range(1, 130))
    with pytest.raises(ModelError, match=r"config.firewall.rules: firewall config expands to 129"):
        node_state_from_api(node)
    node = make_node()
    node.config.image.values[1].value = "x" * (MAX_PROPERTY_VALUE + 1)
    with pytest.raises(ModelError, match=r"values\[1\].value: property 'rpc-port': expected at most "
                                         rf"{MAX_PROPERTY_VALUE} bytes, got {MAX_PROPERTY_VALUE + 1}"):
        node_state_from_api(node)
    node = make_node()
    node.config.image.values[1].key = "k" * (MAX_PROPERTY_KEY + 1)
    with pytest.raises(ModelError, match=r"values\[1\].key: expected a key of 1-256 characters, "
                                         r"got 'k{40}'…$"):
        node_state_from_api(node)
    node = make_node()
    node.config.image.values[0].key_group = "g" * (MAX_PROPERTY_KEY + 1)
    with pytest.raises(ModelError, match=r"values\[0\].key: expected a key of 1-256 characters"):
        node_state_from_api(node)
    node = make_node()
    node.config.image.values[1].key = ""
    with pytest.raises(ModelError, match=r"values\[1\].key: expected a key of 1-256 characters"):
        node_state_from_api(node)


def test_unknown_image() -> None:
    seen: list[tuple[ProtocolImageKey, str, str]] = []

    def exists(key: ProtocolImageKey, version: str, uri: str) -> bool:
        seen.append((key, version, uri))
        return False

    with pytest.raises(UnknownImage) as info:
        node_state_from_api(make_node(), image_exists=exists)
    assert str(info.value) == (f"node {NODE_ID}: image ethereum/reth-mainnet 1.2.3 "
                               "(docker://eth:1.2.3) is not available on this host")
    assert isinstance(info.value, InvalidInput)
    assert seen == [(ProtocolImageKey(protocol_key="ethereum", variant_key="reth-mainnet"),
                     "1.2.3", "docker://eth:1.2.3")]


@pytest.mark.parametrize("kind", ["create", "upgrade"])
async def test_bad_node_commands_exit_internal_error_without_touching_nodes(kind: str) -> None:
    handler = RecordingHandler()
    handler.nodes[NODE_ID] = "running"
    loop = CommandLoop(FleetClient("http://127.0.0.1:1", Tokens("t", "r")), "host", handler,
                       cache_path=None,  # type: ignore[arg-type]  # execute() does not touch it
                       convert=functools.partial(node_state_from_api,
                                                 image_exists=lambda *_: False))
    message = getattr(command_pb2, f"Node{kind.capitalize()}")(node=make_node())
    command = command_pb2.Command(command_id=str(uuid.uuid4()), node=command_pb2.NodeCommand(
        node_id=NODE_ID, **{kind: message}))
    result = await loop.execute(command)
    assert result.code == ExitCode.INTERNAL_ERROR
    assert result.message == (f"BV internal error: 'node {NODE_ID}: image ethereum/reth-mainnet "
                              "1.2.3 (docker://eth:1.2.3) is not available on this host'")
    assert handler.calls == [] and handler.nodes == {NODE_ID: "running"}

    # a command whose node id differs from the Node it carries is refused too
    other = command_pb2.Command(command_id="c2", node=command_pb2.NodeCommand(
        node_id=str(uuid.uuid4()), **{kind: message}))
    loop.convert = node_state_from_api
    result = await loop.execute(other)
    assert result.code == ExitCode.INTERNAL_ERROR and "carries node" in (result.message or "")
    assert handler.calls == []


def test_apply_node_update() -> None:
    state = node_state_from_api(make_node())
    update = command_pb2.NodeUpdate(
        node_id=NODE_ID, config_id="cfg-2", new_display_name="Fox 2",
        new_values=[C.PropertyValueConfig(key="network-testnet", key_group="network", value="testnet")],
        new_firewall=C.FirewallConfig(default_in=C.FIREWALL_ACTION_REJECT,
                                      default_out=C.FIREWALL_ACTION_REJECT))
    new = apply_node_update(state, update)
    assert new.image.config_id == "cfg-2" and new.display_name == "Fox 2"
    assert new.properties == {"network": "testnet", "rpc-port": "8545"}
    assert new.firewall.default_out is FirewallAction.REJECT and new.firewall.rules == []
    assert new.org_id == "org-1"  # absent optional = unchanged
    assert state.image.config_id == "cfg-1"  # the input is not modified
    kept = apply_node_update(state, command_pb2.NodeUpdate(node_id=NODE_ID, config_id="cfg-3"))
    assert kept.firewall == state.firewall
    with pytest.raises(ModelError, match="update is for node"):
        apply_node_update(state, command_pb2.NodeUpdate(node_id=str(uuid.uuid4())))
