"""The daemon's HTTP server for a standalone archive store: chunk objects behind presigned URLs.

Serves the files of a `job_runner.archive.LocalArchiveStore` directory (object key = path
relative to the root) to the download/upload jobs inside nodes:

* ``GET`` (with ``Range: bytes=a-b``) and ``HEAD`` of an object,
* ``PUT`` of an object: ``Content-Length`` is required; the body goes to a temp file next to
  the object and is renamed over it only once complete, so a reader never sees a torn chunk.

Every request must carry a URL presigned with the server's secret
(`job_runner.archive.presign`); anything else gets 403. Nodes reach the host through their
bridge, so the daemon listens on the bridge address (``NetSettings.bridge_ip``). The bridge may
not exist yet when the daemon starts (the platform creates it with the first node), so the
socket is bound with ``IP_FREEBIND``. aiohttp is imported only when a server is started.
"""

from __future__ import annotations

import asyncio
import enum
import os
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, Final, final

from bv_core.errors import ExternalError

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["ArchiveServer"]

_IP_FREEBIND: Final = getattr(socket, "IP_FREEBIND", 15)  # Linux value; Python 3.11 lacks the name
_PIECE: Final = 1 << 20


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"  # serving
    CLOSED = "closed"  # stopped; a server is not restarted


@final
class ArchiveServer:
    """``async with ArchiveServer(root, secret, host) as server: server.base_url ...``"""

    def __init__(
        self, root: Path, secret: bytes, host: str, port: int = 0, *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.secret = secret
        self.host = host
        self.port = port
        self._clock = clock
        self._state = _State.UNOPENED
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        if self._state is not _State.OPENED:
            raise RuntimeError(f"archive server is {self._state.value}; start it first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> ArchiveServer:
        if self._state is not _State.UNOPENED:
            raise RuntimeError(f"archive server is {self._state.value}; it can be started only once")
        from aiohttp import web

        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExternalError(f"archive store {self.root}: cannot create it: {err.strerror}") from None
        sock = _bind(self.host, self.port)
        app = web.Application(client_max_size=1 << 40)
        app.router.add_route("*", "/{key:.+}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = sock.getsockname()[1]
        self._runner = runner
        self._state = _State.OPENED
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        self._state = _State.CLOSED
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> ArchiveServer:
        return await self.start()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- requests --------------------------------------------------------------------------------
    def _path(self, key: str) -> Path | None:
        root = self.root.resolve()
        path = (root / key).resolve()
        if not path.is_relative_to(root) or path == root or path.name.startswith("."):
            return None  # outside the store, or a temp/lock file
        return path

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        from job_runner.archive import check_signature

        key = request.match_info["key"]
        why = check_signature(self.secret, request.method, key, request.query, self._clock())
        if why is not None:
            return web.Response(status=403, text=f"AccessDenied: {why}")
        path = self._path(key)
        if path is None:
            return web.Response(status=400, text=f"bad object key {key!r}")
        if request.method == "PUT":
            return await self._put(request, path)
        if request.method in ("GET", "HEAD"):
            if not path.is_file():
                return web.Response(status=404, text=f"NoSuchKey: {key}")
            return web.FileResponse(path, chunk_size=_PIECE)  # Range, HEAD and sendfile
        return web.Response(status=405, headers={"Allow": "GET, HEAD, PUT"})

    async def _put(self, request: web.Request, path: Path) -> web.StreamResponse:
        from aiohttp import web

        if request.content_length is None:
            return web.Response(status=411, text="MissingContentLength")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        got = 0
        buf = bytearray()
        try:
            # Disk writes happen in a worker thread, a piece at a time: the daemon's event loop
            # also serves the CLI, the fleet API and every node's babel.
            with open(tmp, "wb") as f:
                async for data in request.content.iter_chunked(_PIECE):
                    buf += data
                    got += len(data)
                    if len(buf) >= _PIECE:
                        await asyncio.to_thread(f.write, bytes(buf))
                        buf.clear()
                if buf:
                    await asyncio.to_thread(f.write, bytes(buf))
                if got != request.content_length:
                    return web.Response(
                        status=400, text=f"IncompleteBody: got {got} of {request.content_length} bytes")
                # durable before it is visible: a manifest written later must not name lost bytes
                await asyncio.to_thread(_flush, f)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return web.Response(status=200, headers={"ETag": f'"{got}"'})


def _flush(f: BinaryIO) -> None:
    f.flush()
    os.fsync(f.fileno())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET:
            sock.setsockopt(socket.IPPROTO_IP, _IP_FREEBIND, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as err:
        sock.close()
        raise ExternalError(f"archive server: cannot listen on {host}:{port}: {err.strerror}") from None
    return sock
