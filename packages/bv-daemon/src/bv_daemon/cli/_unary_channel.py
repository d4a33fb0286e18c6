"""Unary gRPC calls to blockvisord over HTTP/2 on its Unix socket, without importing grpcio.

Why: importing grpc (and the asyncio, ssl and subprocess modules its Cython core pulls in) is the
largest single cost of a `bv` process, larger than the call itself. A unary call on a local
socket needs a small part of HTTP/2: one connection, one stream per call, one request message,
one response message and the trailers carrying the status. Streaming RPCs (node create/upgrade
progress, followed logs) still use grpcio (`_client.DaemonClient.stream`).

Scope, and why it suffices: the peer is always a grpc C-core server (the daemon, or a test
fake). We announce a zero-size HPACK dynamic table, so its header blocks use the static table
and literals only (a dynamic table is kept anyway, should a server index before it sees our
settings); C-core never Huffman-codes the text headers gRPC uses, so a Huffman-coded string is
reported as a protocol error instead of being decoded. No request compression is offered, so
responses arrive uncompressed.

Failures come back as `RpcStatus` with the gRPC status name, as grpcio would report them:
connection problems are UNAVAILABLE, a missed deadline DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path
from typing import Final
from urllib.parse import unquote

__all__ = ["STATUS_NAMES", "RpcStatus", "UnaryChannel"]

STATUS_NAMES: Final = (
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
)

_PREFACE: Final = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# Frame types and flags (RFC 9113 §6).
_DATA, _HEADERS, _RST_STREAM, _SETTINGS, _PING, _GOAWAY, _WINDOW_UPDATE, _CONTINUATION = (
    0x0, 0x1, 0x3, 0x4, 0x6, 0x7, 0x8, 0x9)
_END_STREAM, _ACK, _END_HEADERS, _PADDED, _PRIORITY = 0x1, 0x1, 0x4, 0x8, 0x20
_SETTINGS_HEADER_TABLE_SIZE, _SETTINGS_ENABLE_PUSH = 0x1, 0x2
_SETTINGS_INITIAL_WINDOW_SIZE, _SETTINGS_MAX_FRAME_SIZE = 0x4, 0x5
_MAX_WINDOW: Final = 2**31 - 1
_DEFAULT_WINDOW: Final = 65_535
# RST_STREAM error codes as grpcio maps them (CANCEL -> CANCELLED, REFUSED_STREAM -> UNAVAILABLE).
_RST_STATUS: Final = {0x7: "UNAVAILABLE", 0x8: "CANCELLED"}

# HPACK static table (RFC 7541 Appendix A); index 0 is unused.
_STATIC: Final[tuple[tuple[str, str], ...]] = (
    ("", ""), (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"),
    (":path", "/index.html"), (":scheme", "http"), (":scheme", "https"), (":status", "200"),
    (":status", "204"), (":status", "206"), (":status", "304"), (":status", "400"),
    (":status", "404"), (":status", "500"), ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""),
    ("accept", ""), ("access-control-allow-origin", ""), ("age", ""), ("allow", ""),
    ("authorization", ""), ("cache-control", ""), ("content-disposition", ""),
    ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
    ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""),
    ("date", ""), ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""),
    ("if-match", ""), ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""),
    ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""), ("location", ""),
    ("max-forwards", ""), ("proxy-authenticate", ""), ("proxy-authorization", ""), ("range", ""),
    ("referer", ""), ("refresh", ""), ("retry-after", ""), ("server", ""), ("set-cookie", ""),
    ("strict-transport-security", ""), ("transfer-encoding", ""), ("user-agent", ""),
    ("vary", ""), ("via", ""), ("www-authenticate", ""),
)


class RpcStatus(Exception):
    """A call ended with a gRPC status other than OK (``code`` is its name, e.g. NOT_FOUND)."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details


class _ProtocolError(Exception):
    """The peer broke HTTP/2 or gRPC framing (reported as INTERNAL)."""


class _Unprocessed(Exception):
    """The server's GOAWAY says it did not process our stream: safe to send again."""


def _int(prefix_bits: int, data: bytes | bytearray, pos: int) -> tuple[int, int]:
    """An HPACK integer with an N-bit prefix at ``data[pos]`` -> (value, next position)."""
    mask = (1 << prefix_bits) - 1
    value = data[pos] & mask
    pos += 1
    if value < mask:
        return value, pos
    shift = 0
    while True:
        if pos >= len(data):
            raise _ProtocolError("truncated HPACK integer")
        byte = data[pos]
        pos += 1
        value += (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _encode_int(value: int, prefix_bits: int, first: int) -> bytes:
    mask = (1 << prefix_bits) - 1
    if value < mask:
        return bytes([first | value])
    out = bytearray([first | mask])
    value -= mask
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _literal(text: str) -> bytes:
    raw = text.encode()
    return _encode_int(len(raw), 7, 0x00) + raw


class _HeaderDecoder:
    """HPACK decoding (RFC 7541) for the blocks a C-core server sends (see the module doc)."""

    def __init__(self) -> None:
        self._dynamic: list[tuple[str, str]] = []  # newest first
        self._max_size = 4096

    def _entry(self, index: int) -> tuple[str, str]:
        if 0 < index < len(_STATIC):
            return _STATIC[index]
        dynamic = index - len(_STATIC)
        if 0 <= dynamic < len(self._dynamic):
            return self._dynamic[dynamic]
        raise _ProtocolError(f"HPACK index {index} out of range")

    def _string(self, data: bytes, pos: int) -> tuple[str, int]:
        huffman = data[pos] & 0x80
        length, pos = _int(7, data, pos)
        if huffman:
            raise _ProtocolError("Huffman-coded header (not sent by gRPC servers)")
        if pos + length > len(data):
            raise _ProtocolError("truncated HPACK string")
        return data[pos:pos + length].decode(errors="replace"), pos + length

    def _add(self, name: str, value: str) -> None:
        self._dynamic.insert(0, (name, value))
        self._evict()

    def _evict(self) -> None:
        while self._dynamic and sum(len(n) + len(v) + 32 for n, v in self._dynamic) > self._max_size:
            self._dynamic.pop()

    def decode(self, data: bytes) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = []
        pos = 0
        while pos < len(data):
            byte = data[pos]
            if byte & 0x80:  # indexed field
                index, pos = _int(7, data, pos)
                headers.append(self._entry(index))
                continue
            if byte & 0xE0 == 0x20:  # dynamic table size update
                self._max_size, pos = _int(5, data, pos)
                self._evict()
                continue
            indexing = bool(byte & 0x40)
            index, pos = _int(6 if indexing else 4, data, pos)
            if index:
                name = self._entry(index)[0]
            else:
                name, pos = self._string(data, pos)
            value, pos = self._string(data, pos)
            if indexing:
                self._add(name, value)
            headers.append((name, value))
        return headers


def _timeout_header(seconds: float) -> str:
    # gRPC wire format: at most 8 digits and a unit (m = milliseconds, S = seconds).
    millis = max(1, int(seconds * 1000))
    return f"{millis}m" if millis < 10**8 else f"{min(int(seconds), 10**8 - 1)}S"


class UnaryChannel:
    """One HTTP/2 connection to a gRPC server on a Unix socket; calls run one at a time."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._sock: socket.socket | None = None
        self._buf = bytearray()
        self._decoder = _HeaderDecoder()
        self._next_stream = 1
        self._send_window = _DEFAULT_WINDOW  # connection-level, what the peer lets us send
        self._stream_window_init = _DEFAULT_WINDOW
        self._max_frame = 16_384
        self._received = 0  # DATA bytes since we last opened the connection window
        self._goaway: int | None = None  # last stream id the server will process, once going away
        self._stream_ended = False

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def call(self, path: str, payload: bytes, timeout: float | None) -> tuple[bytes, dict[str, str]]:
        """Send one request message to ``path`` (``/package.Service/Method``); returns the
        response message and the trailing metadata, or raises `RpcStatus`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            try:
                return self._call(path, payload, timeout, deadline)
            except _Unprocessed:
                # The server was closing this connection (restart, idle): once more, on a new one.
                self.close()
                return self._call(path, payload, timeout, deadline)
        except _Unprocessed:
            self.close()
            raise RpcStatus("UNAVAILABLE", "the server is going away (socket closing)") from None
        except TimeoutError:
            self.close()
            raise RpcStatus("DEADLINE_EXCEEDED", "Deadline Exceeded") from None
        except _ProtocolError as err:
            self.close()
            raise RpcStatus("INTERNAL", f"bad HTTP/2 from the server: {err}") from None
        except ConnectionRefusedError as err:
            self.close()
            raise RpcStatus("UNAVAILABLE", f"failed to connect to all addresses: {err.strerror}") from None
        except OSError as err:
            self.close()
            raise RpcStatus("UNAVAILABLE", f"Socket closed ({err.strerror or err})") from None

    # -- connection ----------------------------------------------------------------------------

    def _settimeout(self, deadline: float | None) -> None:
        assert self._sock is not None
        if deadline is None:
            self._sock.settimeout(None)
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self._sock.settimeout(left)

    def _connect(self, deadline: float | None) -> socket.socket:
        if self._sock is not None:
            return self._sock
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._buf.clear()
        self._decoder = _HeaderDecoder()
        self._next_stream = 1
        self._send_window = self._stream_window_init = _DEFAULT_WINDOW
        self._max_frame = 16_384
        self._received = 0
        self._goaway = None
        self._settimeout(deadline)
        self._sock.connect(str(self.socket_path))
        settings = struct.pack(">HIHIHI", _SETTINGS_HEADER_TABLE_SIZE, 0, _SETTINGS_ENABLE_PUSH, 0,
                               _SETTINGS_INITIAL_WINDOW_SIZE, _MAX_WINDOW)
        # Open our receive windows all the way: responses then never wait for WINDOW_UPDATEs.
        self._sock.sendall(_PREFACE + _frame(_SETTINGS, 0, 0, settings)
                           + _frame(_WINDOW_UPDATE, 0, 0, struct.pack(">I", _MAX_WINDOW - _DEFAULT_WINDOW)))
        return self._sock

    def _usable(self) -> bool:
        """Whether the idle connection can take another call: reads what the server sent since
        the last one without waiting (SETTINGS, PING, GOAWAY, or the EOF of a daemon restart)."""
        if self._sock is None:
            return False
        self._sock.settimeout(0.0)
        try:
            while True:
                chunk = self._sock.recv(262_144)
                if not chunk:
                    return False
                self._buf += chunk
        except BlockingIOError:
            pass
        except OSError:
            return False
        while len(self._buf) >= 9 and len(self._buf) >= 9 + int.from_bytes(self._buf[:3], "big"):
            kind, flags, stream, body = self._read_frame(None)
            self._handle_control(kind, flags, stream, body, {})
        return self._goaway is None

    def _read_frame(self, deadline: float | None) -> tuple[int, int, int, bytes]:
        while True:
            if len(self._buf) >= 9:
                length = int.from_bytes(self._buf[:3], "big")
                if len(self._buf) >= 9 + length:
                    kind, flags = self._buf[3], self._buf[4]
                    stream = int.from_bytes(self._buf[5:9], "big") & 0x7FFFFFFF
                    body = bytes(self._buf[9:9 + length])
                    del self._buf[:9 + length]
                    return kind, flags, stream, body
            assert self._sock is not None
            self._settimeout(deadline)
            chunk = self._sock.recv(262_144)
            if not chunk:
                raise ConnectionResetError(0, "connection closed by the server")
            self._buf += chunk

    def _handle_control(self, kind: int, flags: int, stream: int, body: bytes,
                        windows: dict[int, int]) -> None:
        """Connection-level frames: answer SETTINGS and PING, track flow-control windows."""
        assert self._sock is not None
        if kind == _SETTINGS and not flags & _ACK:
            for i in range(0, len(body) // 6 * 6, 6):
                key, value = struct.unpack_from(">HI", body, i)
                if key == _SETTINGS_INITIAL_WINDOW_SIZE:
                    for sid in windows:
                        windows[sid] += value - self._stream_window_init
                    self._stream_window_init = value
                elif key == _SETTINGS_MAX_FRAME_SIZE:
                    self._max_frame = value
            self._sock.sendall(_frame(_SETTINGS, _ACK, 0, b""))
        elif kind == _PING and not flags & _ACK:
            self._sock.sendall(_frame(_PING, _ACK, 0, body))
        elif kind == _WINDOW_UPDATE and len(body) == 4:
            increment = int.from_bytes(body, "big") & 0x7FFFFFFF
            if stream == 0:
                self._send_window += increment
            elif stream in windows:
                windows[stream] += increment
        elif kind == _GOAWAY:
            last = int.from_bytes(body[:4], "big") & 0x7FFFFFFF if len(body) >= 4 else 0
            self._goaway = last

    # -- one call ------------------------------------------------------------------------------

    def _call(self, path: str, payload: bytes, timeout: float | None,
              deadline: float | None) -> tuple[bytes, dict[str, str]]:
        if self._sock is not None and not self._usable():
            self.close()  # going away or gone since the last call (daemon restarted): reconnect
        sock = self._connect(deadline)
        sid = self._next_stream
        self._next_stream += 2
        windows = {sid: self._stream_window_init}
        block = b"".join((
            b"\x83\x86",  # :method POST, :scheme http (static table, indexed)
            _encode_int(4, 4, 0x00) + _literal(path),  # :path, literal without indexing
            _encode_int(1, 4, 0x00) + _literal("localhost"),  # :authority
            _encode_int(31, 4, 0x00) + _literal("application/grpc"),  # content-type
            b"\x00" + _literal("te") + _literal("trailers"),
            b"\x00" + _literal("user-agent") + _literal("bv-cli"),
            (b"\x00" + _literal("grpc-timeout") + _literal(_timeout_header(timeout))
             if timeout is not None else b""),
        ))
        self._settimeout(deadline)
        sock.sendall(_frame(_HEADERS, _END_HEADERS, sid, block))
        message = b"\x00" + struct.pack(">I", len(payload)) + payload
        sent = 0
        while True:  # DATA frames as the peer's windows allow; the last one ends the stream
            room = min(self._send_window, windows[sid], self._max_frame, len(message) - sent)
            if room > 0:
                chunk = message[sent:sent + room]
                sent += len(chunk)
                self._send_window -= len(chunk)
                windows[sid] -= len(chunk)
                self._settimeout(deadline)
                sock.sendall(_frame(_DATA, _END_STREAM if sent == len(message) else 0, sid, chunk))
                if sent == len(message):
                    break
                continue
            kind, flags, stream, body = self._read_frame(deadline)
            self._handle_control(kind, flags, stream, body, windows)
            if kind == _RST_STREAM and stream == sid:
                raise self._reset(body)
            if self._goaway is not None and self._goaway < sid:
                raise _Unprocessed
        return self._response(sid, windows, deadline)

    def _reset(self, body: bytes) -> RpcStatus:
        code = int.from_bytes(body[:4], "big") if len(body) >= 4 else 0
        return RpcStatus(_RST_STATUS.get(code, "INTERNAL"), f"stream reset by the server (code {code})")

    def _response(self, sid: int, windows: dict[int, int],
                  deadline: float | None) -> tuple[bytes, dict[str, str]]:
        data = bytearray()
        metadata: list[list[tuple[str, str]]] = []  # header blocks: headers, then trailers
        pending = b""  # a header block continued in CONTINUATION frames
        ended = False
        while not ended:
            kind, flags, stream, body = self._read_frame(deadline)
            if stream != sid or kind not in (_DATA, _HEADERS, _CONTINUATION, _RST_STREAM):
                self._handle_control(kind, flags, stream, body, windows)
                if self._goaway is not None and self._goaway < sid and not metadata:
                    raise _Unprocessed
                continue
            if kind == _RST_STREAM:
                raise self._reset(body)
            if kind == _DATA:
                data += _unpad(flags, body)
                self._replenish(len(body))
                ended = bool(flags & _END_STREAM)
                continue
            if kind == _HEADERS:
                body = _unpad(flags, body)
                if flags & _PRIORITY:
                    body = body[5:]
                self._stream_ended = bool(flags & _END_STREAM)
            pending += body
            if flags & _END_HEADERS:
                metadata.append(self._decoder.decode(pending))
                pending = b""
                ended = self._stream_ended
        return self._result(data, metadata)

    def _replenish(self, size: int) -> None:
        # Our window was opened to 2**31-1; top it up once half is used (never, for a CLI call).
        self._received += size
        if self._received > _MAX_WINDOW // 2 and self._sock is not None:
            self._sock.sendall(_frame(_WINDOW_UPDATE, 0, 0, struct.pack(">I", self._received)))
            self._received = 0

    @staticmethod
    def _result(data: bytearray, metadata: list[list[tuple[str, str]]]) -> tuple[bytes, dict[str, str]]:
        if not metadata:
            raise _ProtocolError("stream ended without headers")
        status = dict(metadata[0]).get(":status", "")
        if status != "200":
            raise RpcStatus("UNKNOWN" if status else "INTERNAL", f"HTTP status {status or 'missing'}")
        trailers = dict(metadata[-1])  # trailers, or the headers of a trailers-only response
        code_text = trailers.get("grpc-status")
        if code_text is None or not code_text.isdigit():
            raise RpcStatus("UNKNOWN", "no grpc-status in the response trailers")
        code = int(code_text)
        extra = {k: v for k, v in trailers.items()
                 if k not in ("grpc-status", "grpc-message", "grpc-status-details-bin")
                 and not k.startswith(":")}
        if code != 0:
            name = STATUS_NAMES[code] if code < len(STATUS_NAMES) else "UNKNOWN"
            raise RpcStatus(name, unquote(trailers.get("grpc-message", "")))
        if len(data) < 5 or data[0] != 0:
            raise _ProtocolError("response is not one uncompressed gRPC message")
        length = int.from_bytes(data[1:5], "big")
        if len(data) != 5 + length:
            raise _ProtocolError(f"response message of {len(data) - 5} bytes, framed as {length}")
        return bytes(data[5:]), extra


def _frame(kind: int, flags: int, stream: int, body: bytes) -> bytes:
    return len(body).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + body


def _unpad(flags: int, body: bytes) -> bytes:
    if not flags & _PADDED:
        return body
    pad = body[0]
    if pad >= len(body):
        raise _ProtocolError("padding longer than the frame")
    return body[1:len(body) - pad]
