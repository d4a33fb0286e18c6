"""The BabelEngine service babel calls back on, one server per node on ``rootfs/engine.socket``.

Connected mode proxies these calls to the fleet API with the node's archive id. Standalone mode
has no fleet API: the archive calls are answered from a local archive store when one is
configured (not yet: issue 7), else they fail with a clear FAILED_PRECONDITION naming the fix.
``bv_error`` is babel reporting a problem it cannot fix itself: logged as an error.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import grpc

from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

__all__ = ["EngineServer", "NO_ARCHIVE_STORE"]

log = logging.getLogger(__name__)

NO_ARCHIVE_STORE = (
    "no archive store configured: standalone mode has no protocol-data archives "
    "(configure a local archive store or connect the host to a fleet API)"
)


class _Servicer(pb_grpc.BabelEngineServicer):
    def __init__(self, node_id: str) -> None:
        self._node_id = node_id

    async def _no_store(self, context: Any) -> Any:
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, NO_ARCHIVE_STORE)

    async def PutDownloadManifest(self, request: pb.PutDownloadManifestRequest, context: Any) -> pb.Empty:
        return await self._no_store(context)  # type: ignore[no-any-return]

    async def GetDownloadMetadata(self, request: pb.Empty, context: Any) -> pb.JsonPayload:
        return await self._no_store(context)  # type: ignore[no-any-return]

    async def GetDownloadChunks(self, request: pb.GetDownloadChunksRequest, context: Any) -> pb.JsonPayload:
        return await self._no_store(context)  # type: ignore[no-any-return]

    async def GetUploadSlots(self, request: pb.GetUploadSlotsRequest, context: Any) -> pb.JsonPayload:
        return await self._no_store(context)  # type: ignore[no-any-return]

    async def UpgradeBlockingJobsFinished(self, request: pb.Empty, context: Any) -> pb.Empty:
        return pb.Empty()

    async def BvError(self, request: pb.BvErrorRequest, context: Any) -> pb.Empty:
        log.error("node_id: %s|Babel: %s", self._node_id, request.message)
        return pb.Empty()


class EngineServer:
    """Serves BabelEngine for one node; start/stop are idempotent."""

    def __init__(self, node_id: str, socket: Path) -> None:
        self.node_id = node_id
        self.socket = socket
        self._server: grpc.aio.Server | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return
        server = grpc.aio.server()
        pb_grpc.add_BabelEngineServicer_to_server(_Servicer(self.node_id), server)
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
