"""Each package builds its own wheel, and dependencies flow one way (DESIGN.md "Packages")."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "bv-core": "bv_core",
    "bv-daemon": "bv_daemon",
    "babel": "babel",
    "job-runner": "job_runner",
    "installer": "bv_installer",
    "bvup": "bvup",
}
IN_NODE = ("bv-core", "babel", "job-runner")
HOST_ONLY_DISTS = {"click", "psutil", "croniter", "aiomqtt", "paho-mqtt", "uvloop"}
HOST_ONLY_IMPORTS = {"bv_daemon", "bv_installer", "bvup"}


@pytest.mark.parametrize("dist", sorted(PACKAGES))
def test_package_builds_a_wheel_with_its_own_code(dist: str, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(tmp_path),
         str(ROOT / "packages" / dist)],
        check=True, capture_output=True,
    )
    wheels = list(tmp_path.glob("*.whl"))
    assert len(wheels) == 1, wheels
    names = zipfile.ZipFile(wheels[0]).namelist()
    import_name = PACKAGES[dist]
    assert f"{import_name}/__init__.py" in names
    assert f"{import_name}/py.typed" in names
    # Tests never ship inside wheels.
    assert not any(n.startswith("tests/") for n in names)


def _requirement_names(dist: str) -> set[str]:
    names = set()
    for text in metadata.distribution(dist).requires or []:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # optional extra, or not for this Python
        names.add(req.name.lower().replace("_", "-"))
    return names


def _closure(roots: tuple[str, ...]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo.extend(_requirement_names(name) - seen)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{name} is required but not installed in the test environment")
    return seen


def test_in_node_packages_pull_no_host_side_dependency() -> None:
    closure = _closure(IN_NODE)
    assert "bv-core" in closure and "grpcio" in closure  # the walk really followed requirements
    assert not closure & HOST_ONLY_DISTS, closure & HOST_ONLY_DISTS
    assert not closure & {"bv-daemon", "bv-installer", "bvup"}


def _imported_modules(src: Path) -> set[str]:
    found: set[str] = set()
    for file in src.rglob("*.py"):
        if "/proto/" in str(file):
            continue
        tree = ast.parse(file.read_text(), str(file))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("dist", IN_NODE)
def test_in_node_code_never_imports_host_code(dist: str) -> None:
    imported = _imported_modules(ROOT / "packages" / dist / "src")
    assert not imported & HOST_ONLY_IMPORTS
    assert not imported & {"click", "psutil", "croniter", "aiomqtt"}


def test_nothing_imports_the_daemon() -> None:
    for dist in ("bv-core", "babel", "job-runner", "installer", "bvup"):
        assert "bv_daemon" not in _imported_modules(ROOT / "packages" / dist / "src"), dist
