"""The fleet API calls bvup makes (api-contract.md §3.1): GetRegion, CreateHost, BundleService."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

import grpc  # noqa: E402

from bv_core.errors import ExternalError, InvalidInput, NotFound  # noqa: E402
from bv_core.proto.blockjoy.v1 import (  # noqa: E402
    auth_pb2,
    auth_pb2_grpc,
    bundle_pb2,
    bundle_pb2_grpc,
    host_pb2,
    host_pb2_grpc,
)

__all__ = ["FleetApi", "TokenExpired"]

_UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class TokenExpired(ExternalError):
    pass


class FleetApi:
    def __init__(self, url: str, timeout: float = 15.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"--api: {url!r} is not an http:// or https:// URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = f"{parts.hostname}:{port}"
        self.url = url
        self.timeout = timeout
        self.channel = (grpc.secure_channel(target, grpc.ssl_channel_credentials())
                        if parts.scheme == "https" else grpc.insecure_channel(target))

    def close(self) -> None:
        self.channel.close()

    def _call(self, what: str, fn: Any, request: Any, token: str | None = None) -> Any:
        metadata = (("authorization", f"Bearer {token}"),) if token else ()
        try:
            return fn(request, timeout=self.timeout, metadata=metadata)
        except grpc.RpcError as err:
            code, details = err.code(), err.details()
            if code in _UNREACHABLE:
                raise ExternalError(f"fleet API {self.url} unreachable ({what}): {details}") from None
            if code is grpc.StatusCode.UNAUTHENTICATED and "TOKEN_EXPIRED" in (details or ""):
                raise TokenExpired(f"{what}: host token expired") from None
            raise ExternalError(f"{what} failed: {code.name}: {details}") from None

    def region_id(self, key: str) -> str:
        stub = host_pb2_grpc.HostServiceStub(self.channel)
        try:
            resp = self._call("GetRegion", stub.GetRegion, host_pb2.HostServiceGetRegionRequest(region_key=key))
        except ExternalError as err:
            if "NOT_FOUND" in str(err):
                raise NotFound(f"region '{key}' not found") from None
            raise
        return str(resp.region.region_id)

    def create_host(self, request: Any) -> Any:
        stub = host_pb2_grpc.HostServiceStub(self.channel)
        try:
            resp = self._call("CreateHost", stub.CreateHost, request)
        except ExternalError as err:
            if "PERMISSION_DENIED" in str(err) or "UNAUTHENTICATED" in str(err):
                raise InvalidInput(f"provision token rejected by {self.url}: "
                                   f"{str(err).split(': ', 2)[-1]}") from None
            raise
        if not resp.HasField("host"):
            raise ExternalError("No `host` in CreateHost response")
        return resp

    def refresh(self, token: str, refresh: str) -> tuple[str, str]:
        stub = auth_pb2_grpc.AuthServiceStub(self.channel)
        resp = self._call("Refresh", stub.Refresh, auth_pb2.AuthServiceRefreshRequest(token=token, refresh=refresh))
        return str(resp.token), str(resp.refresh)

    def bundle_versions(self, token: str) -> list[str]:
        stub = bundle_pb2_grpc.BundleServiceStub(self.channel)
        resp = self._call("BundleService.ListVersions", stub.ListVersions,
                          bundle_pb2.BundleServiceListVersionsRequest(), token)
        return [b.version for b in resp.bundle_ids]

    def bundle_url(self, token: str, version: str) -> str:
        stub = bundle_pb2_grpc.BundleServiceStub(self.channel)
        resp = self._call("BundleService.Retrieve", stub.Retrieve, bundle_pb2.BundleServiceRetrieveRequest(
            bundle_id=bundle_pb2.BundleIdentifier(version=version)), token)
        return str(resp.url)
