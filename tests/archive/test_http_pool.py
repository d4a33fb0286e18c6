"""The blocking chunk-transfer client (job_runner.archive._http) against real HTTP(S) servers."""

from __future__ import annotations

import http.server
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from job_runner.archive import TransferError, UrlExpired
from job_runner.archive._http import HttpPool

BODY = os.urandom(3 * 1024 * 1024 + 17)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive by default
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.server.requests += 1
        if self.path.startswith("/expired"):
            self._reply(403, b"AccessDenied: expired")
            return
        start, end = (int(x) for x in self.headers["Range"].removeprefix("bytes=").split("-"))
        data = BODY[start : end + 1]
        self.send_response(206)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.path.startswith("/short"):
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.wfile.write(data)
        if self.server.drop_after_reply:
            # close without "Connection: close": the client holds a connection that is dead
            self.close_connection = True

    def do_PUT(self) -> None:  # noqa: N802
        self.server.requests += 1
        size = int(self.headers["Content-Length"])
        self.server.stored = self.rfile.read(size)
        self._reply(200, b"")

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    requests = 0
    connections = 0
    drop_after_reply = False
    stored = b""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.closed = threading.Semaphore(0)

    def get_request(self):  # type: ignore[no-untyped-def]
        self.connections += 1
        return super().get_request()

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.closed.release()


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: _Server, path: str = "/obj", scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{srv.server_address[1]}{path}?sig=x"


def _get(pool: HttpPool, url: str, start: int = 0, end: int = len(BODY)) -> bytes:
    out = bytearray()
    buf = memoryview(bytearray(1 << 20))
    body = pool.open_range(url, start, end, len(BODY), stop=lambda: False, deadline_s=30)
    try:
        while body.left:
            out += buf[: body.readinto(buf)]
    finally:
        body.close()
    return bytes(out)


def test_ranged_get_streams_the_range_through_a_reused_connection(server: _Server) -> None:
    pool = HttpPool(read_timeout_s=10)
    assert _get(pool, _url(server), 5, 2_000_005) == BODY[5:2_000_005]
    assert _get(pool, _url(server)) == BODY
    assert (server.requests, server.connections) == (2, 1)  # kept alive
    pool.close()


def test_a_connection_the_server_dropped_is_replaced_without_failing(server: _Server) -> None:
    server.drop_after_reply = True
    pool = HttpPool(read_timeout_s=10)
    assert _get(pool, _url(server)) == BODY
    assert server.closed.acquire(timeout=10)  # the server has closed the kept connection
    assert _get(pool, _url(server)) == BODY  # the kept connection is dead: one fresh try
    assert server.connections == 2
    pool.close()


def test_short_body_and_403_are_clear_errors(server: _Server) -> None:
    pool = HttpPool(read_timeout_s=10)
    with pytest.raises(TransferError, match=r"received less bytes than requested \(1572872 of 3145745\)"):
        _get(pool, _url(server, "/short"))
    with pytest.raises(UrlExpired, match="403 'AccessDenied: expired'"):
        _get(pool, _url(server, "/expired"))
    with pytest.raises(TransferError, match="unsupported URL"):
        _get(pool, "ftp://127.0.0.1/x")
    pool.close()


def test_put_sends_pieces_with_their_length(server: _Server) -> None:
    pool = HttpPool(read_timeout_s=10)
    pieces = [memoryview(BODY)[i : i + 1_000_000] for i in range(0, len(BODY), 1_000_000)]
    pool.put(_url(server), pieces, len(BODY))
    assert server.stored == BODY
    pool.close()


def test_https_with_a_trusted_certificate(server: _Server, tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    trust = ssl.create_default_context(cafile=str(cert))
    pool = HttpPool(read_timeout_s=10, ssl_context=trust)
    assert _get(pool, _url(server, scheme="https"), 100, 200_100) == BODY[100:200_100]
    pool.close()
    # without trusting the certificate the transfer fails, naming the reason
    strict = HttpPool(read_timeout_s=10, ssl_context=ssl.create_default_context())
    with pytest.raises(TransferError, match="CERTIFICATE_VERIFY_FAILED"):
        _get(strict, _url(server, scheme="https"))
    strict.close()
