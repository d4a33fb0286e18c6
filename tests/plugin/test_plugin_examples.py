"""The example plugins through the real CLI: they lint clean and `config` renders them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from plugin_fakes import EXAMPLE_NAMES, EXAMPLES, cli, cli_env

import bv_core.rhai.__main__ as rhai_cli
from bv_core.models._image import load_image_metadata


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=cli_env(), timeout=60)


def test_every_plugin_dir_holds_the_shared_base_module() -> None:
    base = (EXAMPLES / "base" / "base.rhai").read_text()
    for name in EXAMPLE_NAMES:
        assert (EXAMPLES / name / "base.rhai").read_text() == base, f"{name}/base.rhai differs"
        assert 'import "base" as base;' in (EXAMPLES / name / "main.rhai").read_text()


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_babel_yaml_is_valid(name: str) -> None:
    meta = load_image_metadata(EXAMPLES / name / "babel.yaml")
    for variant in meta.variants:
        meta.variant(variant.key)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_lints_clean(name: str) -> None:
    result = run("lint", str(EXAMPLES / name))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_strict_lint_flags_the_older_api_only() -> None:
    result = run("lint", "--strict", str(EXAMPLES / "legacy"))
    assert (result.returncode, result.stdout) == (1, "Deprecated API used: missing plugin_config function\n")
    assert run("lint", "--strict", str(EXAMPLES / "cosmos")).returncode == 0


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_config_renders_for_every_variant(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = load_image_metadata(EXAMPLES / name / "babel.yaml")
    for i, variant in enumerate(meta.variants):
        env = tmp_path / f"{variant.key}.json"
        env.write_text(json.dumps({"node_variant": variant.key, "node_name": "n1",
                                   "protocol_data_path": "/data/p"}))
        args = ("config", str(EXAMPLES / name), "--env", str(env))
        if i == 0:  # the real CLI in a subprocess once; the other variants in-process
            result = run(*args)
            assert result.returncode == 0, result.stderr
            output = result.stdout
        else:
            assert rhai_cli.main(list(args)) == 0
            output = capsys.readouterr().out
        config = json.loads(output)
        assert config["services"], config
        assert config["aux_services"][0]["name"] == "node-exporter"
        files = config["config_files"]
        # Plugin files first, then base files, for the older API (2.16.4 merge order).
        first = files[-1] if name == "legacy" else files[0]
        assert first["params"]["node_name"] == "n1"
        assert "/data/p" in json.dumps(config)


def test_config_uses_params_file(tmp_path: Path) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"node_variant": "gaiad-mainnet-full"}))
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"pruning": "everything"}))
    result = run("config", str(EXAMPLES / "cosmos"), "--env", str(env), "--params", str(params))
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["services"][0]["run_sh"].endswith("--pruning everything")
    assert config["config_files"][1]["params"] == {"pruning": "everything", "min_gas_prices": "0.0025uatom"}
    assert config["cold_init"]["one_time"] is True


def test_config_errors(tmp_path: Path) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"node_variant": "no-such-variant"}))
    result = run("config", str(EXAMPLES / "ethereum"), "--env", str(env))
    assert result.returncode == 1 and result.stdout == ""
    assert "main.rhai:" in result.stderr and "plugin_config" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    env.write_text("{not json")
    result = run("config", str(EXAMPLES / "ethereum"), "--env", str(env))
    assert result.returncode == 1 and "is not valid JSON" in result.stderr
    env.write_text(json.dumps({"dev_mode": "yes"}))
    result = run("config", str(EXAMPLES / "ethereum"), "--env", str(env))
    assert result.returncode == 1 and "invalid node env" in result.stderr and "dev_mode" in result.stderr
    result = run("config", str(tmp_path / "missing"), "--env", str(env))
    assert result.returncode == 1


def test_lint_reports_undeclared_properties_and_uses_babel_yaml(tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    for f in ("main.rhai", "base.rhai", "babel.yaml"):
        (plugin / f).write_text((EXAMPLES / "cosmos" / f).read_text())
    (plugin / "main.rhai").write_text(
        (plugin / "main.rhai").read_text()
        + '\nfn extra() {\n    node_params()["snapshot-url"] + node_params().moniker\n}\n'
    )
    result = run("lint", str(plugin))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    main = plugin / "main.rhai"
    n = len((EXAMPLES / "cosmos" / "main.rhai").read_text().splitlines()) + 3
    assert lines == [
        f"{main}:{n}:18: 'snapshot-url' not defined in babel.yaml",
        f"{main}:{n}:51: 'moniker' not defined in babel.yaml",
    ]
    # Declaring them in another babel.yaml (or passing params without one) makes it clean.
    text = (plugin / "babel.yaml").read_text().replace("properties:\n", """properties:
  - key: snapshot-url
    name: Snapshot
    dynamic_value: false
    default_value: none
    ui_type: !text
  - key: moniker
    name: Moniker
    dynamic_value: false
    default_value: n
    ui_type: !text
""", 1)
    other = tmp_path / "other.yaml"
    other.write_text(text)
    assert run("lint", str(plugin), "--babel-yaml", str(other)).returncode == 0


def test_lint_with_env_and_params_files(tmp_path: Path) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"node_variant": "op-geth-sepolia-full"}))
    assert run("lint", str(EXAMPLES / "op-stack"), "--env", str(env)).returncode == 0
    env.write_text(json.dumps({"node_variant": "unknown-variant"}))
    result = run("lint", str(EXAMPLES / "op-stack"), "--env", str(env))
    assert result.returncode == 1
    assert "main.rhai:" in result.stdout
