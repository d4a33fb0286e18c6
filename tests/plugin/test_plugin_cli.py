"""`python -m bv_core.rhai eval` and the CLI's argument handling, in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from plugin_fakes import cli, cli_env


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=cli_env(), timeout=60)


def test_eval_prints_the_final_value_as_json(tmp_path: Path) -> None:
    (tmp_path / "lib.rhai").write_text('fn twice(x) { x * 2 }\nexport const NAME = "lib";\n')
    script = tmp_path / "s.rhai"
    script.write_text("""
import "lib" as lib;
let m = #{b: [1, 2.5, (), 'c', "s"], a: lib::twice(21), blob: "AB".to_blob(), name: lib::NAME};
m.t = true;
m
""")
    result = run("eval", str(script))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "a": 42, "b": [1, 2.5, None, "c", "s"], "blob": [65, 66], "name": "lib", "t": True,
    }
    script.write_text('print("hello"); debug("dbg"); ()')
    result = run("eval", str(script))
    assert (result.stdout, result.stderr) == ("null\n", 'hello\n"dbg"\n')


def test_eval_errors_have_positions(tmp_path: Path) -> None:
    script = tmp_path / "bad.rhai"
    script.write_text("let x = 1;\nlet y = x +;\n")
    result = run("eval", str(script))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {script}:2:")
    script.write_text('let x = 1;\nthrow "boom";\n')
    result = run("eval", str(script))
    assert result.returncode == 1 and f"{script}:2:1" in result.stderr and "boom" in result.stderr
    result = run("eval", str(tmp_path / "missing.rhai"))
    assert result.returncode == 1 and "cannot read script" in result.stderr


def test_usage_errors() -> None:
    assert run().returncode == 2
    assert run("config", "dir").returncode == 2  # --env is required
