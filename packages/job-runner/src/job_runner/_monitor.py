"""Best-effort reports to babel's JobsMonitor service (push_log, register_restart).

A report that cannot be delivered (babel restarting) is dropped: the status file, not these
reports, is the source of truth, so the job never waits on babel.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

__all__ = ["MonitorClient"]

log = logging.getLogger(__name__)
TIMEOUT_S: Final = 1.0


class MonitorClient:
    def __init__(self, socket: Path, name: str) -> None:
        self._target = f"unix://{socket}"
        self._socket = socket
        self._name = name
        self._channel: Any = None
        self._stub: Any = None

    def _connect(self) -> Any:
        if self._stub is None:
            import grpc  # imported lazily: a runner that never reports never pays for it

            from bv_core.proto.babel.v1 import babel_pb2_grpc

            self._channel = grpc.insecure_channel(self._target)
            self._stub = babel_pb2_grpc.JobsMonitorStub(self._channel)
        return self._stub

    def _call(self, method: str, request: object) -> None:
        if not self._socket.exists():
            return
        try:
            getattr(self._connect(), method)(request, timeout=TIMEOUT_S)
        except Exception as exc:  # any transport failure: drop the report (see module doc)
            log.debug("job %s: %s not delivered: %s", self._name, method, exc)

    def push_log(self, message: str) -> None:
        from bv_core.proto.babel.v1 import babel_pb2

        self._call("PushLog", babel_pb2.PushLogRequest(name=self._name, message=message))

    def register_restart(self) -> None:
        from bv_core.proto.babel.v1 import babel_pb2

        self._call("RegisterRestart", babel_pb2.JobName(name=self._name))

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
