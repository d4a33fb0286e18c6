"""Real bundles for installer and bvup tests, and a host (a BV_ROOT temp root) to install them on.

``real_tarball()`` is the tarball of `make bundle` (``dist/releases/<ver>/bvd-bundle.tgz``) when it
is newer than the installer/bvup sources, ``scripts/bundle.sh`` and ``bundle-data/``; otherwise
``scripts/bundle.sh`` builds one into ``.cache/installer-dist/<hash>/`` (minutes; once per source
version, under a file lock for xdist workers). Note: daemon changes reach these tests only
through a fresh `make bundle`.

``variant(dest, version, daemon=None)`` makes another version of that bundle cheaply: the same
zipapps (hard links), another VERSION, optionally another ``blockvisord`` (e.g. ``BROKEN_DAEMON``),
and a regenerated SHA256SUMS — so v1 → v2 updates do not need two builds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bv_core.tarballs import safe_extract

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"
PY = sys.executable
# What these tests are about; a tarball older than any of these is rebuilt.
# (bvup is not in the tarball: its tests run it from source, see test_bvup.py.)
HASHED = [REPO / "packages/installer", REPO / "scripts/bundle.sh", REPO / "bundle-data"]

# A daemon that never becomes healthy: it exits at once (the process manager sees it gone).
BROKEN_DAEMON = "#!/bin/sh\necho 'blockvisord (test): broken build, exiting' >&2\nexit 1\n"
# A daemon that runs but never answers GetHealth (the health step times out).
SILENT_DAEMON = "#!/bin/sh\nexec sleep 3600\n"


def _files(top: Path) -> list[Path]:
    if top.is_file():
        return [top]
    return sorted(p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix != ".pyc" and ".egg-info" not in str(p))


def _source_hash() -> str:
    h = hashlib.sha256()
    for top in HASHED:
        for f in _files(top):
            h.update(str(f.relative_to(REPO)).encode() + f.read_bytes())
    return h.hexdigest()[:16]


def _newest_source() -> float:
    return max(f.stat().st_mtime for top in HASHED for f in _files(top))


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _tarball_in(dist: Path) -> Path | None:
    found = sorted(dist.glob("releases/*/bvd-bundle.tgz"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def real_tarball() -> Path:
    explicit = os.environ.get("BV_TEST_BUNDLE_TGZ")
    if explicit:
        return Path(explicit)
    made = _tarball_in(REPO / "dist")
    if made is not None and made.stat().st_mtime > _newest_source():
        return made
    out = CACHE / "installer-dist" / _source_hash()
    with _locked("installer-dist"):
        made = _tarball_in(out)
        if made is None:
            subprocess.run([str(REPO / "scripts/bundle.sh")], env={**os.environ, "BV_DIST": str(out)},
                           check=True, capture_output=True)
            made = _tarball_in(out)
            assert made is not None
    return made


def unpacked_real_bundle() -> Path:
    """The real tarball unpacked once (read-only for tests: they link, never write into it)."""
    tgz = real_tarball()
    key = hashlib.sha256(f"{tgz}:{tgz.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    dest = CACHE / "installer-bundles" / key
    with _locked("installer-bundles"):
        if not (dest / "bundle/SHA256SUMS").exists():
            tmp = Path(tempfile.mkdtemp(dir=CACHE))
            with tarfile.open(tgz) as tar:
                safe_extract(tar, tmp)
            shutil.rmtree(dest, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp.rename(dest)
            for old in dest.parent.iterdir():  # earlier tarballs' copies (~100 MB each)
                if old != dest and time.time() - old.stat().st_mtime > 1800:
                    shutil.rmtree(old, ignore_errors=True)
    return dest / "bundle"


def write_sums(bundle: Path) -> None:
    lines = []
    for f in sorted(p for p in bundle.rglob("*") if p.is_file() and p.name != "SHA256SUMS"):
        lines.append(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.relative_to(bundle)}\n")
    sums = bundle / "SHA256SUMS"
    sums.unlink(missing_ok=True)  # may be a hard link into the shared cache: never write through
    sums.write_text("".join(lines))


def variant(dest: Path, version: str, daemon: str | None = None) -> Path:
    """A bundle dir ``dest`` (named ``bundle``-like) = the real bundle as ``version``."""
    src = unpacked_real_bundle()
    shutil.copytree(src, dest, copy_function=os.link)
    (dest / "VERSION").unlink()
    (dest / "VERSION").write_text(version + "\n")
    if daemon is not None:
        exe = dest / "blockvisor/bin/blockvisord"
        exe.unlink()
        exe.write_text(daemon)
        exe.chmod(0o755)
    write_sums(dest)
    return dest


def tarball_of(bundle: Path, dest: Path) -> Path:
    """``dest`` = a bundle tarball (top-level ``bundle/``) of the bundle dir, plus its .sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(dest, "w:gz", compresslevel=1) as tar:
        tar.add(bundle, arcname="bundle")
    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    dest.with_name(dest.name + ".sha256").write_text(f"{digest}  {dest.name}\n")
    return dest


class Host:
    """A BV_ROOT temp root and the process service manager's view of its daemon."""

    def __init__(self, root: Path) -> None:
        from bv_installer import InstallPaths, ProcessServiceManager

        self.root = root
        self.paths = InstallPaths(root)
        self.service = ProcessServiceManager(self.paths)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BV_")}
        # Only system dirs on PATH: the zipapps' `#!/usr/bin/env python3` finds the system
        # CPython, as on a clean host, never our virtualenv.
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        return {**env, "BV_ROOT": str(self.root), "BV_SERVICE_MANAGER": "process", **extra}

    def install(self, bundle: Path, *args: str, timeout: float = 120.0,
                **env: str) -> subprocess.CompletedProcess[str]:
        """Runs ``<bundle>/installer`` as the self-updater would (a real zipapp process)."""
        return subprocess.run([str(bundle / "installer"), "--skip-requirements",
                               "--health-timeout", "40", *args],
                              env=self.env(**env), capture_output=True, text=True, timeout=timeout)

    def current(self) -> str | None:
        return self.paths.current_version()

    def versions(self) -> set[str]:
        return {p.name for p in self.paths.install.iterdir() if p.is_dir() and not p.is_symlink()}

    def daemon_pid(self) -> int | None:
        return self.service.pid()

    def daemon_cmdline(self) -> str:
        pid = self.daemon_pid()
        assert pid is not None, "no daemon runs"
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()

    def healthy(self) -> bool:
        from bv_installer import DaemonClient

        return DaemonClient(self.paths.socket).health() == 2  # SERVICE_STATUS_OK

    def wait_healthy(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return True
            time.sleep(0.1)
        return False

    def assert_runs(self, version: str) -> None:
        """Consistent and healthy on ``version``: links, daemon, no install leftovers."""
        assert self.current() == version
        assert self.healthy(), self.log_tail()
        assert f"/opt/blockvisor/{version}/blockvisor/bin/blockvisord" in self.daemon_cmdline()
        assert os.readlink(self.paths.usr_bin / "bv") == str(self.paths.current / "blockvisor/bin/bv")
        unit = self.paths.systemd_dir / "blockvisor.service"
        assert unit.resolve() == (self.paths.version_dir(version) / "blockvisor/services/blockvisor.service")
        assert not self.paths.journal.exists()
        assert not self.paths.backup.is_symlink()
        assert self.versions() == {version}
        assert not any(p.name.endswith(".tmp") for p in self.paths.install.iterdir())

    def log_tail(self) -> str:
        try:
            return self.service.log_file.read_text(errors="replace")[-3000:]
        except FileNotFoundError:
            return "(no daemon log)"

    def stop(self) -> None:
        self.service.stop()
