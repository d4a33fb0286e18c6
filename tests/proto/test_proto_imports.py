"""Every generated module under bv_core.proto imports, and the ones this project relies on exist."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bv_core.proto

ROOT = Path(__file__).resolve().parents[2]

# The modules other packages import by name; losing one means a .proto was dropped or renamed.
EXPECTED = (
    [
        f"bv_core.proto.blockjoy.common.v1.{name}_pb2"
        for name in ("config", "host", "node", "protocol", "resource", "search", "tag")
    ]
    + [
        f"bv_core.proto.blockjoy.v1.{name}{suffix}"
        for name in (
            "api_key",
            "archive",
            "auth",
            "bundle",
            "command",
            "crypt",
            "discovery",
            "host",
            "image",
            "metrics",
            "node",
            "protocol",
        )
        for suffix in ("_pb2", "_pb2_grpc")
    ]
    + [
        f"bv_core.proto.blockvisor.internal.v1.{name}_pb2"
        for name in ("daemon", "host", "image", "job", "node", "service")
    ]
    + ["bv_core.proto.blockvisor.internal.v1.service_pb2_grpc"]
)


def _generated_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(bv_core.proto.__path__, "bv_core.proto."))


def test_expected_modules_are_generated() -> None:
    missing = sorted(set(EXPECTED) - set(_generated_modules()))
    assert missing == []


@pytest.mark.parametrize("module", _generated_modules())
def test_generated_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_generated_modules_import_in_a_fresh_interpreter() -> None:
    # A fresh process catches import-order accidents that one shared interpreter hides: every
    # module must pull in its own dependencies (the rewritten bv_core.proto.* imports).
    code = (
        "import importlib, pkgutil, bv_core.proto as p\n"
        "for m in pkgutil.walk_packages(p.__path__, 'bv_core.proto.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_generated_code_matches_the_proto_sources() -> None:
    # The CI drift check: regenerate into a temp dir and diff against the committed code.
    out = subprocess.run(
        [str(ROOT / "scripts" / "proto.sh"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PY": sys.executable},
    )
    assert out.returncode == 0, out.stdout + out.stderr
