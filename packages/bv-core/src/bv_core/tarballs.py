"""Unpacking untrusted tarballs (bundles) safely on every CPython 3.11.

``tarfile``'s ``filter="data"`` exists only from 3.11.4; Debian 12's python3 is 3.11.2, where
the keyword is a TypeError. On such interpreters the same rules are applied here by hand:
no absolute names, no ``..``, no links leaving the destination, no devices or FIFOs, no
setuid/setgid bits.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
from pathlib import Path

from .errors import InvalidInput

__all__ = ["safe_extract"]


def _check_member(member: tarfile.TarInfo, source: str) -> tarfile.TarInfo:
    name = member.name
    parts = posixpath.normpath(name).split("/")
    if name.startswith("/") or ".." in parts:
        raise InvalidInput(f"{source}: entry {name!r} points outside the destination")
    if member.isdev() or member.isfifo():
        raise InvalidInput(f"{source}: entry {name!r} is a device or FIFO")
    if member.issym() or member.islnk():
        target = member.linkname
        resolved = posixpath.normpath(
            posixpath.join(posixpath.dirname(name), target) if member.issym() else target
        )
        if target.startswith("/") or resolved.split("/")[0] == "..":
            raise InvalidInput(f"{source}: link {name!r} -> {target!r} leaves the destination")
    # As the data filter: drop setuid/setgid/sticky and group/other write; owner keeps access.
    member.mode = (member.mode & 0o755) | (0o700 if member.isdir() else 0o600)
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


def safe_extract(tar: tarfile.TarFile, dest: str | os.PathLike[str], source: str = "tarball") -> None:
    """Extract every member of ``tar`` under ``dest``; refuse (InvalidInput) anything unsafe.

    Our checks run first on every interpreter (so an absolute name is refused, not silently
    re-rooted as the stdlib filter would), then the stdlib data filter where it exists.
    """
    members = [_check_member(m, source) for m in tar.getmembers()]
    if hasattr(tarfile, "data_filter"):
        try:
            tar.extractall(Path(dest), members=members, filter="data")
        except tarfile.FilterError as exc:
            raise InvalidInput(f"{source}: {exc}") from exc
        return
    tar.extractall(Path(dest), members=members)  # members checked above
