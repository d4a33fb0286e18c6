"""Node rootfs for tests: a cached Debian bookworm + python3 (for babel) and a busybox one.

Both are built by `scripts/build-test-rootfs.sh` into `<repo>/.cache/rootfs/` (gitignored) once
per machine; later sessions reuse them. Builds are serialised with a file lock because xdist
workers start at the same time. A failed build FAILS the requesting test with the script's
reason (never a silent skip): a node test that cannot get a rootfs has not passed.

Use the fixtures by importing them into a conftest.py:

    from tests.support.rootfs import busybox_rootfs, test_rootfs  # noqa: F401
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = [
    "REPO_ROOT",
    "RootfsBuildError",
    "build_busybox_rootfs",
    "busybox_rootfs",
    "cached_rootfs",
    "test_rootfs",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache" / "rootfs"
SCRIPT = REPO_ROOT / "scripts" / "build-test-rootfs.sh"
_DEST = {"debian": "bookworm-py", "busybox": "busybox"}


class RootfsBuildError(RuntimeError):
    """The rootfs could not be built; the message holds the builder's reason."""


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached_rootfs(kind: str = "debian", timeout: float = 900.0) -> Path:
    """Path of the cached rootfs of `kind` ("debian" or "busybox"), building it if needed."""
    if kind not in _DEST:
        raise ValueError(f"unknown rootfs kind {kind!r}")
    dest = CACHE_DIR / _DEST[kind]
    with _locked(kind):
        try:
            res = subprocess.run(
                [str(SCRIPT), kind, str(dest)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RootfsBuildError(f"{SCRIPT.name} {kind} timed out after {timeout:g} s") from None
        if res.returncode != 0:
            reason = res.stderr.strip().splitlines()[-15:] or [f"exit {res.returncode}"]
            raise RootfsBuildError(f"{SCRIPT.name} {kind} failed:\n" + "\n".join(reason))
    return Path(res.stdout.strip().splitlines()[-1])


def build_busybox_rootfs(dest: Path) -> Path:
    """A private busybox rootfs at `dest` (<1 s), for a test that wants to modify its image."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise RootfsBuildError("busybox is not installed (apt-get install busybox-static)")
    for d in (
        "bin",
        "etc",
        "proc",
        "sys",
        "dev",
        "tmp",
        "run",
        "root",
        "blockjoy",
        "var/lib/babel",
    ):
        (dest / d).mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, dest / "bin" / "busybox")
    applets = subprocess.run(
        [busybox, "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    for applet in applets:
        link = dest / "bin" / applet
        if applet != "busybox" and not link.exists():
            # Relative: an absolute link would point at the host's /bin inside the node.
            os.symlink("busybox", link)
    (dest / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (dest / "etc" / "group").write_text("root:x:0:\n")
    (dest / "etc" / "hosts").write_text("127.0.0.1 localhost\n")
    return dest


def _fixture_rootfs(kind: str) -> Path:
    try:
        return cached_rootfs(kind)
    except RootfsBuildError as err:
        pytest.fail(f"cannot build the {kind} test rootfs: {err}", pytrace=False)


@pytest.fixture(scope="session")
def test_rootfs() -> Path:
    """Debian bookworm minbase with python3 (3.11) and iproute2; built once, then cached."""
    return _fixture_rootfs("debian")


@pytest.fixture(scope="session")
def busybox_rootfs() -> Path:
    """A static-busybox rootfs (269 applets incl. sh, httpd, ip, nc); cached."""
    return _fixture_rootfs("busybox")
