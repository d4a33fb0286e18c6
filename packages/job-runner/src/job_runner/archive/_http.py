"""Blocking HTTP/1.1 for chunk transfers: one keep-alive connection per worker thread and host.

Why not an asyncio client: on a 2-core host the event-loop thread that received every byte and
handed pieces to worker threads cost about a quarter more CPU than ``curl | zstd -d``. Here the
worker thread that owns a chunk ``recv_into``s a reused buffer and hashes, decompresses and writes
it itself; every per-byte step (recv, BLAKE3, zstd, pwrite) runs in C with the GIL released, and
Python runs once per buffer, not once per socket read.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Final, final

from ._errors import Interrupted, TransferError, UrlExpired

__all__ = ["HttpPool"]

_ERROR_BODY: Final = 200  # bytes of an error response quoted in the message

_Key = tuple[str, str]  # (scheme, netloc)


def _split(url: str) -> tuple[_Key, str]:
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("http", "https") or not u.netloc:
        raise TransferError(f"unsupported URL {url[:80]!r}: expected http(s)://host/...")
    target = (u.path or "/") + (f"?{u.query}" if u.query else "")
    return (u.scheme, u.netloc), target


@final
class HttpPool:
    """Connections kept per thread (a worker never shares one); ``close`` ends them all."""

    def __init__(self, *, read_timeout_s: float, request_slots: threading.Semaphore | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._timeout = read_timeout_s
        self._slots = request_slots  # bounds requests being sent at once (max_connections)
        self._ssl = ssl_context
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._aborted = False

    @property
    def aborted(self) -> bool:
        """Whether ``abort`` was called: the pool takes no more requests."""
        return self._aborted

    def _conns(self) -> dict[_Key, http.client.HTTPConnection]:
        conns: dict[_Key, http.client.HTTPConnection] | None = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        return conns

    def _connection(self, key: _Key) -> tuple[http.client.HTTPConnection, bool]:
        """The thread's connection to ``key`` and whether it was used before."""
        conns = self._conns()
        conn = conns.get(key)
        if conn is not None:
            return conn, True
        scheme, netloc = key
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            conn = http.client.HTTPSConnection(netloc, timeout=self._timeout, context=self._ssl)
        else:
            conn = http.client.HTTPConnection(netloc, timeout=self._timeout)
        conns[key] = conn
        with self._lock:
            self._all.append(conn)
        return conn, False

    def _drop(self, key: _Key) -> None:
        conn = self._conns().pop(key, None)
        if conn is not None:
            conn.close()
            with self._lock, contextlib.suppress(ValueError):  # close() may have taken it
                self._all.remove(conn)

    def _send(self, method: str, url: str, headers: dict[str, str],
              body: Iterable[bytes | memoryview] | None = None) -> tuple[_Key, http.client.HTTPResponse]:
        key, target = _split(url)
        for attempt in (0, 1):
            if self._aborted:
                raise Interrupted("transfers were stopped")
            conn, reused = self._connection(key)
            try:
                if self._slots is not None:
                    with self._slots:
                        conn.request(method, target, body=body, headers=headers)
                else:
                    conn.request(method, target, body=body, headers=headers)
                if self._aborted:  # abort() may have missed a socket connected meanwhile
                    raise Interrupted("transfers were stopped")
                return key, conn.getresponse()
            except (http.client.HTTPException, OSError) as exc:
                self._drop(key)
                # A kept-alive connection the server closed meanwhile: one fresh try, no backoff.
                # (A body iterator can't be replayed, so PUTs retry in the caller.)
                if attempt == 0 and reused and body is None:
                    continue
                raise TransferError(f"{method} failed: {exc or type(exc).__name__}") from exc
            except BaseException:
                self._drop(key)  # e.g. Interrupted raised by the body iterator mid-request
                raise
        raise AssertionError("unreachable")

    @staticmethod
    def _refused(resp: http.client.HTTPResponse, what: str) -> TransferError:
        text = resp.read(_ERROR_BODY).decode(errors="replace")
        if resp.status == 403:
            return UrlExpired(f"server refused the {what} (403 {text!r})")
        return TransferError(f"server responded with {resp.status} {resp.reason}")

    def open_range(self, url: str, start: int, end: int, size: int, *, stop: Callable[[], bool],
                   deadline_s: float) -> RangeBody:
        """Send a GET for bytes ``start..end-1`` of an object of ``size`` bytes; the body is
        then received with ``RangeBody.readinto`` by the caller (pulled, not pushed)."""
        key, resp = self._send("GET", url, {"Range": f"bytes={start}-{end - 1}"})
        try:
            if not (resp.status == 206 or (resp.status == 200 and start == 0 and end == size)):
                raise self._refused(resp, "URL")  # 200 above: a server without Range support
            want = end - start
            length = resp.getheader("Content-Length")
            if length is not None and length.isdigit() and int(length) > want:
                raise TransferError(f"server error: received more bytes than requested ({want})")
        except (http.client.HTTPException, OSError) as exc:
            self._drop(key)
            raise TransferError(f"GET failed: {exc or type(exc).__name__}") from exc
        except BaseException:
            self._drop(key)  # the connection's state is unknown
            raise
        return RangeBody(self, key, resp, want, stop, deadline_s)

    def put(self, url: str, pieces: Iterable[bytes | memoryview], size: int) -> None:
        """PUT ``size`` bytes given as pieces (never joined) with an explicit Content-Length."""
        key, resp = self._send("PUT", url, {"Content-Length": str(size)}, pieces)
        try:
            if not 200 <= resp.status < 300:
                raise self._refused(resp, "upload URL")
            resp.read()
        except (http.client.HTTPException, OSError) as exc:
            self._drop(key)
            raise TransferError(f"PUT failed: {exc or type(exc).__name__}") from exc
        except BaseException:
            self._drop(key)
            raise

    def abort(self) -> None:
        """Wake every thread blocked on one of this pool's sockets (its call then fails at once)
        and refuse new requests.

        ``shutdown`` and not ``close``: closing a descriptor does not wake a thread blocked in
        ``recv`` on it, so a stop request would wait out the read timeout.
        """
        self._aborted = True  # no new requests from now on
        with self._lock:
            conns = list(self._all)
        for conn in conns:
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    @contextlib.asynccontextmanager
    async def aborted_on(self, stop: asyncio.Event) -> AsyncIterator[None]:
        """Within the block, a set ``stop`` aborts the transfers; leaving it (normally, by an
        error or by cancellation) aborts what is still in flight, so worker threads of
        cancelled tasks don't hold the job's exit for a read timeout."""
        async def watch() -> None:
            await stop.wait()
            self.abort()  # the workers see the stop request and end with Interrupted

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            yield
        finally:
            watcher.cancel()
            self.abort()

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()


@final
class RangeBody:
    """The body of a ranged GET, received piece by piece; ``close`` when done with it (a body
    not received to its end takes its connection with it)."""

    def __init__(self, pool: HttpPool, key: _Key, resp: http.client.HTTPResponse, want: int,
                 stop: Callable[[], bool], deadline_s: float) -> None:
        self._pool, self._key, self._resp = pool, key, resp
        self._stop, self._deadline_s = stop, deadline_s
        self._limit = time.monotonic() + deadline_s
        self.want = want
        self.got = 0
        self._complete = False

    @property
    def left(self) -> int:
        return self.want - self.got

    def readinto(self, buffer: memoryview) -> int:
        """Receive the next piece into ``buffer`` (at most what is left); never returns 0."""
        if self._stop():
            raise Interrupted("download interrupted")
        if time.monotonic() > self._limit:
            raise TransferError(f"transfer took longer than {self._deadline_s:.0f} s")
        try:
            n = self._resp.readinto(buffer[: min(len(buffer), self.left)])
            if not n:
                raise TransferError(
                    f"server error: received less bytes than requested ({self.got} of {self.want})")
            self.got += n
            if not self.left:
                if self._resp.read(1):
                    raise TransferError(
                        f"server error: received more bytes than requested ({self.want})")
                self._complete = True
            return n
        except (http.client.HTTPException, OSError) as exc:
            raise TransferError(
                f"GET failed after {self.got} bytes: {exc or type(exc).__name__}") from exc

    def close(self) -> None:
        if not self._complete:
            self._pool._drop(self._key)  # noqa: SLF001  # the connection's state is unknown
