"""Async client of one node's babel over ``<node>/rootfs/babel.socket`` (bv-host.md §2.10).

Numbers from the original: connect timeout 3 s, request timeout 15 s unless the call says
otherwise, and retry(3, 300 ms) for the lifecycle calls (setup, shutdown, version). The channel
is opened lazily and dropped on any transport error so the next call reconnects ("Broken").

Errors: every failure is raised as `BabelError` (an `ExternalError`) naming the node and the
call; babel's own INVALID_ARGUMENT / NOT_FOUND / FAILED_PRECONDITION keep their family so the
API maps them to the right gRPC code.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import orjson

from bv_core.errors import Conflict, ExternalError, InvalidInput, NotFound
from bv_core.jobs import JobConfig, JobInfo, crc32_bzip2, job_config_to_json, job_info_from_obj
from bv_core.plugin import HttpResult, JrpcRequest, NodeEnv, RestRequest, ShResult
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

__all__ = [
    "CHUNK_SIZE",
    "BabelClient",
    "BabelError",
    "BabelInvalid",
    "BabelNotFound",
    "BabelWrongState",
    "ConnectionState",
]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
REQUEST_TIMEOUT = 15.0
RETRIES = 3
RETRY_DELAY = 0.3
CHUNK_SIZE = 16 * 1024

T = TypeVar("T")


class BabelError(ExternalError):
    """A babel call failed (transport or babel-side error)."""

    def __init__(self, message: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.code = code


class BabelInvalid(BabelError, InvalidInput):
    pass


class BabelNotFound(BabelError, NotFound):
    pass


class BabelWrongState(BabelError, Conflict):
    pass


class ConnectionState(enum.Enum):
    CLOSED = "closed"
    CONNECTED = "connected"
    BROKEN = "broken"  # a call failed on the transport; the next call reconnects


_FAMILY: dict[grpc.StatusCode, type[BabelError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: BabelInvalid,
    grpc.StatusCode.NOT_FOUND: BabelNotFound,
    grpc.StatusCode.FAILED_PRECONDITION: BabelWrongState,
}
# Codes that say "babel answered": the connection itself is fine.
_ANSWERED = {*_FAMILY, grpc.StatusCode.INTERNAL, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.UNKNOWN}


class BabelClient:
    """One node's babel connection. Safe to use from many tasks of one event loop."""

    def __init__(self, node_name: str, socket: Path) -> None:
        self.node_name = node_name
        self.socket = socket
        self.state = ConnectionState.CLOSED
        self._channel: grpc.aio.Channel | None = None
        self._stub: pb_grpc.BabelStub | None = None

    # -- connection -----------------------------------------------------------------------------
    async def connect(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Open the channel and wait until babel answers the transport (not a call)."""
        if self._stub is not None and self.state is ConnectionState.CONNECTED:
            return
        await self.close()
        channel = grpc.aio.insecure_channel(f"unix://{self.socket}")
        try:
            await asyncio.wait_for(channel.channel_ready(), timeout)
        except (TimeoutError, grpc.aio.AioRpcError):
            await channel.close()
            raise BabelError(
                f"node {self.node_name}: cannot connect to babel at {self.socket} within {timeout:g} s"
            ) from None
        self._channel = channel
        self._stub = pb_grpc.BabelStub(channel)
        self.state = ConnectionState.CONNECTED

    async def close(self) -> None:
        channel, self._channel, self._stub = self._channel, None, None
        self.state = ConnectionState.CLOSED
        if channel is not None:
            await channel.close()

    async def wait_ready(self, timeout: float) -> None:
        """Keep trying to connect until babel serves (it starts with the node), or time out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                await self.connect(min(CONNECT_TIMEOUT, max(deadline - loop.time(), 0.1)))
                await self.get_version(timeout=min(REQUEST_TIMEOUT, max(deadline - loop.time(), 1.0)))
                return
            except BabelError:
                if loop.time() >= deadline:
                    raise
                await asyncio.sleep(0.1)

    async def _stub_or_connect(self) -> pb_grpc.BabelStub:
        if self._stub is None or self.state is not ConnectionState.CONNECTED:
            await self.connect()
        assert self._stub is not None
        return self._stub

    async def _call(
        self, what: str, fn: Callable[[pb_grpc.BabelStub], Awaitable[T]], *, retry: bool = False
    ) -> T:
        attempts = RETRIES if retry else 1
        for attempt in range(attempts):
            try:
                stub = await self._stub_or_connect()
                return await fn(stub)
            except grpc.aio.AioRpcError as err:
                code = err.code()
                if code not in _ANSWERED:
                    self.state = ConnectionState.BROKEN
                if attempt + 1 < attempts and code not in _FAMILY:
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                cls = _FAMILY.get(code, BabelError)
                raise cls(f"node {self.node_name}: babel {what}: {err.details() or code.name}", code) from None
            except BabelError:
                if attempt + 1 < attempts:
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                raise
        raise AssertionError("unreachable")

    # -- lifecycle ------------------------------------------------------------------------------
    async def get_version(self, timeout: float = REQUEST_TIMEOUT) -> str:
        resp = await self._call(
            "get_version", lambda s: s.GetVersion(pb.GetVersionRequest(), timeout=timeout))
        return str(resp.version)

    async def test(self) -> None:
        """The original's connection test: get_version with retry."""
        await self._call("get_version", lambda s: s.GetVersion(pb.GetVersionRequest(),
                                                               timeout=REQUEST_TIMEOUT), retry=True)

    async def setup_babel(self, env: NodeEnv, ramdisks: list[tuple[str, int]]) -> None:
        req = pb.SetupBabelRequest(
            node_env_json=orjson.dumps(env.to_value()).decode(),
            ramdisks=[pb.RamDisk(ram_disk_mount_point=m, ram_disk_size_mb=s) for m, s in ramdisks],
        )
        await self._call("setup_babel", lambda s: s.SetupBabel(req, timeout=REQUEST_TIMEOUT), retry=True)

    async def shutdown_babel(self, force: bool) -> None:
        resp = await self._call("get_babel_shutdown_timeout", lambda s: s.GetBabelShutdownTimeout(
            pb.Empty(), timeout=REQUEST_TIMEOUT), retry=True)
        timeout = resp.millis / 1000 + REQUEST_TIMEOUT
        await self._call("shutdown_babel", lambda s: s.ShutdownBabel(
            pb.ShutdownBabelRequest(force=force), timeout=timeout), retry=True)

    async def check_job_runner(self, runner: Path) -> bool:
        """Upload the bundled job runner unless babel has the same (CRC-32/BZIP2); True if uploaded."""
        # Never the whole file in memory (the runner is ~20 MB, checked on every node start and
        # attach): the checksum is cached per file version, the upload streams 16 KiB chunks.
        crc = await asyncio.to_thread(_file_crc, runner)
        resp = await self._call("check_job_runner", lambda s: s.CheckJobRunner(
            pb.CheckJobRunnerRequest(checksum=crc), timeout=REQUEST_TIMEOUT))
        if resp.status == pb.BINARY_STATUS_OK:
            return False

        async def chunks() -> AsyncIterator[pb.BinaryChunk]:
            with runner.open("rb") as f:  # 16 KiB reads from the page cache: too short to offload
                while chunk := f.read(CHUNK_SIZE):
                    yield pb.BinaryChunk(bin=chunk)
            yield pb.BinaryChunk(checksum=crc)

        await self._call("upload_job_runner", lambda s: s.UploadJobRunner(chunks(), timeout=120.0))
        return True

    # -- jobs -----------------------------------------------------------------------------------
    async def create_job(self, name: str, config: JobConfig) -> None:
        req = pb.CreateJobRequest(name=name, config_json=job_config_to_json(config).decode())
        await self._call("create_job", lambda s: s.CreateJob(req, timeout=REQUEST_TIMEOUT))

    async def start_job(self, name: str) -> None:
        await self._call("start_job", lambda s: s.StartJob(pb.JobName(name=name), timeout=REQUEST_TIMEOUT))

    async def stop_job(self, name: str) -> None:
        resp = await self._call("get_job_shutdown_timeout", lambda s: s.GetJobShutdownTimeout(
            pb.JobName(name=name), timeout=REQUEST_TIMEOUT))
        timeout = resp.millis / 1000 + REQUEST_TIMEOUT
        await self._call("stop_job", lambda s: s.StopJob(pb.JobName(name=name), timeout=timeout))

    async def stop_all_jobs(self) -> None:
        resp = await self._call("get_active_jobs_shutdown_timeout",
                                lambda s: s.GetActiveJobsShutdownTimeout(pb.Empty(), timeout=REQUEST_TIMEOUT))
        timeout = resp.millis / 1000 + REQUEST_TIMEOUT
        await self._call("stop_all_jobs", lambda s: s.StopAllJobs(pb.Empty(), timeout=timeout))

    async def skip_job(self, name: str) -> None:
        await self._call("skip_job", lambda s: s.SkipJob(pb.JobName(name=name), timeout=REQUEST_TIMEOUT))

    async def cleanup_job(self, name: str) -> None:
        await self._call("cleanup_job", lambda s: s.CleanupJob(pb.JobName(name=name), timeout=REQUEST_TIMEOUT))

    async def job_info(self, name: str) -> JobInfo:
        resp = await self._call("job_info", lambda s: s.JobInfo(pb.JobName(name=name), timeout=REQUEST_TIMEOUT))
        return job_info_from_obj(orjson.loads(resp.info_json), f"job '{name}' info")

    async def get_jobs(self) -> dict[str, JobInfo]:
        resp = await self._call("get_jobs", lambda s: s.GetJobs(pb.Empty(), timeout=REQUEST_TIMEOUT))
        return {n: job_info_from_obj(orjson.loads(j), f"job '{n}' info") for n, j in resp.jobs_json.items()}

    async def job_logs(self, name: str, lines: int, follow: bool) -> AsyncIterator[str]:
        stub = await self._stub_or_connect()
        call = stub.JobLogs(pb.JobLogsRequest(name=name, lines=lines, follow=follow),
                            timeout=None if follow else REQUEST_TIMEOUT)
        try:
            async for item in call:
                yield item.line
        except grpc.aio.AioRpcError as err:
            cls = _FAMILY.get(err.code(), BabelError)
            raise cls(f"node {self.node_name}: babel job_logs: {err.details()}", err.code()) from None

    # -- commands inside the node ---------------------------------------------------------------
    async def run_sh(self, body: str, timeout: float | None) -> ShResult:
        t = timeout or REQUEST_TIMEOUT
        resp = await self._call("run_sh", lambda s: s.RunSh(pb.RunShRequest(body=body), timeout=t))
        return ShResult(resp.exit_code, resp.stdout, resp.stderr)

    async def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult:
        req = pb.RestRequest(url=request.url, headers=[pb.Header(name=n, value=v) for n, v in request.headers])
        resp = await self._call("run_rest", lambda s: s.RunRest(req, timeout=timeout or REQUEST_TIMEOUT))
        return HttpResult(resp.status_code, resp.body)

    async def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult:
        kwargs: dict[str, Any] = {}
        if request.params is not None:
            kwargs["params_json"] = orjson.dumps(request.params).decode()
        req = pb.JrpcRequest(host=request.host, method=request.method,
                             headers=[pb.Header(name=n, value=v) for n, v in request.headers], **kwargs)
        resp = await self._call("run_jrpc", lambda s: s.RunJrpc(req, timeout=timeout or REQUEST_TIMEOUT))
        return HttpResult(resp.status_code, resp.body)

    async def render_template(self, template: str, destination: str, params_json: str) -> None:
        req = pb.RenderTemplateRequest(template=template, destination=destination, params_json=params_json)
        await self._call("render_template", lambda s: s.RenderTemplate(req, timeout=REQUEST_TIMEOUT))

    async def file_write(self, path: str, content: bytes) -> None:
        crc = crc32_bzip2(content)

        async def chunks() -> AsyncIterator[pb.FileWriteChunk]:
            yield pb.FileWriteChunk(destination=path)
            for i in range(0, len(content), CHUNK_SIZE):
                yield pb.FileWriteChunk(bin=content[i : i + CHUNK_SIZE])
            yield pb.FileWriteChunk(checksum=crc)

        await self._call("file_write", lambda s: s.FileWrite(chunks(), timeout=REQUEST_TIMEOUT))

    async def file_read(self, path: str) -> bytes:
        async def read(stub: pb_grpc.BabelStub) -> bytes:
            out = bytearray()
            async for chunk in stub.FileRead(pb.FileReadRequest(path=path), timeout=REQUEST_TIMEOUT):
                if chunk.WhichOneof("chunk") == "bin":
                    out += chunk.bin
            return bytes(out)

        return await self._call("file_read", read)

    async def protocol_data_stamp(self) -> float | None:
        resp = await self._call("protocol_data_stamp", lambda s: s.ProtocolDataStamp(pb.Empty(), timeout=REQUEST_TIMEOUT))
        return resp.unix_seconds if resp.present else None


_CRC_CACHE: dict[tuple[str, int, int, int], int] = {}


def _file_crc(path: Path) -> int:
    """CRC-32/BZIP2 of a file read in chunks, cached by (path, inode, size, mtime)."""
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _CRC_CACHE:
        crc = 0
        with path.open("rb") as f:
            while chunk := f.read(1024 * 1024):
                crc = crc32_bzip2(chunk, crc)
        _CRC_CACHE.clear()  # one bundle runner at a time: no growth across bundle updates
        _CRC_CACHE[key] = crc
    return _CRC_CACHE[key]
