"""The local image store (resolve, errors, import) and the node network settings; no root needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bv_core.errors import InvalidInput, NotFound
from bv_core.models import HostConfig, NetConf
from bv_daemon.images import ImageStore, import_image, semver_key
from bv_daemon.node_factory import node_properties, validate_name
from bv_daemon.runtime import NetSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "images" / "example"


@pytest.fixture
def store(tmp_path: Path) -> ImageStore:
    base = tmp_path / "base"
    (base / "usr/bin").mkdir(parents=True)
    (base / "usr/bin/python3").write_text("not really")
    root = tmp_path / "images"
    for version in ("1.0.0", "2.0.0"):
        import_image(EXAMPLE / version, root, base_rootfs=base, overlays=(EXAMPLE / "rootfs",))
    return ImageStore(root)


def test_resolve_latest_and_exact(store: ImageStore) -> None:
    assert store.versions("demochain") == ["1.0.0", "2.0.0"]
    assert store.resolve("demochain", None, None).version == "2.0.0"
    image = store.resolve("demochain", "demo-devnet-full", "1.0.0")
    assert image.version == "1.0.0" and image.store_key == "demochain-devnet-v1"
    assert (image.rootfs / "usr/local/bin/demochain").exists()
    assert (image.rootfs / "usr/bin/python3").read_text() == "not really"


def test_import_never_writes_through_to_the_base(tmp_path: Path, store: ImageStore) -> None:
    base = tmp_path / "base"
    overlay = tmp_path / "overlay"
    (overlay / "usr/bin").mkdir(parents=True)
    (overlay / "usr/bin/python3").write_text("replaced")
    shutil.rmtree(store.root / "demochain" / "1.0.0")
    import_image(EXAMPLE / "1.0.0", store.root, base_rootfs=base, overlays=(overlay,))
    assert (store.root / "demochain/1.0.0/rootfs/usr/bin/python3").read_text() == "replaced"
    assert (base / "usr/bin/python3").read_text() == "not really"


def test_resolve_errors_name_what_exists(store: ImageStore) -> None:
    with pytest.raises(NotFound, match=r"unknown image nochain; available: demochain 1.0.0, 2.0.0"):
        store.resolve("nochain", None, None)
    with pytest.raises(NotFound, match=r"unknown image demochain/3.1.0; available: demochain 1.0.0, 2.0.0"):
        store.resolve("demochain", None, "3.1.0")
    with pytest.raises(NotFound, match="no variant 'xyz'"):
        store.resolve("demochain", "xyz", None)


def test_semver_order() -> None:
    assert sorted(["1.10.0", "1.2.0", "1.2.0-rc1"], key=semver_key) == ["1.2.0-rc1", "1.2.0", "1.10.0"]


def test_properties_defaults_and_validation(store: ImageStore) -> None:
    image = store.resolve("demochain", None, "1.0.0")
    assert node_properties(image, {}) == {"block-time": "1", "greeting": "hello"}
    assert node_properties(image, {"greeting": "$(x)"})["greeting"] == "$(x)"
    with pytest.raises(InvalidInput, match="unknown property 'nope'"):
        node_properties(image, {"nope": "1"})
    with pytest.raises(InvalidInput, match="longer than"):
        node_properties(image, {"greeting": "x" * 5000})
    with pytest.raises(InvalidInput, match="invalid node name"):
        validate_name("../etc")


def test_network_defaults_and_config() -> None:
    default = NetSettings.from_config(None)
    assert (default.bridge, default.bridge_ip, default.prefix) == ("bvbr0", "192.168.250.1", 24)
    assert "192.168.250.1" not in default.pool and len(default.pool) == 253
    cfg = HostConfig(id="h", iface="bvx", net_conf=NetConf(host_ip="10.9.8.1", gateway_ip="10.9.8.254",
                                                          prefix=28, available_ips=[]))
    net = NetSettings.from_config(cfg)
    assert (net.bridge, net.bridge_ip, net.node_gateway, net.prefix) == ("bvx", "10.9.8.1", "10.9.8.254", 28)
    assert net.pool[0] == "10.9.8.2" and "10.9.8.254" not in net.pool
