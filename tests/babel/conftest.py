"""Fixtures: a real babel process on a real Unix socket in a short temp root, a gRPC client,
and a check after every test that no process of the test's jobs is left."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest
from babel_support import Babel, Client, processes_matching

from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc


@pytest.fixture
def marker() -> str:
    """A unique `sleep` duration: `sleep 1000.<marker>` finds the job's processes by cmdline."""
    return f"{random.randrange(10**8):08d}"


@pytest.fixture
def root(marker: str) -> Iterator[Path]:
    # Short path: Unix socket paths are limited to 108 bytes.
    path = Path(tempfile.mkdtemp(prefix="bb", dir="/tmp"))
    yield path
    # Processes being torn down need a moment on a loaded machine; one still there after the
    # grace period is a real leftover.
    deadline = time.monotonic() + 10
    leftovers = processes_matching(str(path), f"1000.{marker}")
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.2)
        leftovers = processes_matching(str(path), f"1000.{marker}")
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(path, ignore_errors=True)
    assert not leftovers, f"processes left behind: {leftovers}"


@pytest.fixture
async def babel(root: Path) -> AsyncIterator[Babel]:
    b = Babel(root)
    b.start()
    await b.wait_ready()
    yield b
    if b.proc is not None and b.proc.poll() is None:
        async with b.channel() as ch:
            with contextlib.suppress(grpc.aio.AioRpcError):
                await pb_grpc.BabelStub(ch).StopAllJobs(pb.Empty(), timeout=30)
    b.stop()


@pytest.fixture
async def client(babel: Babel) -> AsyncIterator[Client]:
    async with babel.channel() as ch:
        c = Client(ch, babel.root)
        await c.setup()
        yield c

