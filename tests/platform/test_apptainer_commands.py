"""The apptainer backend's command lines (bv-host.md §2.9 + bv-host-2.16.md §4), asserted exactly,
and the calls it makes over a lifecycle, recorded by a fake `apptainer` on PATH."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bv_daemon.platform import make_platform
from bv_daemon.platform.apptainer import (
    ApptainerConfig,
    ApptainerPlatform,
    arp_ping_cmd,
    babel_start_cmd,
    build_cmd,
    cgroups_toml,
    exec_cmd,
    inspect_cmd,
    instance_list_cmd,
    instance_run_cmd,
    instance_stop_cmd,
)
from bv_daemon.platform.base import InvalidSpec, MachineSpec, MachineStatus, PlatformError

if TYPE_CHECKING:
    from tests.platform.fake_apptainer import FakeApptainer

ID = "0b7c3a52-7f2e-4d53-9a1e-2f4c8d9e6a10"
ND = Path("/var/lib/blockvisor/nodes") / ID


def spec(**kw: object) -> MachineSpec:
    fields: dict[str, object] = {
        "node_id": ID,
        "name": "eth_node_1",
        "rootfs_source": Path("/images/eth/1.0"),
        "node_dir": ND,
        "data_dir": ND / "data",
        "ip": "192.168.250.10",
        "gateway": "192.168.250.1",
        "prefix": 24,
        "mem_mb": 2048,
        "vcpu": 2,
        "cpus": (3, 2),
        "babel_command": ("babel",),
        "image_uri": "docker://ghcr.io/org/eth:1.0",
    }
    fields.update(kw)
    return MachineSpec(**fields)  # type: ignore[arg-type]


def test_instance_run_command_line() -> None:
    assert instance_run_cmd(spec(), ApptainerConfig()) == [
        "apptainer", "instance", "run", "--containall", "--writable",
        "--pid-file", f"{ND}/apptainer.pid",
        "--bind", "/run/systemd/journal",
        "--bind", f"{ND}/data:/blockjoy",
        "--hostname", "eth-node-1",
        "--no-mount", "home,cwd,tmp",
        "--apply-cgroups", f"{ND}/cgroups.toml",
        "--net", "--network", "bridge", "--network-args", "IP=192.168.250.10/24;GATEWAY=192.168.250.1",
        f"{ND}/rootfs", ID,
    ]  # fmt: skip


def test_instance_run_options_follow_config() -> None:
    cfg = ApptainerConfig(
        extra_args=("--dns", "1.1.1.1"), host_network=True, cpu_limit=False, memory_limit=False
    )
    argv = instance_run_cmd(spec(), cfg)
    assert "--apply-cgroups" not in argv and "--net" not in argv
    assert argv[-4:] == ["--dns", "1.1.1.1", f"{ND}/rootfs", ID]
    assert "--net" not in instance_run_cmd(spec(host_network=True), ApptainerConfig())
    assert (
        instance_run_cmd(spec(), ApptainerConfig(binary="/opt/apptainer/bin/apptainer"))[0]
        == "/opt/apptainer/bin/apptainer"
    )


def test_cgroups_toml() -> None:
    assert (
        cgroups_toml(spec(), ApptainerConfig()) == 'memory.limit = 2048000000\ncpu.cpus = "3,2"\n'
    )
    assert cgroups_toml(spec(cpus=()), ApptainerConfig()) == "memory.limit = 2048000000\n"
    assert cgroups_toml(spec(), ApptainerConfig(memory_limit=False)) == 'cpu.cpus = "3,2"\n'
    assert cgroups_toml(spec(), ApptainerConfig(cpu_limit=False, memory_limit=False)) is None


def test_other_command_lines() -> None:
    s, c = spec(), ApptainerConfig()
    assert build_cmd(s, c) == [
        "apptainer",
        "build",
        "--force",
        "--sandbox",
        f"{ND}/rootfs",
        "docker://ghcr.io/org/eth:1.0",
    ]
    assert build_cmd(spec(image_uri=""), c)[-1] == "/images/eth/1.0"
    assert inspect_cmd(s, c) == ["apptainer", "inspect", "-d", "--json", f"{ND}/rootfs"]
    assert arp_ping_cmd(s, c) == [
        "apptainer",
        "exec",
        f"instance://{ID}",
        "ping",
        "-c",
        "6",
        "-i",
        "0.25",
        "192.168.250.1",
    ]
    assert babel_start_cmd(s, c) == [
        "apptainer", "exec", "--ipc", "--cleanenv", "--userns", "--pid",
        "--env-file", f"{ND}/rootfs/var/lib/babel/node_env",
        f"instance://{ID}", "babel", f"{ND}/rootfs",
    ]  # fmt: skip
    assert exec_cmd(s, c, ["sh", "-c", "echo $X; rm -rf /"]) == [
        "apptainer",
        "exec",
        f"instance://{ID}",
        "sh",
        "-c",
        "echo $X; rm -rf /",
    ]
    assert instance_stop_cmd(s, c) == ["apptainer", "instance", "stop", ID]
    assert instance_list_cmd(s, c) == ["apptainer", "instance", "list", "--json", ID]


def test_bad_specs_and_platform_names() -> None:
    with pytest.raises(InvalidSpec, match="gateway '192.168.250.256'"):
        spec(gateway="192.168.250.256")
    with pytest.raises(InvalidSpec, match="node name 'a b'"):
        spec(name="a b")
    with pytest.raises(InvalidSpec, match="bridge name"):
        spec(bridge="a-very-long-bridge-name")
    with pytest.raises(InvalidSpec, match="unknown platform 'docker'"):
        make_platform("docker")
    assert make_platform("apptainer").name == "apptainer"
    assert make_platform("bwrap").name == "bwrap"


async def test_lifecycle_calls_in_order(
    fake_apptainer: FakeApptainer, make_spec: Callable[..., MachineSpec], tmp_path: Path
) -> None:
    image = tmp_path / "image"
    image.mkdir()
    s = make_spec(
        rootfs_source=image, babel_command=("babel",), cpus=(1,), env_file='NODE_ID="x"\n'
    )
    m = ApptainerPlatform().machine(s)
    try:
        await m.create()
        assert (
            s.node_dir / "cgroups.toml"
        ).read_text() == 'memory.limit = 64000000\ncpu.cpus = "1"\n'
        assert (s.rootfs_dir / "var/lib/babel/node_env").read_text() == 'NODE_ID="x"\n'
        assert all(
            (s.rootfs_dir / d).is_dir()
            for d in ("blockjoy", "run/systemd/journal", "var/lib/babel")
        )
        await m.create()  # built already: only inspected
        await m.start()
        assert (await m.state()).status is MachineStatus.RUNNING
        # babel is spawned, not awaited (as the original): let the fake record its argv first.
        await _wait_for_call(fake_apptainer, babel_start_cmd(s, ApptainerConfig())[1:])
        await m.stop(timeout=5)
        await m.delete()
    finally:
        await m.delete()

    cfg = ApptainerConfig()
    assert (
        fake_apptainer.calls()
        == [
            build_cmd(s, cfg)[1:],  # no rootfs yet: nothing to inspect
            inspect_cmd(s, cfg)[1:],  # second create: built, so no build
            instance_run_cmd(s, cfg)[1:],
            arp_ping_cmd(s, cfg)[1:],
            babel_start_cmd(s, cfg)[1:],
            instance_stop_cmd(s, cfg)[1:],
        ]
    )


async def _wait_for_call(fake: FakeApptainer, argv: list[str], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while argv not in fake.calls():
        assert loop.time() < deadline, f"apptainer never called with {argv}"
        await asyncio.sleep(0.02)


async def test_instance_stop_failure_is_an_error_only_if_still_listed(
    fake_apptainer: FakeApptainer, make_spec: Callable[..., MachineSpec], tmp_path: Path
) -> None:
    image = tmp_path / "image"
    image.mkdir()
    s = make_spec(rootfs_source=image, babel_command=("babel",))
    m = ApptainerPlatform().machine(s)
    try:
        await m.create()
        await m.start()
        # A broken apptainer that cannot stop instances: stop must report it, not pretend.
        real = fake_apptainer.binary.read_text()
        fake_apptainer.binary.write_text(
            real.replace(
                'if cmd == "instance" and args[1] == "stop":',
                'if cmd == "instance" and args[1] == "stop" and False:',
            )
        )
        with pytest.raises(PlatformError, match="apptainer instance stop failed"):
            await m.stop(timeout=1)
        fake_apptainer.binary.write_text(real)
    finally:
        await m.delete()
    assert not s.node_dir.exists()
