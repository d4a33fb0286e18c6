"""The two internal-API calls the installer makes on the daemon's Unix socket."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

import grpc  # noqa: E402

from bv_core.proto.blockvisor.internal.v1 import daemon_pb2, service_pb2_grpc  # noqa: E402

__all__ = ["DaemonClient", "NotImplementedByDaemon"]


class NotImplementedByDaemon(Exception):
    """The running daemon predates this RPC."""


class DaemonClient:
    def __init__(self, socket: Path, call_timeout: float = 3.0) -> None:
        self.socket = socket
        self.call_timeout = call_timeout

    def _stub(self, channel: grpc.Channel) -> service_pb2_grpc.BlockvisorServiceStub:
        return service_pb2_grpc.BlockvisorServiceStub(channel)

    def health(self) -> int | None:
        """The daemon's ServiceStatus, or None when it does not answer."""
        if not self.socket.exists():
            return None
        with grpc.insecure_channel(f"unix://{self.socket}") as ch:
            try:
                resp = self._stub(ch).GetHealth(daemon_pb2.GetHealthRequest(), timeout=self.call_timeout)
            except grpc.RpcError:
                return None
        return int(resp.status)

    def start_update(self) -> int | None:
        """Asks the daemon to prepare for an update; its status, or None when it does not answer."""
        if not self.socket.exists():
            return None
        with grpc.insecure_channel(f"unix://{self.socket}") as ch:
            try:
                resp = self._stub(ch).StartUpdate(daemon_pb2.StartUpdateRequest(),
                                                  timeout=self.call_timeout)
            except grpc.RpcError as err:
                if err.code() is grpc.StatusCode.UNIMPLEMENTED:
                    raise NotImplementedByDaemon() from None
                return None
        return int(resp.status)

    def version(self) -> str | None:
        if not self.socket.exists():
            return None
        with grpc.insecure_channel(f"unix://{self.socket}") as ch:
            try:
                info = self._stub(ch).GetDaemonInfo(daemon_pb2.GetDaemonInfoRequest(),
                                                    timeout=self.call_timeout)
            except grpc.RpcError:
                return None
        return str(info.bv_version)
