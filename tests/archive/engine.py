"""A BabelEngine server on a Unix socket answering archive calls from a LocalArchiveStore.

This is what the daemon's engine server must do in standalone mode (payload shapes in
``job_runner.archive._source``); tests use it to run real job-runner processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import msgspec

from bv_core.models import DownloadManifest
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc
from job_runner.archive import ArchiveNotFound, LocalArchiveStore, SourceError


class _Engine(pb_grpc.BabelEngineServicer):
    def __init__(self, store: LocalArchiveStore) -> None:
        self.store = store
        self.errors: list[str] = []

    async def _guard(self, context: Any, coro: Any) -> Any:
        try:
            return await coro
        except ArchiveNotFound as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
        except SourceError as exc:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))

    async def GetDownloadMetadata(self, request: pb.Empty, context: Any) -> pb.JsonPayload:
        meta = await self._guard(context, self.store.download_metadata())
        return pb.JsonPayload(json=msgspec.json.encode(meta).decode())

    async def GetDownloadChunks(
        self, request: pb.GetDownloadChunksRequest, context: Any
    ) -> pb.JsonPayload:
        chunks = await self._guard(
            context, self.store.download_chunks(request.data_version, list(request.indexes))
        )
        return pb.JsonPayload(json=msgspec.json.encode(chunks).decode())

    async def GetUploadSlots(
        self, request: pb.GetUploadSlotsRequest, context: Any
    ) -> pb.JsonPayload:
        version = request.data_version if request.HasField("data_version") else None
        slots = await self._guard(
            context, self.store.upload_slots(version, list(request.slots), request.url_expires_secs)
        )
        return pb.JsonPayload(json=msgspec.json.encode(slots).decode())

    async def PutDownloadManifest(
        self, request: pb.PutDownloadManifestRequest, context: Any
    ) -> pb.Empty:
        manifest = msgspec.json.decode(request.manifest_json, type=DownloadManifest)
        await self._guard(context, self.store.put_download_manifest(manifest, request.data_version))
        return pb.Empty()

    async def BvError(self, request: pb.BvErrorRequest, context: Any) -> pb.Empty:
        self.errors.append(request.message)
        return pb.Empty()


async def serve_engine(store: LocalArchiveStore, socket: Path) -> grpc.aio.Server:
    server = grpc.aio.server()
    pb_grpc.add_BabelEngineServicer_to_server(_Engine(store), server)
    socket.parent.mkdir(parents=True, exist_ok=True)
    server.add_insecure_port(f"unix://{socket}")
    await server.start()
    return server
