"""Where a bundle lives on a host (bv-host.md §4.1), relocatable under ``BV_ROOT``.

``<root>/opt/blockvisor/<version>/`` holds a whole bundle; ``current`` and (during an install)
``backup`` are symlinks to version dirs; ``blacklist`` lists failed versions one per line.
Commands are linked into ``<root>/usr/bin`` and the unit into ``<root>/etc/systemd/system``.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ._errors import BundleError

__all__ = ["SERVICE_NAME", "BundleDir", "InstallPaths", "read_blacklist"]

SERVICE_NAME = "blockvisor.service"


@dataclass(frozen=True)
class InstallPaths:
    root: Path

    @classmethod
    def from_env(cls) -> InstallPaths:
        return cls(Path(os.environ.get("BV_ROOT", "/")))

    @property
    def install(self) -> Path:
        return self.root / "opt/blockvisor"

    @property
    def current(self) -> Path:
        return self.install / "current"

    @property
    def backup(self) -> Path:
        return self.install / "backup"

    @property
    def blacklist(self) -> Path:
        return self.install / "blacklist"

    @property
    def lock(self) -> Path:
        return self.install / ".lock"

    @property
    def journal(self) -> Path:
        return self.install / ".install-journal.json"

    @property
    def broken_marker(self) -> Path:
        """Written when a rollback failed: the host needs a manual fix (daemon may report it)."""
        return self.install / "broken"

    @property
    def config(self) -> Path:
        return self.root / "etc/blockvisor.json"

    @property
    def usr_bin(self) -> Path:
        return self.root / "usr/bin"

    @property
    def systemd_dir(self) -> Path:
        return self.root / "etc/systemd/system"

    @property
    def var(self) -> Path:
        return self.root / "var/lib/blockvisor"

    @property
    def socket(self) -> Path:
        return self.var / "blockvisor.sock"

    @property
    def downloads(self) -> Path:
        return self.var / "downloads"

    def version_dir(self, version: str) -> Path:
        return self.install / version

    def current_version(self) -> str | None:
        """Name of the version dir ``current`` points at, or None when there is no install."""
        try:
            return Path(os.readlink(self.current)).name
        except (FileNotFoundError, OSError):
            return None


def read_blacklist(paths: InstallPaths) -> list[str]:
    try:
        text = paths.blacklist.read_text()
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class BundleDir:
    """An unpacked bundle: ``VERSION``, ``SHA256SUMS``, ``installer``, ``blockvisor/``, ``babel/``."""

    dir: Path

    @classmethod
    def of_running_installer(cls) -> BundleDir:
        """The bundle holding this installer (the zipapp's directory)."""
        return cls(Path(os.path.realpath(sys.argv[0])).parent)

    @property
    def version(self) -> str:
        try:
            version = (self.dir / "VERSION").read_text().strip()
        except OSError as err:
            raise BundleError(f"bundle {self.dir} has no readable VERSION file: {err}") from None
        if not version or "/" in version or version.startswith("."):
            raise BundleError(f"bundle {self.dir} has a bad VERSION {version!r}")
        return version

    def verify(self) -> None:
        """Every file named in SHA256SUMS exists with that hash, and the required files are listed."""
        sums = self.dir / "SHA256SUMS"
        try:
            lines = sums.read_text().splitlines()
        except OSError as err:
            raise BundleError(f"bundle {self.dir} has no readable SHA256SUMS: {err}") from None
        listed: set[str] = set()
        for n, line in enumerate(lines, 1):
            digest, sep, name = line.partition("  ")
            if not sep or len(digest) != 64 or name.startswith("/") or ".." in Path(name).parts:
                raise BundleError(f"{sums}:{n}: malformed line {line!r}")
            path = self.dir / name
            try:
                actual = _sha256_file(path)
            except OSError as err:
                raise BundleError(f"bundle file {name} is missing or unreadable: {err}") from None
            if actual != digest:
                raise BundleError(f"bundle file {name} does not match its SHA256SUMS entry")
            listed.add(name)
        for required in ("VERSION", "installer", "blockvisor/bin/blockvisord",
                         "blockvisor/services/" + SERVICE_NAME, "babel/bin/babel",
                         "babel/bin/babel_job_runner"):
            if required not in listed:
                raise BundleError(f"bundle {self.dir} lacks {required} (not in SHA256SUMS)")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
