"""End to end through the operator CLI: a real blockvisord, the real `bv` console script in
subprocesses, real bwrap nodes running the example image (demochain) with real babel.

create -> start -> height rising -> stop -> start -> upgrade to 2.0.0 (data kept) -> delete,
with `bv node list/info/jobs/logs` checked along the way.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.e2e.daemon_support import Daemon  # noqa: E402

pytestmark = [pytest.mark.root, pytest.mark.slow]

BV = str(Path(sys.executable).with_name("bv"))


class Cli:
    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon

    def __call__(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        p = subprocess.run([BV, "--socket", str(self.daemon.socket), *args], capture_output=True,
                           text=True, timeout=timeout, env=self.daemon.env())
        if check and p.returncode != 0:
            raise AssertionError(f"bv {' '.join(args)} -> {p.returncode}\nstdout: {p.stdout}\n"
                                 f"stderr: {p.stderr}\ndaemon log:\n{self.daemon.log_tail()}")
        return p

    def json(self, *args: str) -> object:
        return json.loads(self("-o", "json", *args).stdout)


@pytest.fixture
def bv(daemon: Daemon) -> Cli:
    """`bv` against the `daemon` fixture of tests/e2e/conftest.py (real blockvisord, own BV_ROOT)."""
    return Cli(daemon)


def _height(bv: Cli, node: str) -> int | None:
    p = bv("node", "run", "height", node, check=False, timeout=60)
    return int(p.stdout) if p.returncode == 0 and p.stdout.strip().isdigit() else None


def _wait_rising(bv: Cli, node: str, above: int = -1, timeout: float = 90.0) -> tuple[int, int]:
    """Two heights h1 < h2 with h1 > above, polled through `bv node run height`."""
    deadline = time.monotonic() + timeout
    seen: list[int] = []
    while time.monotonic() < deadline:
        h = _height(bv, node)
        if h is not None and h > above:
            if seen and h > seen[0]:
                return seen[0], h
            seen = seen or [h]
        time.sleep(1.0)
    raise AssertionError(f"height of {node} did not rise above {above} within {timeout} s: {seen}\n"
                         f"{bv.daemon.log_tail()}")


def test_cli_node_lifecycle(bv: Cli) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    assert bv("node", "list").stdout == "No nodes found.\n"

    # create: one line per streamed step (no TTY), then the summary line
    p = bv("node", "create", "demochain", "--version", "1.0.0", "--name", name,
           "--prop", "block-time=1", "--prop", "greeting=hi; echo pwned", "--tag", "e2e")
    m = re.search(r"^Created new node with ID `([0-9a-f-]{36})` and name `" + name + "`$", p.stdout, re.M)
    assert m, p.stdout
    node_id = m.group(1)
    steps = [line for line in p.stdout.splitlines() if line.startswith("[")]
    assert steps and all(re.match(r"\[\d+/\d+\] ", s) for s in steps), p.stdout
    [row] = bv.json("node", "list")  # type: ignore[misc]
    assert (row["id"], row["name"], row["status"]) == (node_id, name, "Stopped")
    assert row["image"].startswith("demochain/") and row["image"].endswith("/1.0.0")

    # start (by name), then the height rises
    assert bv("node", "start", name).stdout == f"Started node `{node_id}`\n"
    h1, h2 = _wait_rising(bv, name)
    assert h2 > h1

    # list / info / jobs / logs show it
    lines = bv("node", "list", "--tag", "e2e").stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "Name", "Image", "State"]
    cols = lines[1].split()
    assert cols[:2] == [node_id, name] and cols[3] == "Running"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", cols[5])
    assert bv("node", "list", "--tag", "other").stdout == "No nodes found.\n"
    info = bv("node", "info", node_id).stdout
    assert f"Name:            {name}" in info and "Status:          Running" in info
    assert re.search(r"^Block height:    \d+$", info, re.M), info
    assert "  demochain" in info and "greeting: hi; echo pwned" in info
    doc = bv.json("node", "info", name)
    assert doc["state"]["id"] == node_id and doc["metrics"]["height"] >= h1  # type: ignore[index]
    jobs = bv("node", "jobs", name).stdout.splitlines()
    assert any(line.split()[:2] == ["demochain", "Running"] for line in jobs), jobs
    assert [line.split()[0] for line in bv("node", "job", name, "ls").stdout.splitlines()] == \
        [line.split()[0] for line in jobs]
    job_info = bv("node", "job", name, "info", "demochain").stdout
    assert re.match(r"status:           \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\| Running\n", job_info), job_info
    logs = bv("node", "logs", name, "demochain", "-n", "5").stdout.splitlines()
    assert logs and any("block" in line for line in logs), logs
    assert bv("node", "status", name).stdout == "Running\n"

    # a bad method lists the real capabilities
    p = bv("node", "run", "no_such_method", name, check=False)
    assert p.returncode == 1 and p.stderr.startswith("Error: Method not found. Options are:\n")
    assert "height" in p.stderr.splitlines()

    # stop -> start: the chain goes on from where it was (data kept)
    assert bv("node", "stop", name).stdout == f"Stopped node `{node_id}`\n"
    assert bv("node", "status", node_id).stdout == "Stopped\n"
    before = h2
    bv("node", "start", node_id)
    h3, h4 = _wait_rising(bv, name, above=before - 1)
    assert h3 >= before and h4 > h3

    # upgrade to 2.0.0 keeps the data: heights continue, never restart from 0
    p = bv("node", "upgrade", name, "--version", "2.0.0")
    assert p.stdout.splitlines()[-1] == f"Upgraded node `{node_id}` to 2.0.0", p.stdout
    [row] = bv.json("node", "list")  # type: ignore[misc]
    assert row["image"].endswith("/2.0.0")
    h5, h6 = _wait_rising(bv, name, above=h4 - 1)
    assert h5 >= h4 and h6 > h5

    # delete
    p = bv("node", "delete", "-y", name)
    assert p.stdout == f"Deleted node `{name}`\n"
    assert bv("node", "list").stdout == "No nodes found.\n"
    p = bv("node", "info", name, check=False)
    assert p.returncode == 1 and "not found" in p.stderr and name in p.stderr
    assert not (bv.daemon.nodes_dir / node_id).exists()


def test_cli_errors_against_real_daemon(bv: Cli) -> None:
    p = bv("node", "create", "nochain", check=False)
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "nochain" in p.stderr, p.stderr
    p = bv("node", "start", "ghost-node", check=False)
    assert p.returncode == 1 and "ghost-node" in p.stderr and "not found" in p.stderr
    status = bv.json("status")
    assert status["running"] is True and status["info"]["mode"] == "Standalone"  # type: ignore[index]
    assert "Not clustered" in bv("cluster", "status").stdout
    assert "Total mem:" in bv("host", "info").stdout
    assert "Used cpu:" in bv("host", "metrics").stdout
    versions = [i["version"] for i in bv.json("image", "list")]  # type: ignore[union-attr, index]
    assert versions == ["1.0.0", "2.0.0"]


@pytest.fixture
def unstarted(bundle_dir: Path, image_store: Path) -> Iterator[Daemon]:
    """A daemon root (config, bridge, image store) whose blockvisord `bv start` will launch."""
    root = Path(tempfile.mkdtemp(prefix="bvs-", dir="/tmp"))
    d = Daemon(root, bundle_dir, image_store)
    try:
        yield d
    finally:
        subprocess.run([BV, "node", "delete", "-y", "--all"], env=d.env(), capture_output=True, timeout=120)
        subprocess.run([BV, "stop"], env=d.env(), capture_output=True, timeout=60)
        d.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def test_cli_start_stop_daemon_nodes_keep_running(unstarted: Daemon) -> None:
    # no BV_BLOCKVISORD: `bv start` must find the blockvisord installed next to it
    env = {k: v for k, v in unstarted.env().items() if k != "BV_BLOCKVISORD"}

    def bv(*args: str) -> subprocess.CompletedProcess[str]:
        p = subprocess.run([BV, *args], env=env, capture_output=True, text=True, timeout=180)
        assert p.returncode == 0, f"bv {args}: {p.stderr}\n{unstarted.log_tail()}"
        return p

    assert bv("status").stdout == "Service stopped\n"
    assert bv("start").stdout.startswith("blockvisor service started successfully: blockvisord ")
    log = unstarted.root / "var/log/blockvisor.log"
    assert log.exists()
    name = f"keep-{uuid.uuid4().hex[:6]}"
    bv("node", "create", "demochain", "--version", "1.0.0", "--name", name)
    bv("node", "start", name)
    started_at = json.loads(bv("-o", "json", "node", "info", name).stdout)["info"]["started_at"]

    assert bv("stop").stdout == "blockvisor service stopped successfully\n"
    assert bv("status").stdout == "Service stopped\n"
    p = subprocess.run([BV, "node", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "is it running? (bv start)" in p.stderr

    # the next daemon re-attaches: same node, still running, not restarted
    bv("start")
    doc = json.loads(bv("-o", "json", "node", "info", name).stdout)
    assert doc["status"] == "Running" and doc["info"]["started_at"] == started_at
    cli = Cli(unstarted)
    h1, h2 = _wait_rising(cli, name)
    assert h2 > h1
