"""The gRPC facade: check arguments, call the domain, map domain errors to status codes.

No job logic lives here (STYLE.md rule 10). Errors map by fault in ``_CODES``; messages are
``"<op> failed: <reason>"`` like the original's ``Status::internal("<op> failed: <err>")``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final, TypeVar

import grpc
import orjson

from bv_core.errors import BvError, Conflict, InvalidInput, NotFound
from bv_core.jobs import job_config_from_json, job_info_to_obj, validate_job_name
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

from . import _commands, _files
from ._exceptions import BadRequest, CallTimeout, ShuttingDown
from ._logs import job_log_lines
from ._manager import JobsManager
from ._version import __version__

__all__ = ["BabelServicer", "JobsMonitorServicer"]

_CODES: Final[list[tuple[type[BaseException], grpc.StatusCode]]] = [
    (ShuttingDown, grpc.StatusCode.UNAVAILABLE),
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (Conflict, grpc.StatusCode.FAILED_PRECONDITION),
    (CallTimeout, grpc.StatusCode.DEADLINE_EXCEEDED),
]
# Leave the caller this much of its deadline to receive our timeout error instead of its own.
DEADLINE_MARGIN_S: Final = 0.2

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
G = TypeVar("G", bound=Callable[..., AsyncIterator[Any]])


def _code(exc: BvError) -> grpc.StatusCode:
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return code
    return grpc.StatusCode.INTERNAL


def _unary(op: str) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        async def call(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                return await fn(self, request, context)
            except BvError as exc:
                await context.abort(_code(exc), f"{op} failed: {exc}")

        return call  # type: ignore[return-value]

    return wrap


def _stream(op: str) -> Callable[[G], G]:
    def wrap(fn: G) -> G:
        @functools.wraps(fn)
        async def call(self: Any, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            try:
                async for item in fn(self, request, context):
                    yield item
            except BvError as exc:
                await context.abort(_code(exc), f"{op} failed: {exc}")

        return call  # type: ignore[return-value]

    return wrap


def _timeout(context: grpc.aio.ServicerContext) -> float | None:
    remaining = context.time_remaining()
    return None if remaining is None else max(remaining - DEADLINE_MARGIN_S, 0.01)


def _name(name: str, op: str) -> str:
    return validate_job_name(name, op, "name")


def _duration(seconds: float) -> pb.DurationResponse:
    return pb.DurationResponse(millis=int(seconds * 1000))


_STATUS: Final = {
    _files.BinaryStatus.OK: pb.BINARY_STATUS_OK,
    _files.BinaryStatus.CHECKSUM_MISMATCH: pb.BINARY_STATUS_CHECKSUM_MISMATCH,
    _files.BinaryStatus.MISSING: pb.BINARY_STATUS_MISSING,
}


class BabelServicer(pb_grpc.BabelServicer):
    def __init__(self, manager: JobsManager, runner: _files.JobRunnerBinary) -> None:
        self._jobs = manager
        self._runner = runner
        self._node = manager.node

    @_unary("get_version")
    async def GetVersion(self, request: pb.GetVersionRequest, context: Any) -> pb.GetVersionResponse:
        return pb.GetVersionResponse(version=__version__)

    @_unary("setup_babel")
    async def SetupBabel(self, request: pb.SetupBabelRequest, context: Any) -> pb.Empty:
        ramdisks = [(r.ram_disk_mount_point, r.ram_disk_size_mb) for r in request.ramdisks]
        await _files.setup_babel(self._node, request.node_env_json, ramdisks)
        self._jobs.startup()
        return pb.Empty()

    @_unary("get_babel_shutdown_timeout")
    async def GetBabelShutdownTimeout(self, request: pb.Empty, context: Any) -> pb.DurationResponse:
        return _duration(self._jobs.babel_shutdown_timeout())

    @_unary("shutdown_babel")
    async def ShutdownBabel(self, request: pb.ShutdownBabelRequest, context: Any) -> pb.Empty:
        await self._jobs.shutdown(request.force)
        return pb.Empty()

    @_unary("check_job_runner")
    async def CheckJobRunner(self, request: pb.CheckJobRunnerRequest, context: Any) -> pb.CheckJobRunnerResponse:
        return pb.CheckJobRunnerResponse(status=_STATUS[self._runner.check(request.checksum)])

    @_unary("upload_job_runner")
    async def UploadJobRunner(self, request_iterator: AsyncIterator[pb.BinaryChunk], context: Any) -> pb.Empty:
        data = bytearray()
        checksum: int | None = None
        async for chunk in request_iterator:
            if chunk.WhichOneof("chunk") == "bin":
                data += chunk.bin
            elif chunk.WhichOneof("chunk") == "checksum":
                checksum = chunk.checksum
        await self._runner.install(bytes(data), checksum)
        return pb.Empty()

    @_unary("create_job")
    async def CreateJob(self, request: pb.CreateJobRequest, context: Any) -> pb.Empty:
        name = _name(request.name, "create_job")
        self._jobs.create(name, job_config_from_json(request.config_json, f"job '{name}' config"))
        return pb.Empty()

    @_unary("start_job")
    async def StartJob(self, request: pb.JobName, context: Any) -> pb.Empty:
        self._jobs.start(_name(request.name, "start_job"))
        return pb.Empty()

    @_unary("stop_job")
    async def StopJob(self, request: pb.JobName, context: Any) -> pb.Empty:
        await self._jobs.stop(_name(request.name, "stop_job"))
        return pb.Empty()

    @_unary("skip_job")
    async def SkipJob(self, request: pb.JobName, context: Any) -> pb.Empty:
        await self._jobs.skip(_name(request.name, "skip_job"))
        return pb.Empty()

    @_unary("cleanup_job")
    async def CleanupJob(self, request: pb.JobName, context: Any) -> pb.Empty:
        self._jobs.cleanup(_name(request.name, "cleanup_job"))
        return pb.Empty()

    @_unary("stop_all_jobs")
    async def StopAllJobs(self, request: pb.Empty, context: Any) -> pb.Empty:
        await self._jobs.stop_all()
        return pb.Empty()

    @_unary("job_info")
    async def JobInfo(self, request: pb.JobName, context: Any) -> pb.JobInfoResponse:
        info = self._jobs.info(_name(request.name, "job_info"))
        return pb.JobInfoResponse(info_json=orjson.dumps(job_info_to_obj(info)).decode())

    @_unary("get_jobs")
    async def GetJobs(self, request: pb.Empty, context: Any) -> pb.GetJobsResponse:
        jobs = {n: orjson.dumps(job_info_to_obj(i)).decode() for n, i in self._jobs.jobs().items()}
        return pb.GetJobsResponse(jobs_json=jobs)

    @_unary("get_job_shutdown_timeout")
    async def GetJobShutdownTimeout(self, request: pb.JobName, context: Any) -> pb.DurationResponse:
        return _duration(self._jobs.job_shutdown_timeout(_name(request.name, "get_job_shutdown_timeout")))

    @_unary("get_active_jobs_shutdown_timeout")
    async def GetActiveJobsShutdownTimeout(self, request: pb.Empty, context: Any) -> pb.DurationResponse:
        return _duration(self._jobs.active_jobs_shutdown_timeout())

    @_stream("job_logs")
    async def JobLogs(self, request: pb.JobLogsRequest, context: Any) -> AsyncIterator[pb.JobLogLine]:
        name = _name(request.name, "job_logs")
        self._jobs.info(name)  # NotFound for an unknown job
        async for line in job_log_lines(self._node.job(name), request.lines, request.follow):
            yield pb.JobLogLine(line=line)

    @_unary("run_sh")
    async def RunSh(self, request: pb.RunShRequest, context: Any) -> pb.ShResponse:
        result = await _commands.run_sh(request.body, _timeout(context))
        return pb.ShResponse(exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr)

    @_unary("run_rest")
    async def RunRest(self, request: pb.RestRequest, context: Any) -> pb.HttpResponse:
        headers = [(h.name, h.value) for h in request.headers]
        result = await _commands.run_rest(request.url, headers, _timeout(context))
        return pb.HttpResponse(status_code=result.status_code, body=result.body)

    @_unary("run_jrpc")
    async def RunJrpc(self, request: pb.JrpcRequest, context: Any) -> pb.HttpResponse:
        headers = [(h.name, h.value) for h in request.headers]
        params = request.params_json if request.HasField("params_json") else None
        result = await _commands.run_jrpc(request.host, request.method, params, headers, _timeout(context))
        return pb.HttpResponse(status_code=result.status_code, body=result.body)

    @_unary("render_template")
    async def RenderTemplate(self, request: pb.RenderTemplateRequest, context: Any) -> pb.Empty:
        _files.render_template(self._node, request.template, request.destination, request.params_json)
        return pb.Empty()

    @_unary("file_write")
    async def FileWrite(self, request_iterator: AsyncIterator[pb.FileWriteChunk], context: Any) -> pb.Empty:
        destination: str | None = None
        data = bytearray()
        checksum: int | None = None
        async for chunk in request_iterator:
            kind = chunk.WhichOneof("chunk")
            if kind == "destination":
                destination = chunk.destination
            elif kind == "bin":
                data += chunk.bin
            elif kind == "checksum":
                checksum = chunk.checksum
        if not destination:
            raise BadRequest("incomplete file stream - missing destination")
        _files.save_verified(self._node.inside(destination), bytes(data), checksum, mode=0o644)
        return pb.Empty()

    @_stream("file_read")
    async def FileRead(self, request: pb.FileReadRequest, context: Any) -> AsyncIterator[pb.BinaryChunk]:
        from bv_core.jobs import crc32_bzip2

        crc = 0
        async for chunk in _files.read_chunks(self._node.inside(request.path)):
            crc = crc32_bzip2(chunk, crc)
            yield pb.BinaryChunk(bin=chunk)
        yield pb.BinaryChunk(checksum=crc)

    @_unary("protocol_data_stamp")
    async def ProtocolDataStamp(self, request: pb.Empty, context: Any) -> pb.ProtocolDataStampResponse:
        stamp = _files.protocol_data_stamp(self._node)
        return pb.ProtocolDataStampResponse(present=stamp is not None, unix_seconds=stamp or 0.0)

    @_unary("is_download_completed")
    async def IsDownloadCompleted(self, request: pb.Empty, context: Any) -> pb.BoolResponse:
        return pb.BoolResponse(value=_files.protocol_data_stamp(self._node) is not None)


class JobsMonitorServicer(pb_grpc.JobsMonitorServicer):
    def __init__(self, manager: JobsManager) -> None:
        self._jobs = manager

    async def PushLog(self, request: pb.PushLogRequest, context: Any) -> pb.Empty:
        self._jobs.push_log(request.name, request.message)
        return pb.Empty()

    async def RegisterRestart(self, request: pb.JobName, context: Any) -> pb.Empty:
        self._jobs.register_restart(request.name)
        return pb.Empty()
