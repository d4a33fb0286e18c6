"""Fleet API messages -> local models, validated at the edge (api-contract.md §2.4).

``node_state_from_api`` builds a ``NodeState`` from the ``Node`` of a NodeCreate/NodeUpgrade;
``firewall_from_api`` and ``properties_from_api`` convert the parts NodeUpdate also carries;
``apply_node_update`` applies a NodeUpdate to a state. Every problem raises a
``bv_core.errors.ModelError`` (an ``InvalidInput``) naming the node and the API field, e.g.
``node 5f1c…: ip_address: expected an IP address, got '10.0.0.300'``, or ``UnknownImage``.
The command loop turns those into INTERNAL_ERROR results before any handler runs, so a bad
message never touches a node.

Units are decimal as in the original: MB = bytes / 1e6, GB = bytes / 1e9 (rounded down).
"""

from __future__ import annotations

import ipaddress
import posixpath
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from bv_core.errors import InvalidInput, ModelError
from bv_core.models import (
    Direction,
    FirewallAction,
    FirewallConfig,
    FirewallRule,
    NetProtocol,
    NodeImage,
    NodeState,
    ProtocolImageKey,
    RamdiskConfiguration,
    VmConfig,
    convert,
)
from bv_core.proto.blockjoy.common.v1 import config_pb2

from ..firewall import check_rule_count

__all__ = [
    "MAX_PROPERTIES_BYTES",
    "MAX_PROPERTY_KEY",
    "MAX_PROPERTY_VALUE",
    "ImageExists",
    "UnknownImage",
    "apply_node_update",
    "firewall_from_api",
    "node_state_from_api",
    "properties_from_api",
]

MAX_PROPERTY_KEY = 256  # characters
MAX_PROPERTY_VALUE = 64 * 1024  # bytes (UTF-8) of one value
MAX_PROPERTIES_BYTES = 1024 * 1024  # all keys and values of one node together
_MAX_SIZE = 2**63 - 1  # a negative int64 sent as uint64 shows up above this
_MAX_CPUS = 4096

# (protocol/variant key, semantic version, image URI) -> is that image available on this host?
ImageExists = Callable[[ProtocolImageKey, str, str], bool]


class UnknownImage(InvalidInput):
    """The Node names an image this host cannot provide."""


_ACTIONS: dict[int, FirewallAction] = {
    config_pb2.FIREWALL_ACTION_ALLOW: FirewallAction.ALLOW,
    config_pb2.FIREWALL_ACTION_DROP: FirewallAction.DENY,
    config_pb2.FIREWALL_ACTION_REJECT: FirewallAction.REJECT,
}
_DIRECTIONS: dict[int, Direction] = {
    config_pb2.FIREWALL_DIRECTION_INBOUND: Direction.IN,
    config_pb2.FIREWALL_DIRECTION_OUTBOUND: Direction.OUT,
}
_PROTOCOLS: dict[int, NetProtocol] = {
    config_pb2.FIREWALL_PROTOCOL_TCP: NetProtocol.TCP,
    config_pb2.FIREWALL_PROTOCOL_UDP: NetProtocol.UDP,
    config_pb2.FIREWALL_PROTOCOL_BOTH: NetProtocol.BOTH,
}


def _enum(table: dict[int, Any], value: int, source: str, path: str, what: str) -> Any:
    try:
        return table[value]
    except KeyError:
        names = ", ".join(sorted(v.value for v in table.values()))
        raise ModelError(source, path, f"expected a {what} ({names}), got {value} "
                         "(UNSPECIFIED or unknown)") from None


def _size(value: int, source: str, path: str) -> int:
    if value > _MAX_SIZE:
        raise ModelError(source, path, f"expected a non-negative size, got {value} "
                         f"(= {value - 2**64} read as signed)")
    return value


def firewall_from_api(fw: Any | None, source: str, path: str = "config.firewall") -> FirewallConfig:
    """``blockjoy.common.v1.FirewallConfig`` -> FirewallConfig; None = the default config."""
    if fw is None:
        return FirewallConfig()
    rules: list[FirewallRule] = []
    for i, rule in enumerate(fw.rules):
        at = f"{path}.rules[{i}]"
        if not rule.key:
            raise ModelError(source, f"{at}.key", "expected a non-empty rule key")
        ips: list[str] = []
        for j, ip in enumerate(rule.ips):
            try:
                ipaddress.ip_network(ip.ip, strict=False)
            except ValueError:
                raise ModelError(source, f"{at}.ips[{j}].ip",
                                 f"expected an IP address or CIDR network, got {ip.ip!r}") from None
            ips.append(ip.ip)
        ports: list[int] = []
        for j, port in enumerate(rule.ports):
            if not 0 < port.port <= 65535:
                raise ModelError(source, f"{at}.ports[{j}].port",
                                 f"expected a port 1-65535, got {port.port}")
            ports.append(port.port)
        rules.append(FirewallRule(
            name=rule.key,
            action=_enum(_ACTIONS, rule.action, source, f"{at}.action", "firewall action"),
            direction=_enum(_DIRECTIONS, rule.direction, source, f"{at}.direction", "direction"),
            protocol=_enum(_PROTOCOLS, rule.protocol, source, f"{at}.protocol", "protocol"),
            ips=ips, ports=ports))
    config = FirewallConfig(
        default_in=_enum(_ACTIONS, fw.default_in, source, f"{path}.default_in", "firewall action"),
        default_out=_enum(_ACTIONS, fw.default_out, source, f"{path}.default_out",
                          "firewall action"),
        rules=rules)
    try:
        check_rule_count(config)
    except InvalidInput as exc:
        raise ModelError(source, f"{path}.rules", str(exc)) from None
    return config


def properties_from_api(values: Iterable[Any], source: str,
                        path: str = "config.image.values") -> dict[str, str]:
    """Property values keyed by ``key_group`` when set, else ``key`` (the original's rule)."""
    props: dict[str, str] = {}
    total = 0
    for i, value in enumerate(values):
        key = value.key_group if value.HasField("key_group") else value.key
        if not key or len(key) > MAX_PROPERTY_KEY:
            raise ModelError(source, f"{path}[{i}].key",
                             f"expected a key of 1-{MAX_PROPERTY_KEY} characters, got {key[:40]!r}"
                             + ("…" if len(key) > 40 else ""))
        size = len(value.value.encode())
        if size > MAX_PROPERTY_VALUE:
            raise ModelError(source, f"{path}[{i}].value",
                             f"property {key!r}: expected at most {MAX_PROPERTY_VALUE} bytes, got {size}")
        total += size + len(key)
        if total > MAX_PROPERTIES_BYTES:
            raise ModelError(source, path, f"expected at most {MAX_PROPERTIES_BYTES} bytes of "
                             f"properties in total, got more at {key!r}")
        props[key] = value.value
    return props


def _vm_from_api(vm: Any, source: str) -> VmConfig:
    if not 1 <= vm.cpu_cores <= _MAX_CPUS:
        raise ModelError(source, "config.vm.cpu_cores",
                         f"expected 1-{_MAX_CPUS} CPU cores, got {vm.cpu_cores}")
    memory = _size(vm.memory_bytes, source, "config.vm.memory_bytes")
    if memory < 1_000_000:
        raise ModelError(source, "config.vm.memory_bytes", f"expected at least 1 MB, got {memory}")
    disk = _size(vm.disk_bytes, source, "config.vm.disk_bytes")
    ramdisks = []
    for i, rd in enumerate(vm.ramdisks):
        size = _size(rd.size_bytes, source, f"config.vm.ramdisks[{i}].size_bytes")
        if size < 1_000_000:  # it would round to 0 MB, and tmpfs size=0 means no limit at all
            raise ModelError(source, f"config.vm.ramdisks[{i}].size_bytes",
                             f"expected at least 1 MB, got {size}")
        if not rd.mount.startswith("/") or ".." in rd.mount.split("/"):
            raise ModelError(source, f"config.vm.ramdisks[{i}].mount",
                             f"expected an absolute path without '..', got {rd.mount!r}")
        ramdisks.append(RamdiskConfiguration(ram_disk_mount_point=posixpath.normpath(rd.mount),
                                             ram_disk_size_mb=size // 1_000_000))
    return VmConfig(vcpu_count=vm.cpu_cores, mem_size_mb=memory // 1_000_000,
                    disk_size_gb=disk // 1_000_000_000, ramdisks=ramdisks)


def _ip(value: str, source: str, path: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ModelError(source, path, f"expected an IP address, got {value!r}") from None
    return value


def node_state_from_api(node: Any, *, image_exists: ImageExists | None = None) -> NodeState:
    """Build the local state of a new (or upgraded) node from a ``blockjoy.v1.Node``.

    Only what the original reads (§2.4); the daemon fills runtime fields (CPUs, status...).
    """
    try:
        node_id = uuid.UUID(node.node_id)
    except ValueError:
        raise ModelError("Node", "node_id", f"expected a UUID, got {node.node_id!r}") from None
    source = f"node {node_id}"
    if not node.node_name:
        raise ModelError(source, "node_name", "expected a non-empty node name")
    for name in ("config", "version_key"):
        if not node.HasField(name):
            raise ModelError(source, name, "required field is missing")
    config = node.config
    for name in ("vm", "image"):
        if not config.HasField(name):
            raise ModelError(source, f"config.{name}", "required field is missing")
    key = ProtocolImageKey(protocol_key=node.version_key.protocol_key,
                           variant_key=node.version_key.variant_key)
    if not key.protocol_key or not key.variant_key:
        raise ModelError(source, "version_key", "expected protocol_key and variant_key")
    image_cfg = config.image
    if image_exists is not None and not image_exists(key, node.semantic_version, image_cfg.image_uri):
        raise UnknownImage(f"{source}: image {key.protocol_key}/{key.variant_key} "
                           f"{node.semantic_version or '(no version)'} ({image_cfg.image_uri or 'no uri'}) "
                           "is not available on this host")
    firewall = firewall_from_api(config.firewall if config.HasField("firewall") else None, source)
    state = NodeState(
        id=node_id,
        name=node.node_name,
        protocol_id=node.protocol_id,
        image_key=key,
        ip=_ip(node.ip_address, source, "ip_address"),
        gateway=_ip(node.ip_gateway, source, "ip_gateway"),
        properties=properties_from_api(image_cfg.values, source),
        firewall=firewall,
        display_name=node.display_name,
        org_id=node.org_id,
        org_name=node.org_name,
        protocol_name=node.protocol_name,
        dns_name=node.dns_name,
        tags=[t.name for t in node.tags.tags],
        vm_config=_vm_from_api(config.vm, source),
        image=NodeImage(id=node.image_id, version=node.semantic_version, config_id=node.config_id,
                        archive_id=image_cfg.archive_id, store_key=image_cfg.store_key,
                        uri=image_cfg.image_uri, min_babel_version=image_cfg.min_babel_version),
    )
    # a round trip through the model's own validation catches anything the checks above missed
    return convert(msgspec.to_builtins(state), NodeState, source)


def apply_node_update(state: NodeState, update: Any) -> NodeState:
    """A copy of ``state`` with a ``blockjoy.v1.NodeUpdate`` applied (auto_upgrade/note ignored).

    Property values are merged (keyed by key_group or key); a present ``new_firewall``
    replaces the firewall. The caller re-applies the firewall and refreshes the node env.
    """
    source = f"node {state.id}"
    if update.node_id and update.node_id != str(state.id):
        raise ModelError(source, "node_id", f"update is for node {update.node_id}")
    properties = {**state.properties, **properties_from_api(update.new_values, source, "new_values")}
    image = msgspec.structs.replace(state.image, config_id=update.config_id or state.image.config_id)
    new = msgspec.structs.replace(
        state,
        properties=properties,
        image=image,
        display_name=update.new_display_name if update.HasField("new_display_name") else state.display_name,
        org_id=update.new_org_id if update.HasField("new_org_id") else state.org_id,
        org_name=update.new_org_name if update.HasField("new_org_name") else state.org_name,
        firewall=(firewall_from_api(update.new_firewall, source, "new_firewall")
                  if update.HasField("new_firewall") else state.firewall),
    )
    return new
