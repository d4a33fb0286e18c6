"""``nib login``: e-mail/password → a user JWT (AuthService.Login) → an API key (ApiKeyService.Create)."""

from __future__ import annotations

from urllib.parse import urlsplit

import grpc
import grpc.aio

from bv_core.errors import ExternalError, InvalidInput
from bv_core.proto.blockjoy.common.v1 import resource_pb2
from bv_core.proto.blockjoy.v1 import api_key_pb2, api_key_pb2_grpc, auth_pb2, auth_pb2_grpc

__all__ = ["create_api_key"]

_TIMEOUT = 5.0


def _channel(url: str) -> grpc.aio.Channel:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"--api {url!r}: expected http(s)://host[:port]")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = f"{parts.hostname}:{port}"
    if parts.scheme == "https":
        return grpc.aio.secure_channel(target, grpc.ssl_channel_credentials())
    return grpc.aio.insecure_channel(target)


async def create_api_key(url: str, email: str, password: str, user_id: str) -> str:
    async with _channel(url) as channel:
        try:
            login = await auth_pb2_grpc.AuthServiceStub(channel).Login(
                auth_pb2.AuthServiceLoginRequest(email=email, password=password), timeout=_TIMEOUT)
            created = await api_key_pb2_grpc.ApiKeyServiceStub(channel).Create(
                api_key_pb2.ApiKeyServiceCreateRequest(
                    label="nib_token",
                    resource=resource_pb2.Resource(resource_type=resource_pb2.RESOURCE_TYPE_USER,
                                                   resource_id=user_id)),
                metadata=(("authorization", f"Bearer {login.token}"),), timeout=_TIMEOUT)
        except grpc.aio.AioRpcError as err:
            raise ExternalError(f"login at {url} failed: {err.code().name}: {err.details()}") from None
    return str(created.api_key)
