"""Start-up time of the bundle's zipapps on a clean environment.

    python benchmarks/startup_bench.py [--dir dist/bundle] [--bvup dist/bvup] [--repeat 7]
                                       [--nodes 50] [--bv .venv/bin/bv]

Each zipapp runs as a fresh process with only ``PATH=/usr/bin:/bin`` (so its
``#!/usr/bin/env python3`` shebang finds the system CPython, nothing from our virtualenv) and a
private ``SHIV_ROOT``:

  first   the very first run: shiv unpacks the app's site-packages into SHIV_ROOT
  warm    later runs (min and median of --repeat), the steady state on a host

``bv node list`` runs against a live daemon API with ``--nodes`` nodes: the fake blockvisord of
the CLI tests (tests/cli/fake_daemon.py, a real gRPC server on a Unix socket, served from this
process), since what is measured is the CLI process; the daemon answers ListNodes in ~20 ms
either way (benchmarks/daemon_bench.py times the real daemon). ``--bv`` times another `bv` too,
e.g. the virtualenv's console script, with the same commands (``--nodes 0`` skips node list).

Targets: ``bv --version`` warm < 0.5 s (issue 8), ``bv node list`` warm median < 0.2 s. Exit
status 1 when one is missed. Build the zipapps first with ``make bundle``.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_WARM_BV = 0.5
TARGET_NODE_LIST = 0.2
# (zipapp, arguments): cheap commands that still import the app's entry module.
COMMANDS = [
    ("bv", ["--version"]),
    ("blockvisord", ["--help"]),
    ("nib", ["--help"]),
    ("installer", ["--help"]),
    ("babel", ["--help"]),
    ("babel_job_runner", ["--help"]),
    ("bvup", ["--help"]),
]


class _Failed(Exception):
    pass


def _run(app: Path, args: list[str], shiv_root: Path) -> float:
    env = {"PATH": "/usr/bin:/bin", "SHIV_ROOT": str(shiv_root), "HOME": str(shiv_root)}
    started = time.perf_counter()
    res = subprocess.run([str(app), *args], env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise _Failed(f"exit {res.returncode}: {last[:120]}")
    return elapsed


@contextlib.contextmanager
def _live_daemon(nodes: int, tmp: Path) -> Iterator[Path | None]:
    """The fake daemon API with ``nodes`` nodes on a Unix socket (None when nodes is 0)."""
    if nodes <= 0:
        yield None
        return
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.cli.fake_daemon import FakeServer  # needs grpc + bv_core: run with the virtualenv

    sock = tmp / "bv.sock"
    with FakeServer(sock) as server:
        for i in range(nodes):
            server.daemon.add_node(f"bench-{i}", running=i % 2 == 0)
        yield sock


def _time(label: str, app: Path, cmd: list[str], root: Path, repeat: int) -> float | None:
    """Print one row (first run, warm min/median); returns the warm median, None on failure."""
    try:
        first = _run(app, cmd, root)
        warm = [_run(app, cmd, root) for _ in range(repeat)]
    except _Failed as err:
        print(f"{label:32} FAILS: {err}")
        return None
    size = f"{app.stat().st_size / 2**20:9.1f}" if app.stat().st_size > 2**20 else f"{'-':>9}"
    print(f"{label:32} {size} {first:8.2f} {min(warm):9.3f} {statistics.median(warm):9.3f}")
    return statistics.median(warm)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", type=Path, default=REPO / "dist/bundle", help="flat zipapp directory")
    p.add_argument("--bvup", type=Path, default=REPO / "dist/bvup")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--nodes", type=int, default=50, help="nodes in the daemon for `bv node list`")
    p.add_argument("--bv", type=Path, help="also time this bv executable (e.g. .venv/bin/bv)")
    args = p.parse_args()
    if shutil.which("python3", path="/usr/bin:/bin") is None:
        print("startup_bench: no python3 in /usr/bin:/bin", file=sys.stderr)
        return 2
    print(f"system python: {subprocess.run(['/usr/bin/env', 'python3', '--version'], env={'PATH': '/usr/bin:/bin'}, capture_output=True, text=True).stdout.strip()}")
    print(f"{'command':32} {'size MiB':>9} {'first s':>8} {'warm min':>9} {'warm med':>9}")
    bv_warm: float | None = None
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="shiv-bench-", dir="/tmp") as tmp, \
            _live_daemon(args.nodes, Path(tmp)) as sock:
        for name, cmd in COMMANDS:
            app = args.bvup if name == "bvup" else args.dir / name
            if not app.is_file():
                print(f"{name:32} missing: {app} (run `make bundle`)")
                continue
            root = Path(tmp) / name
            root.mkdir()
            warm = _time(f"{name} {' '.join(cmd)}", app, cmd, root, args.repeat)
            if name == "bv":
                bv_warm = warm
        # `bv node list` with the zipapp (its unpacked SHIV_ROOT from above), then --bv if given.
        bvs = [("bv", args.dir / "bv", Path(tmp) / "bv")]
        if args.bv is not None:
            bvs.append((str(args.bv), args.bv, Path(tmp) / "other-bv"))
        for label, app, root in bvs:
            if not app.is_file():
                continue
            root.mkdir(exist_ok=True)
            if app != args.dir / "bv":
                _time(f"{label} --version", app, ["--version"], root, args.repeat)
                _time(f"{label} --help", app, ["--help"], root, args.repeat)
            if sock is None:
                continue
            listed = _time(f"{label} node list ({args.nodes} nodes)", app,
                           ["--socket", str(sock), "node", "list"], root, args.repeat)
            if listed is None or listed >= TARGET_NODE_LIST:
                missed.append(f"{label} node list")
    if bv_warm is None:
        return 2
    ok = bv_warm < TARGET_WARM_BV
    print(f"bv --version warm median {bv_warm:.3f} s: {'meets' if ok else 'MISSES'} the "
          f"{TARGET_WARM_BV} s target")
    if missed:
        print(f"MISSES the {TARGET_NODE_LIST} s node list target: {', '.join(missed)}")
    return 0 if ok and not missed else 1

if __name__ == "__main__":
    sys.exit(main())
