"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.auth_pb2 as _m0


class AuthServiceStub:
    def __init__(self, channel: Any) -> None: ...
    Login: Any
    Refresh: Any


class AuthServiceServicer:
    def Login(self, request: _m0.AuthServiceLoginRequest, context: Any) -> Any: ...
    def Refresh(self, request: _m0.AuthServiceRefreshRequest, context: Any) -> Any: ...


def add_AuthServiceServicer_to_server(servicer: AuthServiceServicer, server: Any) -> None: ...


class AuthService:
    Login: Any
    Refresh: Any
