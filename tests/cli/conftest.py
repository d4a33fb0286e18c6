"""Fixtures for `bv` against the fake daemon (fake_daemon.py) served on a real Unix socket."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bv_runner import Bv  # noqa: E402
from fake_daemon import FakeDaemon, FakeServer  # noqa: E402


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # Unix socket paths are limited to 107 bytes; pytest's tmp_path can be longer.
    path = Path(tempfile.mkdtemp(prefix="bvcli-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def fake(short_dir: Path) -> Iterator[FakeDaemon]:
    with FakeServer(short_dir / "bv.sock") as server:
        yield server.daemon


@pytest.fixture
def bv(short_dir: Path, fake: FakeDaemon) -> Bv:
    return Bv(short_dir / "bv.sock")
