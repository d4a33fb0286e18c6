"""nib login / protocol push / image push against a fake fleet API registry, as processes."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bv_core.proto.blockjoy.common.v1 import config_pb2
from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as common_protocol_pb2
from tests.nib.conftest import PROTOCOL, VARIANT, Nib
from tests.nib.fake_registry import API_KEY, FakeRegistry

USER_ID = "5c7a3a2e-54c5-4c57-9f0b-2b6c7f1d0a11"

PROTOCOLS_YAML = f"""
- key: {PROTOCOL}
  name: Demo protocol
  ticker: DMO
  description: A protocol for nib tests
  visibility: public
"""


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    with FakeRegistry.in_thread(users={"dev@example.com": ("s3cret", USER_ID)}) as reg:
        yield reg


@pytest.fixture
def logged_in(registry: FakeRegistry, nib_config: Path) -> FakeRegistry:
    nib_config.parent.mkdir(parents=True, exist_ok=True)
    nib_config.write_text(json.dumps({"token": API_KEY, "blockjoy_api_url": registry.url}))
    return registry


def test_login_saves_an_api_key_readable_only_by_the_user(
        nib: Nib, registry: FakeRegistry, nib_config: Path) -> None:
    res = nib("login", USER_ID, "--api", registry.url, "--email", "dev@example.com", "--password-stdin",
              input="s3cret\n")
    assert res.returncode == 0, res.stderr
    assert json.loads(nib_config.read_text()) == {"token": API_KEY, "blockjoy_api_url": registry.url}
    assert stat.S_IMODE(nib_config.stat().st_mode) == 0o600
    label, resource = registry.api_keys[0]
    assert (label, resource.resource_id) == ("nib_token", USER_ID)


def test_login_with_a_wrong_password_saves_nothing(
        nib: Nib, registry: FakeRegistry, nib_config: Path) -> None:
    res = nib("login", USER_ID, "--api", registry.url, "--email", "dev@example.com", "--password-stdin",
              input="wrong\n")
    assert res.returncode == 1
    assert res.stderr.strip() == (f"Error: login at {registry.url} failed: UNAUTHENTICATED: "
                                  "Invalid email or password.")
    assert not nib_config.exists()


def test_push_needs_a_login(nib: Nib, image_dir: Path, registry: FakeRegistry) -> None:
    res = nib("image", "push", "--path", str(image_dir))
    assert res.returncode == 1
    assert res.stderr.strip() == "Error: You are not logged-in yet, please run `nib login` first."
    assert registry.calls == []


def test_protocol_push_adds_then_changes_nothing(nib: Nib, logged_in: FakeRegistry, tmp_path: Path) -> None:
    reg = logged_in
    (tmp_path / "protocols.yaml").write_text(PROTOCOLS_YAML)
    first = nib("protocol", "push")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"Protocol '{PROTOCOL}' added"
    assert reg.writes() == ["ProtocolService.AddProtocol", "ProtocolService.UpdateProtocol"]
    add = reg.requests("ProtocolService.AddProtocol")[0]
    assert (add.key, add.name, add.ticker, add.description) == (
        PROTOCOL, "Demo protocol", "DMO", "A protocol for nib tests")
    (proto,) = reg.protocols.values()
    assert proto.visibility == common_protocol_pb2.VISIBILITY_PUBLIC

    second = nib("protocol", "push")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"Protocol '{PROTOCOL}' unchanged"
    assert len(reg.writes()) == 2

    (tmp_path / "protocols.yaml").write_text(PROTOCOLS_YAML.replace("Demo protocol", "Demo"))
    third = nib("protocol", "push")
    assert third.stdout.strip() == f"Protocol '{PROTOCOL}' updated"
    update = reg.requests("ProtocolService.UpdateProtocol")[-1]
    assert update.name == "Demo" and not update.HasField("visibility")


def test_protocol_push_rejects_a_bad_key(nib: Nib, logged_in: FakeRegistry, tmp_path: Path) -> None:
    (tmp_path / "protocols.yaml").write_text(PROTOCOLS_YAML.replace(f"key: {PROTOCOL}", "key: Demo_Proto"))
    res = nib("protocol", "push")
    assert res.returncode == 1
    assert "'key: Demo_Proto' isn't lower-kebab-case" in res.stderr
    assert logged_in.calls == []


def _edit_for_push(image_dir: Path) -> None:
    babel = image_dir / "babel.yaml"
    text = babel.read_text().replace("properties:\n", (
        "properties:\n"
        "  - key: network\n    name: Network\n    dynamic_value: false\n    default_value: devnet\n"
        "    ui_type: !enum\n      - value: devnet\n        name: Devnet\n"
        "      - value: testnet\n        name: Testnet\n        impact:\n          new_archive: true\n"
        "          add_disk_gb: 2\n"
        "  - key: archive\n    name: Archive mode\n    dynamic_value: false\n    default_value: \"off\"\n"
        "    ui_type: !switch\n      on:\n        add_memory_mb: 1000\n"), 1)
    text = text.replace("  rules:\n", (
        "  rules:\n    - key: p2p\n      protocol: both\n      direction: in\n      action: allow\n"
        "      ports:\n        - port: 30303\n"), 1)
    text = text.replace("    ramdisks: []\n", "    ramdisks:\n      - mount: /mnt/fast\n        size_mb: 64\n")
    text = text.replace(
        f"      - pointer: !store_key {PROTOCOL}-{VARIANT}-v1\n",
        f"      - pointer: !store_key {PROTOCOL}-{VARIANT}-v1\n"
        "      - pointer: !combination_disallowed\n        new_archive_properties: [network-testnet]\n")
    babel.write_text(text)


def test_image_push_sends_the_records_and_a_second_push_changes_nothing(
        nib: Nib, logged_in: FakeRegistry, image_dir: Path, tmp_path: Path) -> None:
    reg = logged_in
    (tmp_path / "protocols.yaml").write_text(PROTOCOLS_YAML)
    assert nib("protocol", "push").returncode == 0
    _edit_for_push(image_dir)
    writes_before = len(reg.writes())

    first = nib("image", "push", "--path", str(image_dir), "--min-babel-version", "0.1.0")
    assert first.returncode == 0, first.stderr
    name = f"{PROTOCOL}/{VARIANT}/0.0.1"
    assert first.stdout.splitlines() == [f"Variant version '{name}' added", f"Image '{name}/1' added"]
    assert reg.writes()[writes_before:] == [
        "ProtocolService.AddVersion", "ProtocolService.UpdateVersion",
        "ImageService.AddImage", "ImageService.UpdateImage"]

    version = reg.requests("ProtocolService.AddVersion")[0]
    assert (version.version_key.protocol_key, version.version_key.variant_key) == (PROTOCOL, VARIANT)
    assert (version.semantic_version, version.sku_code) == ("0.0.1", "DEM-GET-FUL")
    assert {(m.metadata_key, m.value) for m in version.metadata} == {
        ("client", "geth"), ("network", "devnet"), ("node-type", "full")}
    dev = common_protocol_pb2.VISIBILITY_DEVELOPMENT
    assert reg.requests("ProtocolService.UpdateVersion")[0].visibility == dev

    image = reg.requests("ImageService.AddImage")[0]
    assert image.protocol_version_id == reg.version_of(PROTOCOL, VARIANT).protocol_version_id  # type: ignore[union-attr]
    assert image.image_uri == f"docker://{PROTOCOL}/{VARIANT}:0.0.1"
    assert (image.min_cpu_cores, image.min_memory_bytes, image.min_disk_bytes) == (1, 512_000_000, 1_000_000_000)
    assert image.min_babel_version == "0.1.0"
    assert [(r.mount, r.size_bytes) for r in image.ramdisks] == [("/mnt/fast", 64_000_000)]
    props = {p.key: p for p in image.properties}
    assert sorted(props) == ["archive-off", "archive-on", "log-level", "network-devnet", "network-testnet"]
    assert props["log-level"].ui_type == common_protocol_pb2.UI_TYPE_TEXT
    assert props["network-testnet"].key_group == "network"
    assert props["network-testnet"].display_group == "Network"
    assert props["network-testnet"].display_name == "Testnet"
    assert props["network-testnet"].new_archive and props["network-testnet"].add_disk_bytes == 2_000_000_000
    assert props["network-devnet"].is_group_default and not props["network-testnet"].is_group_default
    assert props["archive-on"].add_memory_bytes == 1_000_000_000
    assert props["archive-off"].is_group_default and not props["archive-on"].is_group_default
    assert [r.key for r in image.firewall.rules] == ["p2p", "rpc"]  # sorted by key
    assert image.firewall.default_in == config_pb2.FIREWALL_ACTION_DROP
    assert image.firewall.rules[0].protocol == config_pb2.FIREWALL_PROTOCOL_BOTH
    pointers = [(list(p.new_archive_keys), p.WhichOneof("pointer"), p.store_key) for p in image.archive_pointers]
    assert pointers == [([], "store_key", f"{PROTOCOL}-{VARIANT}-v1"),
                        (["network-testnet"], "disallowed", "")]
    (stored,) = reg.images.values()
    assert stored.visibility == dev

    writes = len(reg.writes())
    second = nib("image", "push", "--path", str(image_dir), "--min-babel-version", "0.2.0")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"No image changes to push for '{name}/1'"
    assert len(reg.writes()) == writes  # min_babel_version alone is not a change (as the original)


def test_image_push_adds_a_build_when_the_image_changes(
        nib: Nib, logged_in: FakeRegistry, image_dir: Path, tmp_path: Path) -> None:
    reg = logged_in
    (tmp_path / "protocols.yaml").write_text(PROTOCOLS_YAML)
    assert nib("protocol", "push").returncode == 0
    assert nib("image", "push", "--path", str(image_dir)).returncode == 0
    babel = image_dir / "babel.yaml"
    babel.write_text(babel.read_text().replace("min_cpu: 1", "min_cpu: 2"))
    writes = len(reg.writes())
    res = nib("image", "push", "--path", str(image_dir))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"Image '{PROTOCOL}/{VARIANT}/0.0.1/2' added"
    assert reg.writes()[writes:] == ["ImageService.AddImage", "ImageService.UpdateImage"]

    # Visibility only: the version and the image are updated in place, no new build.
    babel.write_text(babel.read_text().replace("visibility: development", "visibility: public"))
    writes = len(reg.writes())
    res = nib("image", "push", "--path", str(image_dir))
    assert res.stdout.splitlines() == [f"Variant version '{PROTOCOL}/{VARIANT}/0.0.1' updated",
                                       f"Image '{PROTOCOL}/{VARIANT}/0.0.1/2' updated"]
    assert reg.writes()[writes:] == ["ProtocolService.UpdateVersion", "ImageService.UpdateImage"]
    assert len(reg.images) == 2

    listed = nib("protocol", "ls", "--name", "demo")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split() == [PROTOCOL, "Demo", "protocol", f"{VARIANT}/0.0.1"]
    assert nib("p", "list", "--name", "nothing-like-it").stdout.strip() == "No protocols found."


def test_image_push_validates_every_variant_before_sending(
        nib: Nib, logged_in: FakeRegistry, image_dir: Path) -> None:
    babel = image_dir / "babel.yaml"
    babel.write_text(babel.read_text().replace("sku_code: DEM-GET-FUL", "sku_code: nope"))
    res = nib("image", "push", "--path", str(image_dir))
    assert res.returncode == 1
    assert "sku_code" in res.stderr
    assert logged_in.calls == []


def test_image_push_before_its_protocol_says_what_to_do(
        nib: Nib, logged_in: FakeRegistry, image_dir: Path) -> None:
    res = nib("image", "push", "--path", str(image_dir))
    assert res.returncode == 1
    assert res.stderr.startswith(f"Error: cannot add version {PROTOCOL}/{VARIANT}/0.0.1: is protocol "
                                 f"'{PROTOCOL}' in the fleet API? (`nib protocol push` adds it)")
    assert "Protocol not found." in res.stderr
    assert logged_in.writes() == ["ProtocolService.AddVersion"]
