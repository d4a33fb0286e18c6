"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.command_pb2 as _m0


class CommandServiceStub:
    def __init__(self, channel: Any) -> None: ...
    Pending: Any
    Ack: Any
    Update: Any


class CommandServiceServicer:
    def Pending(self, request: _m0.CommandServicePendingRequest, context: Any) -> Any: ...
    def Ack(self, request: _m0.CommandServiceAckRequest, context: Any) -> Any: ...
    def Update(self, request: _m0.CommandServiceUpdateRequest, context: Any) -> Any: ...


def add_CommandServiceServicer_to_server(servicer: CommandServiceServicer, server: Any) -> None: ...


class CommandService:
    Pending: Any
    Ack: Any
    Update: Any
