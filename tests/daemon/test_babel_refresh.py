"""Daemon restart refreshes babel in running nodes (bv-host.md §2.10, §2.12): the current bundle's
babel is copied into the rootfs and restarted in place; the node stays up and its protocol job
keeps its process."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from bv_core.proto.blockvisor.internal.v1 import node_pb2
from tests.e2e.daemon_support import Daemon, create_node, node_status, wait_for, wait_height_above

pytestmark = pytest.mark.root


def _node_procs(node_id: str) -> dict[int, str]:
    """pid -> command line of every process in the node's cgroup."""
    out = {}
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cgroup = Path(f"/proc/{proc.pid}/cgroup").read_text()
        except OSError:
            continue
        if node_id in cgroup:
            out[proc.pid] = " ".join(proc.info["cmdline"] or [])
    return out


def _job_pids(node_id: str) -> set[int]:
    return {pid for pid, cmd in _node_procs(node_id).items() if "demochain" in cmd and "babel " not in cmd + " "}


def _babel_pid(daemon: Daemon, node_id: str) -> int:
    return int(json.loads((daemon.nodes_dir / node_id / "babel.pid").read_text())["pid"])


def test_daemon_restart_refreshes_babel_and_keeps_jobs(daemon: Daemon) -> None:
    node = create_node(daemon, "refresh1")
    daemon.call("StartNode", node_pb2.StartNodeRequest(node=node.id))
    h1 = wait_height_above(daemon, node.id, 0)
    jobs_before = wait_for("the demochain job's processes", lambda: _job_pids(node.id))
    babel_before = _babel_pid(daemon, node.id)
    babel_file = daemon.nodes_dir / node.id / "rootfs/usr/bin/babel"
    inode_before = babel_file.stat().st_ino

    daemon.restart()

    assert node_status(daemon, node.id) == node_pb2.NODE_STATUS_RUNNING
    assert _babel_pid(daemon, node.id) != babel_before
    assert not psutil.pid_exists(babel_before) or babel_before not in _node_procs(node.id)
    assert babel_file.stat().st_ino != inode_before  # a fresh copy from the bundle
    assert jobs_before <= _job_pids(node.id)  # the protocol job was not restarted
    assert wait_height_above(daemon, node.id, h1) > h1
    assert "restarting babel" not in daemon.log_tail(200)  # no refresh warning
