"""Dev nodes through the real daemon (nib image play / upgrade, bv-host.md §2.15): created from a
local image directory, forced dev_mode, generated name and IP; upgraded only with a dev image."""

from __future__ import annotations

import json
import re
from pathlib import Path

import grpc
import pytest

from bv_core.proto.blockvisor.internal.v1 import host_pb2, node_pb2
from tests.e2e.daemon_support import Daemon, create_node, wait_height_above

pytestmark = pytest.mark.root

RUNNING = node_pb2.NODE_STATUS_RUNNING


def _image(image_store: Path, version: str) -> str:
    return f"file://{image_store / 'demochain' / version}"


def _create_dev(daemon: Daemon, state: dict[str, object]) -> node_pb2.NodeInfo:
    events = daemon.call("CreateDevNode", node_pb2.CreateDevNodeRequest(state_json=json.dumps(state).encode()))
    assert events[-1].WhichOneof("event") == "result", events
    node = events[-1].result.node
    daemon.node_ids.add(node.id)
    return node


def _code(daemon: Daemon, method: str, request: object) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as info:
        daemon.call(method, request)
    return info.value.code(), info.value.details() or ""


def test_dev_node_play_start_and_upgrade(daemon: Daemon, image_store: Path) -> None:
    node = _create_dev(daemon, {"image": {"uri": _image(image_store, "1.0.0")}, "tags": ["dev"]})
    assert node.dev_mode and node.image.version == "1.0.0"
    assert node.image.id == "dev-node-image-id-1.0.0"
    assert re.fullmatch(r"[a-z]+-[a-z]+-[a-z]+", node.name), node.name
    host = daemon.call("GetHostInfo", host_pb2.GetHostInfoRequest())
    assert node.ip == host.available_ips[0]
    assert list(node.tags) == ["dev"]
    state = json.loads(node.state_json)
    assert state["dev_mode"] is True and state["assigned_cpus"] == []

    started = daemon.call("StartNode", node_pb2.StartNodeRequest(node=node.name)).node
    assert started.status == RUNNING
    h1 = wait_height_above(daemon, node.name, 0)

    # Regular upgrade is refused for dev nodes; the dev path takes a local image directory.
    code, msg = _code(daemon, "UpgradeNode", node_pb2.UpgradeNodeRequest(node=node.id, image_version="2.0.0"))
    assert code == grpc.StatusCode.UNIMPLEMENTED and "dev node upgrade is not supported" in msg
    events = daemon.call("UpgradeDevNode", node_pb2.UpgradeDevNodeRequest(
        state_json=json.dumps({"id": node.id, "image": {"uri": _image(image_store, "2.0.0")}}).encode()))
    upgraded = events[-1].result.node
    assert upgraded.image.version == "2.0.0" and upgraded.image.id == "dev-node-image-id-2.0.0"
    assert upgraded.dev_mode and upgraded.status == RUNNING
    assert wait_height_above(daemon, node.name, h1 - 1) >= h1  # data kept

    daemon.call("DeleteNode", node_pb2.DeleteNodeRequest(node=node.id))
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []


def test_dev_node_rules_and_bad_input(daemon: Daemon, image_store: Path) -> None:
    regular = create_node(daemon, "regular1")
    dev = _create_dev(daemon, {"name": "mydev", "ip": regular.ip.rsplit(".", 1)[0] + ".200",
                               "image": {"uri": _image(image_store, "1.0.0")}, "properties": {}})
    assert dev.name == "mydev" and dev.ip.endswith(".200") and dev.ip != regular.ip

    # A dev image never upgrades a regular node.
    code, msg = _code(daemon, "UpgradeDevNode", node_pb2.UpgradeDevNodeRequest(
        state_json=json.dumps({"name": "regular1", "image": {"uri": _image(image_store, "2.0.0")}}).encode()))
    assert code == grpc.StatusCode.UNIMPLEMENTED and "can't upgrade non dev node with dev image" in msg

    bad: list[tuple[object, grpc.StatusCode, str]] = [
        (b"{not json", grpc.StatusCode.INVALID_ARGUMENT, "not valid JSON"),
        (b"[]", grpc.StatusCode.INVALID_ARGUMENT, "JSON object"),
        (json.dumps({}).encode(), grpc.StatusCode.INVALID_ARGUMENT, "image.uri"),
        (json.dumps({"image": {"uri": "/nonexistent/img"}}).encode(), grpc.StatusCode.NOT_FOUND, "babel.yaml"),
        (json.dumps({"name": "mydev", "image": {"uri": _image(image_store, "1.0.0")}}).encode(),
         grpc.StatusCode.FAILED_PRECONDITION, "exists"),
        (json.dumps({"ip": dev.ip, "image": {"uri": _image(image_store, "1.0.0")}}).encode(),
         grpc.StatusCode.FAILED_PRECONDITION, "already used"),
        (json.dumps({"image": {"uri": _image(image_store, "1.0.0")}, "properties": {"nope": "1"}}).encode(),
         grpc.StatusCode.INVALID_ARGUMENT, "unknown property"),
        (json.dumps({"name": "bad name;rm", "image": {"uri": _image(image_store, "1.0.0")}}).encode(),
         grpc.StatusCode.INVALID_ARGUMENT, "invalid node name"),
    ]
    for raw, want, text in bad:
        code, msg = _code(daemon, "CreateDevNode", node_pb2.CreateDevNodeRequest(state_json=raw))
        assert (code, text in msg) == (want, True), (raw, code, msg)
    names = sorted(n.name for n in daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes)
    assert names == ["mydev", "regular1"]
