"""One chunk of a download, fetched in a worker thread: receive, verify, decompress, write.

The thread pulls: zstd's reader asks this chunk for input, which receives the next piece of a
ranged GET into the thread's reused input buffer and hashes it; the reader decompresses straight
into the thread's reused output buffer, which is pwritten to the chunk's destinations. No piece
is copied into a new Python object (a push-style zstd writer hands every output piece over as a
fresh bytes object: 2 GiB of extra copying for a 2 GiB archive), and the output buffer stays in
cache. Every per-byte step runs in C with the GIL released.

A failed GET is resumed from the byte where it stopped (the decoder's state is kept); a corrupt
chunk (checksum or zstd stream) starts over; both count towards ``max_retries``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Final, final

import zstandard

from bv_core.models import Chunk

from ._errors import (
    ArchiveError,
    ChecksumMismatch,
    Interrupted,
    ManifestError,
    TransferError,
    UrlExpired,
)
from ._files import FileTable, start_writeback
from ._http import HttpPool, RangeBody
from ._plan import norm_path
from ._transfer import MIB, TransferConfig, new_hasher

__all__ = ["ChunkFetch"]

_OUT_BYTES: Final = MIB  # decompressed piece: small enough to stay in cache until written
_EMPTY: Final = memoryview(b"")


class _Sink:
    """Writes a chunk's decompressed bytes (in order) across its destinations with pwrite.

    Holds one descriptor at a time (the current destination's); when a destination is done its
    range's writeback starts (start_writeback), so the group commit finds little left to sync.
    """

    def __init__(self, files: FileTable, chunk: Chunk) -> None:
        self._files = files
        self._dests = [
            (norm_path(d.path), d.position_bytes, d.size_bytes) for d in chunk.destinations
        ]
        self._i = 0
        self._done = 0  # bytes written into the current destination
        self._fd = -1  # the current destination's descriptor, -1 = not open
        self._lock = threading.Lock()  # the current destination's write lock (FileTable.write_lock)
        self.written = 0
        self.touched: set[str] = set()

    def write(self, view: memoryview) -> None:
        while view:
            while self._i < len(self._dests) and self._done == self._dests[self._i][2]:
                self.close()
                self._i, self._done = self._i + 1, 0
            if self._i == len(self._dests):
                raise ChecksumMismatch(
                    f"decompressed data is larger than its destinations (> {self.written} bytes)"
                )
            path, pos, size = self._dests[self._i]
            if self._fd < 0:
                self._fd = self._files.dup(path)
                self._lock = self._files.write_lock(path)
                self.touched.add(path)
            with self._lock:
                n = os.pwrite(self._fd, view[: size - self._done], pos + self._done)
            self._done += n
            self.written += n
            view = view[n:]

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            try:
                if self._i < len(self._dests):
                    start_writeback(fd, self._dests[self._i][1], self._done)
            finally:
                os.close(fd)


class _Buffers(threading.local):
    """Each worker thread's reused buffers (allocated on first use)."""

    def __init__(self) -> None:
        self.input: memoryview | None = None
        self.output: memoryview | None = None


_buffers = _Buffers()


@final
class ChunkFetch:
    """Fetches one chunk into its destinations; ``run`` in a worker thread.

    ``url(fresh)`` returns the chunk's presigned URL (a new one when ``fresh``), ``stop()`` says
    whether the job is being stopped.
    """

    def __init__(
        self,
        chunk: Chunk,
        files: FileTable,
        http: HttpPool,
        cfg: TransferConfig,
        *,
        compressed: bool,
        url: Callable[[bool], str],
        stop: Callable[[], bool],
        log: Callable[[str], None],
    ) -> None:
        self.chunk = chunk
        self._files = files
        self._http = http
        self._cfg = cfg
        self._compressed = compressed
        self._url = url
        self._stop = stop
        self._log = log
        self._failures = 0
        self._fresh = False  # the next request needs a new URL (the last one expired)
        self._body: RangeBody | None = None
        self.pos = 0  # stored bytes received and hashed
        self._hasher = new_hasher(chunk.checksum.algorithm)
        self._sink = _Sink(files, chunk)
        self._in = self._out = _EMPTY  # the running thread's buffers, taken in run()

    def run(self) -> set[str]:
        """Fetch, verify and write the chunk (in a worker thread); returns the destinations it
        wrote."""
        if _buffers.input is None or len(_buffers.input) != self._cfg.buffer_size:
            _buffers.input = memoryview(bytearray(self._cfg.buffer_size))
        if _buffers.output is None:
            _buffers.output = memoryview(bytearray(_OUT_BYTES))
        self._in, self._out = _buffers.input, _buffers.output
        while True:
            try:
                if self.chunk.size > 0:  # an all-empty-files chunk stores nothing: no request
                    self._pump()
                return self._verified()
            except ChecksumMismatch as exc:
                self._log(f"chunk {self.chunk.index}: {exc}; fetching it again")
                self._restart()
                self._retry_after(exc)
            finally:
                self._close_body()
                self._sink.close()

    # --- the stored bytes, as zstd's reader pulls them -----------------------------------------

    def read(self, size: int) -> memoryview:
        """The next received piece (hashed), empty at the chunk's end: the zstd reader's source."""
        while True:
            try:
                if self._body is None or not self._body.left:
                    self._close_body()
                    if self.pos >= self.chunk.size:
                        return _EMPTY
                    end = min(self.chunk.size, self.pos + self._cfg.part_size)
                    url, self._fresh = self._url(self._fresh), False
                    self._body = self._http.open_range(
                        url, self.pos, end, self.chunk.size, stop=self._stop,
                        deadline_s=self._cfg.request_timeout_s,
                    )
                n = self._body.readinto(self._in[: max(1, min(size, len(self._in)))])
            except UrlExpired as exc:
                self._close_body()
                self._log(f"chunk {self.chunk.index}: {exc}; asking for a fresh URL")
                self._fresh = True
                self._retry_after(exc)
                continue
            except TransferError as exc:
                self._close_body()
                self._log(
                    f"chunk {self.chunk.index}: transfer failed at byte {self.pos}: "
                    f"{exc or type(exc).__name__}"
                )
                self._retry_after(exc)
                continue
            piece = self._in[:n]
            self._hasher.update(piece)
            self.pos += n
            return piece

    # --- steps ---------------------------------------------------------------------------------

    def _pump(self) -> None:
        if not self._compressed:
            while piece := self.read(len(self._in)):
                self._sink.write(piece)
            return
        reader = zstandard.ZstdDecompressor().stream_reader(
            self,  # type: ignore[arg-type]  # needs only read(); stubs say IO[bytes]
            read_size=len(self._in),
            read_across_frames=True,
            closefd=False,
        )
        out = self._out
        while True:
            try:
                n = reader.readinto(out)
            except zstandard.ZstdError as exc:
                raise ChecksumMismatch(
                    f"chunk {self.chunk.index}: corrupt zstd stream ({exc})"
                ) from exc
            if not n:
                break
            self._sink.write(out[:n])
        if self.pos != self.chunk.size:  # the stream ended before the stored bytes did
            raise ChecksumMismatch(
                f"chunk {self.chunk.index}: zstd stream ended at byte {self.pos} of {self.chunk.size}"
            )

    def _verified(self) -> set[str]:
        self._sink.close()
        digest = self._hasher.hexdigest()
        if digest != self.chunk.checksum.digest:
            raise ChecksumMismatch(
                f"chunk {self.chunk.index} checksum mismatch - expected {self.chunk.checksum.digest}, actual {digest}"
            )
        want = self.chunk.data_size
        if self._sink.written != want:
            raise ManifestError(
                f"chunk {self.chunk.index}: decompressed size {self._sink.written} differs from its destinations ({want})"
            )
        return self._sink.touched

    def _restart(self) -> None:
        self._close_body()
        self._sink.close()
        self.pos = 0
        self._hasher = new_hasher(self.chunk.checksum.algorithm)
        self._sink = _Sink(self._files, self.chunk)

    def _close_body(self) -> None:
        if self._body is not None:
            body, self._body = self._body, None
            body.close()

    def _retry_after(self, error: ArchiveError) -> None:
        """Count a failure; give up after ``max_retries``, else back off (stop cuts it short)."""
        self._failures += 1
        if self._failures > self._cfg.max_retries:
            raise type(error)(f"{error} (gave up after {self._cfg.max_retries} retries)") from error
        until = time.monotonic() + self._cfg.backoff_base_s * 2 ** (self._failures - 1)
        while (left := until - time.monotonic()) > 0:
            if self._stop():
                raise Interrupted("download interrupted")
            time.sleep(min(left, 0.1))
        if self._stop():
            raise Interrupted("download interrupted")
