"""End-to-end fixtures: a real ``blockvisord`` process running real bwrap nodes.

Fixtures (import them into another directory's conftest.py with
``from tests.e2e.conftest import bundle_dir, image_store, daemon, daemon_socket, test_rootfs``):

* ``bundle_dir`` (session): directory with the ``babel`` and ``babel_job_runner`` shiv zipapps the
  daemon copies into nodes; built once per source change into ``.cache/bundle/<hash>`` under a
  file lock shared by xdist workers (~40 s the first time, then instant).
* ``image_store`` (session): a local image store holding the example image ``demochain`` 1.0.0
  and 2.0.0 (cached Debian rootfs + ``images/example/rootfs``), read-only, shared by all daemons.
* ``daemon`` (function): a started `tests.e2e.daemon_support.Daemon`: ``BV_ROOT`` = a short /tmp/bvd-* dir,
  host config with a unique bridge (``bvd<8 hex>``) and a free 10.x.y.0/24 subnet per test
  (safe under xdist), the image store linked at ``$BV_ROOT/var/lib/blockvisor/images``, and a
  1 s recovery loop. ``daemon.socket`` is the internal API's Unix socket; ``daemon.call(rpc, req)``
  calls it; ``daemon.env()`` is the environment a CLI process needs (``BV_ROOT`` ...).
  Teardown deletes every node (processes, netns, cgroups, mounts), stops the daemon,
  removes the bridge, and fails the test if anything of it is left on the host.
* ``daemon_socket`` (function): just ``daemon.socket``, for CLI tests.

Every test using them needs root: mark it ``@pytest.mark.root``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.e2e.daemon_support import Daemon, build_bundle, build_image_store  # noqa: E402
from tests.support import rootfs as _rootfs  # noqa: E402

test_rootfs = _rootfs.test_rootfs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.geteuid() == 0:
        return
    skip = pytest.mark.skip(reason="needs root (namespaces, mounts, cgroups)")
    for item in items:
        if "root" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def bundle_dir() -> Path:
    return build_bundle()


@pytest.fixture(scope="session")
def image_store(bundle_dir: Path, test_rootfs: Path) -> Path:
    return build_image_store(bundle_dir, test_rootfs)


@pytest.fixture
def daemon(bundle_dir: Path, image_store: Path) -> Iterator[Daemon]:
    # A short root, not tmp_path: babel's socket path (<root>/var/lib/blockvisor/nodes/<uuid>/
    # rootfs/babel.socket) must stay under the 108-byte limit of Unix socket addresses.
    root = Path(tempfile.mkdtemp(prefix="bvd-", dir="/tmp"))
    d = Daemon(root, bundle_dir, image_store)
    try:
        d.start()
        yield d
    finally:
        d.cleanup()
        left = d.leftovers()
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"the test left these behind: {left}"


@pytest.fixture
def daemon_socket(daemon: Daemon) -> Path:
    return daemon.socket
