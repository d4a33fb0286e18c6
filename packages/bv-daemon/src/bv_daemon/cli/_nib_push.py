"""``nib protocol push`` / ``nib image push``: publish babel.yaml to the fleet API, idempotently.

Algorithms of api-contract.md §5.3 (bv-host.md §3.6): a protocol version per variant
(GetLatest → AddVersion + UpdateVersion(visibility), or UpdateVersion of what changed), then an
image (GetImage → AddImage + UpdateImage(visibility) when anything but visibility differs, else
UpdateImage(visibility) or nothing). Unlike the original, ``protocol push`` updates a protocol only
when a field differs, so pushing twice sends no writes at all; and a ``!password`` property keeps
UI_TYPE_PASSWORD instead of being sent as TEXT (a secret shown as plain text is a bug).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bv_core.errors import InvalidInput, NotFound
from bv_core.models import ImageImpact, ImageMetadata, ImageVariant
from bv_core.models._image import (
    CombinationDisallowed,
    EnumUi,
    PasswordUi,
    StoreKey,
    SwitchUi,
    TextUi,
    Visibility,
)
from bv_core.models._yaml import load_yaml
from bv_core.proto.blockjoy.common.v1 import config_pb2
from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as common_protocol_pb2
from bv_core.proto.blockjoy.v1 import image_pb2, protocol_pb2

__all__ = [
    "ProtocolDef",
    "add_image_request",
    "firewall_message",
    "image_properties",
    "load_protocols",
    "push_image",
    "push_protocols",
]

Say = Callable[[str], None]
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_VISIBILITY = {
    Visibility.PUBLIC: common_protocol_pb2.VISIBILITY_PUBLIC,
    Visibility.PRIVATE: common_protocol_pb2.VISIBILITY_PRIVATE,
    Visibility.DEVELOPMENT: common_protocol_pb2.VISIBILITY_DEVELOPMENT,
}
_ACTION = {"allow": config_pb2.FIREWALL_ACTION_ALLOW, "deny": config_pb2.FIREWALL_ACTION_DROP,
           "reject": config_pb2.FIREWALL_ACTION_REJECT}
_PROTO = {"tcp": config_pb2.FIREWALL_PROTOCOL_TCP, "udp": config_pb2.FIREWALL_PROTOCOL_UDP,
          "both": config_pb2.FIREWALL_PROTOCOL_BOTH}
_DIRECTION = {"in": config_pb2.FIREWALL_DIRECTION_INBOUND, "out": config_pb2.FIREWALL_DIRECTION_OUTBOUND}


# -- babel.yaml -> API messages ------------------------------------------------------------------

def _impact(prop: image_pb2.AddImageProperty, impact: ImageImpact | None) -> None:
    if impact is None:
        return
    prop.new_archive = impact.new_archive
    if impact.add_cpu is not None:
        prop.add_cpu_cores = impact.add_cpu
    if impact.add_memory_mb is not None:
        prop.add_memory_bytes = impact.add_memory_mb * 1_000_000
    if impact.add_disk_gb is not None:
        prop.add_disk_bytes = impact.add_disk_gb * 1_000_000_000


def image_properties(variant: ImageVariant) -> list[image_pb2.AddImageProperty]:
    """Expand babel.yaml properties as the API stores them (switch/enum → one per choice)."""
    out: list[image_pb2.AddImageProperty] = []
    for p in variant.properties:
        common: dict[str, Any] = {"dynamic_value": p.dynamic_value}
        if p.description is not None:
            common["description"] = p.description
        ui = p.ui_type
        if isinstance(ui, TextUi | PasswordUi):
            kind = (common_protocol_pb2.UI_TYPE_TEXT if isinstance(ui, TextUi)
                    else common_protocol_pb2.UI_TYPE_PASSWORD)
            prop = image_pb2.AddImageProperty(key=p.key, display_name=p.name, default_value=p.default_value,
                                              ui_type=kind, **common)
            _impact(prop, ui.impact)
            out.append(prop)
        elif isinstance(ui, SwitchUi):
            for side, impact in (("on", ui.on), ("off", ui.off)):
                prop = image_pb2.AddImageProperty(
                    key=f"{p.key}-{side}", key_group=p.key, is_group_default=p.default_value == side,
                    default_value=side, display_name=p.name, display_group=p.name,
                    ui_type=common_protocol_pb2.UI_TYPE_SWITCH, **common)
                _impact(prop, impact)
                out.append(prop)
        elif isinstance(ui, EnumUi):
            for option in ui.values:
                prop = image_pb2.AddImageProperty(
                    key=f"{p.key}-{option.value}", key_group=p.key,
                    is_group_default=p.default_value == option.value, default_value=option.value,
                    display_name=option.name, display_group=p.name,
                    ui_type=common_protocol_pb2.UI_TYPE_ENUM, **common)
                _impact(prop, option.impact)
                out.append(prop)
    return sorted(out, key=lambda x: x.key)


def firewall_message(variant: ImageVariant) -> config_pb2.FirewallConfig:
    fw = variant.firewall_config
    rules = []
    for r in sorted(fw.rules, key=lambda r: r.key):
        rule = config_pb2.FirewallRule(
            key=r.key, protocol=_PROTO[r.protocol.value], direction=_DIRECTION[r.direction.value],
            action=_ACTION[r.action.value],
            ips=[config_pb2.IpName(ip=i.ip, name=i.name) if i.name is not None else config_pb2.IpName(ip=i.ip)
                 for i in r.ips],
            ports=[config_pb2.PortName(port=p.port, name=p.name) if p.name is not None
                   else config_pb2.PortName(port=p.port) for p in r.ports],
        )
        if r.description is not None:
            rule.description = r.description
        rules.append(rule)
    return config_pb2.FirewallConfig(default_in=_ACTION[fw.default_in.value],
                                     default_out=_ACTION[fw.default_out.value], rules=rules)


def add_image_request(variant: ImageVariant, protocol_version_id: str,
                      min_babel_version: str) -> image_pb2.ImageServiceAddImageRequest:
    req = image_pb2.ImageServiceAddImageRequest(
        protocol_version_id=protocol_version_id, image_uri=variant.container_uri,
        properties=image_properties(variant), firewall=firewall_message(variant),
        min_cpu_cores=variant.min_cpu, min_memory_bytes=variant.min_memory_mb * 1_000_000,
        min_disk_bytes=variant.min_disk_gb * 1_000_000_000, min_babel_version=min_babel_version,
        ramdisks=[config_pb2.RamdiskConfig(mount=r.mount, size_bytes=r.size_mb * 1_000_000)
                  for r in variant.ramdisks],
    )
    if variant.org_id is not None:
        req.org_id = str(variant.org_id)
    if variant.description is not None:
        req.description = variant.description
    if variant.dns_scheme is not None:
        req.dns_scheme = variant.dns_scheme
    for ptr in variant.archive_pointers:
        msg = image_pb2.ArchivePointer(new_archive_keys=list(ptr.new_archive_properties))
        if isinstance(ptr.pointer, StoreKey):
            msg.store_key = ptr.pointer.key
        else:
            assert isinstance(ptr.pointer, CombinationDisallowed)
            msg.disallowed.SetInParent()
        req.archive_pointers.append(msg)
    return req


def _existing_properties(image: image_pb2.Image) -> list[image_pb2.AddImageProperty]:
    out = []
    for p in image.properties:
        q = image_pb2.AddImageProperty()
        for field in q.DESCRIPTOR.fields:
            if field.has_presence and not p.HasField(field.name):
                continue
            value = getattr(p, field.name)
            if field.has_presence or value:
                setattr(q, field.name, value)
        out.append(q)
    return sorted(out, key=lambda x: x.key)


def _image_unchanged(image: image_pb2.Image, want: image_pb2.ImageServiceAddImageRequest) -> bool:
    """Everything but visibility and min_babel_version (as the original) is equal."""
    got_fw = config_pb2.FirewallConfig()
    got_fw.CopyFrom(image.firewall)
    got_fw.ClearField("rules")
    got_fw.rules.extend(sorted(image.firewall.rules, key=lambda r: r.key))
    return (
        (image.org_id if image.HasField("org_id") else None) == (want.org_id if want.HasField("org_id") else None)
        and (image.description if image.HasField("description") else None)
        == (want.description if want.HasField("description") else None)
        and _existing_properties(image) == list(want.properties)
        and got_fw == want.firewall
        and (image.min_cpu_cores, image.min_memory_bytes, image.min_disk_bytes)
        == (want.min_cpu_cores, want.min_memory_bytes, want.min_disk_bytes)
        and image.image_uri == want.image_uri
        and list(image.ramdisks) == list(want.ramdisks)
    )


# -- pushes ---------------------------------------------------------------------------------------

async def _get_or_none(client: Any, service: str, method: str, req: Any) -> Any:
    try:
        return await client.call(service, method, req)
    except NotFound:
        return None


async def push_image(client: Any, meta: ImageMetadata, min_babel_version: str, say: Say) -> None:
    """Push every variant of ``meta``; all are resolved (validated) before anything is sent."""
    variants = [meta.variant(v.key) for v in meta.variants]
    for v in variants:
        key = common_protocol_pb2.ProtocolVersionKey(protocol_key=v.protocol_key, variant_key=v.variant_key)
        org = {"org_id": str(v.org_id)} if v.org_id is not None else {}
        visibility = _VISIBILITY[v.visibility]
        name = f"{v.protocol_key}/{v.variant_key}/{v.version}"
        latest = await _get_or_none(client, "ProtocolService", "GetLatest",
                                    protocol_pb2.ProtocolServiceGetLatestRequest(version_key=key, **org))
        version = latest.protocol_version if latest is not None else None
        if version is not None and version.semantic_version == v.version:
            upd = protocol_pb2.ProtocolServiceUpdateVersionRequest(protocol_version_id=version.protocol_version_id)
            changed = False
            if version.visibility != visibility:
                upd.visibility, changed = visibility, True
            if (version.description if version.HasField("description") else None) != v.description \
                    and v.description is not None:
                upd.description, changed = v.description, True
            if version.sku_code != v.sku_code:
                upd.sku_code, changed = v.sku_code, True
            if changed:
                version = (await client.call("ProtocolService", "UpdateVersion", upd)).protocol_version
                say(f"Variant version '{name}' updated")
        else:
            add = protocol_pb2.ProtocolServiceAddVersionRequest(
                version_key=key, semantic_version=v.version, sku_code=v.sku_code,
                metadata=[common_protocol_pb2.VersionMetadata(metadata_key=m.key, value=m.value,
                                                              description=m.description)
                          for m in v.metadata], **org)
            if v.description is not None:
                add.description = v.description
            try:
                version = (await client.call("ProtocolService", "AddVersion", add)).version
            except NotFound as err:
                raise NotFound(f"cannot add version {name}: is protocol '{v.protocol_key}' in the fleet "
                               f"API? (`nib protocol push` adds it) ({err})") from None
            version = (await client.call("ProtocolService", "UpdateVersion",
                                         protocol_pb2.ProtocolServiceUpdateVersionRequest(
                                             protocol_version_id=version.protocol_version_id,
                                             visibility=visibility))).protocol_version
            say(f"Variant version '{name}' added")
        want = add_image_request(v, version.protocol_version_id, min_babel_version)
        get = image_pb2.ImageServiceGetImageRequest(version_key=key, semantic_version=v.version)
        if v.org_id is not None:
            get.org_id = str(v.org_id)
        got = await _get_or_none(client, "ImageService", "GetImage", get)
        if got is not None and _image_unchanged(got.image, want):
            if got.image.visibility != visibility:
                await client.call("ImageService", "UpdateImage", image_pb2.ImageServiceUpdateImageRequest(
                    image_id=got.image.image_id, visibility=visibility))
                say(f"Image '{name}/{got.image.build_version}' updated")
            else:
                say(f"No image changes to push for '{name}/{got.image.build_version}'")
            continue
        image = (await client.call("ImageService", "AddImage", want)).image
        await client.call("ImageService", "UpdateImage", image_pb2.ImageServiceUpdateImageRequest(
            image_id=image.image_id, visibility=visibility))
        say(f"Image '{name}/{image.build_version}' added")


@dataclass(frozen=True)
class ProtocolDef:
    """One entry of protocols.yaml."""

    key: str
    name: str
    visibility: Visibility
    org_id: str | None = None
    ticker: str | None = None
    description: str | None = None


def load_protocols(path: Path) -> list[ProtocolDef]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InvalidInput(f"cannot read {path}: {err.strerror or err}") from None
    doc = load_yaml(text, str(path))
    if not isinstance(doc, list):
        raise InvalidInput(f"{path}: expected a list of protocols")
    out = []
    for i, item in enumerate(doc):
        where = f"{path}: protocol #{i + 1}"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: expected a mapping")
        unknown = set(item) - {"key", "name", "visibility", "org_id", "ticker", "description"}
        if unknown:
            raise InvalidInput(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        key, pname = item.get("key"), item.get("name")
        if not isinstance(key, str) or not _KEBAB.match(key):
            raise InvalidInput(f"{where}: 'key: {key}' isn't lower-kebab-case")
        if not isinstance(pname, str):
            raise InvalidInput(f"{where} ({key}): name is required")
        try:
            visibility = Visibility(item.get("visibility"))
        except ValueError:
            raise InvalidInput(f"{where} ({key}): visibility must be public, private or development") from None
        org_id = item.get("org_id")
        if org_id is not None:
            try:
                org_id = str(uuid.UUID(str(org_id)))
            except ValueError:
                raise InvalidInput(f"{where} ({key}): org_id {org_id!r} is not a UUID") from None
        opt = {f: item.get(f) for f in ("ticker", "description")}
        for f, val in opt.items():
            if val is not None and not isinstance(val, str):
                raise InvalidInput(f"{where} ({key}): {f} must be text")
        out.append(ProtocolDef(key, pname, visibility, org_id, opt["ticker"], opt["description"]))
    return out


async def push_protocols(client: Any, protocols: list[ProtocolDef], say: Say) -> None:
    for p in protocols:
        org = {"org_id": p.org_id} if p.org_id is not None else {}
        visibility = _VISIBILITY[p.visibility]
        got = await _get_or_none(client, "ProtocolService", "GetProtocol",
                                 protocol_pb2.ProtocolServiceGetProtocolRequest(protocol_key=p.key, **org))
        if got is not None:
            cur = got.protocol
            upd = protocol_pb2.ProtocolServiceUpdateProtocolRequest(protocol_id=cur.protocol_id)
            changed = False
            if cur.name != p.name:
                upd.name, changed = p.name, True
            if p.description is not None and (cur.description if cur.HasField("description") else None) \
                    != p.description:
                upd.description, changed = p.description, True
            if cur.visibility != visibility:
                upd.visibility, changed = visibility, True
            if changed:
                await client.call("ProtocolService", "UpdateProtocol", upd)
                say(f"Protocol '{p.key}' updated")
            else:
                say(f"Protocol '{p.key}' unchanged")
            continue
        add = protocol_pb2.ProtocolServiceAddProtocolRequest(key=p.key, name=p.name, **org)
        if p.description is not None:
            add.description = p.description
        if p.ticker is not None:
            add.ticker = p.ticker
        added = (await client.call("ProtocolService", "AddProtocol", add)).protocol
        await client.call("ProtocolService", "UpdateProtocol", protocol_pb2.ProtocolServiceUpdateProtocolRequest(
            protocol_id=added.protocol_id, visibility=visibility))
        say(f"Protocol '{p.key}' added")
