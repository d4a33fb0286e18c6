"""A node's writable rootfs at `<node_dir>/rootfs`, built from an image source.

Sources and how they are materialised:
  * a directory -> an overlayfs mount (lower = the image dir, read-only and shared by every node
    of that image; upper/work = `<node_dir>/upper`, `<node_dir>/work`), so creating a node costs
    no copy. If the kernel refuses the overlay (e.g. the node dir is itself on overlayfs) the dir is
    copied with `cp -a --reflink=auto` instead.
  * a tarball (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`, `.tar.zst`) -> extracted into the rootfs dir.

The overlay mount lives in the host mount namespace, so it outlives the daemon; after a host
reboot `ensure_mounted` re-mounts it (the upper dir keeps the node's changes). An image directory
must not change while nodes use it: a new image version goes to a new directory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bv_daemon.platform._proc import run
from bv_daemon.platform.base import InvalidSpec, MachineSpec, PlatformError

__all__ = ["build_rootfs", "ensure_mounted", "is_mounted", "remove_rootfs", "rootfs_kind"]

_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.zst", ".tar.zstd")
_MARK = ".bv-rootfs-kind"  # in node_dir: "overlay" or "copy"


def rootfs_kind(spec: MachineSpec) -> str | None:
    try:
        return (spec.node_dir / _MARK).read_text().strip() or None
    except FileNotFoundError:
        return None


def is_mounted(path: Path) -> bool:
    target = os.fsencode(str(path.resolve()))
    with open("/proc/self/mountinfo", "rb") as f:
        return any(line.split()[4] == target for line in f)


def _overlay_opts(spec: MachineSpec) -> str:
    lower = spec.rootfs_source.resolve()
    return f"lowerdir={lower},upperdir={spec.node_dir / 'upper'},workdir={spec.node_dir / 'work'}"


async def _mount_overlay(spec: MachineSpec) -> bool:
    for d in ("upper", "work", "rootfs"):
        (spec.node_dir / d).mkdir(exist_ok=True)
    res = await run(
        [
            "mount",
            "-t",
            "overlay",
            f"bv-{spec.node_id}",
            "-o",
            _overlay_opts(spec),
            str(spec.rootfs_dir),
        ],
        what=f"node {spec.name}: mount rootfs",
        check=False,
    )
    return res.exit_code == 0


async def build_rootfs(spec: MachineSpec) -> None:
    """Materialises the rootfs if not done yet (a completed build is marked in node_dir)."""
    src = spec.rootfs_source
    if rootfs_kind(spec) is not None:
        await ensure_mounted(spec)
        return
    what = f"node {spec.name}: build rootfs"
    spec.node_dir.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        kind = "overlay"
        if not await _mount_overlay(spec):
            kind = "copy"
            await _reset(spec)
            tmp = spec.node_dir / "rootfs.tmp"
            await run(["cp", "-a", "--reflink=auto", f"{src}/.", str(tmp)], what=what, timeout=600)
            tmp.rename(spec.rootfs_dir)
    elif src.is_file() and src.name.endswith(_TAR_SUFFIXES):
        kind = "copy"
        await _reset(spec)
        tmp = spec.node_dir / "rootfs.tmp"
        tmp.mkdir()
        argv = ["tar", "-x", "-f", str(src), "-C", str(tmp), "--numeric-owner"]
        if src.name.endswith((".zst", ".zstd")):
            argv[1:1] = ["--use-compress-program=zstd -d"]
        await run(argv, what=what, timeout=600)
        tmp.rename(spec.rootfs_dir)
    elif not src.exists():
        raise InvalidSpec(f"node {spec.name}: image rootfs {src} does not exist")
    else:
        raise InvalidSpec(
            f"node {spec.name}: image rootfs {src} is neither a directory nor a tarball"
        )
    # The mark is written last: a crash before it means "not built", and the next call redoes it.
    (spec.node_dir / _MARK).write_text(kind + "\n")


async def _reset(spec: MachineSpec) -> None:
    if is_mounted(spec.rootfs_dir):
        await run(["umount", str(spec.rootfs_dir)], what=f"node {spec.name}: umount rootfs")
    for d in ("rootfs", "rootfs.tmp", "upper", "work"):
        shutil.rmtree(spec.node_dir / d, ignore_errors=True)


async def ensure_mounted(spec: MachineSpec) -> None:
    """Re-mounts an overlay rootfs lost to a reboot; a no-op for copied rootfs."""
    if rootfs_kind(spec) != "overlay" or is_mounted(spec.rootfs_dir):
        return
    if not spec.rootfs_source.is_dir():
        raise PlatformError(
            f"node {spec.name}: image rootfs {spec.rootfs_source} is gone; cannot mount"
        )
    if not await _mount_overlay(spec):
        raise PlatformError(
            f"node {spec.name}: cannot re-mount the overlay rootfs at {spec.rootfs_dir}"
        )


async def remove_rootfs(spec: MachineSpec) -> None:
    """Unmounts (lazily if busy) and removes rootfs, upper and work dirs and the mark."""
    if spec.rootfs_dir.exists() and is_mounted(spec.rootfs_dir):
        res = await run(["umount", str(spec.rootfs_dir)], what="umount", check=False)
        if res.exit_code != 0:
            await run(
                ["umount", "-l", str(spec.rootfs_dir)], what=f"node {spec.name}: umount rootfs"
            )
    (spec.node_dir / _MARK).unlink(missing_ok=True)
    for d in ("rootfs", "rootfs.tmp", "upper", "work"):
        p = spec.node_dir / d
        if p.exists():
            # work/ holds a root-owned 000 dir after overlay use; rmtree as root copes.
            shutil.rmtree(p, ignore_errors=False)
