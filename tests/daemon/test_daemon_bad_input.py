"""Bad input through the internal API: clear one-line errors, nothing lost, no other node hurt.
Also: a full disk while saving state, and a corrupt state.json found at daemon start."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator

import grpc
import pytest

from bv_core.proto.blockvisor.internal.v1 import node_pb2
from tests.e2e.daemon_support import Daemon, create_node, node_status, wait_for, wait_height_above

pytestmark = pytest.mark.root

RUNNING, STOPPED, FAILED = node_pb2.NODE_STATUS_RUNNING, node_pb2.NODE_STATUS_STOPPED, node_pb2.NODE_STATUS_FAILED


def _rpc_error(fn: object, *args: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def _create(daemon: Daemon, name: str, protocol: str = "demochain", version: str = "1.0.0",
            props: dict[str, str] | None = None) -> object:
    return daemon.call("CreateNode", node_pb2.CreateNodeRequest(
        image_key=node_pb2.ImageKey(protocol_key=protocol), image_version=version,
        display_name=name, properties=props or {}))


@pytest.fixture
def roomy(daemon: Daemon) -> Iterator[Daemon]:
    """The daemon without CPU pinning and resource checks, so a 2-core CI host fits 3 nodes."""
    daemon.sigterm()
    cfg_path = daemon.root / "etc/blockvisor.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.update({"maintenance_mode": True, "apptainer": {"cpu_limit": False}})
    cfg_path.write_text(json.dumps(cfg))
    daemon.start()
    yield daemon


def test_unknown_image_and_version_name_what_exists(daemon: Daemon) -> None:
    err = _rpc_error(_create, daemon, "x1", "nochain")
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert "unknown image nochain; available: demochain 1.0.0, 2.0.0" in err.details()
    err = _rpc_error(_create, daemon, "x2", "demochain", "9.9.9")
    assert err.code() == grpc.StatusCode.NOT_FOUND and "demochain/9.9.9" in err.details()
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []


def test_invalid_properties_and_names_are_refused(daemon: Daemon) -> None:
    err = _rpc_error(_create, daemon, "p1", "demochain", "1.0.0", {"no-such-prop": "1"})
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown property 'no-such-prop'" in err.details() and "block-time" in err.details()
    err = _rpc_error(_create, daemon, "p2", "demochain", "1.0.0", {"greeting": "a\x00b"})
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "NUL" in err.details()
    err = _rpc_error(_create, daemon, "bad name!")
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "invalid node name" in err.details()
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []
    assert list(daemon.nodes_dir.iterdir()) == []


def test_duplicate_name_is_refused_and_the_first_node_untouched(daemon: Daemon) -> None:
    first = create_node(daemon, "dup1")
    err = _rpc_error(_create, daemon, "dup1")
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "node with name `dup1` exists" in err.details()
    nodes = daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes
    assert [(n.id, n.name) for n in nodes] == [(first.id, "dup1")]
    # Create is idempotent per node, not per name: the original node is still usable.
    assert daemon.call("StartNode", node_pb2.StartNodeRequest(node="dup1")).node.status == RUNNING


def test_shell_metacharacters_reach_the_protocol_as_data(roomy: Daemon) -> None:
    daemon = roomy
    evil = 'hi $(touch /blockjoy/pwned1) `touch /blockjoy/pwned2`; touch /blockjoy/pwned3 "q" \'s\''
    node = create_node(daemon, "meta1", props={"greeting": evil})
    daemon.call("StartNode", node_pb2.StartNodeRequest(node="meta1"))
    wait_height_above(daemon, "meta1", 0)
    data = daemon.nodes_dir / node.id / "data"
    rendered = (data / "protocol_data/demochain.toml").read_text()
    assert evil in rendered  # verbatim, as data
    assert not list(data.glob("pwned*"))
    # A value the plugin itself must put on a command line is refused by sanitize_sh_param:
    # the start fails with the reason, and the node never runs the injected command.
    bad = create_node(daemon, "meta2", props={"block-time": "1; touch /blockjoy/pwned4"})
    err = _rpc_error(daemon.call, "StartNode", node_pb2.StartNodeRequest(node="meta2"))
    assert "Shell unsafe character detected: ;" in err.details()
    assert not (daemon.nodes_dir / bad.id / "data/pwned4").exists()
    assert node_status(daemon, "meta1") == RUNNING  # the other node is unaffected


def test_corrupt_state_json_is_reported_and_isolated(roomy: Daemon) -> None:
    daemon = roomy
    good = create_node(daemon, "good1")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node="good1"))
    bad = create_node(daemon, "bad1")
    daemon.sigterm()
    (daemon.nodes_dir / bad.id / "state.json").write_text('{"id": "not-a-uuid", "name": ')
    daemon.start()
    nodes = {n.id: n for n in daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes}
    assert nodes[bad.id].status == FAILED
    wait_for("good1 Running", lambda: node_status(daemon, "good1") == RUNNING)
    with daemon.channel() as ch:
        _, call = Daemon._stub(ch).GetNode.with_call(node_pb2.GetNodeRequest(node=bad.id))
        reason = dict(call.trailing_metadata())["bv-status-reason"]
    assert "cannot load state.json" in reason
    assert nodes[bad.id].status_reason == reason  # the field, same text as the legacy trailer
    err = _rpc_error(daemon.call, "StartNode", node_pb2.StartNodeRequest(node=bad.id))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and "broken" in err.details()
    daemon.call("DeleteNode", node_pb2.DeleteNodeRequest(node=bad.id))
    assert not (daemon.nodes_dir / bad.id).exists()
    assert [n.id for n in daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes] == [good.id]


def test_disk_full_while_saving_state_keeps_the_old_state(daemon: Daemon) -> None:
    daemon.sigterm()
    nodes = daemon.nodes_dir
    nodes.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", f"bvtest-{uuid.uuid4().hex[:6]}", str(nodes)],
                   check=True)
    try:
        daemon.start()
        node = create_node(daemon, "full1")
        daemon.call("StartNode", node_pb2.StartNodeRequest(node="full1"))
        state_path = nodes / node.id / "state.json"
        before = state_path.read_bytes()
        filler = nodes / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=200"], capture_output=True)
        err = _rpc_error(daemon.call, "StopNode", node_pb2.StopNodeRequest(node="full1"))
        assert "No space left on device" in err.details() and "state.json" in err.details()
        assert state_path.read_bytes() == before  # old state intact, no torn file
        assert json.loads(before)["expected_status"] == "Running"
        assert node_status(daemon, "full1") == RUNNING
        filler.unlink()
        assert daemon.call("StopNode", node_pb2.StopNodeRequest(node="full1")).node.status == STOPPED
        assert json.loads(state_path.read_text())["expected_status"] == "Stopped"
    finally:
        daemon.cleanup()
        subprocess.run(["umount", "-l", str(nodes)], check=False)
