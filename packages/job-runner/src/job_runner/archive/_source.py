"""Where archive jobs get manifests and presigned URLs: the ArchiveSource interface.

In a node, the job runner asks the daemon over ``/engine.socket`` (BabelEngine, JSON payloads
in the bv_core archive-manifest shape): :class:`EngineArchiveClient`. Standalone tools and
tests may use :class:`job_runner.archive.local_store.LocalArchiveStore` directly.

Payload shapes on the engine socket (the daemon must produce/accept exactly these):
    GetDownloadMetadata -> JsonPayload{json = DownloadMetadata}
    GetDownloadChunks   -> JsonPayload{json = [Chunk, ...]} (with presigned GET urls)
    GetUploadSlots      -> JsonPayload{json = UploadSlots}
    PutDownloadManifest <- manifest_json = DownloadManifest (urls null, paths relative)
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

import msgspec

from bv_core.errors import ModelError
from bv_core.models import Chunk, DownloadManifest, DownloadMetadata, UploadSlots, decode_json

from ._errors import ArchiveNotFound, ManifestError, SourceError

if TYPE_CHECKING:
    import grpc

__all__ = ["ArchiveSource", "EngineArchiveClient"]


class ArchiveSource(Protocol):
    async def download_metadata(self) -> DownloadMetadata: ...

    async def download_chunks(self, data_version: int, indexes: Sequence[int]) -> list[Chunk]: ...

    async def upload_slots(
        self, data_version: int | None, indexes: Sequence[int], url_expires_secs: int
    ) -> UploadSlots: ...

    async def put_download_manifest(
        self, manifest: DownloadManifest, data_version: int
    ) -> None: ...

    async def close(self) -> None: ...


# The original's with_selective_retry: 3 retries at 300 * 2**n ms, none for caller faults.
_RETRIES: Final = 3
_RETRY_BASE_S: Final = 0.3
_NO_RETRY: Final = frozenset(
    {
        "INTERNAL",
        "INVALID_ARGUMENT",
        "UNIMPLEMENTED",
        "PERMISSION_DENIED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "FAILED_PRECONDITION",
    }
)
_T = TypeVar("_T")
_CHUNK_LIST = msgspec.json.Decoder(list[Chunk])


class EngineArchiveClient:
    """BabelEngine archive calls over the node's engine socket."""

    def __init__(self, socket: Path, *, retry_base_s: float = _RETRY_BASE_S) -> None:
        # grpc is imported here, not at module level: it costs ~0.5 s of CPU to import and the
        # transfer engines (and the benchmark) do not need it.
        import grpc

        from bv_core.proto.babel.v1 import babel_pb2 as pb
        from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

        self._grpc = grpc
        self._pb: Any = pb
        self._socket = socket
        self._channel: grpc.aio.Channel = grpc.aio.insecure_channel(f"unix://{socket}")
        self._stub: Any = pb_grpc.BabelEngineStub(self._channel)
        self._retry_base_s = retry_base_s

    async def _call(self, what: str, fn: object, request: object, timeout: float) -> object:
        for attempt in range(_RETRIES + 1):
            try:
                return await fn(request, timeout=timeout)  # type: ignore[operator]
            except self._grpc.aio.AioRpcError as exc:
                code: grpc.StatusCode = exc.code()
                if code.name == "NOT_FOUND":
                    raise ArchiveNotFound(f"{what}: no archive ({exc.details()})") from exc
                if code.name in _NO_RETRY or attempt == _RETRIES:
                    raise SourceError(
                        f"{what} via {self._socket} failed: {code.name} {exc.details()}",
                        retryable=code.name not in _NO_RETRY,
                    ) from exc
            await asyncio.sleep(self._retry_base_s * 2**attempt)
        raise AssertionError("unreachable")

    async def download_metadata(self) -> DownloadMetadata:
        reply = await self._call(
            "get_download_metadata", self._stub.GetDownloadMetadata, self._pb.Empty(), 63
        )
        assert isinstance(reply, self._pb.JsonPayload)
        return _decode(reply.json, DownloadMetadata, "download metadata")

    async def download_chunks(self, data_version: int, indexes: Sequence[int]) -> list[Chunk]:
        request = self._pb.GetDownloadChunksRequest(
            data_version=data_version, indexes=list(indexes)
        )
        reply = await self._call("get_download_chunks", self._stub.GetDownloadChunks, request, 63)
        assert isinstance(reply, self._pb.JsonPayload)
        try:
            return _CHUNK_LIST.decode(reply.json)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ManifestError(f"download chunks from the engine: {exc}") from exc

    async def upload_slots(
        self, data_version: int | None, indexes: Sequence[int], url_expires_secs: int
    ) -> UploadSlots:
        request = self._pb.GetUploadSlotsRequest(
            data_version=data_version, slots=list(indexes), url_expires_secs=url_expires_secs
        )
        timeout = 5 + len(indexes) / 200
        reply = await self._call("get_upload_slots", self._stub.GetUploadSlots, request, timeout)
        assert isinstance(reply, self._pb.JsonPayload)
        return _decode(reply.json, UploadSlots, "upload slots")

    async def put_download_manifest(self, manifest: DownloadManifest, data_version: int) -> None:
        request = self._pb.PutDownloadManifestRequest(
            manifest_json=msgspec.json.encode(manifest).decode(), data_version=data_version
        )
        timeout = 3 + 10 + len(manifest.chunks) / 100
        await self._call("put_download_manifest", self._stub.PutDownloadManifest, request, timeout)

    async def close(self) -> None:
        await self._channel.close()


def _decode(data: str, type_: type[_T], what: str) -> _T:
    try:
        return decode_json(data, type_, what)
    except ModelError as exc:
        raise ManifestError(str(exc)) from exc
