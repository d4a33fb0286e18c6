"""A real node through its whole life, driven through the daemon's internal gRPC API:
create -> start -> height rising -> stop -> start -> upgrade 1.0.0 -> 2.0.0 (data kept) -> delete."""

from __future__ import annotations

import json
import shutil
import stat

import grpc
import pytest

from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2
from tests.e2e.daemon_support import (
    Daemon,
    create_node,
    node_height,
    node_status,
    wait_for,
    wait_height_above,
)

pytestmark = pytest.mark.root

RUNNING, STOPPED = node_pb2.NODE_STATUS_RUNNING, node_pb2.NODE_STATUS_STOPPED


def test_socket_is_root_only(daemon: Daemon) -> None:
    st = daemon.socket.stat()
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660
    assert (st.st_uid, st.st_gid) == (0, 0)


def test_node_lifecycle_create_start_stop_upgrade_delete(daemon: Daemon) -> None:
    node = create_node(daemon, "life1", "1.0.0")
    assert node.status == STOPPED and node.image.version == "1.0.0"
    node_dir = daemon.nodes_dir / node.id

    started = daemon.call("StartNode", node_pb2.StartNodeRequest(node="life1")).node
    assert started.status == RUNNING and started.initialized
    h1 = wait_height_above(daemon, "life1", 0)
    h2 = wait_height_above(daemon, "life1", h1)
    assert h2 > h1
    jobs = daemon.call("ListJobs", job_pb2.ListJobsRequest(node=node.id)).jobs
    assert [(j.name, j.status) for j in jobs] == [("demochain", job_pb2.JOB_STATUS_RUNNING)]
    # Idempotent: starting a running node is harmless.
    assert daemon.call("StartNode", node_pb2.StartNodeRequest(node=node.id)).node.status == RUNNING

    stopped = daemon.call("StopNode", node_pb2.StopNodeRequest(node="life1")).node
    assert stopped.status == STOPPED
    assert node_height(daemon, "life1") is None
    assert daemon.call("StopNode", node_pb2.StopNodeRequest(node="life1")).node.status == STOPPED

    daemon.call("StartNode", node_pb2.StartNodeRequest(node="life1"))
    h3 = wait_height_above(daemon, "life1", h2 - 1)  # chain data survived the stop
    assert h3 >= h2

    events = daemon.call("UpgradeNode", node_pb2.UpgradeNodeRequest(node="life1", image_version="2.0.0"))
    assert [e.WhichOneof("event") for e in events][-1] == "result"
    steps = [e.step.name for e in events if e.WhichOneof("event") == "step"]
    assert steps[0] == "stop" and "rootfs" in steps and "start" in steps
    upgraded = events[-1].result.node
    assert upgraded.image.version == "2.0.0" and upgraded.status == RUNNING
    wait_for("the 2.0.0 chain answering", lambda: daemon.call(
        "RunPluginMethod", node_pb2.RunPluginMethodRequest(node="life1", method="version")).result == "2.0.0")
    h4 = wait_height_above(daemon, "life1", h3 - 1)  # data kept across the upgrade
    assert h4 >= h3
    assert not (node_dir / "rootfs_backup").exists()

    daemon.call("DeleteNode", node_pb2.DeleteNodeRequest(node="life1"))
    assert not node_dir.exists()
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []
    with pytest.raises(Exception, match="not found"):
        node_status(daemon, "life1")
    wait_for("no node process left", lambda: not _node_processes(daemon), timeout=10)


def _node_processes(daemon: Daemon) -> list[str]:
    import subprocess

    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if str(daemon.root) in line and "bwrap" in line]


def test_update_properties_reinitializes_a_running_node(daemon: Daemon) -> None:
    node = create_node(daemon, "upd1")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node="upd1"))
    toml = daemon.nodes_dir / node.id / "data/protocol_data/demochain.toml"
    wait_for("the first config render", toml.exists)
    assert 'greeting = "hello"' in toml.read_text()
    updated = daemon.call("UpdateNode", node_pb2.UpdateNodeRequest(
        node="upd1", set_properties={"greeting": "bonjour"}, display_name="Update One")).node
    assert updated.properties["greeting"] == "bonjour" and updated.display_name == "Update One"
    assert updated.initialized and updated.status == RUNNING
    assert 'greeting = "bonjour"' in toml.read_text()  # init ran again with the new value
    with pytest.raises(Exception, match="unknown property"):
        daemon.call("UpdateNode", node_pb2.UpdateNodeRequest(node="upd1", set_properties={"nope": "1"}))


def test_failed_upgrade_rolls_back_to_the_running_old_version(daemon: Daemon) -> None:
    # demochain 3.0.0: the 2.0.0 image with a plugin whose config always fails (before any job
    # touches protocol data, so the rollback is allowed).
    store = daemon.root / "var/lib/blockvisor/images/demochain"
    src, dst = store / "2.0.0", store / "3.0.0"
    dst.mkdir()
    (dst / "babel.yaml").write_text((src / "babel.yaml").read_text().replace("version: 2.0.0", "version: 3.0.0"))
    shutil.copytree(src / "plugin", dst / "plugin")
    main = dst / "plugin/main.rhai"
    main.write_text(main.read_text().replace("fn plugin_config() {#{", 'fn plugin_config() { throw "broken 3.0.0"; #{'))
    (dst / "rootfs").symlink_to((src / "rootfs").resolve())

    node = create_node(daemon, "rb1", "1.0.0")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node="rb1"))
    h1 = wait_height_above(daemon, "rb1", 0)
    with pytest.raises(grpc.RpcError) as info:
        daemon.call("UpgradeNode", node_pb2.UpgradeNodeRequest(node="rb1", image_version="3.0.0"))
    assert info.value.code() == grpc.StatusCode.ABORTED
    assert "broken 3.0.0" in info.value.details() and "successfully rolled back" in info.value.details()
    back = daemon.call("GetNode", node_pb2.GetNodeRequest(node="rb1"))
    assert back.image.version == "1.0.0" and back.status == RUNNING
    assert wait_height_above(daemon, "rb1", h1 - 1) >= h1
    state = json.loads((daemon.nodes_dir / node.id / "state.json").read_text())
    assert state["upgrade_state"]["active"] is False and state["image"]["version"] == "1.0.0"
    assert not (daemon.nodes_dir / node.id / "rootfs_backup").exists()
