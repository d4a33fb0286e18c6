"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.crypt_pb2 as _m0


class CryptServiceStub:
    def __init__(self, channel: Any) -> None: ...
    GetSecret: Any
    PutSecret: Any


class CryptServiceServicer:
    def GetSecret(self, request: _m0.CryptServiceGetSecretRequest, context: Any) -> Any: ...
    def PutSecret(self, request: _m0.CryptServicePutSecretRequest, context: Any) -> Any: ...


def add_CryptServiceServicer_to_server(servicer: CryptServiceServicer, server: Any) -> None: ...


class CryptService:
    GetSecret: Any
    PutSecret: Any
