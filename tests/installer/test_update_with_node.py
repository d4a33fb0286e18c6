"""An update v1 → v2 of an installed bundle while a real node runs (bwrap, demochain, babel).

The node is created and started through the installed ``<root>/usr/bin/bv``; the update restarts
blockvisord, and the node's processes (same pids, same start times) and its chain go on.
Image store and rootfs come from the e2e fixtures (tests/e2e/conftest.py).
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

import psutil
import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.e2e.conftest import bundle_dir, image_store, test_rootfs  # noqa: E402,F401
from tests.e2e.daemon_support import Daemon  # noqa: E402
from tests.installer.bundles import Host, variant  # noqa: E402

pytestmark = [pytest.mark.root, pytest.mark.slow]


@pytest.fixture
def node_host(image_store: Path) -> Iterator[tuple[Host, Daemon]]:  # noqa: F811
    root = Path(tempfile.mkdtemp(prefix="bvn-", dir="/tmp"))
    # Daemon() only prepares the root here (config with its own bridge/subnet, image store link);
    # the installed bundle's blockvisord is what runs.
    prep = Daemon(root, root / "unused", image_store)
    host = Host(root)
    try:
        yield host, prep
    finally:
        bv = root / "usr/bin/bv"
        if bv.exists() and host.healthy():
            subprocess.run([str(bv), "node", "delete", "--all", "-y"], env=host.env(), capture_output=True,
                           timeout=120, check=False)
        host.stop()
        prep.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def _bv(host: Host, *args: str) -> str:
    p = subprocess.run([str(host.root / "usr/bin/bv"), *args], env=host.env(), capture_output=True,
                       text=True, timeout=180)
    assert p.returncode == 0, f"bv {' '.join(args)}: {p.stderr}\n{host.log_tail()}"
    return p.stdout


def _height(host: Host, node: str) -> int | None:
    p = subprocess.run([str(host.root / "usr/bin/bv"), "node", "run", "height", node], env=host.env(),
                       capture_output=True, text=True, timeout=60)
    return int(p.stdout) if p.returncode == 0 and p.stdout.strip().isdigit() else None


def _wait_height_above(host: Host, node: str, above: int, timeout: float = 90.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        h = _height(host, node)
        if h is not None and h > above:
            return h
        time.sleep(1.0)
    raise AssertionError(f"height of {node} not above {above} within {timeout}s\n{host.log_tail()}")


def _is_babel(cmdline: list[str]) -> bool:
    # babel itself (and its launcher) is restarted on purpose after a daemon update, to run the
    # new bundle's babel (bv-host.md §2.10); the protocol's processes must not be.
    return any(part.endswith("/babel") or "_nsspawn" in part for part in cmdline)


def _node_processes(node_id: str) -> set[tuple[int, float]]:
    procs = set()
    for p in psutil.process_iter(["pid", "cmdline", "create_time"]):
        cmdline = p.info["cmdline"] or []
        if any(node_id in part for part in cmdline) and not _is_babel(cmdline):
            procs.add((p.info["pid"], p.info["create_time"]))
    return procs


def test_update_keeps_running_nodes(node_host: tuple[Host, Daemon], work: Path) -> None:
    host, _ = node_host
    assert host.install(variant(work / "v1", "1.0.0"), BV_RECOVERY_INTERVAL="1").returncode == 0
    name = f"upd-{uuid.uuid4().hex[:8]}"
    out = _bv(host, "node", "create", "demochain", "--version", "1.0.0", "--name", name,
              "--prop", "block-time=1")
    m = re.search(r"Created new node with ID `([0-9a-f-]{36})`", out)
    assert m, out
    node_id = m.group(1)
    _bv(host, "node", "start", name)
    h1 = _wait_height_above(host, name, -1)
    before = _node_processes(node_id)
    assert before, "no process of the node found"

    res = host.install(variant(work / "v2", "1.1.0"), BV_RECOVERY_INTERVAL="1")
    assert res.returncode == 0, res.stderr
    host.assert_runs("1.1.0")
    assert before <= _node_processes(node_id), "node processes were restarted by the update"
    [row] = json.loads(_bv(host, "-o", "json", "node", "list"))
    assert row["id"] == node_id and row["status"] == "Running"
    assert _wait_height_above(host, name, h1) > h1
