"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.discovery_pb2 as _m0


class DiscoveryServiceStub:
    def __init__(self, channel: Any) -> None: ...
    Services: Any


class DiscoveryServiceServicer:
    def Services(self, request: _m0.DiscoveryServiceServicesRequest, context: Any) -> Any: ...


def add_DiscoveryServiceServicer_to_server(servicer: DiscoveryServiceServicer, server: Any) -> None: ...


class DiscoveryService:
    Services: Any
