"""Fixtures: ``host`` (a short BV_ROOT temp root, its daemon stopped at teardown) and bundles."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.installer.bundles import Host, unpacked_real_bundle  # noqa: E402


@pytest.fixture(scope="session")
def real_bundle() -> Path:
    return unpacked_real_bundle()


@pytest.fixture
def host() -> Iterator[Host]:
    # Short, not tmp_path: the daemon's socket path must stay under the 108-byte Unix limit.
    root = Path(tempfile.mkdtemp(prefix="bvi-", dir="/tmp"))
    h = Host(root)
    try:
        yield h
    finally:
        h.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def work() -> Iterator[Path]:
    """Scratch space for bundle variants (on the same filesystem as .cache, for hard links)."""
    base = Path(_ROOT) / ".cache" / "installer-work"
    base.mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(dir=base))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
