"""Standalone daemon figures with 50 nodes (issue 6).

    sudo .venv/bin/python benchmarks/daemon_bench.py [--nodes 50] [--running 2] [--idle-secs 30]

Runs a real ``blockvisord`` (temp ``BV_ROOT``, its own bridge and /24, the example image
``demochain`` from the test image store) and prints:

  create->running   wall time of CreateNode + StartNode until Running, per running node
                    (the example image; target < 3 s)
  idle RSS / CPU    the daemon process (children excluded: babel runs in the nodes) over
                    --idle-secs of idle time, via psutil (target < 80 MB, < 2 % of one core)
  node list         median wall time of a real ``bv node list`` process and of the bare
                    ListNodes RPC, with all nodes present (target < 200 ms median)

50 running nodes do not fit a 2-core machine (each demochain node is a Python chain + babel),
so by default 2 nodes run and the other 48 are created but stopped (dev nodes, which the
daemon does not count against the CPU capacity). The output says so. Everything is removed
at the end (nodes, processes, netns, cgroups, bridge, BV_ROOT). Needs root.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bv_core.proto.blockvisor.internal.v1 import daemon_pb2, node_pb2  # noqa: E402
from tests.e2e.daemon_support import Daemon, build_bundle, build_image_store, wait_for  # noqa: E402
from tests.support.rootfs import cached_rootfs  # noqa: E402

TARGET_RSS_MB = 80.0
TARGET_CPU_PCT = 2.0
TARGET_LIST_MS = 200.0
TARGET_CREATE_S = 3.0
BV = str(Path(sys.executable).with_name("bv"))


def _daemon(root: Path, nodes: int) -> Daemon:
    d = Daemon(root, build_bundle(), build_image_store(build_bundle(), cached_rootfs("debian")),
               recovery_interval=15.0)
    # The default test pool has 19 addresses: give the bench one per node (+ spare).
    cfg_path = root / "etc/blockvisor.json"
    cfg = json.loads(cfg_path.read_text())
    hosts = [str(h) for h in d.net.hosts()]
    cfg["net_conf"]["available_ips"] = hosts[1:nodes + 10]
    cfg_path.write_text(json.dumps(cfg))
    return d


def _create_running(d: Daemon, name: str) -> float:
    started = time.perf_counter()
    events = d.call("CreateNode", node_pb2.CreateNodeRequest(
        image_key=node_pb2.ImageKey(protocol_key="demochain"), display_name=name))
    d.node_ids.add(events[-1].result.node.id)
    node = d.call("StartNode", node_pb2.StartNodeRequest(node=name)).node
    if node.status != node_pb2.NODE_STATUS_RUNNING:
        raise RuntimeError(f"node {name} not Running after start: {node.status}")
    return time.perf_counter() - started


def _create_stopped(d: Daemon, name: str, image_dir: Path) -> None:
    state = {"name": name, "image": {"uri": f"file://{image_dir}"}}
    events = d.call("CreateDevNode", node_pb2.CreateDevNodeRequest(state_json=json.dumps(state).encode()))
    d.node_ids.add(events[-1].result.node.id)


def _idle(proc: psutil.Process, secs: float) -> tuple[float, float]:
    """(RSS MB at the end, CPU % of one core over ``secs``) of the daemon process alone."""
    before = proc.cpu_times()
    t0 = time.monotonic()
    time.sleep(secs)
    after = proc.cpu_times()
    elapsed = time.monotonic() - t0
    cpu = (after.user - before.user + after.system - before.system) / elapsed * 100
    return proc.memory_info().rss / 1e6, cpu


def _list_times(d: Daemon, repeat: int) -> tuple[float, float, int]:
    """(median ms of `bv node list`, median ms of the ListNodes RPC, nodes listed)."""
    cli, rpc = [], []
    count = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = subprocess.run([BV, "--socket", str(d.socket), "node", "list"], env=d.env(),
                             capture_output=True, text=True, timeout=60)
        cli.append((time.perf_counter() - t0) * 1000)
        if res.returncode != 0:
            raise RuntimeError(f"bv node list failed: {res.stderr.strip()}")
        with d.channel() as ch:
            stub = Daemon._stub(ch)
            stub.GetHealth(daemon_pb2.GetHealthRequest(), timeout=10)  # connect outside the timing
            t0 = time.perf_counter()
            count = len(stub.ListNodes(node_pb2.ListNodesRequest(), timeout=30).nodes)
            rpc.append((time.perf_counter() - t0) * 1000)
    return statistics.median(cli), statistics.median(rpc), count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--running", type=int, default=2, help="how many of the nodes run (the rest are stopped)")
    ap.add_argument("--idle-secs", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=9, help="node list samples")
    args = ap.parse_args()
    if args.idle_secs < 20:
        ap.error("--idle-secs must be >= 20 for a meaningful CPU figure")
    root = Path(tempfile.mkdtemp(prefix="bvb-", dir="/tmp"))  # short: Unix socket paths
    d = _daemon(root, args.nodes)
    failed = False
    try:
        d.start()
        assert d.proc is not None
        creates = [_create_running(d, f"bench-run-{i}") for i in range(args.running)]
        image_dir = d.root / "var/lib/blockvisor/images/demochain/1.0.0"
        for i in range(args.nodes - args.running):
            _create_stopped(d, f"bench-stop-{i}", image_dir.resolve())
        wait_for("every node listed", lambda: len(d.call("ListNodes", node_pb2.ListNodesRequest()).nodes)
                 == args.nodes)
        time.sleep(3)  # let the creates' garbage and threads settle before measuring idle
        rss, cpu = _idle(psutil.Process(d.proc.pid), args.idle_secs)
        cli_ms, rpc_ms, listed = _list_times(d, args.repeat)

        print(f"daemon bench: {args.nodes} nodes = {args.running} running + "
              f"{args.nodes - args.running} created-but-stopped (2 cores cannot run {args.nodes} nodes)")
        rows = [
            ("create->running (median)", f"{statistics.median(creates):.2f} s", f"< {TARGET_CREATE_S:g} s",
             statistics.median(creates) < TARGET_CREATE_S),
            ("daemon idle RSS", f"{rss:.1f} MB", f"< {TARGET_RSS_MB:g} MB", rss < TARGET_RSS_MB),
            (f"daemon idle CPU ({args.idle_secs:g} s)", f"{cpu:.2f} % of a core", f"< {TARGET_CPU_PCT:g} %",
             cpu < TARGET_CPU_PCT),
            (f"`bv node list` ({listed} nodes, median)", f"{cli_ms:.0f} ms", f"< {TARGET_LIST_MS:g} ms",
             cli_ms < TARGET_LIST_MS),
            ("ListNodes RPC alone (median)", f"{rpc_ms:.1f} ms", "-", True),
        ]
        for label, value, target, ok in rows:
            print(f"  {label:<38} {value:>18}   target {target:<10} {'ok' if ok else 'MISSED'}")
            failed |= not ok
        print(f"  create->running per node: {', '.join(f'{c:.2f} s' for c in creates)}")
    finally:
        d.cleanup()
        left = d.leftovers()
        shutil.rmtree(root, ignore_errors=True)
        if left:
            print(f"cleanup left these behind: {left}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
