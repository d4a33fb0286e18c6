"""The BabelEngine service babel calls back on, one server per node on ``rootfs/engine.socket``.

The four archive calls go to the runtime's `ArchiveGateway` with the node's current image
(connected mode: the fleet API's ArchiveService by ``archive_id``; standalone mode: the local
archive store by ``store_key``). With no gateway they fail with a clear FAILED_PRECONDITION
naming the fix. Payloads are the JSON shapes of ``job_runner.archive._source``.
``bv_error`` is babel reporting a problem it cannot fix itself: logged as an error.

Errors map to gRPC codes in one table (`_code`): no archive -> NOT_FOUND, a bad payload ->
INVALID_ARGUMENT, a refusing store -> FAILED_PRECONDITION (or ALREADY_EXISTS for a locked data
version, which babel does not retry), the fleet API or store unreachable -> UNAVAILABLE.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import msgspec

from bv_core.errors import BvError, Conflict, ExternalError, InvalidInput, NotFound
from bv_core.models import DownloadManifest, NodeImage, decode_json
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc
from bv_daemon.archive_gateway import ArchiveGateway

__all__ = ["FLEET_NOT_OPEN", "EngineServer", "NO_ARCHIVE_STORE"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

NO_ARCHIVE_STORE = (
    "no archive store configured: standalone mode has no protocol-data archives "
    "(configure a local archive store or connect the host to a fleet API)"
)
FLEET_NOT_OPEN = "the daemon's fleet API connection is not open (starting or shutting down); retry"


def _code(err: BvError) -> grpc.StatusCode:
    """The gRPC status babel gets for a gateway error (one table, see the module doc)."""
    if isinstance(err, NotFound):
        return grpc.StatusCode.NOT_FOUND
    if isinstance(err, InvalidInput):
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(err, Conflict):
        if getattr(err, "code", "") == "ALREADY_EXISTS":
            return grpc.StatusCode.ALREADY_EXISTS
        return grpc.StatusCode.FAILED_PRECONDITION
    if isinstance(err, ExternalError):
        if getattr(err, "retryable", True) is False:
            return grpc.StatusCode.FAILED_PRECONDITION
        return grpc.StatusCode.UNAVAILABLE
    return grpc.StatusCode.INTERNAL


def _json(value: object) -> pb.JsonPayload:
    return pb.JsonPayload(json=msgspec.json.encode(value).decode())


class _Servicer(pb_grpc.BabelEngineServicer):
    def __init__(
        self, node_id: str, image: Callable[[], NodeImage | None],
        gateway: Callable[[], ArchiveGateway | None], connected: Callable[[], bool],
    ) -> None:
        self._node_id = node_id
        self._image = image
        self._gateway = gateway
        self._connected = connected

    async def _call(
        self, context: Any, what: str, fn: Callable[[ArchiveGateway, NodeImage], Awaitable[_T]]
    ) -> _T:
        gateway, image = self._gateway(), self._image()
        if gateway is None or image is None:
            if self._connected():  # a moment without the fleet client: babel retries UNAVAILABLE
                await context.abort(grpc.StatusCode.UNAVAILABLE, FLEET_NOT_OPEN)
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, NO_ARCHIVE_STORE)
            raise AssertionError("unreachable: abort raises")
        try:
            return await fn(gateway, image)
        except BvError as err:
            code = _code(err)
            if code is not grpc.StatusCode.NOT_FOUND:
                log.warning("node_id: %s|engine %s: %s: %s", self._node_id, what, code.name, err)
            await context.abort(code, _one_line(str(err)))
        except RuntimeError as err:  # a closed fleet client while the daemon shuts down
            await context.abort(grpc.StatusCode.UNAVAILABLE, _one_line(f"{what}: {err}"))
        raise AssertionError("unreachable: abort raises")

    async def PutDownloadManifest(self, request: pb.PutDownloadManifestRequest, context: Any) -> pb.Empty:
        try:
            manifest = decode_json(request.manifest_json, DownloadManifest, "put_download_manifest manifest_json")
        except BvError as err:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, _one_line(str(err)))
            raise AssertionError("unreachable: abort raises") from None
        version = request.data_version
        await self._call(context, "put_download_manifest",
                         lambda gw, image: gw.put_download_manifest(image, manifest, version))
        return pb.Empty()

    async def GetDownloadMetadata(self, request: pb.Empty, context: Any) -> pb.JsonPayload:
        meta = await self._call(context, "get_download_metadata", lambda gw, image: gw.download_metadata(image))
        return _json(meta)

    async def GetDownloadChunks(self, request: pb.GetDownloadChunksRequest, context: Any) -> pb.JsonPayload:
        version, indexes = request.data_version, list(request.indexes)
        chunks = await self._call(context, "get_download_chunks",
                                  lambda gw, image: gw.download_chunks(image, version, indexes))
        return _json(chunks)

    async def GetUploadSlots(self, request: pb.GetUploadSlotsRequest, context: Any) -> pb.JsonPayload:
        version = request.data_version if request.HasField("data_version") else None
        indexes, expires = list(request.slots), request.url_expires_secs
        slots = await self._call(context, "get_upload_slots",
                                 lambda gw, image: gw.upload_slots(image, version, indexes, expires))
        return _json(slots)

    async def UpgradeBlockingJobsFinished(self, request: pb.Empty, context: Any) -> pb.Empty:
        return pb.Empty()

    async def BvError(self, request: pb.BvErrorRequest, context: Any) -> pb.Empty:
        log.error("node_id: %s|Babel: %s", self._node_id, request.message)
        return pb.Empty()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _none() -> None:
    return None


def _standalone() -> bool:
    return False


class EngineServer:
    """Serves BabelEngine for one node; start/stop are idempotent.

    ``image`` returns the node's current image (read per call: an upgrade may change it) and
    ``gateway`` the runtime's archive gateway (connected mode sets it after nodes attach);
    ``connected`` says whether a missing gateway is a passing moment (UNAVAILABLE) or
    standalone mode without a store (FAILED_PRECONDITION).
    """

    def __init__(
        self, node_id: str, socket: Path, *,
        image: Callable[[], NodeImage | None] = _none,
        gateway: Callable[[], ArchiveGateway | None] = _none,
        connected: Callable[[], bool] = _standalone,
    ) -> None:
        self.node_id = node_id
        self.socket = socket
        self._image = image
        self._gateway = gateway
        self._connected = connected
        self._server: grpc.aio.Server | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return
        server = grpc.aio.server()
        pb_grpc.add_BabelEngineServicer_to_server(_Servicer(self.node_id, self._image, self._gateway, self._connected), server)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        server.add_insecure_port(f"unix://{self.socket}")
        await server.start()
        os.chmod(self.socket, 0o600)
        self._server = server

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop(grace=0.5)
