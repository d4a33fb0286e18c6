"""The babel and babel_job_runner shiv zipapps for tests.

Uses BV_BUNDLE_DIR, or dist/bundle (`make bundle`) when it is newer than the sources; otherwise builds them once per
source version into .cache/babel-bundle/<hash>/ (about 20 s, serialised with a file lock because
xdist workers ask at the same time).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "packages" / p for p in ("bv-core", "babel", "job-runner")]
NAMES = ("babel", "babel_job_runner")


def _have(directory: Path) -> bool:
    return all((directory / n).is_file() for n in NAMES)


# What babel and the job runner run; the rest of bv_core changes often and does not matter here.
_CORE = REPO / "packages/bv-core/src/bv_core"
HASHED = [SOURCES[1], SOURCES[2], _CORE / "jobs.py", _CORE / "errors.py", _CORE / "persistence.py",
          _CORE / "proto/babel", REPO / "constraints.txt"]


def _source_hash() -> str:
    digest = hashlib.sha256()
    for top in HASHED:
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _newest_source() -> float:
    return max(p.stat().st_mtime for top in HASHED for p in ([top] if top.is_file() else top.rglob("*")))


def bundle_dir() -> Path:
    explicit = os.environ.get("BV_BUNDLE_DIR")
    if explicit:
        return Path(explicit)
    dist = REPO / "dist" / "bundle"
    # `make bundle` output counts only when it is newer than the sources it was built from.
    if _have(dist) and min((dist / n).stat().st_mtime for n in NAMES) > _newest_source():
        return dist
    cache = REPO / ".cache" / "babel-bundle"
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / _source_hash()
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _have(target):
            _build(target)
    return target


def _build(target: Path) -> None:
    shiv = Path(sys.executable).with_name("shiv")
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        wheels, out = Path(tmp, "wheels"), Path(tmp, "out")
        out.mkdir()
        for package in SOURCES:
            subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(wheels), str(package)],
                           check=True, capture_output=True)
        core = next(wheels.glob("bv_core-*.whl"))
        env = {**os.environ, "PIP_CONSTRAINT": str(REPO / "constraints.txt")}
        for script, wheel in (("babel", "babel-*.whl"), ("babel_job_runner", "job_runner-*.whl")):
            subprocess.run([str(shiv), "-q", "-c", script, "-o", str(out / script), "-p", "/usr/bin/env python3",
                            str(core), str(next(wheels.glob(wheel)))], check=True, capture_output=True, env=env)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(out, target)
