"""Host configuration, ``/etc/blockvisor.json`` (original ``bv_config.rs`` + ``api_config.rs``, 2.16).

Same flat JSON shape and defaults as the original, with two deliberate differences:
the fleet-API credentials (``token``, ``refresh_token``, ``blockjoy_api_url``) may all be absent,
which is standalone mode; and ``apptainer`` defaults instead of being required, since apptainer
is one platform backend among several here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import msgspec

from ._base import U8, U32, U64, Model, MutableModel, Port, check_ip
from ._decode import FieldError, load_json, save_json

__all__ = [
    "HOST_CONFIG_PATH",
    "ApptainerConfig",
    "HostConfig",
    "NetConf",
    "load_host_config",
    "save_host_config",
]

HOST_CONFIG_PATH = Path("/etc/blockvisor.json")


class ApptainerConfig(Model, frozen=True, kw_only=True):
    """Container options; a node's own copy (NodeState.apptainer_config) overrides the host's."""

    extra_args: list[str] | None = None
    host_network: bool = False
    cpu_limit: bool = True
    memory_limit: bool = True


class NetConf(Model, frozen=True, kw_only=True):
    """Host network and the pool of node IPs. ``host_ip`` 0.0.0.0 means "discover from routes"."""

    gateway_ip: str = "0.0.0.0"
    host_ip: str = "0.0.0.0"
    prefix: U8 = 32
    available_ips: list[str] = []

    def __post_init__(self) -> None:
        for name in ("gateway_ip", "host_ip"):
            try:
                check_ip(getattr(self, name), name)
            except ValueError as exc:
                raise FieldError(name, str(exc)) from None
        if self.prefix > 128:
            raise FieldError("prefix", f"expected a prefix length <= 128, got {self.prefix}")
        for i, ip in enumerate(self.available_ips):
            try:
                check_ip(ip, "available IP")
            except ValueError as exc:
                raise FieldError(f"available_ips[{i}]", str(exc)) from None


class HostConfig(MutableModel, kw_only=True):
    id: str  # host UUID, also the MQTT client id
    org_id: str | None = None
    private_org_id: str | None = None  # org of a private host; `bv node create` falls back to org_id
    name: str = msgspec.field(default_factory=socket.gethostname)
    # fleet API credentials (flattened ApiConfig); all absent = standalone mode
    token: str | None = None
    refresh_token: str | None = None
    blockjoy_api_url: str | None = None
    blockjoy_mqtt_url: str | None = None  # None = discover through the API
    update_check_interval_secs: U64 | None = None  # None = no periodic self-update check
    blockvisor_port: Port = 9001  # the original's TCP internal API; we use a Unix socket
    iface: str = "bvbr0"
    net_conf: NetConf = msgspec.field(default_factory=NetConf)
    cluster_id: str | None = None
    cluster_port: U32 | None = None
    cluster_seed_urls: list[str] | None = None
    apptainer: ApptainerConfig = msgspec.field(default_factory=ApptainerConfig)
    maintenance_mode: bool = False  # skip resource checks on create/upgrade
    # Not in the original: a directory archive store for standalone mode (protocol data served
    # to nodes by the daemon). None = no store. Left out of saved files while None, so configs
    # keep the original's shape.
    archive_store_dir: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise FieldError("id", "expected a non-empty host id")
        creds = {"token": self.token, "refresh_token": self.refresh_token,
                 "blockjoy_api_url": self.blockjoy_api_url}
        missing = [k for k, v in creds.items() if v is None]
        if missing and len(missing) < len(creds):
            raise FieldError(missing[0], "required when any fleet API setting is present "
                             "(token, refresh_token and blockjoy_api_url go together)")
        if self.archive_store_dir is not None and not os.path.isabs(self.archive_store_dir):
            raise FieldError("archive_store_dir",
                             f"expected an absolute directory path, got {self.archive_store_dir!r}")

    @property
    def connected(self) -> bool:
        """True when the host talks to a fleet API; False in standalone mode."""
        return self.blockjoy_api_url is not None


def load_host_config(path: str | os.PathLike[str] = HOST_CONFIG_PATH) -> HostConfig:
    return load_json(path, HostConfig)


def save_host_config(path: str | os.PathLike[str], config: HostConfig) -> None:
    """Atomic replace; the file holds tokens, so it is written mode 0600."""
    doc = msgspec.to_builtins(config)
    if config.archive_store_dir is None:
        del doc["archive_store_dir"]  # our extension: absent unless set
    save_json(path, doc, mode=0o600)
