"""Crash-safe file writes: a reader sees the old content or the new, never a torn file.

The sequence is the classic one: write a temp file in the same directory, fsync it, rename it
over the target (atomic on POSIX), then fsync the directory so the rename itself is durable.

Temp files are named ``.<target>.tmp.<pid>`` so concurrent writers (daemon and CLI) never share
one. A writer killed mid-write leaves its temp behind; the next write of the same target removes
temps whose writer process is gone, so at most one stale temp per target exists at any time.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import orjson

from .errors import ExternalError

__all__ = ["atomic_write", "atomic_write_json", "read_json"]


def _tmp_name(target: Path) -> str:
    return f".{target.name}.tmp."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _sweep_stale_temps(target: Path) -> None:
    """Remove temps of ``target`` left by writers that died (SIGKILL, power loss)."""
    prefix = _tmp_name(target)
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return  # the write itself will report a useful error
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix) :]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid != os.getpid() and not _pid_alive(pid):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    Raises ExternalError (cause attached) when the disk refuses, e.g. ENOSPC; the old file is
    then untouched and the temp file removed.
    """
    target = Path(path)
    directory = target.parent
    _sweep_stale_temps(target)
    tmp = directory / f"{_tmp_name(target)}{os.getpid()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ExternalError(f"cannot write {target}: {exc.strerror or exc}") from exc


def atomic_write_json(path: str | os.PathLike[str], value: object, *, mode: int = 0o644) -> None:
    """Serialise ``value`` with orjson (indented, keys as given) and write it atomically."""
    atomic_write(path, orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n", mode=mode)


def read_json(path: str | os.PathLike[str]) -> object:
    """Read and parse a JSON file (no validation; callers validate with bv_core.models)."""
    return orjson.loads(Path(path).read_bytes())
