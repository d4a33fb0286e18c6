"""babel.yaml: round trip of a template-like document, the original's YAML quirks, bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from bv_core.errors import ModelError, NotFound
from bv_core.models import (
    CombinationDisallowed,
    EnumUi,
    FirewallAction,
    ImageMetadata,
    PasswordUi,
    StoreKey,
    SwitchUi,
    TextUi,
    Visibility,
    decode_json,
    dump_image_metadata,
    encode_json,
    load_image_metadata,
    parse_image_metadata,
)

CheckError = Callable[[ModelError, str, str, str], None]


@pytest.fixture
def template_text(data_dir: Path) -> str:
    return (data_dir / "babel.yaml").read_text()


def test_template_parses_with_every_feature(data_dir: Path) -> None:
    meta = load_image_metadata(data_dir / "babel.yaml")
    assert meta.version == "0.0.1"
    assert meta.protocol_key == "example-protocol"
    assert meta.org_id is None
    assert meta.visibility is Visibility.DEVELOPMENT
    assert meta.sku_code == "EXM-MN-F"
    assert meta.firewall_config.default_in is FirewallAction.DENY
    rule = meta.firewall_config.rules[0]
    assert rule.ips[0].ip == "1.2.3.4/30" and rule.ports[0].port == 12901
    text, secret, switch, enum_ = (p.ui_type for p in meta.properties)
    assert isinstance(text, TextUi) and text.impact is not None and text.impact.add_memory_mb == -1
    assert isinstance(secret, PasswordUi) and secret.impact is None
    # YAML 1.1 would make `off` False and the `on:` key True; the original (YAML 1.2) keeps strings
    assert meta.properties[2].default_value == "off"
    assert isinstance(switch, SwitchUi) and switch.on is not None and switch.on.add_cpu == 3
    assert switch.off is None
    assert isinstance(enum_, EnumUi) and [v.value for v in enum_.values] == [
        "variant-a", "variant-b", "variant-c",
    ]
    variant = meta.variants[0]
    pointers = [p.pointer for p in variant.archive_pointers]
    assert pointers[0] == StoreKey(key="example-protocol-reth-mainnet-full-v1")
    assert isinstance(pointers[3], CombinationDisallowed)
    assert variant.archive_pointers[3].new_archive_properties == [
        "switch-property-on-value", "enum-property-variant-c",
    ]
    assert variant.ramdisks[0].size_mb == 100
    # anchors/aliases resolve to equal values
    assert variant.firewall_config is not None
    assert variant.firewall_config.rules[0] == meta.firewall_config.rules[0]
    assert variant.properties is not None and variant.properties[0] == meta.properties[0]


def test_round_trip_yaml_is_identity(template_text: str) -> None:
    meta = parse_image_metadata(template_text, "babel.yaml")
    dumped = dump_image_metadata(meta)
    again = parse_image_metadata(dumped, "dumped.yaml")
    assert again == meta
    assert dump_image_metadata(again) == dumped  # serialisation is stable
    assert "!store_key example-protocol-reth-mainnet-full-v1\n" in dumped
    assert "!combination_disallowed" in dumped


def test_round_trip_json_is_identity(template_text: str) -> None:
    meta = parse_image_metadata(template_text, "babel.yaml")
    assert decode_json(encode_json(meta), ImageMetadata, "meta.json") == meta


def test_edge_strings_survive_round_trip(template_text: str) -> None:
    # strings YAML 1.1 would retype, and a store key that spells null
    text = template_text.replace("default_value: default_value", "default_value: 'null'")
    text = text.replace("name: Variant B", "name: 'yes'")
    text = text.replace(
        "!store_key example-protocol-reth-testnet-archive-v1", "!store_key 'null'"
    )
    meta = parse_image_metadata(text, "babel.yaml")
    assert meta.properties[0].default_value == "null"
    assert meta.variants[1].archive_pointers[0].pointer == StoreKey(key="null")
    assert parse_image_metadata(dump_image_metadata(meta), "x") == meta


def test_plain_combination_disallowed_as_serde_writes_it(template_text: str) -> None:
    text = template_text.replace("pointer: !combination_disallowed", "pointer: combination_disallowed")
    meta = parse_image_metadata(text, "babel.yaml")
    assert isinstance(meta.variants[0].archive_pointers[3].pointer, CombinationDisallowed)


def test_published_image_shape() -> None:
    # the shape every published image has (properties [], one store_key pointer per variant)
    text = """\
version: 1.13.2
container_uri: docker://blockjoy/near/near-mainnet-full/1.13.2
protocol_key: near
org_id: null
description: NEAR full node
visibility: public
sku_code: NEAR-MN-F
firewall_config:
  default_in: deny
  default_out: allow
  rules:
    - key: p2p
      description: peer to peer
      protocol: tcp
      direction: in
      action: allow
      ips:
        - ip: 0.0.0.0/0
          name: anyone
      ports:
        - port: 24567
          name: p2p
properties: []
variants:
  - key: near-mainnet-full
    sku_code: NEAR-MN-F
    min_cpu: 8
    min_memory_mb: 16000
    min_disk_gb: 1000
    archive_pointers:
      - pointer: !store_key near-mainnet-full-v1
  # - key: commented-out
  - key: near-testnet-full
    visibility: private
    sku_code: NEAR-TN-F
    min_cpu: 4
    min_memory_mb: 8000
    min_disk_gb: 500
    archive_pointers:
      - pointer: !store_key near-testnet-full-v1
"""
    meta = parse_image_metadata(text, "near/babel.yaml")
    assert [v.key for v in meta.variants] == ["near-mainnet-full", "near-testnet-full"]
    assert meta.properties == []


def test_org_id_is_a_uuid(template_text: str) -> None:
    org = uuid.uuid4()
    meta = parse_image_metadata(template_text.replace("org_id: null", f"org_id: {org}"), "b.yaml")
    assert meta.org_id == org


def test_variant_resolution_applies_overrides_and_derives_metadata(data_dir: Path) -> None:
    meta = load_image_metadata(data_dir / "babel.yaml")
    full = meta.variant("reth-mainnet-full")
    assert full.visibility is Visibility.PRIVATE  # overridden
    assert full.dns_scheme == "https"  # inherited
    assert [p.key for p in full.properties] == [
        "arbitrary-text-property", "switch-property", "custom-enum-property",
    ]
    assert [r.key for r in full.firewall_config.rules] == ["example-rule", "additional-rule"]
    # explicit metadata kept, the missing node-type derived from the key's last part
    assert {m.key: m.value for m in full.metadata} == {
        "network": "Mainnet", "client": "Op Geth", "node-type": "full",
    }
    archive = meta.variant("reth-testnet-archive")
    assert archive.visibility is Visibility.DEVELOPMENT
    assert archive.properties == meta.properties
    assert archive.firewall_config == meta.firewall_config
    assert {m.key: m.value for m in archive.metadata} == {
        "client": "reth", "network": "testnet", "node-type": "archive",
    }
    with pytest.raises(NotFound, match="no variant 'nope'.*reth-mainnet-full"):
        meta.variant("nope")


def test_models_are_frozen(data_dir: Path) -> None:
    meta = load_image_metadata(data_dir / "babel.yaml")
    with pytest.raises(AttributeError):
        meta.version = "9.9.9"  # type: ignore[misc]
    assert msgspec.structs.replace(meta, version="9.9.9").version == "9.9.9"


# (old text, new text, field path, expected-fragment); each old text occurs exactly once
BAD = [
    pytest.param("    min_cpu: 4\n", "", "$.variants[1].min_cpu", "required field is missing",
                 id="missing-field"),
    pytest.param("min_memory_mb: 1000", "min_memory_mb: lots", "$.variants[0].min_memory_mb",
                 "expected `int`, got `str`", id="wrong-type-int"),
    pytest.param("dynamic_value: false", "dynamic_value: maybe", "$.properties[1].dynamic_value",
                 "expected `bool`", id="wrong-type-bool"),
    pytest.param("variants:\n", "variants: 5\nold_variants:\n", "$.variants",
                 "expected `array`", id="wrong-type-list"),
    pytest.param("visibility: development", "visibility: secret", "$.visibility",
                 "one of public, development, private, got 'secret'", id="unknown-enum"),
    pytest.param("      protocol: both", "      protocol: sctp",
                 "$.firewall_config.rules[0].protocol", "one of tcp, udp, both", id="unknown-enum-protocol"),
    pytest.param("ui_type: !password", "ui_type: !secret", "$", "!secret", id="unknown-ui-tag"),
    pytest.param("- key: reth-testnet-archive", "- key: Reth_Testnet", "$.variants[1].key",
                 "lower-kebab-case", id="variant-key-not-kebab"),
    pytest.param("protocol_key: example-protocol", "protocol_key: Example Protocol",
                 "$.protocol_key", "lower-kebab-case", id="protocol-key-not-kebab"),
    pytest.param("!store_key example-protocol-reth-testnet-archive-v1", "!store_key Bad_Key",
                 "$.variants[1].archive_pointers[0].pointer.key", "lower-kebab-case",
                 id="store-key-not-kebab"),
    pytest.param("value: variant-b", "value: Variant B", "$.properties[3].ui_type.values[1].value",
                 "lower-kebab-case", id="enum-value-not-kebab"),
    pytest.param("    min_disk_gb: 2000", "    min-disk-gb: 2000", "$.variants[1].min-disk-gb",
                 "unknown field (allowed: archive_pointers", id="kebab-spelled-field-name"),
    pytest.param("    min_disk_gb: 2000", "    min_disk_gb: 2000\n    min_disk_gib: 1",
                 "$.variants[1].min_disk_gib", "unknown field", id="unknown-field"),
    pytest.param("port: 12901", "port: 70000", "$.firewall_config.rules[0].ports[0].port",
                 "<= 65535", id="port-out-of-range"),
    pytest.param("min_cpu: 1\n", "min_cpu: -1\n", "$.variants[0].min_cpu", ">= 0",
                 id="negative-minimum"),
    pytest.param("add_cpu: 3", "add_cpu: 99999999999999999999",
                 "$.properties[2].ui_type.on.add_cpu", "<=", id="impact-out-of-i64"),
    pytest.param("sku_code: TST-TN-N", "sku_code: TST-TN", "$.variants[0].sku_code",
                 "3 sections", id="bad-sku"),
    pytest.param("version: 0.0.1", "version: 1.0", "$.version", "semantic version",
                 id="bad-semver"),
    pytest.param("container_uri: docker://", "container_uri: blockjoy/", "$.container_uri",
                 "container URI", id="bad-container-uri"),
    pytest.param("ip: 1.2.3.4/30", "ip: 1.2.3.400/30", "$.firewall_config.rules[0].ips[0].ip",
                 "CIDR", id="bad-cidr"),
    pytest.param("org_id: null", "org_id: acme", "$.org_id", "expected a valid UUID", id="org-not-uuid"),
    pytest.param("- key: reth-testnet-archive", "- key: reth-mainnet-full", "$.variants[1].key",
                 "duplicate variant key 'reth-mainnet-full'", id="duplicate-variant"),
    pytest.param("protocol_key: example-protocol\n", "protocol_key: example-protocol\nprotocol_key: x\n",
                 "$", "duplicate key 'protocol_key'", id="duplicate-yaml-key"),
    pytest.param("          ports:\n            - port: 12345\n", "",
                 "$.variants[0].firewall_config.rules[1].ports", "required field is missing",
                 id="ports-required-since-2.16"),
    pytest.param("variants:\n", "variants: [\n", "$", "valid YAML", id="yaml-syntax"),
]


@pytest.mark.parametrize(("old", "new", "path", "fragment"), BAD)
def test_bad_input_names_file_field_and_expectation(
    tmp_path: Path, template_text: str, check_error: CheckError,
    old: str, new: str, path: str, fragment: str,
) -> None:
    assert template_text.count(old) == 1, f"fixture edit {old!r} is ambiguous"
    bad = tmp_path / "babel.yaml"
    bad.write_text(template_text.replace(old, new))
    with pytest.raises(ModelError) as err:
        load_image_metadata(bad)
    check_error(err.value, str(bad), path, fragment)


def test_yaml_errors_give_line_numbers(template_text: str) -> None:
    with pytest.raises(ModelError, match=r"line \d+, column \d+"):
        parse_image_metadata(template_text.replace("variants:\n", "variants: [\n"), "b.yaml")


@pytest.mark.parametrize("doc", ["- a\n", "just text\n", ""], ids=["list", "scalar", "empty"])
def test_document_that_is_not_a_mapping(doc: str, check_error: CheckError) -> None:
    with pytest.raises(ModelError) as err:
        parse_image_metadata(doc, "b.yaml")
    check_error(err.value, "b.yaml", "$", "expected `object`")


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="babel.yaml: no such file"):
        load_image_metadata(tmp_path / "babel.yaml")
