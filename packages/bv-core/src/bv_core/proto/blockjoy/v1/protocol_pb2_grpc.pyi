"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.protocol_pb2 as _m0


class ProtocolServiceStub:
    def __init__(self, channel: Any) -> None: ...
    ListProtocols: Any
    GetProtocol: Any
    AddProtocol: Any
    UpdateProtocol: Any
    GetLatest: Any
    AddVersion: Any
    UpdateVersion: Any


class ProtocolServiceServicer:
    def ListProtocols(self, request: _m0.ProtocolServiceListProtocolsRequest, context: Any) -> Any: ...
    def GetProtocol(self, request: _m0.ProtocolServiceGetProtocolRequest, context: Any) -> Any: ...
    def AddProtocol(self, request: _m0.ProtocolServiceAddProtocolRequest, context: Any) -> Any: ...
    def UpdateProtocol(self, request: _m0.ProtocolServiceUpdateProtocolRequest, context: Any) -> Any: ...
    def GetLatest(self, request: _m0.ProtocolServiceGetLatestRequest, context: Any) -> Any: ...
    def AddVersion(self, request: _m0.ProtocolServiceAddVersionRequest, context: Any) -> Any: ...
    def UpdateVersion(self, request: _m0.ProtocolServiceUpdateVersionRequest, context: Any) -> Any: ...


def add_ProtocolServiceServicer_to_server(servicer: ProtocolServiceServicer, server: Any) -> None: ...


class ProtocolService:
    ListProtocols: Any
    GetProtocol: Any
    AddProtocol: Any
    UpdateProtocol: Any
    GetLatest: Any
    AddVersion: Any
    UpdateVersion: Any
