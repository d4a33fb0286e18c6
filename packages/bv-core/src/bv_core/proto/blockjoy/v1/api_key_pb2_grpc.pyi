"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.api_key_pb2 as _m0


class ApiKeyServiceStub:
    def __init__(self, channel: Any) -> None: ...
    Create: Any


class ApiKeyServiceServicer:
    def Create(self, request: _m0.ApiKeyServiceCreateRequest, context: Any) -> Any: ...


def add_ApiKeyServiceServicer_to_server(servicer: ApiKeyServiceServicer, server: Any) -> None: ...


class ApiKeyService:
    Create: Any
