"""bv_daemon.self_updater: version choice, and a real self-update of an installed host.

The end-to-end case plays the daemon's part in the test process (the module is not wired into
blockvisord yet): the fake fleet API lists versions, the store serves tarballs, the updater
downloads, verifies and launches the installer, and the host ends on the new version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bv_daemon.paths import HostPaths
from bv_daemon.self_updater import (
    FleetBundleClient,
    SelfUpdater,
    UpdateError,
    host_broken_reason,
    parse_semver,
    pick_update,
    running_bundle_version,
)
from tests.installer.bundles import Host, tarball_of, variant
from tests.installer.fleet import BundleFleetApi, file_server


def test_pick_same_major_newest_not_blacklisted() -> None:
    available = ["1.0.0", "1.1.0", "1.10.0", "1.2.0", "2.0.0", "1.11.0-rc1", "junk"]
    assert pick_update(available, "1.0.0", []) == "1.11.0-rc1"
    assert pick_update(available, "1.0.0", ["1.11.0-rc1"]) == "1.10.0"
    # Exact match: blacklisting 1.1.0 does not ban 1.10.0 (the original's substring test did).
    assert pick_update(["1.10.0"], "1.0.0", ["1.1.0"]) == "1.10.0"
    assert pick_update(available, "1.11.0", []) is None
    assert pick_update(available, "1.0.0", [], last_launched="1.10.0") == "1.11.0-rc1"
    assert pick_update(["1.2.0"], "1.0.0", [], last_launched="1.2.0") is None
    assert pick_update(["2.1.0", "3.0.0"], "2.0.0", []) == "2.1.0"
    with pytest.raises(UpdateError, match="running version 'dev' is not semver"):
        pick_update(available, "dev", [])


def test_semver_precedence() -> None:
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
             "1.0.0-rc.1", "1.0.0", "1.0.1"]
    keys = [parse_semver(v) for v in order]
    assert all(k is not None for k in keys)
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert parse_semver("1.0") is None and parse_semver("01.0.0") is None


def test_running_bundle_version_reads_the_bundle(tmp_path: Path) -> None:
    exe = tmp_path / "opt/blockvisor/1.4.2/blockvisor/bin/blockvisord"
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    (tmp_path / "opt/blockvisor/1.4.2/VERSION").write_text("1.4.2\n")
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / "usr/bin/blockvisord").symlink_to(exe)
    assert running_bundle_version(argv0=str(tmp_path / "usr/bin/blockvisord")) == "1.4.2"
    assert running_bundle_version(default="0.0.1", argv0=str(tmp_path / "nowhere")) == "0.0.1"


@pytest.fixture
def store(work: Path) -> Iterator[tuple[str, Path]]:
    root = work / "store"
    root.mkdir()
    with file_server(root) as url:
        yield url, root


@pytest.mark.slow
async def test_self_update_installs_the_new_version(host: Host, work: Path,
                                                    store: tuple[str, Path]) -> None:
    assert host.install(variant(work / "v1", "1.0.0")).returncode == 0
    url, root = store
    for version in ("1.1.0", "2.0.0"):
        tarball_of(variant(work / version, version), root / version / "bvd-bundle.tgz")
    async with BundleFleetApi() as api:
        assert isinstance(api, BundleFleetApi)
        api.bundles = ["1.0.0", "1.1.0", "2.0.0"]
        api.bundle_urls = {v: f"{url}/{v}/bvd-bundle.tgz" for v in api.bundles}
        _, (token, refresh) = api.add_host()
        from bv_daemon.fleet.client import FleetClient, Tokens

        async with FleetClient(api.url, Tokens(token, refresh)) as fleet:
            updater = SelfUpdater(
                FleetBundleClient(fleet), HostPaths(host.root), running_version="1.0.0", interval=3600,
                installer_args=("--skip-requirements", "--service-manager", "process",
                                "--health-timeout", "40"),
                env=host.env())
            assert await updater.check_once() == "1.1.0"
            assert await updater.check_once() is None  # launched already: not twice
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (host.current() == "1.1.0" and host.versions() == {"1.1.0"}
                                               and host.healthy()):
        await asyncio.sleep(0.2)
    host.assert_runs("1.1.0")
    assert host_broken_reason(HostPaths(host.root)) is None
    log = (host.root / "var/log/blockvisor-installer.log").read_text()
    assert "BlockVisor 1.1.0 installed and healthy" in log


async def test_disabled_when_interval_is_null(tmp_path: Path) -> None:
    class Never:
        async def list_versions(self) -> list[str]:
            raise AssertionError("must not be called")

        async def retrieve_url(self, version: str) -> str:
            raise AssertionError("must not be called")

    await asyncio.wait_for(SelfUpdater(Never(), HostPaths(tmp_path), "1.0.0", interval=None).run(), 5)


async def test_periodic_checks_survive_failures(tmp_path: Path) -> None:
    class Flaky:
        def __init__(self) -> None:
            self.calls = 0
            self.second = asyncio.Event()

        async def list_versions(self) -> list[str]:
            self.calls += 1
            if self.calls == 1:
                raise UpdateError("fleet API unreachable (scripted)")
            self.second.set()
            return ["1.0.0"]  # up to date: nothing to download

        async def retrieve_url(self, version: str) -> str:
            raise AssertionError("nothing newer: must not retrieve")

    client = Flaky()
    task = asyncio.create_task(SelfUpdater(client, HostPaths(tmp_path), "1.0.0", interval=0.05).run())
    try:
        await asyncio.wait_for(client.second.wait(), 10)
    finally:
        task.cancel()
    assert client.calls >= 2
