"""A small S3-like object store over real HTTP, for archive tests and the benchmark.

``ObjectStore(root, secret)`` serves files under ``root`` (object key = relative path) on
127.0.0.1 at a random port: PUT (Content-Length required, written via a temp file + rename),
GET with ``Range: bytes=a-b`` (206), HEAD. Every request must carry a presigned URL made by
``job_runner.archive.presign`` with the same secret; a bad or expired signature gets 403.

Faults are queued per method (and optionally per key) and consumed one per request:
``fail("GET", "500")``, ``"reset"`` (connection closed before a response), ``"truncate"``
(headers announce the full length, half the body is sent, connection closed), ``"corrupt"``
(one byte flipped), ``"slow"`` (``delay`` seconds before answering). Counters record GETs
and PUTs per key and 403s.

Run in-process (``async with ObjectStore(...) as store``) or as a process:
``python -m tests.fakes.object_store ROOT SECRET`` prints ``READY <base_url>``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from job_runner.archive import check_signature

__all__ = ["Fault", "ObjectStore"]

_FAULTS = ("500", "reset", "truncate", "corrupt", "slow")


@dataclass
class Fault:
    kind: str
    key: str | None = None  # None: any key
    delay: float = 0.0


class ObjectStore:
    def __init__(self, root: Path, secret: bytes, *, piece: int = 1 << 20) -> None:
        self.root = root
        self.secret = secret
        self.piece = piece
        self.gets: Counter[str] = Counter()
        self.ranges: list[tuple[str, int]] = []  # (key, first byte) of every GET served
        self.puts: Counter[str] = Counter()
        self.refused = 0
        self.injected: Counter[str] = Counter()
        self.delay_all = 0.0  # seconds before every GET body (a steady slow store)
        self._faults: dict[str, deque[Fault]] = {"GET": deque(), "PUT": deque(), "HEAD": deque()}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def fail(
        self, method: str, kind: str, *, key: str | None = None, count: int = 1, delay: float = 0.0
    ) -> None:
        if kind not in _FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {_FAULTS}")
        for _ in range(count):
            self._faults[method].append(Fault(kind, key, delay))

    def _take(self, method: str, key: str) -> Fault | None:
        queue = self._faults[method]
        for i, fault in enumerate(queue):
            if fault.key is None or fault.key == key:
                del queue[i]
                self.injected[fault.kind] += 1
                return fault
        return None

    async def __aenter__(self) -> ObjectStore:
        app = web.Application(client_max_size=1 << 40)
        app.router.add_route("*", "/{key:.+}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _path(self, key: str) -> Path | None:
        path = (self.root / key).resolve()
        return path if path.is_relative_to(self.root.resolve()) else None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        method = request.method
        why = check_signature(self.secret, method, key, request.query, time.time())
        if why is not None:
            self.refused += 1
            return web.Response(status=403, text=f"AccessDenied: {why}")
        path = self._path(key)
        if path is None:
            return web.Response(status=400, text="bad key")
        if method == "PUT":
            return await self._put(request, key, path)
        if method in ("GET", "HEAD"):
            return await self._get(request, key, path, head=method == "HEAD")
        return web.Response(status=405)

    async def _put(self, request: web.Request, key: str, path: Path) -> web.StreamResponse:
        self.puts[key] += 1
        if request.content_length is None:
            return web.Response(status=411, text="MissingContentLength")
        fault = self._take("PUT", key)
        if fault is not None:
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "500":
                return web.Response(status=500, text="InternalError")
            elif fault.kind == "reset":
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(request)}.part")
        got = 0
        # iter_any + os.write: pieces as received, no re-joining or buffering; this fake is
        # in the benchmark's measured path and must not cost more CPU than a remote store would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            async for data in request.content.iter_any():
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                got += len(data)
        finally:
            os.close(fd)
        if got != request.content_length:
            tmp.unlink()
            return web.Response(status=400, text="IncompleteBody")
        if fault is not None and fault.kind == "corrupt":  # stored bytes differ from those sent
            with open(tmp, "r+b") as f:
                b = f.read(1)
                f.seek(0)
                f.write(bytes([(b[0] if b else 0) ^ 0xFF]))
        os.replace(tmp, path)
        return web.Response(status=200, headers={"ETag": f'"{got}"'})

    async def _get(
        self, request: web.Request, key: str, path: Path, *, head: bool
    ) -> web.StreamResponse:
        if not path.is_file():
            return web.Response(status=404, text="NoSuchKey")
        size = path.stat().st_size
        start, end, status = 0, size - 1, 200
        rng = request.headers.get("Range")
        if rng:
            try:
                unit, _, spec = rng.partition("=")
                a, _, b = spec.partition("-")
                start, end = int(a), min(int(b) if b else size - 1, size - 1)
                if unit != "bytes" or start > end:
                    raise ValueError
            except ValueError:
                return web.Response(status=416, headers={"Content-Range": f"bytes */{size}"})
            status = 206
        length = end - start + 1
        headers = {"Content-Length": str(length), "Accept-Ranges": "bytes"}
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        if head:
            return web.Response(status=200, headers=headers)
        self.gets[key] += 1
        self.ranges.append((key, start))
        fault = self._take("GET", key)
        if self.delay_all:
            await asyncio.sleep(self.delay_all)
        if fault is not None:
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "500":
                return web.Response(status=500, text="InternalError")
            elif fault.kind == "reset":
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
        if fault is None:
            return web.FileResponse(path, chunk_size=self.piece)  # sendfile; handles Range itself
        resp = web.StreamResponse(status=status, headers=headers)
        await resp.prepare(request)
        limit = length // 2 if fault is not None and fault.kind == "truncate" else length
        sent = 0
        with open(path, "rb") as f:
            f.seek(start)
            while sent < limit:
                data = f.read(min(self.piece, limit - sent))
                if not data:
                    break
                if fault is not None and fault.kind == "corrupt" and sent == 0:
                    data = bytes([data[0] ^ 0xFF]) + data[1:]
                await resp.write(data)
                sent += len(data)
        if sent < length:
            assert request.transport is not None
            request.transport.close()
            return resp
        await resp.write_eof()
        return resp


async def _serve(root: Path, secret: bytes) -> None:
    async with ObjectStore(root, secret) as store:
        print(f"READY {store.base_url}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str]) -> Any:
    if len(argv) != 2:
        print("usage: python -m tests.fakes.object_store ROOT SECRET", file=sys.stderr)
        return 2
    try:
        import uvloop

        uvloop.run(_serve(Path(argv[0]), argv[1].encode()))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
