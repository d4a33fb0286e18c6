"""Fixtures for the nib tests: run ``nib`` as a process, and a fresh image directory.

``nib(*args, cwd=..., input=...)`` runs ``python -m bv_daemon.cli.nib`` with ``NIB_CONFIG``
pointing into the test's tmp dir (never the user's ~/.nib.json). ``image_dir`` is what
``nib image create demo-proto geth-devnet-full`` writes, with ``rootfs`` linked to the cached
Debian test rootfs (python3 3.11), so ``nib image check --skip-play`` can pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bv_daemon.cli._nib_scaffold import scaffold  # noqa: E402
from tests.e2e.conftest import bundle_dir, daemon, image_store  # noqa: E402,F401
from tests.support import rootfs as _rootfs  # noqa: E402

test_rootfs = _rootfs.test_rootfs
busybox_rootfs = _rootfs.busybox_rootfs

Nib = Callable[..., subprocess.CompletedProcess[str]]

PROTOCOL = "demo-proto"
VARIANT = "geth-devnet-full"


@pytest.fixture
def nib_config(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".nib.json"


@pytest.fixture
def nib(tmp_path: Path, nib_config: Path) -> Nib:
    def run(*args: str, cwd: Path | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, NIB_CONFIG=str(nib_config), PYTHONPATH=_ROOT)
        return subprocess.run([sys.executable, "-m", "bv_daemon.cli.nib", *args], cwd=cwd or tmp_path,
                              env=env, input=input, capture_output=True, text=True, timeout=timeout,
                              check=False)
    return run


@pytest.fixture
def image_dir(tmp_path: Path, test_rootfs: Path) -> Path:
    # In-process (what `nib image create` runs; its process test is in test_nib_check): saves a
    # CLI start per test.
    target = tmp_path / "img"
    scaffold(PROTOCOL, VARIANT, target)
    (target / "rootfs").symlink_to(test_rootfs)
    return target
