"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.archive_pb2 as _m0


class ArchiveServiceStub:
    def __init__(self, channel: Any) -> None: ...
    GetDownloadMetadata: Any
    GetDownloadChunks: Any
    GetUploadSlots: Any
    PutDownloadManifest: Any


class ArchiveServiceServicer:
    def GetDownloadMetadata(self, request: _m0.ArchiveServiceGetDownloadMetadataRequest, context: Any) -> Any: ...
    def GetDownloadChunks(self, request: _m0.ArchiveServiceGetDownloadChunksRequest, context: Any) -> Any: ...
    def GetUploadSlots(self, request: _m0.ArchiveServiceGetUploadSlotsRequest, context: Any) -> Any: ...
    def PutDownloadManifest(self, request: _m0.ArchiveServicePutDownloadManifestRequest, context: Any) -> Any: ...


def add_ArchiveServiceServicer_to_server(servicer: ArchiveServiceServicer, server: Any) -> None: ...


class ArchiveService:
    GetDownloadMetadata: Any
    GetDownloadChunks: Any
    GetUploadSlots: Any
    PutDownloadManifest: Any
