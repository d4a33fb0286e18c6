"""The install sequence (bv-host.md §4.3, bv-host-2.16.md §6), crash-safe.

Steps, each logged with its duration and bounded by a timeout:
``check`` (blacklist, bundle SHA256SUMS, requirements) → ``preinstall`` (bundle copied into
``opt/blockvisor/<ver>``) → ``backup`` (classify, ``backup`` symlink) → ``notify`` (StartUpdate
until UPDATING) → ``switch`` (``current`` and command/unit links, each an atomic rename) →
``restart`` (stop, keep the config copy, start, enable) → ``health`` (GetHealth until OK) →
``cleanup`` (old versions and ``backup`` removed). A failure in notify..health blacklists the
version and runs the backup's installer (rollback); a failing rollback marks the host broken.

Crash safety: a journal (``opt/blockvisor/.install-journal.json``, atomic writes) records the
version being installed, the backup classification and the step in progress. Every step is
idempotent, so re-running the installer after a SIGKILL at any point replays the sequence from
the journal's classification (not from ``current``, which may already point at the new version)
and ends installed-and-healthy or rolled back. The lock is an flock, released by the kernel when
the process dies (the original's O_EXCL lock file outlived crashes and blocked every later
install), and it is released before the backup installer runs (the original held it, so a
rollback to any installer that also locks failed).
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import logging
import os
import platform
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bv_core.errors import BvError
from bv_core.persistence import atomic_write, atomic_write_json, read_json
from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

from ._daemon_client import DaemonClient, NotImplementedByDaemon
from ._errors import (
    Blacklisted,
    InstallFailed,
    RequirementsError,
    RollbackFailed,
    ServiceError,
    StepFailed,
)
from ._layout import SERVICE_NAME, BundleDir, InstallPaths, read_blacklist
from ._service import ServiceManager

__all__ = ["CRASH_AFTER_ENV", "STEPS", "BackupStatus", "Installer", "InstallerOptions"]

log = logging.getLogger("installer")

STEPS = ("check", "preinstall", "backup", "notify", "switch", "restart", "health", "cleanup")
# Fault injection for crash-safety tests: SIGKILL ourselves right after the named step.
CRASH_AFTER_ENV = "BV_INSTALLER_CRASH_AFTER"
_OK = daemon_pb2.SERVICE_STATUS_OK
_UPDATING = daemon_pb2.SERVICE_STATUS_UPDATING
MIN_KERNEL = (5, 10, 0)
_T = TypeVar("_T")


class BackupStatus(enum.Enum):
    DONE = "done"  # a healthy version runs; it is the rollback target
    ROLLBACK = "rollback"  # `current` is a blacklisted version: we are the rollback
    NOTHING = "nothing"  # fresh host (or re-install of the same version): no rollback target


@dataclass
class InstallerOptions:
    notify_timeout: float = 180.0
    health_timeout: float = 180.0
    rollback_timeout: float = 600.0
    poll_interval: float = 0.1
    check_requirements: bool = True
    rollback_args: tuple[str, ...] = ()  # options passed on to the backup's installer


@dataclass
class _Journal:
    version: str
    status: BackupStatus
    running: str | None
    step: str

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "status": self.status.value, "running": self.running,
                "step": self.step}

    @classmethod
    def load(cls, path: Path) -> _Journal | None:
        try:
            raw = read_json(path)
        except (BvError, OSError, ValueError):
            return None
        if not isinstance(raw, dict):
            return None
        try:
            running = raw.get("running")
            return cls(version=str(raw["version"]), status=BackupStatus(raw["status"]),
                       running=str(running) if running else None, step=str(raw["step"]))
        except (KeyError, ValueError):
            return None


class Installer:
    def __init__(self, bundle: BundleDir, paths: InstallPaths, service: ServiceManager,
                 options: InstallerOptions | None = None, daemon: DaemonClient | None = None) -> None:
        self.bundle = bundle
        self.paths = paths
        self.service = service
        self.opts = options or InstallerOptions()
        self.daemon = daemon or DaemonClient(paths.socket)
        self.version = bundle.version
        self._journal: _Journal | None = None
        self._lock_fd: int | None = None

    # -- entry point -----------------------------------------------------------------------

    def run(self) -> None:
        """Installs this bundle; raises InstallFailed / RollbackFailed / Blacklisted / BvError."""
        self.paths.install.mkdir(parents=True, exist_ok=True)
        self._acquire_lock()
        try:
            self._run_locked()
        finally:
            self._release_lock()

    def _run_locked(self) -> None:
        v = self.version
        log.info("installing BlockVisor %s from %s into %s", v, self.bundle.dir, self.paths.install)
        old = _Journal.load(self.paths.journal)
        if v in read_blacklist(self.paths):
            if old and old.version == v and old.step == "rollback":
                # We were killed between blacklisting and finishing the rollback: finish it.
                log.warning("resuming the interrupted rollback of %s", v)
                self._journal = old
                self._fail(StepFailed("rollback", "interrupted installer resumed"))
            raise Blacklisted(f"BV {v} is on a blacklist - can't install")
        if old and old.version == v and old.step == "cleanup":
            # Killed while cleaning up after a healthy install: old versions may be half gone,
            # so there is nothing to classify or roll back to; finish the cleanup.
            log.warning("resuming the interrupted cleanup of the %s install", v)
            self._journal = old
            self._step("cleanup", self._cleanup)
            return
        self._step("check", self._check)
        self._step("preinstall", self._preinstall)
        status, running = self._step("backup", lambda: self._backup(old))
        if status is BackupStatus.NOTHING and running == v and self._healthy_now():
            log.info("BlockVisor %s is already installed and healthy; nothing to do", v)
            self._journal_clear()
            return
        try:
            self._step("notify", self._notify)
            self._step("switch", self._switch)
            self._step("restart", self._restart)
            self._step("health", self._health)
        except BvError as err:
            self._fail(err)
        self._step("cleanup", self._cleanup)
        log.info("BlockVisor %s installed and healthy", v)

    # -- plumbing ----------------------------------------------------------------------------

    def _acquire_lock(self) -> None:
        fd = os.open(self.paths.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InstallFailed(f"{self.paths.lock} is locked: another BV installer instance "
                                "is already running") from None
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _step(self, name: str, fn: Callable[[], _T]) -> _T:
        if self._journal is not None:
            self._journal.step = name
            self._journal_save()
        log.info("step %s: start", name)
        started = time.monotonic()
        try:
            result = fn()
        except BvError as err:
            log.error("step %s: failed after %.1fs: %s", name, time.monotonic() - started, err)
            raise
        except OSError as err:
            log.error("step %s: failed after %.1fs: %s", name, time.monotonic() - started, err)
            raise StepFailed(name, str(err)) from err
        log.info("step %s: done in %.1fs", name, time.monotonic() - started)
        _crash_point(name)
        return result

    def _journal_save(self) -> None:
        assert self._journal is not None
        atomic_write_json(self.paths.journal, self._journal.to_json(), mode=0o600)

    def _journal_clear(self) -> None:
        self.paths.journal.unlink(missing_ok=True)

    def _healthy_now(self) -> bool:
        return self.service.is_active() and self.daemon.health() == _OK

    # -- steps -----------------------------------------------------------------------------

    def _check(self) -> None:
        self.bundle.verify()
        if self.opts.check_requirements:
            _check_requirements(self.paths)

    def _preinstall(self) -> None:
        dest = self.paths.version_dir(self.version)
        if self.bundle.dir.resolve() == dest.resolve():
            return
        if dest.is_dir():
            try:
                BundleDir(dest).verify()
                return  # an earlier (possibly killed) run already placed it completely
            except BvError:
                log.warning("replacing the incomplete or damaged %s", dest)
                shutil.rmtree(dest)
        tmp = self.paths.install / f".{self.version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(self.bundle.dir, tmp, symlinks=True, copy_function=_link_or_copy)
        os.rename(tmp, dest)  # the version dir appears complete or not at all
        _fsync_dir(self.paths.install)

    def _backup(self, old: _Journal | None) -> tuple[BackupStatus, str | None]:
        v = self.version
        if old is not None and old.version == v and old.step != "rollback":
            # An earlier run of this same install was interrupted: `current` may already point
            # at us, so its classification (taken before the switch) is the one that holds.
            status, running = old.status, old.running
            log.info("resuming the interrupted install of %s (%s, previous %s)", v, status.value, running)
        else:
            running = self.paths.current_version()
            if running is None:
                status = BackupStatus.NOTHING
            elif running in read_blacklist(self.paths):
                status = BackupStatus.ROLLBACK
            elif running == v:
                status = BackupStatus.NOTHING
            else:
                status = BackupStatus.DONE
        if status is BackupStatus.DONE:
            assert running is not None
            _symlink_atomic(Path(running), self.paths.backup)
        self._journal = _Journal(version=v, status=status, running=running, step="backup")
        self._journal_save()
        log.info("backup: %s (running version: %s)", status.value, running or "none")
        return status, running

    def _notify(self) -> None:
        assert self._journal is not None
        if self._journal.status is not BackupStatus.DONE or not self.service.is_active():
            log.info("notify: no running daemon to prepare")
            return
        deadline = time.monotonic() + self.opts.notify_timeout
        while True:
            try:
                status = self.daemon.start_update()
            except NotImplementedByDaemon:
                log.warning("notify: the running daemon has no StartUpdate; updating without it")
                return
            if status == _UPDATING:
                log.info("notify: running daemon reports UPDATING")
                return
            if time.monotonic() >= deadline:
                raise StepFailed("notify", f"prepare running BV for update failed: no UPDATING "
                                 f"within {self.opts.notify_timeout:.0f}s (last status {status})")
            time.sleep(self.opts.poll_interval)

    def _switch(self) -> None:
        _symlink_atomic(Path(self.version), self.paths.current)
        bin_dir = self.paths.version_dir(self.version) / "blockvisor/bin"
        self.paths.usr_bin.mkdir(parents=True, exist_ok=True)
        for exe in sorted(bin_dir.iterdir()):
            _symlink_atomic(self.paths.current / "blockvisor/bin" / exe.name, self.paths.usr_bin / exe.name)
        self.paths.systemd_dir.mkdir(parents=True, exist_ok=True)
        _symlink_atomic(self.paths.current / "blockvisor/services" / SERVICE_NAME,
                        self.paths.systemd_dir / SERVICE_NAME)
        log.info("switch: current -> %s", self.version)

    def _restart(self) -> None:
        assert self._journal is not None
        self.service.daemon_reload()
        self.service.stop()
        if self._journal.status is BackupStatus.DONE and self.paths.config.exists():
            assert self._journal.running is not None
            saved = self.paths.version_dir(self._journal.running) / "blockvisor.json"
            atomic_write(saved, self.paths.config.read_bytes(), mode=0o600)
        self.service.start()
        self.service.enable()

    def _health(self) -> None:
        deadline = time.monotonic() + self.opts.health_timeout
        inactive_since: float | None = None
        while True:
            status = self.daemon.health()
            if status == _OK:
                log.info("health: blockvisord %s reports OK", self.daemon.version() or "?")
                return
            now = time.monotonic()
            if self.service.is_active():
                inactive_since = None
            elif inactive_since is None:
                inactive_since = now
            elif now - inactive_since > 2.0:
                raise StepFailed("health", "blockvisord is not running (exited after start)")
            if now >= deadline:
                raise StepFailed("health", f"blockvisord not healthy within "
                                 f"{self.opts.health_timeout:.0f}s (last status {status})")
            time.sleep(self.opts.poll_interval)

    def _cleanup(self) -> None:
        keep = {"blacklist", "current", self.version, self.paths.lock.name, self.paths.journal.name}
        for entry in sorted(self.paths.install.iterdir()):
            if entry.name in keep:
                continue
            try:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            except OSError as err:  # leftovers waste disk but do not hurt the install
                log.warning("cleanup: cannot remove %s: %s", entry, err)
            _crash_point("cleanup-started")
        self._journal_clear()

    # -- failure -----------------------------------------------------------------------------

    def _fail(self, err: BvError) -> None:
        """Blacklist, then roll back according to the backup classification; always raises."""
        assert self._journal is not None
        v, journal = self.version, self._journal
        if v not in read_blacklist(self.paths):
            with open(self.paths.blacklist, "a") as f:
                f.write(f"{v}\n")
                f.flush()
                os.fsync(f.fileno())
        log.error("installation of %s failed (%s); blacklisted it", v, err)
        journal.step = "rollback"
        self._journal_save()
        _crash_point("blacklisted")
        if journal.status is BackupStatus.ROLLBACK:
            self._mark_broken(f"rollback failed - host needs manual fix: {err}")
        if journal.status is BackupStatus.NOTHING:
            self._journal_clear()
            raise InstallFailed(f"installation failed: {err}")
        running = journal.running
        assert running is not None
        try:
            self.service.stop()
        except ServiceError as stop_err:
            self._mark_broken(f"rollback to {running} failed - host needs manual fix: {stop_err}")
        saved = self.paths.version_dir(running) / "blockvisor.json"
        if saved.exists():
            atomic_write(self.paths.config, saved.read_bytes(), mode=0o600)
        backup_installer = self.paths.version_dir(running) / "installer"
        log.info("rolling back to %s with %s", running, backup_installer)
        self._release_lock()  # the backup installer takes the lock itself
        rc = -1
        try:
            res = subprocess.run([str(backup_installer), *self.opts.rollback_args], timeout=self.opts.rollback_timeout,
                                 env=os.environ.copy(), check=False)
            rc = res.returncode
        except (OSError, subprocess.TimeoutExpired) as run_err:
            self._mark_broken(f"rollback to {running} failed - host needs manual fix: {run_err}")
        if rc != 0:
            self._mark_broken(f"rollback to {running} failed - host needs manual fix: "
                              f"backup installer exited with {rc}")
        raise InstallFailed(f"installation of {v} failed with: {err}, but rolled back to "
                            f"previous version {running}")

    def _mark_broken(self, message: str) -> None:
        log.critical("%s", message)
        with contextlib.suppress(OSError):
            atomic_write(self.paths.broken_marker, (message + "\n").encode())
        self._journal_clear()
        raise RollbackFailed(message)


# -- helpers -----------------------------------------------------------------------------------


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_AFTER_ENV) == name:
        log.warning("%s=%s: killing myself (test fault injection)", CRASH_AFTER_ENV, name)
        os.kill(os.getpid(), signal.SIGKILL)


def _check_requirements(paths: InstallPaths) -> None:
    release = platform.release().split("-", 1)[0]
    try:
        kernel = tuple(int(p) for p in (release.split(".") + ["0", "0"])[:3])
    except ValueError:
        raise RequirementsError(f"cannot parse the kernel version {platform.release()!r}") from None
    if kernel < MIN_KERNEL:
        raise RequirementsError(f"Linux kernel 5.10+ is required, this host runs {platform.release()}")
    for tool in ("ip", "tar"):
        if shutil.which(tool) is None:
            raise RequirementsError(f"required tool '{tool}' is not installed")
    iface = _bridge_to_check(paths)
    if iface is not None:
        res = subprocess.run(["ip", "link", "show", iface], capture_output=True, timeout=10, check=False)
        if res.returncode != 0:
            raise RequirementsError(f"bridge interface '{iface}' not configured (see `bvup --bridge`)")


def _bridge_to_check(paths: InstallPaths) -> str | None:
    """The bridge a connected, bridged host needs; None when there is nothing to check."""
    if not paths.config.exists():
        return None
    from bv_core.models import load_host_config

    try:
        config = load_host_config(paths.config)
    except BvError as err:
        raise RequirementsError(f"{paths.config}: {err}") from None
    if not config.connected or config.apptainer.host_network:
        return None
    return config.iface


def _link_or_copy(src: str, dst: str) -> object:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _symlink_atomic(target: Path, link: Path) -> None:
    tmp = link.with_name(f".{link.name}.tmp{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.rename(tmp, link)
    _fsync_dir(link.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
