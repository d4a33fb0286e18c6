"""Service control: systemd where it runs, a plain background process elsewhere.

``ServiceManager`` is the one interface the installer and bvup use. ``SystemdServiceManager``
drives ``systemctl``; ``ProcessServiceManager`` is for machines without systemd as PID 1 (CI,
containers, tests): it spawns ``<root>/usr/bin/blockvisord --foreground`` in its own session with
``BV_ROOT`` set, records its pid in ``<root>/run/blockvisor.pid`` and stops it with SIGTERM (the
daemon only; node processes and an installer it launched survive, like ``KillMode=process``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Protocol

from bv_core.persistence import atomic_write

from ._errors import ServiceError
from ._layout import SERVICE_NAME, InstallPaths

__all__ = ["ProcessServiceManager", "ServiceManager", "SystemdServiceManager", "default_service_manager"]

log = logging.getLogger("installer")


class ServiceManager(Protocol):
    def is_active(self) -> bool: ...

    def daemon_reload(self) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def enable(self) -> None: ...


class SystemdServiceManager:
    def __init__(self, unit: str = SERVICE_NAME, timeout: float = 60.0) -> None:
        self.unit = unit
        self.timeout = timeout

    def _systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(["systemctl", *args], capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ServiceError(f"systemctl {' '.join(args)}: {err}") from None

    def _check(self, *args: str) -> None:
        res = self._systemctl(*args)
        if res.returncode != 0:
            raise ServiceError(f"systemctl {' '.join(args)} failed ({res.returncode}): "
                               f"{res.stderr.strip() or res.stdout.strip()}")

    def is_active(self) -> bool:
        return self._systemctl("is-active", "--quiet", self.unit).returncode == 0

    def daemon_reload(self) -> None:
        self._check("daemon-reload")

    def start(self) -> None:
        self._check("start", self.unit)

    def stop(self) -> None:
        self._check("stop", self.unit)

    def enable(self) -> None:
        self._check("enable", self.unit)


def _proc_state(pid: int) -> str | None:
    """The /proc state letter, or None when the pid is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[0]


class ProcessServiceManager:
    """blockvisord as a background process of ``root`` (no systemd)."""

    def __init__(self, paths: InstallPaths, stop_timeout: float = 30.0,
                 extra_env: dict[str, str] | None = None) -> None:
        self.paths = paths
        self.stop_timeout = stop_timeout
        self.extra_env = dict(extra_env or {})

    @property
    def pid_file(self) -> Path:
        return self.paths.root / "run/blockvisor.pid"

    @property
    def log_file(self) -> Path:
        return self.paths.root / "var/log/blockvisor.log"

    def pid(self) -> int | None:
        """The daemon's pid if it runs (checked against /proc to survive pid reuse)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        state = _proc_state(pid)
        if state is None or state in "ZX":
            self._reap(pid)
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if b"blockvisord" in cmdline else None

    @staticmethod
    def _reap(pid: int) -> None:
        # The daemon is our child when this process started it; collect it so it is not a zombie.
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass

    def is_active(self) -> bool:
        return self.pid() is not None

    def daemon_reload(self) -> None:
        pass  # nothing cached: each start reads <root>/usr/bin/blockvisord afresh

    def enable(self) -> None:
        pass  # no boot-time start without an init system

    def start(self) -> None:
        if self.is_active():
            return
        link = self.paths.usr_bin / "blockvisord"
        if not link.exists():
            raise ServiceError(f"cannot start blockvisord: {link} does not exist")
        # Resolved, so the process list (and the daemon's argv[0]) names the version it runs.
        exe = Path(os.path.realpath(link))
        env = {**os.environ, "BV_ROOT": str(self.paths.root),
               "BV_BUNDLE_DIR": str(self.paths.current / "babel/bin"), **self.extra_env}
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as out:
            try:
                proc = subprocess.Popen([str(exe), "--foreground"], env=env, stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                        cwd="/")
            except OSError as err:
                raise ServiceError(f"cannot start {exe}: {err}") from None
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.pid_file, f"{proc.pid}\n".encode())
        log.info("started blockvisord pid %d (log %s)", proc.pid, self.log_file)

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline:
            self._reap(pid)
            state = _proc_state(pid)
            if state is None or state in "ZX":
                break
            time.sleep(0.05)
        else:
            log.warning("blockvisord pid %d ignored SIGTERM for %.0fs; killing it", pid, self.stop_timeout)
            os.kill(pid, signal.SIGKILL)
            self._reap(pid)
        self.pid_file.unlink(missing_ok=True)
        log.info("stopped blockvisord pid %d", pid)


def default_service_manager(paths: InstallPaths, kind: str | None = None) -> ServiceManager:
    """``kind`` systemd | process; default: ``$BV_SERVICE_MANAGER``, else systemd if it is PID 1."""
    kind = kind or os.environ.get("BV_SERVICE_MANAGER") or (
        "systemd" if Path("/run/systemd/system").is_dir() and paths.root == Path("/") else "process")
    if kind == "systemd":
        return SystemdServiceManager()
    if kind == "process":
        return ProcessServiceManager(paths)
    raise ServiceError(f"unknown service manager {kind!r} (expected systemd or process)")
