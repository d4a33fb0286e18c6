"""Fixtures for the platform backend tests: a private bridge/subnet and node specs."""

from __future__ import annotations

import ipaddress
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# `tests.support` lives at the repository root, which pytest does not put on sys.path when the
# tests run as `pytest` rather than `python -m pytest`.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bv_daemon.platform.base import MachineSpec  # noqa: E402
from tests.platform.fake_apptainer import FAKE_APPTAINER, FakeApptainer  # noqa: E402
from tests.support import rootfs as _rootfs  # noqa: E402

# Fixtures shared from tests.support, made visible to this directory.
busybox_rootfs = _rootfs.busybox_rootfs
test_rootfs = _rootfs.test_rootfs


def _is_root() -> bool:
    return os.geteuid() == 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Root tests need namespaces, mounts and cgroups: fail loudly rather than skip when run as root;
    # only a non-root run skips them (and says why).
    if _is_root():
        return
    skip = pytest.mark.skip(reason="needs root (namespaces, mounts, cgroups)")
    for item in items:
        if "root" in item.keywords:
            item.add_marker(skip)


@dataclass(frozen=True)
class TestNet:
    bridge: str
    gateway: str
    prefix: int
    hosts: list[str]


def _used_networks() -> list[ipaddress.IPv4Network]:
    out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    nets = []
    for line in out.splitlines():
        parts = line.split()
        if "inet" in parts:
            nets.append(ipaddress.IPv4Interface(parts[parts.index("inet") + 1]).network)
    return nets


@pytest.fixture
def test_net() -> Iterator[TestNet]:
    """A bridge on a private /24 not used on this host, unique per test (xdist and concurrent
    sessions); deleted afterwards. Only addresses inside it are ever contacted."""
    used = _used_networks()
    rng = random.Random(os.getpid() ^ uuid.uuid4().int)
    for _ in range(200):
        net = ipaddress.IPv4Network(f"192.168.{rng.randrange(100, 250)}.0/24")
        if not any(net.overlaps(u) for u in used):
            break
    else:
        pytest.fail("no free 192.168.x.0/24 for a test bridge")
    bridge = f"bvt{uuid.uuid4().hex[:9]}"
    hosts = [str(h) for h in net.hosts()]
    try:
        yield TestNet(bridge, hosts[0], net.prefixlen, hosts[1:])
    finally:
        subprocess.run(["ip", "link", "del", bridge], capture_output=True)


SpecFactory = Callable[..., MachineSpec]


@pytest.fixture
def make_spec(tmp_path: Path, test_net: TestNet, busybox_rootfs: Path) -> SpecFactory:
    """Builds MachineSpecs on the test bridge; each call gets a new node id, name and IP."""
    counter = iter(range(1, 250))

    def make(**overrides: object) -> MachineSpec:
        n = next(counter)
        node_id = str(uuid.uuid4())
        node_dir = tmp_path / "nodes" / node_id
        fields: dict[str, object] = {
            "node_id": node_id,
            "name": f"node_{n}",
            "rootfs_source": busybox_rootfs,
            "node_dir": node_dir,
            "data_dir": node_dir / "data",
            "ip": test_net.hosts[n],
            "gateway": test_net.gateway,
            "prefix": test_net.prefix,
            "bridge": test_net.bridge,
            "mem_mb": 64,
            "vcpu": 1,
            "env_file": f'NODE_ID="{node_id}"\nNODE_NAME="node_{n}"\n',
            "babel_command": ("/bin/sh", "-c", "exec sleep 1000000"),
        }
        fields.update(overrides)
        return MachineSpec(**fields)  # type: ignore[arg-type]

    return make


@pytest.fixture
def fake_apptainer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApptainer]:
    """`apptainer` first on PATH, recording its calls; its sleepers are killed afterwards."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    binary = bindir / "apptainer"
    binary.write_text(FAKE_APPTAINER)
    binary.chmod(0o755)
    state = tmp_path / "fake-apptainer-state"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_APPTAINER_STATE", str(state))
    fake = FakeApptainer(binary, state)
    try:
        yield fake
    finally:
        import json
        import signal

        for f in (state / "instances").glob("*.json") if (state / "instances").exists() else []:
            try:
                os.kill(json.loads(f.read_text())["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
        for f in (state / "execs").glob("*") if (state / "execs").exists() else []:
            try:
                os.kill(int(f.name.split(".")[-1]), signal.SIGKILL)
            except ProcessLookupError:
                pass
