"""nib with a real blockvisord: check plays a dev node and runs its status functions; play runs one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2
from tests.e2e.daemon_support import Daemon
from tests.nib.conftest import PROTOCOL, Nib

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (namespaces, mounts, cgroups)"),
]


def test_check_plays_a_dev_node_and_runs_its_status_functions(
        nib: Nib, image_dir: Path, daemon: Daemon) -> None:
    res = nib("--socket", str(daemon.socket), "image", "check", "--path", str(image_dir), "--cleanup",
              "--jobs-wait", "20", "--start-timeout", "60", timeout=240)
    assert res.returncode == 0, res.stdout + res.stderr + daemon.log_tail()
    lines = res.stdout.splitlines()
    assert any(ln.startswith("Created '") and "dev_node with ID" in ln for ln in lines)
    assert any(ln.startswith("OK   play: node ") and ln.endswith("is Running") for ln in lines)
    assert any(ln.startswith("OK   jobs-status:") for ln in lines)
    status = next(ln for ln in lines if ln.startswith("OK   status protocol_status:"))
    assert "healthy" in status
    assert "Node deleted" in lines
    assert lines[-1] == "All checks passed!"
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []


def test_check_fails_on_an_unhealthy_protocol(nib: Nib, image_dir: Path, daemon: Daemon) -> None:
    main = image_dir / "plugin/main.rhai"
    # The service listens on another port than the one protocol_status asks.
    main.write_text(main.read_text().replace("const PORT = 8080;", "const PORT = 8080;\nconst SERVE = 8081;")
                    .replace("http.server ${global::PORT}", "http.server ${global::SERVE}"))
    res = nib("--socket", str(daemon.socket), "image", "check", "--path", str(image_dir),
              "--force-cleanup", "--jobs-wait", "20", "--start-timeout", "60", timeout=240)
    assert res.returncode == 1, res.stdout
    assert any(ln.startswith("FAIL status protocol_status: Unhealthy protocol status")
               for ln in res.stdout.splitlines()), res.stdout
    assert "check(s) failed: status protocol_status" in res.stderr
    assert daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes == []


def test_play_runs_a_dev_node_from_the_image_dir(nib: Nib, image_dir: Path, daemon: Daemon) -> None:
    res = nib("--socket", str(daemon.socket), "image", "play", "--path", str(image_dir),
              "--props", '{"log-level": "debug"}', "--tag", "mine", timeout=240)
    assert res.returncode == 0, res.stdout + res.stderr + daemon.log_tail()
    (node,) = daemon.call("ListNodes", node_pb2.ListNodesRequest()).nodes
    assert f"Created new dev_node with ID `{node.id}` and name `{node.name}`" in res.stdout
    assert node.status == node_pb2.NODE_STATUS_RUNNING
    assert node.image_key.protocol_key == PROTOCOL
    assert set(node.tags) == {"mine"} and node.dev_mode
    assert node.properties["log-level"] == "debug"

    # upgrade: a new version of the same image directory, once the upgrade-blocking init job is done.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        jobs = daemon.call("ListJobs", job_pb2.ListJobsRequest(node=node.id)).jobs
        if any(j.name == "prepare" and j.status == job_pb2.JOB_STATUS_FINISHED for j in jobs):
            break
        time.sleep(0.5)
    babel = image_dir / "babel.yaml"
    babel.write_text(babel.read_text().replace("version: 0.0.1", "version: 0.0.2", 1))
    up = nib("--socket", str(daemon.socket), "image", "upgrade", node.name, "--path", str(image_dir),
             timeout=240)
    assert up.returncode == 0, up.stderr + daemon.log_tail()
    assert f"Upgraded dev_node with ID `{node.id}` to 0.0.2" in up.stdout
    info = daemon.call("GetNode", node_pb2.GetNodeRequest(node=node.id))
    assert info.image.version == "0.0.2" and info.dev_mode
