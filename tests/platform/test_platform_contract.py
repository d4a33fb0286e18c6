"""One lifecycle contract, checked against every backend: bwrap for real, apptainer through a
fake `apptainer` executable. A backend that passes behaves the same for the nodes manager."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

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

MakeMachine = Callable[[], Machine]


@pytest.fixture(params=[pytest.param("bwrap", marks=pytest.mark.root), "apptainer"])
async def make_machine(
    request: pytest.FixtureRequest, make_spec: Callable[..., MachineSpec], tmp_path: Path
) -> AsyncIterator[MakeMachine]:
    platform: Platform
    if request.param == "bwrap":
        platform = BwrapPlatform()
    else:
        request.getfixturevalue("fake_apptainer")
        platform = ApptainerPlatform()

    # An image whose babel is a busybox shell loop that exits on SIGTERM.
    image = build_busybox_rootfs(tmp_path / "image")
    (image / "usr" / "bin").mkdir(parents=True, exist_ok=True)
    babel = image / "usr" / "bin" / "babel"
    babel.write_text("#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n")
    babel.chmod(0o755)

    made: list[Machine] = []

    def make() -> Machine:
        m = platform.machine(make_spec(rootfs_source=image, babel_command=("/usr/bin/babel",)))
        made.append(m)
        return m

    try:
        yield make
    finally:
        for m in made:
            await m.delete()


async def test_lifecycle(make_machine: MakeMachine) -> None:
    m = make_machine()
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
    assert (await m.attach()).pid == again.pid

    await m.delete()
    assert not await m.exists()
    assert (await m.state()).status is MachineStatus.STOPPED
    assert not m.spec.node_dir.exists()
    await m.delete()  # idempotent


async def test_failed_machine_recovers(make_machine: MakeMachine) -> None:
    m = make_machine()
    await m.create()
    await m.start()
    pid = (await m.state()).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # the container's init dies under us
    for _ in range(200):
        if (await m.state()).status is MachineStatus.FAILED:
            break
        await asyncio.sleep(0.02)
    failed = await m.state()
    assert failed.status is MachineStatus.FAILED and failed.reason

    await m.recover()
    assert (await m.state()).status is MachineStatus.RUNNING
    await m.stop(timeout=10)
    assert (await m.state()).status is MachineStatus.STOPPED
