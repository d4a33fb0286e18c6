"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.node_pb2 as _m0


class NodeServiceStub:
    def __init__(self, channel: Any) -> None: ...
    Create: Any
    List: Any
    UpgradeImage: Any
    ReportStatus: Any
    Start: Any
    Stop: Any
    Delete: Any


class NodeServiceServicer:
    def Create(self, request: _m0.NodeServiceCreateRequest, context: Any) -> Any: ...
    def List(self, request: _m0.NodeServiceListRequest, context: Any) -> Any: ...
    def UpgradeImage(self, request: _m0.NodeServiceUpgradeImageRequest, context: Any) -> Any: ...
    def ReportStatus(self, request: _m0.NodeServiceReportStatusRequest, context: Any) -> Any: ...
    def Start(self, request: _m0.NodeServiceStartRequest, context: Any) -> Any: ...
    def Stop(self, request: _m0.NodeServiceStopRequest, context: Any) -> Any: ...
    def Delete(self, request: _m0.NodeServiceDeleteRequest, context: Any) -> Any: ...


def add_NodeServiceServicer_to_server(servicer: NodeServiceServicer, server: Any) -> None: ...


class NodeService:
    Create: Any
    List: Any
    UpgradeImage: Any
    ReportStatus: Any
    Start: Any
    Stop: Any
    Delete: Any
