"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.host_pb2 as _m0


class HostServiceStub:
    def __init__(self, channel: Any) -> None: ...
    CreateHost: Any
    UpdateHost: Any
    GetRegion: Any


class HostServiceServicer:
    def CreateHost(self, request: _m0.HostServiceCreateHostRequest, context: Any) -> Any: ...
    def UpdateHost(self, request: _m0.HostServiceUpdateHostRequest, context: Any) -> Any: ...
    def GetRegion(self, request: _m0.HostServiceGetRegionRequest, context: Any) -> Any: ...


def add_HostServiceServicer_to_server(servicer: HostServiceServicer, server: Any) -> None: ...


class HostService:
    CreateHost: Any
    UpdateHost: Any
    GetRegion: Any
