"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.metrics_pb2 as _m0


class MetricsServiceStub:
    def __init__(self, channel: Any) -> None: ...
    Host: Any
    Node: Any


class MetricsServiceServicer:
    def Host(self, request: _m0.MetricsServiceHostRequest, context: Any) -> Any: ...
    def Node(self, request: _m0.MetricsServiceNodeRequest, context: Any) -> Any: ...


def add_MetricsServiceServicer_to_server(servicer: MetricsServiceServicer, server: Any) -> None: ...


class MetricsService:
    Host: Any
    Node: Any
