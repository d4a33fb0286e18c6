"""Image metadata: ``babel.yaml`` as the newest original (2.16 / HEAD) defines it.

Field names are the original's snake_case keys so existing images parse unmodified. On top of
the original's serde shape we apply, at parse time, the checks the original ran only in
``nib image check``/``push`` (semver, container URI, SKU format, lower-kebab-case keys and store
keys, CIDRs), and refuse unknown keys so a typo never silently drops a setting. Two keys the
original ignored but real images carry are accepted: a top-level ``sku_code`` (present in every
published image) and ``legacy_store_key`` on archive pointers (2.16.4 still read it).
"""

from __future__ import annotations

import enum
import os
import uuid
from typing import Annotated, Any

import msgspec

from ..errors import NotFound
from ._base import (
    U64,
    Direction,
    FirewallAction,
    Kebab,
    Model,
    NetProtocol,
    Port,
    check_cidr,
    check_unique,
)
from ._decode import PATTERN_HINTS, FieldError, convert, read_document
from ._yaml import TAGS, Tagged, dump_yaml, load_yaml

__all__ = [
    "ArchivePointer",
    "CombinationDisallowed",
    "EnumOption",
    "EnumUi",
    "ImageFirewallConfig",
    "ImageFirewallRule",
    "ImageImpact",
    "ImageIp",
    "ImageMetadata",
    "ImagePort",
    "ImageProperty",
    "ImageVariant",
    "PasswordUi",
    "Ramdisk",
    "StoreKey",
    "StorePointer",
    "SwitchUi",
    "TextUi",
    "UiType",
    "Variant",
    "VariantMetadata",
    "Visibility",
    "dump_image_metadata",
    "load_image_metadata",
    "parse_image_metadata",
]

# semver.org's reference regex (MAJOR.MINOR.PATCH[-pre][+build])
_SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_SKU = r"^[A-Z0-9]+-[A-Z0-9]+-[A-Z0-9]+$"
_URI = r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"
PATTERN_HINTS[_SEMVER] = "a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.3)"
PATTERN_HINTS[_SKU] = (
    "an SKU of 3 sections of upper-case ASCII letters/digits split by '-' (e.g. ETH-ERG-SF)"
)
PATTERN_HINTS[_URI] = "a container URI (scheme://..., e.g. docker://org/image/1.0.0)"

Semver = Annotated[str, msgspec.Meta(pattern=_SEMVER)]
Sku = Annotated[str, msgspec.Meta(pattern=_SKU)]
ContainerUri = Annotated[str, msgspec.Meta(pattern=_URI)]
I64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class Visibility(enum.Enum):
    PUBLIC = "public"
    DEVELOPMENT = "development"
    PRIVATE = "private"


class ImageIp(Model, frozen=True, kw_only=True):
    ip: str  # CIDR or single address
    name: str | None = None

    def __post_init__(self) -> None:
        try:
            check_cidr(self.ip, "ip")
        except ValueError as exc:
            raise FieldError("ip", str(exc)) from None


class ImagePort(Model, frozen=True, kw_only=True):
    port: Port
    name: str | None = None


class ImageFirewallRule(Model, frozen=True, kw_only=True):
    key: Kebab
    description: str | None = None
    protocol: NetProtocol
    direction: Direction
    action: FirewallAction
    ips: list[ImageIp] = []
    ports: list[ImagePort]  # required since 2.16; [] means every port


class ImageFirewallConfig(Model, frozen=True, kw_only=True):
    default_in: FirewallAction
    default_out: FirewallAction
    rules: list[ImageFirewallRule]

    def __post_init__(self) -> None:
        check_unique([r.key for r in self.rules], "firewall rule key", "rules")


class ImageImpact(Model, frozen=True, kw_only=True):
    """How choosing a property value changes the node: archive choice and resources (may be < 0)."""

    new_archive: bool = False
    add_cpu: I64 | None = None
    add_memory_mb: I64 | None = None
    add_disk_gb: I64 | None = None


class SwitchUi(Model, frozen=True, kw_only=True, tag_field="type", tag="switch"):
    on: ImageImpact | None = None
    off: ImageImpact | None = None


class TextUi(Model, frozen=True, kw_only=True, tag_field="type", tag="text"):
    impact: ImageImpact | None = None


class PasswordUi(Model, frozen=True, kw_only=True, tag_field="type", tag="password"):
    impact: ImageImpact | None = None


class EnumOption(Model, frozen=True, kw_only=True):
    value: Kebab
    name: str
    impact: ImageImpact | None = None


class EnumUi(Model, frozen=True, kw_only=True, tag_field="type", tag="enum"):
    values: Annotated[list[EnumOption], msgspec.Meta(min_length=1)]

    def __post_init__(self) -> None:
        check_unique([o.value for o in self.values], "enum value", "values", "value")


UiType = SwitchUi | TextUi | PasswordUi | EnumUi


class ImageProperty(Model, frozen=True, kw_only=True):
    key: Kebab  # readable in Rhai as node_params()[key]
    name: str
    description: str | None = None
    dynamic_value: bool  # may change after the node is created
    default_value: str
    ui_type: UiType


class StoreKey(Model, frozen=True, kw_only=True, tag_field="type", tag="store_key"):
    key: Kebab


class CombinationDisallowed(Model, frozen=True, kw_only=True, tag_field="type", tag="combination_disallowed"):
    pass


StorePointer = StoreKey | CombinationDisallowed


class ArchivePointer(Model, frozen=True, kw_only=True):
    pointer: StorePointer
    new_archive_properties: list[str] = []  # "<property-key>-<value>" combination
    legacy_store_key: str | None = None  # 2.16.4 only; read and kept, never used


class VariantMetadata(Model, frozen=True, kw_only=True):
    key: Kebab
    value: str
    description: str | None = None


class Ramdisk(Model, frozen=True, kw_only=True):
    mount: str
    size_mb: U64


def _check_properties(props: list[ImageProperty] | None) -> None:
    if props is not None:
        check_unique([p.key for p in props], "property key", "properties")


class Variant(Model, frozen=True, kw_only=True):
    key: Kebab  # node_env().node_variant
    metadata: list[VariantMetadata] | None = None
    sku_code: Sku
    archive_pointers: list[ArchivePointer]
    min_cpu: U64
    min_memory_mb: U64
    min_disk_gb: U64
    ramdisks: list[Ramdisk] = []
    # overrides of the image-level values
    dns_scheme: str | None = None
    description: str | None = None
    visibility: Visibility | None = None
    properties: list[ImageProperty] | None = None
    firewall_config: ImageFirewallConfig | None = None

    def __post_init__(self) -> None:
        _check_properties(self.properties)


class ImageVariant(Model, frozen=True, kw_only=True):
    """One variant with the image defaults and its overrides merged (the original's ImageVariant)."""

    version: str
    container_uri: str
    protocol_key: str
    variant_key: str
    org_id: uuid.UUID | None
    dns_scheme: str | None
    description: str | None
    visibility: Visibility
    sku_code: str
    metadata: list[VariantMetadata]
    archive_pointers: list[ArchivePointer]
    min_cpu: int
    min_memory_mb: int
    min_disk_gb: int
    ramdisks: list[Ramdisk]
    properties: list[ImageProperty]
    firewall_config: ImageFirewallConfig


class ImageMetadata(Model, frozen=True, kw_only=True):
    version: Semver
    container_uri: ContainerUri
    protocol_key: Kebab
    org_id: uuid.UUID | None = None  # None = public protocol
    dns_scheme: str | None = None  # e.g. https, wss
    description: str | None = None
    visibility: Visibility
    sku_code: str | None = None  # found in published images; the original ignores it
    firewall_config: ImageFirewallConfig
    properties: list[ImageProperty]
    variants: Annotated[list[Variant], msgspec.Meta(min_length=1)]

    def __post_init__(self) -> None:
        _check_properties(self.properties)
        check_unique([v.key for v in self.variants], "variant key", "variants")

    def variant(self, key: str) -> ImageVariant:
        """Resolve variant ``key``: overrides replace image values; metadata gets derived keys."""
        for v in self.variants:
            if v.key == key:
                return ImageVariant(
                    version=self.version,
                    container_uri=self.container_uri,
                    protocol_key=self.protocol_key,
                    variant_key=v.key,
                    org_id=self.org_id,
                    dns_scheme=v.dns_scheme if v.dns_scheme is not None else self.dns_scheme,
                    description=v.description if v.description is not None else self.description,
                    visibility=v.visibility or self.visibility,
                    sku_code=v.sku_code,
                    metadata=_derived_metadata(v),
                    archive_pointers=v.archive_pointers,
                    min_cpu=v.min_cpu,
                    min_memory_mb=v.min_memory_mb,
                    min_disk_gb=v.min_disk_gb,
                    ramdisks=v.ramdisks,
                    properties=v.properties if v.properties is not None else self.properties,
                    firewall_config=v.firewall_config or self.firewall_config,
                )
        known = ", ".join(v.key for v in self.variants)
        raise NotFound(f"image {self.protocol_key} has no variant {key!r} (known: {known})")


def _derived_metadata(v: Variant) -> list[VariantMetadata]:
    """Split the key from the right into at most 3 parts: client-network-node_type (original rule)."""
    given = list(v.metadata or [])
    have = {m.key for m in given}
    parts = v.key.rsplit("-", 2)
    for name, value in zip(("node-type", "network", "client"), reversed(parts), strict=False):
        if name not in have:
            given.append(VariantMetadata(key=name, value=value))
    return given


def _normalise(doc: Any) -> Any:
    """serde_yaml writes the unit variant as a plain ``combination_disallowed``: accept it too."""
    if isinstance(doc, dict):
        for variant in doc.get("variants") or []:
            if isinstance(variant, dict):
                for ptr in variant.get("archive_pointers") or []:
                    if isinstance(ptr, dict) and ptr.get("pointer") == "combination_disallowed":
                        ptr["pointer"] = {"type": "combination_disallowed"}
    return doc


def parse_image_metadata(text: str | bytes, source: str) -> ImageMetadata:
    """Parse babel.yaml text; ``source`` names it in errors (usually the file path)."""
    doc = _normalise(load_yaml(text, source))
    return convert(doc, ImageMetadata, source, strict=False)


def load_image_metadata(path: str | os.PathLike[str]) -> ImageMetadata:
    return parse_image_metadata(read_document(path), os.fspath(path))


_TAG_OF = {kind: tag for tag, (kind, _) in TAGS.items()}


def _tree(obj: Any) -> Any:
    """Builtins for YAML: tagged unions become YAML tags, None-valued optionals are left out."""
    if isinstance(obj, msgspec.Struct):
        cfg = obj.__struct_config__
        fields = {f: _tree(getattr(obj, f)) for f in obj.__struct_fields__}
        fields = {k: v for k, v in fields.items() if v is not None}
        if cfg.tag is None:
            return fields
        tag = _TAG_OF[str(cfg.tag)]
        content_field = TAGS[tag][1]
        if content_field is None:
            return Tagged(tag, fields)  # `!combination_disallowed {}` when there are no fields
        return Tagged(tag, fields.get(content_field))
    if isinstance(obj, list):
        return [_tree(x) for x in obj]
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, uuid.UUID):
        return str(obj)
    return obj


def dump_image_metadata(meta: ImageMetadata) -> str:
    """Serialise to babel.yaml text that parse_image_metadata reads back to an equal model."""
    return dump_yaml(_tree(meta))
