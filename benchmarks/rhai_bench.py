"""Benchmark of the Rhai engine and plugin runtime on a realistic plugin.

    python benchmarks/rhai_bench.py [--plugin examples/plugins/ethereum] [--repeat N]

Prints a table: load + parse of main.rhai and its modules, plugin_config() evaluation, a
full status poll (protocol_status + height + block_age, host calls answered in-process),
and a 1M-iteration arithmetic loop compared with the same loop in plain Python (same run).
Targets from the plugin-engine issue: poll < 5 ms, loop ratio <= 10x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "bv-core" / "src"))

from bv_core.jobs import JobInfo  # noqa: E402
from bv_core.plugin import (  # noqa: E402
    HttpResult,
    JrpcRequest,
    LinterHost,
    RestRequest,
    RhaiPlugin,
    linter_node_env,
)
from bv_core.rhai import Engine, Limits  # noqa: E402

LOOP_N = 1_000_000
RHAI_LOOP = f"""
let total = 0;
for i in 0..{LOOP_N} {{
    total += i * 3 % 7;
}}
total
"""


def python_loop() -> int:
    total = 0
    for i in range(LOOP_N):
        total += i * 3 % 7
    return total


class InProcessHost(LinterHost):
    """Answers the node's JSON-RPC/REST calls from memory, like a healthy synced node."""

    def __init__(self, variant: str) -> None:
        super().__init__(linter_node_env(node_variant=variant))
        now = int(time.time())
        self._jrpc = {
            "eth_syncing": False,
            "eth_blockNumber": "0x12d687",
            "eth_getBlockByNumber": {"number": "0x12d687", "timestamp": hex(now - 12)},
            "eth_chainId": "0xa",
            "optimism_syncStatus": {"unsafe_l2": {"number": 1, "timestamp": now - 2}},
        }
        self._rest = {
            "/eth/v1/node/syncing": {"data": {"is_syncing": False}},
            "/status": {"result": {"sync_info": {"catching_up": False, "latest_block_height": "7",
                                                 "latest_block_time": "2024-01-01T00:00:00Z"}}},
        }

    def get_jobs(self) -> dict[str, JobInfo]:
        return {}

    def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult:
        doc = {"jsonrpc": "2.0", "id": 0, "result": self._jrpc.get(request.method)}
        return HttpResult(200, orjson.dumps(doc).decode())

    def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult:
        path = "/" + request.url.split("/", 3)[-1]
        return HttpResult(200, orjson.dumps(self._rest.get(path, {})).decode())


def measure(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plugin", type=Path, default=ROOT / "examples" / "plugins" / "op-stack")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    plugin_dir: Path = args.plugin
    from bv_core.models._image import load_image_metadata

    variant = load_image_metadata(plugin_dir / "babel.yaml").variants[0].key
    host = InProcessHost(variant)
    sources = sorted(plugin_dir.glob("*.rhai"))
    lines = sum(len(p.read_text().splitlines()) for p in sources)

    def load() -> None:
        RhaiPlugin(plugin_dir, host)
        engine = Engine()
        for module in sources:
            if module.name != "main.rhai":
                engine.compile(module.read_text(), str(module))

    plugin = RhaiPlugin(plugin_dir, host)

    def poll() -> None:
        plugin.protocol_status()
        plugin.height()
        plugin.block_age()

    rows = [
        (f"load + parse ({len(sources)} files, {lines} lines)", measure(load, args.repeat), None),
        ("plugin_config() evaluation", measure(plugin.evaluate_config, args.repeat), None),
        ("status poll (protocol_status+height+block_age)", measure(poll, args.repeat), 0.005),
    ]
    engine = Engine(limits=Limits(max_operations=0, timeout=None))
    ast = engine.compile(RHAI_LOOP, "<loop>")
    assert engine.run(ast) == python_loop()
    loop_repeat = max(1, args.repeat // 10)
    rhai_loop = measure(lambda: engine.run(ast), loop_repeat)
    py_loop = measure(python_loop, loop_repeat)
    rows.append((f"{LOOP_N:,}-iteration arithmetic loop (Rhai)", rhai_loop, None))
    rows.append((f"{LOOP_N:,}-iteration arithmetic loop (Python)", py_loop, None))

    print(f"plugin: {plugin_dir}  (median of {args.repeat} runs; loop: {loop_repeat})")
    print(f"{'measurement':<52} {'time':>12}  target")
    print("-" * 76)
    for name, secs, target in rows:
        mark = "" if target is None else (f"< {target * 1000:.0f} ms " + ("ok" if secs < target else "MISSED"))
        print(f"{name:<52} {secs * 1000:>9.3f} ms  {mark}")
    ratio = rhai_loop / py_loop
    print(f"{'loop ratio Rhai / Python':<52} {ratio:>11.1f}x  <= 10x {'ok' if ratio <= 10 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
