"""Self-update (bv-host.md §4.2): find a newer bundle, download and verify it, launch its installer.

Wiring (the daemon, connected mode only)::

    updater = SelfUpdater(FleetBundleClient(fleet), paths, running_bundle_version(),
                          interval=config.update_check_interval_secs)
    tg.create_task(updater.run())        # returns at once when the interval is None

Rules, the original's minus its quirks:

* candidates come from ``BundleService.ListVersions``; versions that are not semver are skipped
  with a warning (the original failed the whole check on one bad entry);
* the newest version with the running version's **major**, strictly newer than both the running
  version and the last one this process launched, and not on ``opt/blockvisor/blacklist`` —
  exact line match (the original's substring test made ``1.1.1`` blacklist ``1.1.10``);
* ``Retrieve`` gives the URL; the tarball goes to ``var/lib/blockvisor/downloads/bundle.tar.gz``,
  is checked against the store's ``.sha256`` sidecar when there is one, is unpacked with the
  tarfile ``data`` filter (no absolute paths, ``..``, devices), and ``downloads/bundle/installer``
  is started in its own session, not awaited: it stops this daemon, and must outlive it. The
  installer checks every file against the bundle's SHA256SUMS before touching the host.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bv_core.errors import ExternalError, InvalidInput
from bv_core.tarballs import safe_extract
from bv_daemon import __version__
from bv_daemon.paths import HostPaths

__all__ = [
    "BundleClient",
    "FleetBundleClient",
    "SelfUpdater",
    "UpdateError",
    "host_broken_reason",
    "parse_semver",
    "pick_update",
    "running_bundle_version",
]

log = logging.getLogger("blockvisord.self_update")

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


class UpdateError(ExternalError):
    pass


class BundleClient(Protocol):
    """The two BundleService calls the updater makes."""

    async def list_versions(self) -> list[str]: ...

    async def retrieve_url(self, version: str) -> str: ...


class FleetBundleClient:
    """BundleClient over the daemon's fleet client (``bv_daemon.fleet.client.FleetClient``)."""

    def __init__(self, fleet: Any) -> None:
        self.fleet = fleet

    async def list_versions(self) -> list[str]:
        from bv_core.proto.blockjoy.v1 import bundle_pb2

        resp = await self.fleet.call("BundleService", "ListVersions",
                                     bundle_pb2.BundleServiceListVersionsRequest())
        return [b.version for b in resp.bundle_ids]

    async def retrieve_url(self, version: str) -> str:
        from bv_core.proto.blockjoy.v1 import bundle_pb2

        resp = await self.fleet.call("BundleService", "Retrieve", bundle_pb2.BundleServiceRetrieveRequest(
            bundle_id=bundle_pb2.BundleIdentifier(version=version)))
        return str(resp.url)


def parse_semver(text: str) -> tuple[int, int, int, tuple[tuple[int, int | str], ...]] | None:
    """A sort key with semver precedence (a pre-release sorts before its release), or None."""
    m = _SEMVER.match(text.strip())
    if m is None:
        return None
    pre: tuple[tuple[int, int | str], ...]
    if m.group(4) is None:
        pre = ((2, 0),)  # a release outranks any pre-release of the same version
    else:
        pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in m.group(4).split("."))
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), pre


def pick_update(available: Sequence[str], running: str, blacklist: Sequence[str],
                last_launched: str | None = None) -> str | None:
    """The version to install: newest same-major, newer than running/launched, not blacklisted."""
    run_key = parse_semver(running)
    if run_key is None:
        raise UpdateError(f"running version {running!r} is not semver")
    floor = run_key
    if last_launched is not None and (launched := parse_semver(last_launched)) is not None:
        floor = max(floor, launched)
    banned = {b.strip() for b in blacklist}
    best: tuple[Any, str] | None = None
    for v in available:
        key = parse_semver(v)
        if key is None:
            log.warning("self-update: ignoring bundle version %r (not semver)", v)
            continue
        if key[0] != run_key[0] or key <= floor or v.strip() in banned:
            continue
        if best is None or key > best[0]:
            best = (key, v.strip())
    return best[1] if best else None


def running_bundle_version(default: str = __version__, argv0: str | None = None) -> str:
    """The bundle version this process runs from: ``<bundle>/VERSION`` next to ``blockvisor/bin``.

    ``/usr/bin/blockvisord`` links to ``opt/blockvisor/current/blockvisor/bin/blockvisord``, so the
    bundle is two levels above the resolved executable. Outside a bundle (dev, tests) the
    package version.
    """
    exe = Path(os.path.realpath(argv0 or sys.argv[0]))
    try:
        text = (exe.parent.parent.parent / "VERSION").read_text().strip()
    except OSError:
        return default
    return text if parse_semver(text) else default


def host_broken_reason(paths: HostPaths) -> str | None:
    """Why the host is broken, when an installer's rollback failed (``opt/blockvisor/broken``).

    The installer writes the file when both the new version and the rollback failed and removes
    it after the next successful install; a daemon that finds it should report BROKEN.
    """
    try:
        return (paths.install / "broken").read_text().strip() or "rollback failed"
    except FileNotFoundError:
        return None


def _read_blacklist(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def _sidecar_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + ".sha256"))


def _download(url: str, dest: Path, timeout: float) -> None:
    """Blocking download with sha256 check against the store's sidecar when it has one."""
    expected: str | None = None
    try:
        with urllib.request.urlopen(_sidecar_url(url), timeout=min(timeout, 60.0)) as resp:
            words = resp.read(4096).decode("ascii", "replace").split()
        expected = words[0].lower() if words and len(words[0]) == 64 else None
        if expected is None:
            raise UpdateError(f"{_sidecar_url(url)} does not hold a sha256 digest")
    except urllib.error.HTTPError as err:
        if err.code not in (403, 404):  # a presigned URL signs the tarball only
            raise UpdateError(f"checksum download failed: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        raise UpdateError(f"checksum download {_sidecar_url(url)} failed: {err}") from None
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as out:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                h.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError) as err:
        dest.unlink(missing_ok=True)
        raise UpdateError(f"bundle download {url} failed: {err}") from None
    if expected is not None and h.hexdigest() != expected:
        dest.unlink(missing_ok=True)
        raise UpdateError(f"bundle download {url} does not match its published sha256")


def _unpack(tarball: Path, into: Path) -> Path:
    target = into / "bundle"
    shutil.rmtree(target, ignore_errors=True)
    try:
        with tarfile.open(tarball, "r:*") as tar:
            if any(n != "bundle" and not n.startswith("bundle/") for n in tar.getnames()):
                raise UpdateError(f"{tarball} is not a bundle: every entry must be under bundle/")
            safe_extract(tar, into)
    except (tarfile.TarError, OSError, InvalidInput) as err:
        raise UpdateError(f"cannot unpack {tarball}: {err}") from None
    finally:
        tarball.unlink(missing_ok=True)
    if not (target / "installer").is_file():
        raise UpdateError(f"bundle from {tarball.name} has no installer")
    return target


def spawn_installer(installer: Path, args: Sequence[str], env: Mapping[str, str], log_file: Path) -> int:
    """Starts the installer in its own session (it outlives the daemon it restarts); its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as out:
        proc = subprocess.Popen([str(installer), *args], env=dict(env), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd="/")
    return proc.pid


@dataclass
class SelfUpdater:
    client: BundleClient
    paths: HostPaths
    running_version: str
    interval: float | None  # seconds between checks; None disables the periodic check
    jitter: float = 0.1  # up to this fraction of the interval added, so a fleet does not stampede
    download_timeout: float = 900.0
    installer_args: Sequence[str] = ()
    env: Mapping[str, str] | None = None  # installer environment (default: ours)
    launcher: Callable[[Path, Sequence[str], Mapping[str, str], Path], int] = spawn_installer
    last_launched: str | None = field(default=None, init=False)

    @property
    def downloads(self) -> Path:
        return self.paths.var / "downloads"

    async def check_once(self) -> str | None:
        """One check; the version whose installer was launched, or None when up to date."""
        versions = await self.client.list_versions()
        version = pick_update(versions, self.running_version, _read_blacklist(self.paths.blacklist),
                              self.last_launched)
        if version is None:
            log.debug("self-update: %s is the newest allowed version", self.running_version)
            return None
        log.info("self-update: installing %s (running %s)", version, self.running_version)
        url = await self.client.retrieve_url(version)
        bundle = await asyncio.to_thread(self._fetch, url)
        env = dict(self.env if self.env is not None else os.environ)
        env.setdefault("BV_ROOT", str(self.paths.root))
        pid = self.launcher(bundle / "installer", self.installer_args, env,
                            self.paths.root / "var/log/blockvisor-installer.log")
        self.last_launched = version
        log.info("self-update: installer of %s started (pid %d)", version, pid)
        return version

    def _fetch(self, url: str) -> Path:
        self.downloads.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.downloads / "bundle", ignore_errors=True)
        tarball = self.downloads / "bundle.tar.gz"
        _download(url, tarball, self.download_timeout)
        return _unpack(tarball, self.downloads)

    async def run(self) -> None:
        """Checks at start and then every interval; failures are logged, never raised."""
        if self.interval is None:
            log.info("self-update: disabled (update_check_interval_secs is null)")
            return
        while True:
            try:
                await self.check_once()
            except Exception as err:  # noqa: BLE001 - fleet, network, disk: retried next interval
                log.warning("self-update check failed: %s", err)
            await asyncio.sleep(self.interval * (1 + random.uniform(0, self.jitter)))
