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

import json
import os
import shutil
from pathlib import Path

from bv_daemon.platform._proc import run
from bv_daemon.platform.base import InvalidSpec, MachineSpec, PlatformError

__all__ = [
    "backup_rootfs",
    "build_rootfs",
    "discard_backup",
    "ensure_mounted",
    "has_backup",
    "is_mounted",
    "remove_rootfs",
    "restore_rootfs",
    "rootfs_kind",
]

_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.zst", ".tar.zstd")
_MARK = ".bv-rootfs.json"  # in node_dir: {"kind": "overlay"|"copy", "source": <image path>}
_PARTS = ("rootfs", "upper", _MARK)  # what a backup keeps (work/ is scratch for overlayfs)


def _read_mark(node_dir: Path) -> dict[str, str] | None:
    try:
        doc = json.loads((node_dir / _MARK).read_text())
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(doc, dict)
        and isinstance(doc.get("kind"), str)
        and isinstance(doc.get("source"), str)
    )
    return doc if ok else None


def rootfs_kind(spec: MachineSpec) -> str | None:
    mark = _read_mark(spec.node_dir)
    return mark["kind"] if mark else None


def is_mounted(path: Path) -> bool:
    target = os.fsencode(str(path.resolve()))
    with open("/proc/self/mountinfo", "rb") as f:
        return any(line.split()[4] == target for line in f)


async def _mount_overlay(spec: MachineSpec, lower: Path) -> bool:
    for d in ("upper", "work", "rootfs"):
        (spec.node_dir / d).mkdir(exist_ok=True)
    nd = spec.node_dir
    opts = f"lowerdir={lower.resolve()},upperdir={nd / 'upper'},workdir={nd / 'work'}"
    res = await run(
        ["mount", "-t", "overlay", f"bv-{spec.node_id}", "-o", opts, str(spec.rootfs_dir)],
        what=f"node {spec.name}: mount rootfs",
        check=False,
    )
    return res.exit_code == 0


async def build_rootfs(spec: MachineSpec, mode: str = "auto") -> None:
    """Materialises the rootfs if not done yet (a completed build is marked in node_dir).

    mode "auto" overlays a directory source (falling back to a copy); "copy" always copies.
    """
    src = spec.rootfs_source
    if rootfs_kind(spec) is not None:
        await ensure_mounted(spec)
        return
    what = f"node {spec.name}: build rootfs"
    spec.node_dir.mkdir(parents=True, exist_ok=True)
    await _reset(spec)
    tmp = spec.node_dir / "rootfs.tmp"
    if src.is_dir():
        kind = "overlay"
        if mode == "copy" or not await _mount_overlay(spec, src):
            kind = "copy"
            await _reset(spec)
            await run(["cp", "-a", "--reflink=auto", f"{src}/.", str(tmp)], what=what, timeout=600)
            tmp.rename(spec.rootfs_dir)
    elif src.is_file() and src.name.endswith(_TAR_SUFFIXES):
        kind = "copy"
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
    (spec.node_dir / _MARK).write_text(json.dumps({"kind": kind, "source": str(src)}) + "\n")


async def _umount(spec: MachineSpec, path: Path) -> None:
    if path.exists() and is_mounted(path):
        res = await run(["umount", str(path)], what="umount", check=False)
        if res.exit_code != 0:
            await run(["umount", "-l", str(path)], what=f"node {spec.name}: umount {path.name}")


async def _reset(spec: MachineSpec) -> None:
    """Removes a partial build (no mark): mounts, rootfs, upper, work and temp dirs."""
    await _umount(spec, spec.rootfs_dir)
    for d in ("rootfs", "rootfs.tmp", "upper", "work"):
        shutil.rmtree(spec.node_dir / d, ignore_errors=True)


async def ensure_mounted(spec: MachineSpec) -> None:
    """Re-mounts an overlay rootfs lost to a reboot; a no-op for copied rootfs."""
    mark = _read_mark(spec.node_dir)
    if mark is None or mark["kind"] != "overlay" or is_mounted(spec.rootfs_dir):
        return
    lower = Path(mark["source"])
    if not lower.is_dir():
        raise PlatformError(f"node {spec.name}: image rootfs {lower} is gone; cannot mount")
    shutil.rmtree(spec.node_dir / "work", ignore_errors=True)
    if not await _mount_overlay(spec, lower):
        raise PlatformError(
            f"node {spec.name}: cannot re-mount the overlay rootfs at {spec.rootfs_dir}"
        )


async def remove_rootfs(spec: MachineSpec) -> None:
    """Unmounts (lazily if busy) and removes rootfs, upper and work dirs and the mark."""
    await _umount(spec, spec.rootfs_dir)
    (spec.node_dir / _MARK).unlink(missing_ok=True)
    for d in ("rootfs", "rootfs.tmp", "upper", "work"):
        p = spec.node_dir / d
        if p.exists():
            shutil.rmtree(p)


# -- upgrade: keep the old rootfs until the new one is known good ------------------------------
def _backup(p: str) -> str:
    return f"{p}_backup"


def has_backup(spec: MachineSpec) -> bool:
    return (spec.node_dir / _backup(_MARK)).exists()


async def backup_rootfs(spec: MachineSpec) -> None:
    """Moves the built rootfs aside (`*_backup`). Repeating it keeps the first backup."""
    nd = spec.node_dir
    if has_backup(spec):
        await remove_rootfs(spec)  # a half-built new rootfs from an interrupted upgrade
        return
    await _umount(spec, spec.rootfs_dir)
    shutil.rmtree(nd / "work", ignore_errors=True)
    # The mark moves last: its backup's presence is what says "backup complete".
    for part in _PARTS:
        if (nd / part).exists():
            (nd / part).rename(nd / _backup(part))


async def restore_rootfs(spec: MachineSpec) -> None:
    """Puts the backup back (rollback); idempotent, and a no-op without a backup."""
    nd = spec.node_dir
    await _umount(spec, spec.rootfs_dir)
    for scratch in ("work", "rootfs.tmp"):
        shutil.rmtree(nd / scratch, ignore_errors=True)
    # Part by part, mark last, so an interrupted restore is finished by the next call.
    for part in _PARTS:
        saved, current = nd / _backup(part), nd / part
        if not saved.exists():
            continue
        if current.is_dir():
            shutil.rmtree(current)
        else:
            current.unlink(missing_ok=True)
        saved.rename(current)
    if rootfs_kind(spec) == "copy":
        shutil.rmtree(nd / "upper", ignore_errors=True)
    await ensure_mounted(spec)


def discard_backup(spec: MachineSpec) -> None:
    nd = spec.node_dir
    (nd / _backup(_MARK)).unlink(missing_ok=True)
    for part in ("rootfs", "upper"):
        shutil.rmtree(nd / _backup(part), ignore_errors=True)
