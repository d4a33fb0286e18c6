"""bvup's two phases (bv-host.md §5, api-contract.md §3.1): register the host, install the bundle.

Init (unless ``--skip-init``): validate everything local first (bridge, network), then GetRegion
and CreateHost, and only then write ``<root>/etc/blockvisor.json`` in one atomic 0600 write — a
bad token, an unknown region or an unreachable API leave no config at all. A host that already
has a config for the same API is not registered again (re-running bvup is safe); another API
is refused. Download (unless ``--skip-download``): the newest non-blacklisted bundle (any major),
downloaded, checked, unpacked under ``var/lib/blockvisor/downloads``, its installer run to the
end (which health-checks the daemon), then bvup waits for GetHealth OK itself.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import platform
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bv_core.errors import BvError, ExternalError, InvalidInput, NotFound
from bv_core.models import ApptainerConfig, HostConfig, NetConf, load_host_config, save_host_config
from bv_core.proto.blockjoy.common.v1 import host_pb2 as common_host_pb2
from bv_core.proto.blockjoy.common.v1 import tag_pb2
from bv_core.proto.blockjoy.v1 import host_pb2
from bv_installer import (
    DaemonClient,
    InstallPaths,
    default_service_manager,
    download_bundle,
    read_blacklist,
    unpack_bundle,
)

from . import _net
from ._api import FleetApi, TokenExpired

__all__ = ["Options", "provision"]

log = logging.getLogger("bvup")
_OK = 2  # blockvisor.internal.v1.SERVICE_STATUS_OK
_T = TypeVar("_T")


@dataclass
class Options:
    token: str | None
    region: str | None
    api: str = "https://api.prod.blockjoy.com"
    bridge: str = "bvbr0"
    create_bridge: bool = False
    gateway_ip: str | None = None
    host_ip: str | None = None
    net_prefix: int | None = None
    available_ips: str | None = None
    port: int = 9001
    update_secs: int | None = 60
    skip_init: bool = False
    skip_download: bool = False
    private: bool = False
    use_host_network: bool = False
    service_manager: str | None = None
    health_timeout: float = 180.0
    installer_args: list[str] = field(default_factory=list)


def _semver_key(v: str) -> tuple[int, ...] | None:
    core = v.split("+", 1)[0]
    main, _, pre = core.partition("-")
    parts = main.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return (*(int(p) for p in parts), 0 if pre else 1)


def _host_facts(paths: InstallPaths) -> dict[str, object]:
    os_name, os_version = platform.system(), platform.release()
    try:
        rel = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = rel.get("NAME", os_name).strip('"')
        os_version = rel.get("VERSION_ID", os_version).strip('"')
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    disk_dir = paths.var
    while not disk_dir.exists():
        disk_dir = disk_dir.parent
    return {"cpu_cores": os.cpu_count() or 1, "memory_bytes": mem,
            "disk_bytes": shutil.disk_usage(disk_dir).total, "os": os_name, "os_version": os_version}


def _net_conf(opts: Options) -> tuple[NetConf, str]:
    """The config's net_conf and iface, from discovery plus overrides; validated, no side effects."""
    iface = opts.bridge
    if opts.use_host_network:
        found = _net.discover(None)
    else:
        if not _net.bridge_exists(opts.bridge) and not opts.create_bridge:
            raise NotFound(f"bridge interface '{opts.bridge}' not found: create it, pass --create-bridge, "
                           "or use --use-host-network")
        found = _net.discover(opts.bridge)
    gateway = opts.gateway_ip or found.gateway
    host_ip = opts.host_ip or found.host_ip
    prefix = opts.net_prefix if opts.net_prefix is not None else (found.prefix or 24)
    for name, value in (("--gateway-ip", gateway), ("--host-ip", host_ip)):
        if not value or ipaddress.ip_address(value).is_unspecified:
            raise InvalidInput(f"{name} is required: it could not be discovered from `ip route`")
    assert gateway is not None and host_ip is not None
    if opts.available_ips is not None:
        pool = _net.parse_ips(opts.available_ips)
    elif opts.use_host_network or not found.available:
        pool = [host_ip]
    else:
        pool = found.available
    if opts.available_ips is not None or not opts.use_host_network:
        pool = [ip for ip in pool if ip not in (host_ip, gateway)] or pool
    try:
        return NetConf(gateway_ip=gateway, host_ip=host_ip, prefix=prefix, available_ips=pool), iface
    except BvError as err:
        raise InvalidInput(f"network settings: {err}") from None


def _init(opts: Options, paths: InstallPaths) -> None:
    if paths.config.exists():
        try:
            existing = load_host_config(paths.config)
        except BvError as err:
            raise InvalidInput(f"{paths.config} exists but is unreadable ({err}); move it away to re-provision") \
                from None
        if existing.blockjoy_api_url == opts.api and existing.token:
            print(f"Host already provisioned as {existing.id} against {opts.api}; keeping {paths.config}")
            return
        raise InvalidInput(f"{paths.config} already provisions this host against "
                           f"{existing.blockjoy_api_url or 'no fleet API (standalone)'}; move it away to "
                           f"provision against {opts.api}")
    if not opts.token:
        raise InvalidInput("PROVISION_TOKEN is required (or pass --skip-init)")
    if not opts.region:
        raise InvalidInput("--region is required")
    if default_service_manager(paths, opts.service_manager).is_active():
        raise InvalidInput("Can't provision and init blockvisor configuration, while it is running, "
                           "`bv stop` first.")
    print("Provision and init blockvisor configuration")
    net_conf, iface = _net_conf(opts)
    facts = _host_facts(paths)
    from bvup import __version__

    api = FleetApi(opts.api)
    try:
        region_id = api.region_id(opts.region)
        resp = api.create_host(host_pb2.HostServiceCreateHostRequest(
            provision_token=opts.token, is_private=opts.private, network_name=socket.gethostname(),
            region_id=region_id, schedule_type=common_host_pb2.SCHEDULE_TYPE_AUTOMATIC,
            bv_version=__version__, ip_address=net_conf.host_ip, ip_gateway=net_conf.gateway_ip,
            ips=net_conf.available_ips, tags=tag_pb2.Tags(tags=[tag_pb2.Tag(name="testing")]),
            **facts))  # type: ignore[arg-type]
    finally:
        api.close()
    host = resp.host
    config = HostConfig(
        id=host.host_id, org_id=host.org_id if host.HasField("org_id") else None,
        private_org_id=(resp.provision_org_id or None) if opts.private else None,
        name=socket.gethostname(), token=resp.token, refresh_token=resp.refresh,
        blockjoy_api_url=opts.api, blockjoy_mqtt_url=None,
        update_check_interval_secs=opts.update_secs, blockvisor_port=opts.port, iface=iface,
        net_conf=net_conf,
        apptainer=ApptainerConfig(host_network=True, cpu_limit=False, memory_limit=False)
        if opts.use_host_network else ApptainerConfig(),
    )
    # Side effects on the host network come after everything that can be refused.
    if not opts.use_host_network:
        if not _net.bridge_exists(opts.bridge):
            _net.create_bridge(opts.bridge, f"{net_conf.host_ip}/{net_conf.prefix}")
        _net.enable_forwarding()
    paths.config.parent.mkdir(parents=True, exist_ok=True)
    save_host_config(paths.config, config)
    print(f"Host {config.id} registered; configuration written to {paths.config}")


def _download_and_install(opts: Options, paths: InstallPaths) -> None:
    print("Download and install bv bundle")
    if not paths.config.exists():
        raise NotFound(f"{paths.config} not found: run bvup with a PROVISION_TOKEN first")
    config = load_host_config(paths.config)
    if not config.blockjoy_api_url or not config.token or not config.refresh_token:
        raise InvalidInput(f"{paths.config} has no fleet API credentials")
    api = FleetApi(config.blockjoy_api_url)

    def authed(call: Callable[[str], _T]) -> _T:
        """``call(token)``; an expired host token is refreshed (and saved) once, then retried."""
        assert config.token is not None and config.refresh_token is not None
        try:
            return call(config.token)
        except TokenExpired:
            config.token, config.refresh_token = api.refresh(config.token, config.refresh_token)
            save_host_config(paths.config, config)
            return call(config.token)

    try:
        versions = authed(api.bundle_versions)
        banned = set(read_blacklist(paths))
        ranked = sorted((k, v) for v in versions if v not in banned and (k := _semver_key(v)) is not None)
        if not ranked:
            raise NotFound("No bv bundle found")
        version = ranked[-1][1]
        url = authed(lambda token: api.bundle_url(token, version))
    finally:
        api.close()
    print(f"Installing bundle {version}")
    tarball = download_bundle(url, paths.downloads / "bundle.tar.gz")
    bundle = unpack_bundle(tarball, paths.downloads)
    tarball.unlink(missing_ok=True)
    args: list[str] = ["--health-timeout", str(opts.health_timeout), *opts.installer_args]
    if opts.service_manager:
        args += ["--service-manager", opts.service_manager]
    env = {**os.environ, "BV_ROOT": str(paths.root)}
    res = subprocess.run([str(bundle / "installer"), *args], env=env, check=False,
                         timeout=opts.health_timeout * 3 + 600)
    if res.returncode != 0:
        raise ExternalError(f"bundle {version} installer failed with exit code {res.returncode} "
                            "(its log lines are above)")
    _wait_healthy(paths, opts.health_timeout)
    print(f"BlockVisor {version} installed; blockvisord is healthy")


def _wait_healthy(paths: InstallPaths, timeout: float) -> None:
    client = DaemonClient(paths.socket)
    deadline = time.monotonic() + timeout
    while client.health() != _OK:
        if time.monotonic() >= deadline:
            raise ExternalError(f"blockvisord not healthy within {timeout:.0f}s")
        time.sleep(0.2)


def provision(opts: Options, paths: InstallPaths | None = None) -> None:
    paths = paths or InstallPaths.from_env()
    if opts.skip_init and opts.skip_download:
        raise InvalidInput("--skip-init and --skip-download exclude each other")
    if not opts.skip_init:
        _init(opts, paths)
    if not opts.skip_download:
        _download_and_install(opts, paths)
