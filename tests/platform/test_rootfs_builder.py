"""scripts/build-test-rootfs.sh and tests.support.rootfs: what the node tests stand on."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.rootfs import REPO_ROOT, build_busybox_rootfs, cached_rootfs

SCRIPT = REPO_ROOT / "scripts" / "build-test-rootfs.sh"


def test_unknown_kind_is_refused_with_a_reason() -> None:
    res = subprocess.run([str(SCRIPT), "alpine"], capture_output=True, text=True)
    assert res.returncode == 2
    assert "unknown kind 'alpine'" in res.stderr
    with pytest.raises(ValueError, match="unknown rootfs kind"):
        cached_rootfs("alpine")


def test_busybox_build_is_complete_stamped_and_reused(tmp_path: Path) -> None:
    dest = tmp_path / "bb"
    first = subprocess.run([str(SCRIPT), "busybox", str(dest)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == str(dest)
    assert (dest / ".bv-rootfs-ok").read_text().strip() == "busybox v1"
    # Applet links are relative, so they resolve inside the node, not to the host's /bin.
    assert os.readlink(dest / "bin" / "sh") == "busybox"
    mtime = (dest / "bin" / "busybox").stat().st_mtime_ns
    again = subprocess.run([str(SCRIPT), "busybox", str(dest)], capture_output=True, text=True)
    assert again.returncode == 0 and (dest / "bin" / "busybox").stat().st_mtime_ns == mtime
    assert not list(tmp_path.glob("bb.tmp.*"))


@pytest.mark.root
def test_python_builder_makes_a_usable_tree(tmp_path: Path) -> None:
    root = build_busybox_rootfs(tmp_path / "r")
    assert os.readlink(root / "bin" / "ls") == "busybox"
    out = subprocess.run(
        ["chroot", str(root), "/bin/sh", "-c", "echo ok"], capture_output=True, text=True
    )
    assert out.stdout == "ok\n"


def test_debian_rootfs_comes_from_the_configured_apt_mirror(test_rootfs: Path) -> None:
    # The cached build records its recipe; its apt sources point at the host's mirror.
    assert (test_rootfs / ".bv-rootfs-ok").read_text().startswith("debian suite=bookworm")
    assert (test_rootfs / "usr" / "bin" / "python3").exists()
    sources = (test_rootfs / "etc" / "apt" / "sources.list").read_text()
    host = Path("/etc/apt/sources.list.d/debian.sources")
    if host.exists():
        uris = [ln.split()[1] for ln in host.read_text().splitlines() if ln.startswith("URIs:")]
        assert any(u in sources for u in uris), sources
