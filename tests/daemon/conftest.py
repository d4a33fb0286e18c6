"""Real-daemon fixtures for the daemon tests: see tests/e2e/conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.e2e.conftest import (  # noqa: E402,F401
    bundle_dir,
    daemon,
    daemon_socket,
    image_store,
    pytest_collection_modifyitems,
    test_rootfs,
)
