"""Building a new node's state from an image and a create request (standalone mode).

Validates what the operator typed: the node name, property keys and values against the image
variant's properties (an enum value must be one of its options, a switch "true"/"false"; any
text is otherwise accepted as *data*: it reaches the protocol through node_params(), never a
shell). Unset properties take the image defaults.
"""

from __future__ import annotations

import re
import secrets
import uuid

from bv_core.errors import InvalidInput
from bv_core.models import (
    EnumUi,
    FirewallConfig,
    FirewallRule,
    ImageFirewallConfig,
    NodeImage,
    NodeState,
    ProtocolImageKey,
    RamdiskConfiguration,
    SwitchUi,
    VmConfig,
    VmStatus,
)
from bv_daemon.images import Image

__all__ = ["MAX_PROPERTY_LEN", "firewall_from_image", "new_node_state", "node_properties", "validate_name"]

MAX_PROPERTY_LEN = 4096
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def validate_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise InvalidInput(
            f"invalid node name {name!r}: want 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit"
        )
    return name


def generated_name(protocol: str) -> str:
    return f"{protocol}-{secrets.token_hex(3)}"


def node_properties(image: Image, given: dict[str, str], base: dict[str, str] | None = None) -> dict[str, str]:
    """Image defaults (or ``base``), overridden by ``given``; every value checked."""
    props = {p.key: p for p in image.variant.properties}
    out = dict(base) if base is not None else {k: p.default_value for k, p in props.items()}
    for key, value in given.items():
        prop = props.get(key)
        if prop is None:
            known = ", ".join(sorted(props)) or "none"
            raise InvalidInput(f"unknown property {key!r} for image {image.protocol_key} (known: {known})")
        if len(value) > MAX_PROPERTY_LEN:
            raise InvalidInput(f"property {key}: value longer than {MAX_PROPERTY_LEN} characters")
        if "\x00" in value:
            raise InvalidInput(f"property {key}: value contains a NUL character")
        ui = prop.ui_type
        if isinstance(ui, EnumUi):
            allowed = [o.value for o in ui.values]
            if value not in allowed:
                raise InvalidInput(f"invalid value {value!r} for property {key}: choose one of {', '.join(allowed)}")
        elif isinstance(ui, SwitchUi) and value not in ("true", "false"):
            raise InvalidInput(f"invalid value {value!r} for property {key}: expected true or false")
        out[key] = value
    return out


def firewall_from_image(config: ImageFirewallConfig) -> FirewallConfig:
    rules = [
        FirewallRule(
            name=r.key, action=r.action, direction=r.direction, protocol=r.protocol,
            ips=[ip.ip if "/" in ip.ip else f"{ip.ip}/32" for ip in r.ips], ports=[p.port for p in r.ports],
        )  # fmt: skip
        for r in config.rules
    ]
    return FirewallConfig(default_in=config.default_in, default_out=config.default_out, rules=rules)


def node_image(image: Image, bv_version: str) -> NodeImage:
    return NodeImage(
        id=f"{image.protocol_key}/{image.variant.variant_key}/{image.version}", version=image.version,
        config_id="", archive_id="", store_key=image.store_key, uri=f"file://{image.dir}",
        min_babel_version=bv_version,
    )  # fmt: skip


def vm_config(image: Image) -> VmConfig:
    v = image.variant
    return VmConfig(
        vcpu_count=max(1, v.min_cpu), mem_size_mb=max(1, v.min_memory_mb), disk_size_gb=v.min_disk_gb,
        ramdisks=[RamdiskConfiguration(ram_disk_mount_point=r.mount, ram_disk_size_mb=r.size_mb) for r in v.ramdisks],
    )  # fmt: skip


def new_node_state(
    image: Image, *, name: str, ip: str, gateway: str, properties: dict[str, str],
    display_name: str, tags: list[str], bv_version: str, org_id: str = "",
) -> NodeState:
    return NodeState(
        id=uuid.uuid4(), name=name, protocol_id=image.protocol_key,
        image_key=ProtocolImageKey(protocol_key=image.protocol_key, variant_key=image.variant.variant_key),
        ip=ip, gateway=gateway, properties=properties,
        firewall=firewall_from_image(image.variant.firewall_config),
        display_name=display_name or name, org_id=org_id, protocol_name=image.protocol_key,
        tags=tags, vm_config=vm_config(image), image=node_image(image, bv_version),
        expected_status=VmStatus.STOPPED,
    )  # fmt: skip
