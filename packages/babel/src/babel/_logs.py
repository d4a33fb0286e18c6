"""Reading a job's captured output: the last lines of logs.2, logs.1, logs; then following."""

from __future__ import annotations

import asyncio
import collections
import os
from collections.abc import AsyncIterator
from typing import Final

from bv_core.jobs import JobPaths

__all__ = ["job_log_lines"]

FOLLOW_POLL_S: Final = 0.2


def _files(paths: JobPaths) -> list[str]:
    return [f"{paths.logs}.2", f"{paths.logs}.1", str(paths.logs)]


async def job_log_lines(paths: JobPaths, lines: int, follow: bool) -> AsyncIterator[str]:
    keep: collections.deque[str] = collections.deque(maxlen=lines or None)
    position = 0
    inode = None
    for name in _files(paths):
        try:
            with open(name, "rb") as f:
                data = f.read()
                if name == str(paths.logs):
                    position = f.tell()
                    inode = _inode(name)
        except FileNotFoundError:
            continue
        keep.extend(data.decode(errors="replace").splitlines())
    for line in keep:
        yield line
    partial = b""
    while follow:
        await asyncio.sleep(FOLLOW_POLL_S)
        current = _inode(str(paths.logs))
        if current is None:
            continue
        if current != inode:  # rotated: the new file starts from its beginning
            inode, position = current, 0
        with open(paths.logs, "rb") as f:
            f.seek(position)
            data = f.read()
            position = f.tell()
        if not data:
            continue
        pieces = (partial + data).split(b"\n")
        partial = pieces.pop()
        for piece in pieces:
            yield piece.decode(errors="replace")


def _inode(name: str) -> int | None:
    try:
        return os.stat(name).st_ino
    except FileNotFoundError:
        return None
