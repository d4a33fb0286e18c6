"""Start-up time of the bundle's zipapps on a clean environment.

    python benchmarks/startup_bench.py [--dir dist/bundle] [--bvup dist/bvup] [--repeat 7]

Each zipapp runs as a fresh process with only ``PATH=/usr/bin:/bin`` (so its
``#!/usr/bin/env python3`` shebang finds the system CPython, nothing from our virtualenv) and a
private ``SHIV_ROOT``:

  first   the very first run: shiv unpacks the app's site-packages into SHIV_ROOT
  warm    later runs (min and median of --repeat), the steady state on a host

Target (issue 8): ``bv --version`` warm < 0.5 s. Exit status 1 when it is missed.
Build the zipapps first with ``make bundle``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_WARM_BV = 0.5
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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", type=Path, default=REPO / "dist/bundle", help="flat zipapp directory")
    p.add_argument("--bvup", type=Path, default=REPO / "dist/bvup")
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    if shutil.which("python3", path="/usr/bin:/bin") is None:
        print("startup_bench: no python3 in /usr/bin:/bin", file=sys.stderr)
        return 2
    print(f"system python: {subprocess.run(['/usr/bin/env', 'python3', '--version'], env={'PATH': '/usr/bin:/bin'}, capture_output=True, text=True).stdout.strip()}")
    print(f"{'command':32} {'size MiB':>9} {'first s':>8} {'warm min':>9} {'warm med':>9}")
    bv_warm: float | None = None
    with tempfile.TemporaryDirectory(prefix="shiv-bench-") as tmp:
        for name, cmd in COMMANDS:
            app = args.bvup if name == "bvup" else args.dir / name
            if not app.is_file():
                print(f"{name:32} missing: {app} (run `make bundle`)")
                continue
            root = Path(tmp) / name
            root.mkdir()
            label = f"{name} {' '.join(cmd)}"
            try:
                first = _run(app, cmd, root)
                warm = [_run(app, cmd, root) for _ in range(args.repeat)]
            except _Failed as err:
                print(f"{label:32} FAILS: {err}")
                continue
            print(f"{label:32} {app.stat().st_size / 2**20:9.1f} {first:8.2f} {min(warm):9.3f} "
                  f"{statistics.median(warm):9.3f}")
            if name == "bv":
                bv_warm = statistics.median(warm)
    if bv_warm is None:
        return 2
    ok = bv_warm < TARGET_WARM_BV
    print(f"bv --version warm median {bv_warm:.3f} s: {'meets' if ok else 'MISSES'} the "
          f"{TARGET_WARM_BV} s target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
