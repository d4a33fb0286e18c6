"""What every node of one daemon shares: paths, platform backend, bundle, network, host facts.

Built once by the daemon from its options and host config and handed to the nodes manager and
each `Node`; nothing here changes while the daemon runs.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bv_core.errors import InvalidInput, NotFound
from bv_core.models import HostConfig
from bv_daemon.paths import HostPaths
from bv_daemon.platform.base import Platform
from bv_daemon.scheduler import Scheduler

if TYPE_CHECKING:
    from bv_daemon.archive_gateway import ArchiveGateway
    from bv_daemon.plugin_host import SecretStore

__all__ = [
    "DEFAULT_BRIDGE",
    "DEFAULT_BUNDLE_DIR",
    "DEFAULT_NETWORK",
    "Bundle",
    "NetSettings",
    "Runtime",
]

DEFAULT_BRIDGE = "bvbr0"
DEFAULT_NETWORK = "192.168.250.1/24"  # standalone default: bridge address / prefix
DEFAULT_BUNDLE_DIR = Path("/opt/blockvisor/current/bundle")


@dataclass(frozen=True)
class Bundle:
    """Where the in-node binaries come from: the shiv zipapps of ``scripts/bundle.sh``."""

    dir: Path

    @classmethod
    def from_env(cls, override: str | os.PathLike[str] | None = None) -> Bundle:
        return cls(Path(override or os.environ.get("BV_BUNDLE_DIR") or DEFAULT_BUNDLE_DIR))

    @property
    def babel(self) -> Path:
        return self.dir / "babel"

    @property
    def job_runner(self) -> Path:
        return self.dir / "babel_job_runner"

    def check(self) -> None:
        for path in (self.babel, self.job_runner):
            if not path.is_file():
                raise NotFound(
                    f"bundle file {path} is missing (build it with scripts/bundle.sh, "
                    "or point --bundle-dir / BV_BUNDLE_DIR at a bundle)"
                )


@dataclass(frozen=True)
class NetSettings:
    """The node network: a host bridge whose address is every node's gateway, and an IP pool."""

    bridge: str
    bridge_ip: str
    prefix: int
    node_gateway: str  # exported to nodes as NODE_GATEWAY (config gateway_ip)
    pool: tuple[str, ...]

    @classmethod
    def from_config(cls, config: HostConfig | None) -> NetSettings:
        if config is None or config.net_conf.host_ip == "0.0.0.0":
            iface = ipaddress.IPv4Interface(DEFAULT_NETWORK)
            bridge = config.iface if config is not None else DEFAULT_BRIDGE
        else:
            try:
                iface = ipaddress.IPv4Interface(f"{config.net_conf.host_ip}/{config.net_conf.prefix}")
            except ValueError as err:
                raise InvalidInput(f"host config net_conf: {err}") from None
            bridge = config.iface
        bridge_ip = str(iface.ip)
        gateway = bridge_ip
        if config is not None and config.net_conf.gateway_ip != "0.0.0.0":
            gateway = config.net_conf.gateway_ip
        if config is not None and config.net_conf.available_ips:
            pool = tuple(config.net_conf.available_ips)
        else:
            pool = tuple(str(h) for h in iface.network.hosts() if str(h) not in (bridge_ip, gateway))
        return cls(bridge, bridge_ip, iface.network.prefixlen, gateway, pool)


@dataclass
class Runtime:
    paths: HostPaths
    platform: Platform
    bundle: Bundle
    net: NetSettings
    host_id: str
    host_name: str
    api_url: str = ""
    log_level: str = "info"
    cpu_limit: bool = True
    memory_limit: bool = True
    maintenance_mode: bool = False
    scheduler: Scheduler | None = None
    backoff_scale: float = 1.0  # multiplies every recovery backoff base (tests shorten it)
    babel_start_timeout: float = 60.0
    stop_timeout: float = 30.0
    extra: dict[str, str] = field(default_factory=dict)
    # Where nodes' archive and secret calls go. None = dev-mode answers / FAILED_PRECONDITION.
    # Standalone: the daemon sets archives to a local store when one is configured; connected
    # mode sets both to the fleet API once it is open (after nodes attached: read per call).
    archives: ArchiveGateway | None = None
    secrets: SecretStore | None = None
