"""Faults with a real daemon and real nodes: daemon restarts and SIGKILLs at exact steps
(failpoints), babel or the container killed under a running node, disk full while saving state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from bv_core.proto.blockvisor.internal.v1 import node_pb2
from tests.e2e.daemon_support import (
    Daemon,
    create_node,
    node_status,
    wait_for,
    wait_height_above,
)

pytestmark = pytest.mark.root

RUNNING = node_pb2.NODE_STATUS_RUNNING


def _machine_pid(daemon: Daemon, node_id: str) -> int:
    return int(json.loads((daemon.nodes_dir / node_id / "machine.pid").read_text())["pid"])


def _pids_in_node(daemon: Daemon, node_id: str, needle: str) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        pid_s, _, args = line.strip().partition(" ")
        if needle in args and _in_node_cgroup(int(pid_s), node_id):
            found.append(int(pid_s))
    return found


def _in_node_cgroup(pid: int, node_id: str) -> bool:
    # Every process of a node, whoever spawned it, lives in the node's cgroup.
    try:
        return node_id in Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return False


def _mounts_under(root: Path) -> list[str]:
    return [ln for ln in Path("/proc/self/mountinfo").read_text().splitlines() if f" {root}/" in ln]


def test_daemon_restart_reattaches_without_restarting_nodes(daemon: Daemon) -> None:
    node = create_node(daemon, "keep1")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node="keep1"))
    h1 = wait_height_above(daemon, "keep1", 0)
    pid = _machine_pid(daemon, node.id)
    assert daemon.sigterm() == 0
    assert os.path.exists(f"/proc/{pid}")  # nodes outlive the daemon
    daemon.start()
    assert _machine_pid(daemon, node.id) == pid  # re-attached, not restarted
    wait_for("keep1 Running after attach", lambda: node_status(daemon, "keep1") == RUNNING)
    assert wait_height_above(daemon, "keep1", h1) > h1


def test_sigkill_mid_create_leaves_no_half_node(daemon: Daemon) -> None:
    daemon.sigterm()
    daemon.failpoints = ["create-built"]
    daemon.start()
    call = daemon.call_in_background("CreateNode", node_pb2.CreateNodeRequest(
        image_key=node_pb2.ImageKey(protocol_key="demochain"), image_version="1.0.0", display_name="half1"))
    node_dir = wait_for("the node dir with its rootfs", lambda: next(
        (d for d in daemon.nodes_dir.iterdir() if (d / "state.json").exists() and (d / "rootfs/usr").is_dir()),
        None))  # rootfs built: an overlay mount, or a copy where overlay is refused (in containers)
    daemon.sigkill()
    call.cancel()
    daemon.failpoints = []
    daemon.start()
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []
    assert not node_dir.exists()
    assert _mounts_under(daemon.nodes_dir) == []
    # The name and IP are free again.
    assert create_node(daemon, "half1").name == "half1"


def test_sigkill_mid_upgrade_resumes_after_restart(daemon: Daemon) -> None:
    node = create_node(daemon, "upg1", "1.0.0")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node="upg1"))
    h1 = wait_height_above(daemon, "upg1", 0)
    daemon.sigterm()
    daemon.failpoints = ["upgrade-vm-done"]
    daemon.start()
    call = daemon.call_in_background("UpgradeNode", node_pb2.UpgradeNodeRequest(node="upg1", image_version="2.0.0"))
    state_path = daemon.nodes_dir / node.id / "state.json"
    wait_for("the Vm step in the journal", lambda: "Vm" in json.loads(state_path.read_text())["upgrade_state"]["steps"])
    daemon.sigkill()
    call.cancel()
    daemon.failpoints = []
    daemon.start()
    wait_for("upg1 on 2.0.0 and Running", lambda: (
        (n := daemon.call("GetNode", node_pb2.GetNodeRequest(node="upg1"))).image.version == "2.0.0"
        and n.status == RUNNING), timeout=90)
    assert wait_height_above(daemon, "upg1", h1 - 1) >= h1  # protocol data kept
    state = json.loads(state_path.read_text())
    assert state["upgrade_state"]["active"] is False
    assert not (daemon.nodes_dir / node.id / "rootfs_backup").exists()


@pytest.mark.parametrize("victim", ["babel", "container"])
def test_killed_node_process_is_recovered(daemon: Daemon, victim: str) -> None:
    node = create_node(daemon, f"rec-{victim}")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node=node.name))
    h1 = wait_height_above(daemon, node.name, 0)
    if victim == "babel":
        pids = _pids_in_node(daemon, node.id, "/usr/bin/babel")
        assert pids, "babel not found in the node"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    else:
        os.kill(_machine_pid(daemon, node.id), signal.SIGKILL)
    # Recovery runs every second in tests; start recovery has the first attempt at once.
    wait_for(f"{node.name} Running again", lambda: node_status(daemon, node.name) == RUNNING
             and _pids_in_node(daemon, node.id, "/usr/bin/babel"), timeout=90)
    assert wait_height_above(daemon, node.name, h1 - 1, timeout=90) >= h1


def test_recovery_gives_up_after_its_budget_with_the_reason_visible(daemon: Daemon) -> None:
    # init() fails on every start (the plugin refuses this value for its command line).
    node = create_node(daemon, "doomed1", props={"block-time": "1;x"})
    with pytest.raises(Exception, match="Shell unsafe character"):
        daemon.call("StartNode", node_pb2.StartNodeRequest(node="doomed1"))
    # Tests run the daemon with backoff delays scaled down; the budget (3 starts) is the original's.
    info = wait_for("doomed1 permanently Failed", lambda: (
        n := daemon.call("GetNode", node_pb2.GetNodeRequest(node="doomed1"))
    ).expected_status == node_pb2.NODE_STATUS_FAILED and n, timeout=60)
    assert info.status == node_pb2.NODE_STATUS_FAILED
    with daemon.channel() as ch:
        _, call = Daemon._stub(ch).GetNode.with_call(node_pb2.GetNodeRequest(node=node.id))
        reason = dict(call.trailing_metadata())["bv-status-reason"]
    assert "retries count exceeded" in reason and "Shell unsafe character" in reason
    assert info.status_reason == reason
    assert "marked as failed" in daemon.log_tail(200) or "retries count exceeded" in daemon.log_tail(200)
