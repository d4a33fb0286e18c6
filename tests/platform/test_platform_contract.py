"""One lifecycle contract, checked against every backend: bwrap for real, apptainer through a
fake `apptainer` executable. A backend that passes behaves the same for the nodes manager."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bv_daemon.platform._proc import ProcRef, load_proc_ref
from bv_daemon.platform.apptainer import ApptainerPlatform
from bv_daemon.platform.base import (
    Machine,
    MachineNotFound,
    MachineSpec,
    MachineStateError,
    MachineStatus,
    Platform,
)
from bv_daemon.platform.bwrap import BwrapPlatform
from tests.support.rootfs import build_busybox_rootfs


@dataclass
class Backend:
    platform: Platform
    new_platform: Callable[[], Platform]  # a fresh backend object, as after a daemon restart
    images: dict[str, Path]
    make_spec: Callable[..., MachineSpec]
    made: list[Machine] = field(default_factory=list)

    def make(self, image: str = "v1") -> Machine:
        spec = self.make_spec(rootfs_source=self.images[image], babel_command=("/usr/bin/babel",))
        m = self.platform.machine(spec)
        self.made.append(m)
        return m


def _image(path: Path, version: str) -> Path:
    """A busybox image whose babel is a shell loop that exits on SIGTERM."""
    image = build_busybox_rootfs(path)
    (image / "usr" / "bin").mkdir(parents=True, exist_ok=True)
    babel = image / "usr" / "bin" / "babel"
    babel.write_text("#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n")
    babel.chmod(0o755)
    (image / "etc" / "image-version").write_text(version)
    return image


@pytest.fixture(params=[pytest.param("bwrap", marks=pytest.mark.root), "apptainer"])
async def backend(
    request: pytest.FixtureRequest, make_spec: Callable[..., MachineSpec], tmp_path: Path
) -> AsyncIterator[Backend]:
    new_platform: Callable[[], Platform]
    if request.param == "bwrap":
        new_platform = BwrapPlatform
    else:
        request.getfixturevalue("fake_apptainer")
        new_platform = ApptainerPlatform
    images = {v: _image(tmp_path / f"image-{v}", v) for v in ("v1", "v2")}
    b = Backend(new_platform(), new_platform, images, make_spec)
    try:
        yield b
    finally:
        for m in b.made:
            await m.delete()


async def test_lifecycle(backend: Backend) -> None:
    m = backend.make()
    assert not await m.exists()
    assert (await m.state()).status is MachineStatus.STOPPED
    with pytest.raises(MachineNotFound):
        await m.start()

    await m.create()
    await m.create()  # idempotent
    assert await m.exists()
    assert (await m.state()).status is MachineStatus.STOPPED
    with pytest.raises(MachineStateError):
        await m.exec(["echo", "hello"])

    await m.start()
    running = await m.state()
    assert running.status is MachineStatus.RUNNING and running.pid is not None
    await m.start()  # idempotent: same container
    assert (await m.state()).pid == running.pid

    log = m.log_path()
    assert log is not None and log.parent == m.spec.node_dir
    res = await m.exec(["echo", "hello"])
    assert (res.exit_code, res.stdout) == (0, b"hello\n")
    assert (await m.exec(["sh", "-c", "exit 4"])).exit_code == 4

    await m.stop(timeout=10)
    assert (await m.state()).status is MachineStatus.STOPPED
    await m.stop(timeout=10)  # idempotent

    await m.start()
    again = await m.state()
    assert again.status is MachineStatus.RUNNING and again.pid != running.pid

    # A new backend object (daemon restart) attaches to the running machine.
    attached = backend.new_platform().machine(m.spec)
    assert (await attached.attach()).pid == again.pid
    assert (await attached.exec(["echo", "hi"])).stdout == b"hi\n"

    await m.delete()
    assert not await m.exists()
    assert (await m.state()).status is MachineStatus.STOPPED
    assert not m.spec.node_dir.exists()
    await m.delete()  # idempotent


async def test_failed_machine_recovers(backend: Backend) -> None:
    m = backend.make()
    await m.create()
    await m.start()
    pid = (await m.state()).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # the container's init dies under us
    for _ in range(200):
        # (bwrap: babel may be seen dead a moment before the init is)
        if (s := await m.state()).status is MachineStatus.FAILED and not s.container_alive:
            break
        await asyncio.sleep(0.02)
    failed = await m.state()
    assert failed.status is MachineStatus.FAILED and failed.reason
    assert not failed.container_alive  # the original's SHUTOFF-like failure: full start needed

    await m.recover()
    assert (await m.state()).status is MachineStatus.RUNNING
    await m.stop(timeout=10)
    assert (await m.state()).status is MachineStatus.STOPPED


def _babel_of(m: Machine) -> ProcRef:
    loaded = load_proc_ref(m.babel_pid_file)  # type: ignore[attr-defined]  # both backends
    assert loaded is not None
    return loaded[0]


async def test_babel_restarts_and_recovers_inside_the_running_container(backend: Backend) -> None:
    m = backend.make()
    with pytest.raises(MachineStateError, match="cannot restart babel, machine is Stopped"):
        await m.restart_babel()
    await m.create()
    await m.start()
    running = await m.state()
    assert running.container_alive and not running.babel_dead
    first = _babel_of(m)

    # A new babel (the daemon does this on attach to run a new bundle's binary).
    await m.restart_babel(timeout=10)
    assert await m.state() == running  # same container
    second = _babel_of(m)
    assert second != first and second.alive() and not first.alive()

    # babel dies: the original's INVALID (container alive); recover starts babel only.
    os.kill(second.pid, signal.SIGKILL)
    for _ in range(200):
        if (await m.state()).status is MachineStatus.FAILED:
            break
        await asyncio.sleep(0.02)
    invalid = await m.state()
    assert invalid.babel_dead and invalid.container_alive and invalid.pid == running.pid
    assert invalid.reason.startswith("babel is not running (container alive)")
    assert (await m.exec(["echo", "still"])).stdout == b"still\n"
    await m.recover()
    assert await m.state() == running
    assert _babel_of(m).alive() and _babel_of(m) != second

    await m.stop(timeout=10)
    assert (await m.state()).status is MachineStatus.STOPPED


async def test_upgrade_keeps_data_and_rolls_back(backend: Backend) -> None:
    m = backend.make("v1")
    old = m.spec
    new = replace(old, rootfs_source=backend.images["v2"])
    version = old.rootfs_dir / "etc" / "image-version"
    await m.create()
    old.data_dir.joinpath("blocks").write_text("12345")
    await m.start()
    with pytest.raises(MachineStateError, match="running"):
        await m.upgrade_rootfs(new)
    await m.stop(timeout=10)

    await m.upgrade_rootfs(new)
    assert version.read_text() == "v2" and m.spec == new
    await m.upgrade_rootfs(new)  # repeated after a crash: same outcome, first backup kept
    await m.start()
    assert (await m.state()).status is MachineStatus.RUNNING
    await m.stop(timeout=10)

    await m.rollback_rootfs(old)
    assert version.read_text() == "v1" and m.spec == old
    await m.rollback_rootfs(old)  # idempotent
    await m.start()
    assert (await m.state()).status is MachineStatus.RUNNING
    await m.stop(timeout=10)

    await m.upgrade_rootfs(new)
    await m.commit_rootfs()
    assert not [p for p in old.node_dir.iterdir() if p.name.endswith("_backup")]
    await m.rollback_rootfs(old)  # nothing to roll back to any more: stays on v2
    assert version.read_text() == "v2"
    assert old.data_dir.joinpath("blocks").read_text() == "12345"
