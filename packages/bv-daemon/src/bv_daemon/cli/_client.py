"""The CLI's side of the daemon's local API: a gRPC channel on the daemon's Unix socket.

Every call goes through `DaemonClient.call` / `DaemonClient.stream`, which translate gRPC
statuses into `CliError`s with one-line operator messages, so no grpc type reaches a command.

Start-up time matters here (`bv node list` is run by scripts in loops): unary calls go over
`UnaryChannel`, a small HTTP/2 client that needs no grpcio (importing grpc costs more than the
call); only streaming calls import grpc. Each RPC takes its response type from `RPC_TYPES`,
so a call loads the one message module it needs instead of the generated stub, which imports
every message module of the service.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bv_core.errors import BvError, InternalError

from ..logging_setup import TRACE
from ._unary_channel import RpcStatus, UnaryChannel

if TYPE_CHECKING:
    import grpc

__all__ = [
    "LONG_TIMEOUT",
    "RPC_TYPES",
    "CliError",
    "DaemonClient",
    "DaemonUnreachable",
    "UsageError",
    "daemon_pid_from_socket",
]

# Quick unary requests; node actions (start, stop, plugin calls) that wait on a node; streams
# (create, upgrade). Bounds, so a wedged daemon never hangs a script forever.
DEFAULT_TIMEOUT: Final = 30.0
LONG_TIMEOUT: Final = 600.0
STREAM_TIMEOUT: Final = 900.0

SERVICE: Final = "blockvisor.internal.v1.BlockvisorService"
_PROTO_PACKAGE: Final = "bv_core.proto.blockvisor.internal.v1"

# BlockvisorService RPC -> (message module, response message, server-streaming), as in
# proto/blockvisor/internal/v1/service.proto. tests/cli/test_cli_startup.py checks it against
# the generated service descriptor, so a changed .proto cannot leave it stale unnoticed.
RPC_TYPES: Final[dict[str, tuple[str, str, bool]]] = {
    "GetDaemonInfo": ("daemon_pb2", "DaemonInfo", False),
    "GetHealth": ("daemon_pb2", "GetHealthResponse", False),
    "StartUpdate": ("daemon_pb2", "StartUpdateResponse", False),
    "GetHostInfo": ("host_pb2", "HostInfo", False),
    "GetHostMetrics": ("host_pb2", "HostMetrics", False),
    "ListImages": ("image_pb2", "ListImagesResponse", False),
    "ListNodes": ("node_pb2", "ListNodesResponse", False),
    "GetNode": ("node_pb2", "NodeInfo", False),
    "GetNodeStatus": ("node_pb2", "GetNodeStatusResponse", False),
    "CreateNode": ("node_pb2", "NodeProgress", True),
    "CreateDevNode": ("node_pb2", "NodeProgress", True),
    "StartNode": ("node_pb2", "NodeActionResult", False),
    "StopNode": ("node_pb2", "NodeActionResult", False),
    "RestartNode": ("node_pb2", "NodeActionResult", False),
    "UpgradeNode": ("node_pb2", "NodeProgress", True),
    "UpgradeDevNode": ("node_pb2", "NodeProgress", True),
    "UpdateNode": ("node_pb2", "NodeActionResult", False),
    "DeleteNode": ("node_pb2", "NodeActionResult", False),
    "ReloadPlugin": ("node_pb2", "ReloadPluginResponse", False),
    "ListCapabilities": ("node_pb2", "ListCapabilitiesResponse", False),
    "RunPluginMethod": ("node_pb2", "RunPluginMethodResponse", False),
    "GetNodeMetrics": ("node_pb2", "NodeMetrics", False),
    "ListJobs": ("job_pb2", "ListJobsResponse", False),
    "GetJobInfo": ("job_pb2", "JobInfo", False),
    "StartJob": ("job_pb2", "NodeJobResponse", False),
    "StopJob": ("job_pb2", "NodeJobResponse", False),
    "SkipJob": ("job_pb2", "NodeJobResponse", False),
    "CleanupJob": ("job_pb2", "NodeJobResponse", False),
    "StreamLogs": ("job_pb2", "LogEntry", True),
}

log = logging.getLogger("bv.client")


class CliError(BvError):
    """A failed command: ``str(err)`` goes to stderr as one line, the process exits ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(CliError):
    """The command line itself is wrong (exit code 2, like click's own usage errors)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)


def _one_line(message: Any) -> str:
    return " ".join(str(message).split())


class DaemonUnreachable(CliError):
    """No daemon answers on the socket (or we may not use it): no later call can succeed either."""


def _unreachable(path: Path) -> CliError:
    return DaemonUnreachable(f"cannot reach blockvisord at {path}: is it running? (bv start)")


class DaemonClient:
    """One channel to blockvisord; ``subject`` names what a NOT_FOUND refers to."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._channel: grpc.Channel | None = None  # for streams
        self._unary: UnaryChannel | None = None
        self._rpcs: dict[str, Any] = {}

    def _check_socket(self) -> None:
        if not self.socket_path.exists():
            raise _unreachable(self.socket_path)
        if not os.access(self.socket_path, os.R_OK | os.W_OK):
            # The socket is root-only (0660) by design; say so instead of "is it running?".
            raise DaemonUnreachable(f"permission denied on {self.socket_path}: run bv as root "
                                    "(or as a member of the socket's group)")

    def _open(self) -> Any:
        if self._channel is None:
            self._check_socket()
            import grpc  # the heaviest import of the CLI: only streaming calls need it

            self._channel = grpc.insecure_channel(f"unix://{self.socket_path}")
        return self._channel

    @staticmethod
    def _types(method: str, *, streaming: bool) -> Any:
        """The response message class of ``method``, checked to be unary or streaming."""
        try:
            module, response, server_streaming = RPC_TYPES[method]
        except KeyError:
            raise InternalError(f"unknown BlockvisorService method: {method}") from None
        if server_streaming != streaming:
            raise InternalError(f"{method} is {'' if server_streaming else 'not '}a streaming RPC")
        return getattr(importlib.import_module(f"{_PROTO_PACKAGE}.{module}"), response)

    def rpc(self, method: str) -> Any:
        """The grpc multi-callable of streaming BlockvisorService ``method``."""
        bound = self._rpcs.get(method)
        if bound is None:
            response_type = self._types(method, streaming=True)
            channel = self._open()
            # Requests serialize themselves (SerializeToString is called on the instance); the
            # registered-method flag is what the generated stub passes too.
            bound = channel.unary_stream(f"/{SERVICE}/{method}", request_serializer=_serialize,
                                         response_deserializer=response_type.FromString,
                                         _registered_method=True)
            self._rpcs[method] = bound
        return bound

    def close(self) -> None:
        if self._unary is not None:
            self._unary.close()
            self._unary = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._rpcs.clear()

    def _call(self, method: str, request: Any, subject: str | None,
              timeout: float | None) -> tuple[Any, dict[str, str]]:
        response_type = self._types(method, streaming=False)
        if self._unary is None:
            self._check_socket()
            self._unary = UnaryChannel(self.socket_path)
        log.log(TRACE, "-> %s %s", method, _one_line(request))
        try:
            data, trailers = self._unary.call(f"/{SERVICE}/{method}", request.SerializeToString(),
                                              timeout)
        except RpcStatus as err:
            log.debug("<- %s %s", err.code, err.details)
            raise status_message(err.code, err.details, subject, self.socket_path) from None
        return response_type.FromString(data), trailers

    def call(self, method: str, request: Any, *, subject: str | None = None,
             timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        """Unary RPC ``method`` with errors translated (``subject``: the node or job asked for)."""
        return self._call(method, request, subject, timeout)[0]

    def call_with_trailers(self, method: str, request: Any, *, subject: str | None = None,
                           timeout: float | None = DEFAULT_TIMEOUT) -> tuple[Any, dict[str, str]]:
        """Like `call`, also returning the trailing metadata (e.g. ``bv-status-reason``)."""
        return self._call(method, request, subject, timeout)

    def stream(self, method: str, request: Any, *, subject: str | None = None,
               timeout: float | None = STREAM_TIMEOUT) -> Iterator[Any]:
        """Server-streaming RPC ``method``; yields messages, errors translated."""
        rpc: Callable[..., Any] = self.rpc(method)
        import grpc  # loaded by rpc(): a dict lookup here

        log.log(TRACE, "-> %s (stream) %s", method, _one_line(request))
        try:
            yield from rpc(request, timeout=timeout)
        except grpc.RpcError as err:
            raise self.translate(err, subject) from None

    def is_up(self) -> bool:
        """True when the daemon answers GetDaemonInfo (whatever its readiness)."""
        from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

        try:
            self.call("GetDaemonInfo", daemon_pb2.GetDaemonInfoRequest(), timeout=3.0)
        except CliError:
            self.close()
            return False
        return True

    def translate(self, err: grpc.RpcError, subject: str | None) -> CliError:
        code = err.code().name if hasattr(err, "code") else "UNKNOWN"
        details = (err.details() if hasattr(err, "details") else None) or ""
        log.debug("<- %s %s", code, details)
        return status_message(code, details, subject, self.socket_path)


def status_message(code: str, details: str, subject: str | None, socket_path: Path) -> CliError:
    """One operator line for gRPC status ``code`` (its name, e.g. ``NOT_FOUND``); the daemon's
    own text wins when it sent one."""
    if code == "UNAVAILABLE":
        # grpc's own connection failures vs. the daemon saying it is not ready (starting/updating).
        transport = ("connect" in details.lower() or "socket" in details.lower()
                     or not socket_path.exists())
        if transport:
            return _unreachable(socket_path)
        return CliError(f"blockvisord is not ready: {details or 'try again shortly'}")
    if code == "DEADLINE_EXCEEDED":
        return CliError(f"blockvisord at {socket_path} did not answer in time")
    if code == "NOT_FOUND":
        if details:
            return CliError(details)
        return CliError(f"node `{subject}` not found" if subject else "not found")
    if code == "INVALID_ARGUMENT":
        return CliError(details or "invalid argument")
    if code == "CANCELLED":
        return CliError("cancelled")
    if code == "UNIMPLEMENTED":
        return CliError(f"blockvisord does not support this request: {details or 'unimplemented'}")
    return CliError(details or f"blockvisord failed: {code.lower()}")


def _serialize(request: Any) -> bytes:
    data: bytes = request.SerializeToString()
    return data


def daemon_pid_from_socket(path: Path) -> int | None:
    """Pid of the process listening on ``path`` (SO_PEERCRED), None when nobody listens.

    The local API has no shutdown RPC: `bv stop` signals the process that owns the socket,
    which needs no pid file that could be stale.
    """
    import socket
    import struct

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(2.0)
        sock.connect(str(path))
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    finally:
        sock.close()
    pid, _uid, _gid = struct.unpack("3i", creds)
    return pid if pid > 0 else None
