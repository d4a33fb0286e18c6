"""nib as a process: create -> edit -> check passes; each kind of error fails with its position."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from bv_core.models import load_image_metadata
from tests.nib.conftest import PROTOCOL, VARIANT, Nib
from tests.support.rootfs import build_busybox_rootfs


def _check(nib: Nib, image_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return nib("image", "check", "--skip-play", "--path", str(image_dir), *extra)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _pos(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``path``."""
    text = path.read_text()
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_create_scaffolds_a_valid_commented_image(nib: Nib, tmp_path: Path) -> None:
    res = nib("image", "create", PROTOCOL, VARIANT)
    assert res.returncode == 0, res.stderr
    target = tmp_path / f"{PROTOCOL}_{VARIANT}"
    assert f"Render babel.yaml file at `{target / 'babel.yaml'}`" in res.stdout
    meta = load_image_metadata(target / "babel.yaml")
    assert (meta.protocol_key, meta.variants[0].key, meta.variants[0].sku_code) == (
        PROTOCOL, VARIANT, "DEM-GET-FUL")
    babel = (target / "babel.yaml").read_text()
    for field in ("version:", "container_uri:", "visibility:", "firewall_config:", "sku_code:",
                  "archive_pointers:", "min_cpu:"):
        line = next(i for i, ln in enumerate(babel.splitlines()) if ln.strip().startswith(field))
        assert babel.splitlines()[line - 1].strip().startswith("#"), f"{field} has no comment"
    assert "fn plugin_config()" in (target / "plugin/main.rhai").read_text()
    assert (target / "rootfs.sh").stat().st_mode & stat.S_IXUSR
    assert "debootstrap" in (target / "rootfs.sh").read_text()
    assert "FROM " in (target / "Dockerfile").read_text()
    again = nib("image", "create", PROTOCOL, VARIANT)
    assert again.returncode == 1 and "exists" in again.stderr


def test_create_rejects_a_bad_key(nib: Nib) -> None:
    res = nib("image", "create", "Bad_Proto", VARIANT)
    assert res.returncode == 1
    assert "'protocol: Bad_Proto' isn't lower-kebab-case" in res.stderr


def test_check_passes_after_editing(nib: Nib, image_dir: Path) -> None:
    # A new enum property, read by the plugin: declared, so the linter is happy.
    _replace(image_dir / "babel.yaml", "properties:\n", (
        "properties:\n"
        "  - key: network\n    name: Network\n    dynamic_value: false\n    default_value: devnet\n"
        "    ui_type: !enum\n      - value: devnet\n        name: Devnet\n"
        "      - value: testnet\n        name: Testnet\n"))
    _replace(image_dir / "plugin/main.rhai", "echo preparing", 'echo ${node_params()["network"]} preparing')
    res = _check(nib, image_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "Read and validate babel.yaml"
    assert f"OK   babel.yaml: {PROTOCOL} 0.0.1, variants: {VARIANT}" in lines
    assert "OK   plugin: linter found no problems" in lines
    assert any(ln.startswith("OK   jobs:") and "prepare" in ln for ln in lines)
    assert any(re.fullmatch(r"OK   rootfs: python3 3\.(1[1-9]|[2-9]\d)\.\d+", ln) for ln in lines)
    assert lines[-1] == "All checks passed!"
    # --path may also name the babel.yaml file, and the default is the current directory.
    assert _check(nib, image_dir / "babel.yaml").returncode == 0
    assert nib("image", "check", "--skip-play", cwd=image_dir).returncode == 0


def test_bad_yaml_fails_with_its_position(nib: Nib, image_dir: Path) -> None:
    _replace(image_dir / "babel.yaml", "protocol_key:", "protocol_key: [oops\nx:")
    line, _ = _pos(image_dir / "babel.yaml", "x:")
    res = _check(nib, image_dir)
    assert res.returncode == 1
    fail = next(ln for ln in res.stdout.splitlines() if ln.startswith("FAIL babel.yaml"))
    assert str(image_dir / "babel.yaml") in fail and "expected valid YAML" in fail
    assert f"line {line}," in fail
    assert "check(s) failed: babel.yaml" in res.stderr


def test_invalid_field_names_the_field(nib: Nib, image_dir: Path) -> None:
    _replace(image_dir / "babel.yaml", "sku_code: DEM-GET-FUL", "sku_code: dem-get")
    res = _check(nib, image_dir)
    assert res.returncode == 1
    assert "$.variants[0].sku_code" in res.stdout and "ETH-ERG-SF" in res.stdout


def test_plugin_syntax_error_fails_with_its_position(nib: Nib, image_dir: Path) -> None:
    main = image_dir / "plugin/main.rhai"
    _replace(main, "const PORT = 8080;", "const PORT = 8080")
    line, column = _pos(main, "const DATA_DIR")
    res = _check(nib, image_dir)
    assert res.returncode == 1
    assert "FAIL plugin: linter found 1 problem(s)" in res.stdout
    assert f"Rhai syntax error: {main}:{line}:{column}: expecting ';'" in res.stdout
    assert "check(s) failed: plugin" in res.stderr


def test_missing_plugin_config_function_fails(nib: Nib, image_dir: Path) -> None:
    main = image_dir / "plugin/main.rhai"
    _replace(main, "fn plugin_config()", "fn plugin_settings()")
    res = _check(nib, image_dir)
    assert res.returncode == 1
    assert f"{main}: Missing plugin_config function" in res.stdout


def test_unknown_job_in_needs_fails_with_its_position(nib: Nib, image_dir: Path) -> None:
    main = image_dir / "plugin/main.rhai"
    _replace(main, "one_time: true,", 'one_time: true,\n                needs: ["compile"],')
    line, column = _pos(main, '"compile"')
    res = _check(nib, image_dir)
    assert res.returncode == 1
    assert "OK   plugin:" in res.stdout  # the linter alone does not see it
    assert "FAIL jobs: 1 unknown job reference(s)" in res.stdout
    assert f"{main}:{line}:{column}: job 'prepare' needs unknown job 'compile'" in res.stdout


def test_undeclared_property_fails_with_its_position(nib: Nib, image_dir: Path) -> None:
    main = image_dir / "plugin/main.rhai"
    _replace(main, "echo preparing", 'echo ${node_params()["chain-id"]} preparing')
    line, column = _pos(main, 'node_params()["chain-id"]')
    res = _check(nib, image_dir)
    assert res.returncode == 1
    assert f"{main}:{line}:{column + len('node_params()')}: 'chain-id' not defined in babel.yaml" \
        in res.stdout


def test_rootfs_missing_fails(nib: Nib, image_dir: Path) -> None:
    (image_dir / "rootfs").unlink()
    res = _check(nib, image_dir)
    assert res.returncode == 1
    assert f"FAIL rootfs: {image_dir / 'rootfs'} missing" in res.stdout


@pytest.mark.parametrize(("fake", "expect"), [
    ("Python 3.9.2", "python3 3.9.2 in {rootfs} is older than 3.11"),
    ("Python 3.12.1", None),
    (None, "no working python3 in {rootfs}"),
])
def test_rootfs_python_version_is_run_inside_the_rootfs(
        nib: Nib, image_dir: Path, fake: str | None, expect: str | None) -> None:
    (image_dir / "rootfs").unlink()
    rootfs = build_busybox_rootfs(image_dir / "rootfs")
    if fake is not None:
        py = rootfs / "usr/bin/python3"
        py.parent.mkdir(parents=True, exist_ok=True)
        py.write_text(f"#!/bin/sh\necho '{fake}'\n")
        os.chmod(py, 0o755)
    res = _check(nib, image_dir)
    if expect is None:
        assert res.returncode == 0, res.stdout
        assert "OK   rootfs: python3 3.12.1" in res.stdout
    else:
        assert res.returncode == 1
        assert f"FAIL rootfs: {expect.format(rootfs=rootfs)}" in res.stdout


def test_container_uri(nib: Nib, image_dir: Path) -> None:
    res = nib("image", "container-uri", "--path", str(image_dir))
    assert res.stdout.strip() == f"docker://{PROTOCOL}/{VARIANT}:0.0.1"


def test_no_babel_yaml_is_one_line(nib: Nib, tmp_path: Path) -> None:
    res = nib("image", "check", "--skip-play", "--path", str(tmp_path))
    assert res.returncode == 1
    assert res.stderr.strip() == f"Error: no babel.yaml in {tmp_path} (use --path IMAGE_DIR)"


def test_check_without_a_daemon_fails_the_play_step(nib: Nib, image_dir: Path, tmp_path: Path) -> None:
    sock = tmp_path / "no-daemon.sock"
    res = nib("--socket", str(sock), "image", "check", "--path", str(image_dir))
    assert res.returncode == 1
    assert "OK   rootfs:" in res.stdout
    assert f"FAIL play: dev node not created: cannot reach blockvisord at {sock}" in res.stdout
    assert res.stderr.strip() == "Error: 1 check(s) failed: play"


def test_props_must_be_a_map(nib: Nib, image_dir: Path) -> None:
    res = _check(nib, image_dir, "--props", "[1, 2]")
    assert res.returncode == 1
    assert res.stderr.strip() == "Error: --props: expected a JSON/YAML map of property key to value"


def test_check_of_an_unknown_variant_fails(nib: Nib, image_dir: Path) -> None:
    res = _check(nib, image_dir, "--variant", "reth-devnet-full")
    assert res.returncode == 1
    assert (f"FAIL babel.yaml: image {PROTOCOL} has no variant 'reth-devnet-full' (known: {VARIANT})"
            in res.stdout)


def test_check_of_a_named_variant_lints_with_it(nib: Nib, image_dir: Path) -> None:
    babel = image_dir / "babel.yaml"
    babel.write_text(babel.read_text() + (
        "  - key: reth-devnet-full\n    sku_code: DEM-RET-FUL\n    archive_pointers:\n"
        "      - pointer: !store_key demo-proto-reth-devnet-full-v1\n"
        "    min_cpu: 1\n    min_memory_mb: 512\n    min_disk_gb: 1\n"))
    main = image_dir / "plugin/main.rhai"
    # The plugin refuses any variant but reth: proves the checked variant reaches node_env().
    _replace(main, "fn plugin_config() {#{", (
        'fn plugin_config() {\n    if node_env().node_variant != "reth-devnet-full" { throw "not reth"; }\n#{'))
    res = _check(nib, image_dir, "--variant", "reth-devnet-full")
    assert res.returncode == 0, res.stdout
    assert "OK   plugin: linter found no problems" in res.stdout
    default = _check(nib, image_dir)  # the first variant (geth)
    assert default.returncode == 1
    assert "not reth" in default.stdout
