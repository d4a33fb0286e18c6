"""Helpers for the babel tests: a real babel process on a real Unix socket in a short temp root, a gRPC client,
and a check after every test that no process of the test's jobs is left."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import orjson

from bv_core.jobs import JobInfo, job_info_from_obj
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

RUNNER_CMD = f"{sys.executable} -m job_runner"


def processes_matching(*needles: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(n in cmdline for n in needles):
            found.append(int(entry.name))
    return found


class Babel:
    """A babel process under test; ``root`` is its in-node root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = root / "babel.log"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "babel", "--root", str(self.root), "--job-runner-cmd", RUNNER_CMD],
                stdout=log, stderr=log, start_new_session=True,
            )

    async def wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            if (self.root / "babel.socket").exists():
                try:
                    async with self.channel() as ch:
                        await pb_grpc.BabelStub(ch).GetVersion(pb.GetVersionRequest(), timeout=2)
                    return
                except grpc.aio.AioRpcError:
                    pass
            await asyncio.sleep(0.05)
        raise AssertionError(f"babel did not come up: {self.log.read_text()}")

    def channel(self) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(f"unix://{self.root}/babel.socket")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class Client:
    def __init__(self, channel: grpc.aio.Channel, root: Path) -> None:
        self.stub = pb_grpc.BabelStub(channel)
        self.root = root

    async def setup(self, data_mount_point: str = "/blockjoy") -> None:
        (self.root / data_mount_point.lstrip("/")).mkdir(parents=True, exist_ok=True)
        env = {"node_id": "n1", "data_mount_point": data_mount_point}
        await self.stub.SetupBabel(pb.SetupBabelRequest(node_env_json=orjson.dumps(env).decode()), timeout=10)

    async def create(self, name: str, config: dict[str, object]) -> None:
        await self.stub.CreateJob(pb.CreateJobRequest(name=name, config_json=orjson.dumps(config).decode()), timeout=10)

    async def start(self, name: str) -> None:
        await self.stub.StartJob(pb.JobName(name=name), timeout=10)

    async def run(self, name: str, config: dict[str, object]) -> None:
        await self.create(name, config)
        await self.start(name)

    async def stop(self, name: str, timeout: float = 30) -> None:
        await self.stub.StopJob(pb.JobName(name=name), timeout=timeout)

    async def info(self, name: str) -> JobInfo:
        resp = await self.stub.JobInfo(pb.JobName(name=name), timeout=10)
        return job_info_from_obj(orjson.loads(resp.info_json), "test")

    async def wait_status(self, name: str, kind: type, timeout: float = 15) -> JobInfo:
        deadline = time.monotonic() + timeout
        info = await self.info(name)
        while not isinstance(info.status, kind):
            if time.monotonic() > deadline:
                raise AssertionError(f"job {name} never became {kind.__name__}: {info}")
            await asyncio.sleep(0.05)
            info = await self.info(name)
        return info




def sh_job(body: str, restart: object = "never", **extra: object) -> dict[str, object]:
    return {"job_type": {"run_sh": body}, "restart": restart, **extra}


async def wait_for_process(marker: str, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = processes_matching(f"1000.{marker}")
        if pids:
            return pids
        await asyncio.sleep(0.05)
    raise AssertionError(f"no process with marker {marker} appeared")
