"""bvup against the fake fleet API and a local bundle store, into BV_ROOT temp roots.

bvup runs from source (``python -m bvup``, a real process) so these tests follow its code
without a bundle rebuild; the installer it runs is the real bundle's zipapp.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bv_core.models import load_host_config
from tests.fakes.fleet_api import PROVISION_TOKEN
from tests.installer.bundles import Host, tarball_of, variant
from tests.installer.fleet import BundleFleetApi, file_server

pytestmark = pytest.mark.slow


def bvup(host: Host, *args: str, timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bvup", *args], env=host.env(), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def store(work: Path) -> Iterator[tuple[str, Path]]:
    root = work / "store"
    root.mkdir()
    with file_server(root) as url:
        yield url, root


@pytest.fixture
def api() -> Iterator[BundleFleetApi]:
    with BundleFleetApi.in_thread() as api:
        assert isinstance(api, BundleFleetApi)
        yield api


def _publish(api: BundleFleetApi, store: tuple[str, Path], work: Path, version: str) -> None:
    url, root = store
    tarball_of(variant(work / f"b-{version}", version), root / version / "bvd-bundle.tgz")
    api.bundles.append(version)
    api.bundle_urls[version] = f"{url}/{version}/bvd-bundle.tgz"


HOST_NET = ["--use-host-network", "--host-ip", "10.77.0.2", "--gateway-ip", "10.77.0.1",
            "--service-manager", "process", "--health-timeout", "40"]


def test_provision_installs_newest_bundle_and_is_idempotent(
        host: Host, api: BundleFleetApi, store: tuple[str, Path], work: Path) -> None:
    _publish(api, store, work, "1.0.0")
    _publish(api, store, work, "1.2.0")
    res = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", api.url, *HOST_NET)
    assert res.returncode == 0, res.stderr + res.stdout
    config_path = host.root / "etc/blockvisor.json"
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    config = load_host_config(config_path)  # what the daemon reads
    assert list(api.hosts) == [config.id]
    assert config.token and config.refresh_token and config.blockjoy_api_url == api.url
    assert config.connected and config.apptainer.host_network and not config.apptainer.cpu_limit
    assert config.net_conf.host_ip == "10.77.0.2" and config.net_conf.available_ips == ["10.77.0.2"]
    assert config.update_check_interval_secs == 60
    create = api.calls_of("HostService.CreateHost")[0].request
    assert create.region_id == api.regions["local"].region_id and create.ip_gateway == "10.77.0.1"
    assert host.current() == "1.2.0"
    assert host.healthy()
    assert "1.2.0/blockvisor/bin/blockvisord" in host.daemon_cmdline()
    # Re-run: no second registration, no reinstall, still healthy.
    pid = host.daemon_pid()
    again = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", api.url, *HOST_NET)
    assert again.returncode == 0, again.stderr
    assert "already provisioned" in again.stdout
    assert len(api.calls_of("HostService.CreateHost")) == 1
    assert host.daemon_pid() == pid and host.healthy()


def _no_config(host: Host) -> None:
    etc = host.root / "etc"
    assert not etc.exists() or list(etc.iterdir()) == []


def test_bvup_zipapp_runs_on_system_python(host: Host) -> None:
    from tests.installer.bundles import real_tarball

    zipapp = real_tarball().parents[2] / "bvup"
    res = subprocess.run([str(zipapp), "--help"], env=host.env(), capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert "PROVISION_TOKEN" in res.stdout and "--use-host-network" in res.stdout


def test_bad_token_is_a_clear_error_and_writes_nothing(host: Host, api: BundleFleetApi) -> None:
    res = bvup(host, "NOT-A-TOKEN", "--region", "local", "--api", api.url, *HOST_NET)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        f"bvup: provision token rejected by {api.url}: Invalid provision token.")
    _no_config(host)
    assert api.hosts == {}


def test_unknown_region(host: Host, api: BundleFleetApi) -> None:
    res = bvup(host, PROVISION_TOKEN, "--region", "mars", "--api", api.url, *HOST_NET)
    assert res.returncode == 2
    assert "region 'mars' not found" in res.stderr
    _no_config(host)


def test_unreachable_api_is_a_clear_error_and_writes_nothing(host: Host) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", f"http://127.0.0.1:{port}", *HOST_NET)
    assert res.returncode == 1
    assert f"fleet API http://127.0.0.1:{port} unreachable" in res.stderr
    _no_config(host)


def test_missing_bridge_is_refused_before_any_api_call(host: Host, api: BundleFleetApi) -> None:
    bridge = f"bvx{uuid.uuid4().hex[:8]}"
    res = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", api.url, "--bridge", bridge,
               "--host-ip", "10.77.0.2", "--gateway-ip", "10.77.0.1")
    assert res.returncode == 2
    assert f"bridge interface '{bridge}' not found" in res.stderr
    _no_config(host)
    assert api.calls == []


def test_no_bundle_published(host: Host, api: BundleFleetApi) -> None:
    res = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", api.url, *HOST_NET)
    assert res.returncode == 2
    assert "No bv bundle found" in res.stderr
    # The registration itself is complete and kept; `bvup --skip-init` retries the download.
    assert json.loads((host.root / "etc/blockvisor.json").read_text())["id"] in api.hosts


def test_corrupted_download_is_refused(host: Host, api: BundleFleetApi, store: tuple[str, Path],
                                       work: Path) -> None:
    _publish(api, store, work, "1.0.0")
    tgz = store[1] / "1.0.0/bvd-bundle.tgz"
    data = bytearray(tgz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tgz.write_bytes(bytes(data))
    res = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", api.url, *HOST_NET)
    assert res.returncode == 1
    assert "does not match its published sha256" in res.stderr
    assert host.current() is None


@pytest.mark.root
def test_bridged_host_in_own_netns(host: Host, work: Path) -> None:
    """--create-bridge and forwarding, inside a network namespace of the test's own."""
    ns = f"bvup{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    server = None
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        store = work / "store"
        tarball_of(variant(work / "b", "1.0.0"), store / "1.0.0" / "bvd-bundle.tgz")
        server = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-m",
                                   "tests.installer.serve_fleet", str(store), "1.0.0"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  cwd=str(Path(__file__).resolve().parents[2]))
        assert server.stdout is not None and server.stdin is not None
        api_url = server.stdout.readline().strip()
        assert api_url.startswith("http://127.0.0.1:"), api_url
        res = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-m", "bvup", PROVISION_TOKEN, "--region", "local",
             "--api", api_url, "--bridge", "bvbr0", "--create-bridge", "--host-ip", "10.88.0.1",
             "--gateway-ip", "10.88.0.254", "--net-prefix", "24", "--available-ips", "10.88.0.10-10.88.0.12",
             "--service-manager", "process", "--health-timeout", "40"],
            env=host.env(), capture_output=True, text=True, timeout=180)
        assert res.returncode == 0, res.stderr
        config = load_host_config(host.root / "etc/blockvisor.json")
        assert config.iface == "bvbr0" and not config.apptainer.host_network
        assert config.net_conf.available_ips == ["10.88.0.10", "10.88.0.11", "10.88.0.12"]
        addr = subprocess.run(["ip", "-n", ns, "-j", "addr", "show", "bvbr0"], capture_output=True,
                              text=True, check=True).stdout
        assert json.loads(addr)[0]["addr_info"][0]["local"] == "10.88.0.1"
        fwd = subprocess.run(["ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/ip_forward"],
                             capture_output=True, text=True, check=True).stdout
        assert fwd.strip() == "1"
        assert host.current() == "1.0.0" and host.healthy()
        server.stdin.close()
        assert json.loads(server.stdout.readline()) == [config.id]
    finally:
        host.stop()
        if server is not None:
            server.kill()
            server.wait()
        subprocess.run(["ip", "netns", "del", ns], check=False)


def test_register_then_install_later_with_an_expired_token(host: Host, store: tuple[str, Path],
                                                            work: Path) -> None:
    with BundleFleetApi.in_thread(token_ttl=1.0) as api:
        assert isinstance(api, BundleFleetApi)
        _publish(api, store, work, "1.0.0")
        res = bvup(host, PROVISION_TOKEN, "--region", "local", "--api", api.url, "--skip-download", *HOST_NET)
        assert res.returncode == 0, res.stderr
        assert host.current() is None and api.calls_of("BundleService.ListVersions") == []
        before = load_host_config(host.root / "etc/blockvisor.json")
        import time

        time.sleep(1.5)  # the host token is past its exp now
        res = bvup(host, "--skip-init", *HOST_NET)
        assert res.returncode == 0, res.stderr
        after = load_host_config(host.root / "etc/blockvisor.json")
        assert after.token != before.token and after.refresh_token != before.refresh_token
        assert len(api.calls_of("AuthService.Refresh")) >= 1
        assert host.current() == "1.0.0" and host.healthy()
