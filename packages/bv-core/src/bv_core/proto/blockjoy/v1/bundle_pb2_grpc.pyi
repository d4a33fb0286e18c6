"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.bundle_pb2 as _m0


class BundleServiceStub:
    def __init__(self, channel: Any) -> None: ...
    ListVersions: Any
    Retrieve: Any


class BundleServiceServicer:
    def ListVersions(self, request: _m0.BundleServiceListVersionsRequest, context: Any) -> Any: ...
    def Retrieve(self, request: _m0.BundleServiceRetrieveRequest, context: Any) -> Any: ...


def add_BundleServiceServicer_to_server(servicer: BundleServiceServicer, server: Any) -> None: ...


class BundleService:
    ListVersions: Any
    Retrieve: Any
