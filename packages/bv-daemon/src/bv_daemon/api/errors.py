"""Domain errors -> gRPC status codes, in one table (most specific family first).

The message sent is the error's own one-line text, so the CLI can print it as is.
"""

from __future__ import annotations

import grpc

from bv_core.errors import BvError, Conflict, ExternalError, InternalError, InvalidInput, NotFound
from bv_core.plugin import MethodNotFound, PluginError
from bv_daemon.dev_nodes import Unimplemented
from bv_daemon.upgrade import BlockingJobRunning, NodeUpgradeFailure, NodeUpgradeRollback

__all__ = ["ERROR_CODES", "ServiceUnavailable", "status_of"]


class ServiceUnavailable(BvError):
    """The daemon is starting, updating or shutting down."""


ERROR_CODES: list[tuple[type[BaseException], grpc.StatusCode]] = [
    (ServiceUnavailable, grpc.StatusCode.UNAVAILABLE),
    (Unimplemented, grpc.StatusCode.UNIMPLEMENTED),
    (MethodNotFound, grpc.StatusCode.NOT_FOUND),
    (PluginError, grpc.StatusCode.UNKNOWN),
    (BlockingJobRunning, grpc.StatusCode.FAILED_PRECONDITION),
    (NodeUpgradeRollback, grpc.StatusCode.ABORTED),
    (NodeUpgradeFailure, grpc.StatusCode.INTERNAL),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (Conflict, grpc.StatusCode.FAILED_PRECONDITION),
    (ExternalError, grpc.StatusCode.UNKNOWN),
    (InternalError, grpc.StatusCode.INTERNAL),
    (BvError, grpc.StatusCode.UNKNOWN),
]


def status_of(err: BaseException) -> grpc.StatusCode:
    for kind, code in ERROR_CODES:
        if isinstance(err, kind):
            return code
    return grpc.StatusCode.INTERNAL
