"""Captured stdout/stderr of a job: a bounded in-memory line buffer drained into rotating files.

The buffer bounds memory when the disk is slow (the oldest lines are dropped and counted, like
the original's 1024-slot broadcast channel); the files are ``logs``, ``logs.1``, ``logs.2``
(AppendCount(2)), each at most ``capacity`` bytes.
"""

from __future__ import annotations

import collections
import datetime
import os
from pathlib import Path
from typing import Final

__all__ = ["MAX_BUFFERED_LINES", "MAX_LINE_BYTES", "LogSink", "RotatingFile"]

MAX_BUFFERED_LINES: Final = 1024
MAX_LINE_BYTES: Final = 64 * 1024  # a line without newline is cut here so memory stays bounded
ROTATED_FILES: Final = 2


class RotatingFile:
    def __init__(self, path: Path, capacity: int) -> None:
        self._path = path
        self._capacity = capacity
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        self._size = os.fstat(self._fd).st_size

    def write(self, data: bytes) -> None:
        if self._size and self._size + len(data) > self._capacity:
            self._rotate()
        os.write(self._fd, data)
        self._size += len(data)

    def _rotate(self) -> None:
        os.close(self._fd)
        for i in range(ROTATED_FILES, 0, -1):
            src = self._path if i == 1 else self._path.with_name(f"{self._path.name}.{i - 1}")
            if src.exists():
                os.replace(src, self._path.with_name(f"{self._path.name}.{i}"))
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        self._size = 0

    def close(self) -> None:
        os.close(self._fd)


class LogSink:
    def __init__(self, file: RotatingFile, *, timestamps: bool) -> None:
        self._file = file
        self._timestamps = timestamps
        self._partial = b""
        self._lines: collections.deque[bytes] = collections.deque(maxlen=MAX_BUFFERED_LINES)
        self.dropped = 0

    def feed(self, data: bytes) -> None:
        """Split ``data`` into lines (newline kept) and buffer them."""
        data = self._partial + data
        *lines, self._partial = data.split(b"\n")
        for line in lines:
            self._push(line + b"\n")
        while len(self._partial) > MAX_LINE_BYTES:
            self._push(self._partial[:MAX_LINE_BYTES] + b"\n")
            self._partial = self._partial[MAX_LINE_BYTES:]

    def end_of_stream(self) -> None:
        if self._partial:
            self._push(self._partial + b"\n")
            self._partial = b""

    def _push(self, line: bytes) -> None:
        if len(self._lines) == self._lines.maxlen:
            self.dropped += 1
        if self._timestamps:
            stamp = datetime.datetime.now().astimezone().isoformat(sep=" ", timespec="milliseconds")
            line = stamp.encode() + b"|" + line
        self._lines.append(line)

    def flush(self) -> None:
        if self.dropped:
            self._file.write(f"[job runner: {self.dropped} log lines dropped]\n".encode())
            self.dropped = 0
        while self._lines:
            self._file.write(self._lines.popleft())

    def close(self) -> None:
        self.end_of_stream()
        self.flush()
        self._file.close()
