"""A downloaded chunk's pages start going to disk as soon as they are written (start_writeback),
so the group commit's sync does not wait for the whole batch with the transfers stalled."""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path

import pytest

from job_runner.archive._files import start_writeback

_NR_CACHESTAT = 451  # x86_64 and the generic syscall table (arm64)
MIB = 1024 * 1024


class _Range(ctypes.Structure):
    _fields_ = [("off", ctypes.c_uint64), ("len", ctypes.c_uint64)]


class _Stat(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in ("nr_cache", "nr_dirty", "nr_writeback", "nr_evicted", "nr_recently_evicted")
    ]


def dirty_pages(fd: int) -> int | None:
    """Dirty page-cache pages of the file (cachestat(2), Linux >= 6.5), None if unavailable."""
    libc = ctypes.CDLL(None, use_errno=True)
    whole, stat = _Range(0, 0), _Stat()  # len 0: to the end of the file
    if libc.syscall(_NR_CACHESTAT, fd, ctypes.byref(whole), ctypes.byref(stat), 0) != 0:
        global _UNAVAILABLE
        _UNAVAILABLE = os.strerror(ctypes.get_errno())
        return None
    return int(stat.nr_dirty)


_UNAVAILABLE = ""


def write_file(path: Path, size: int) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.pwrite(fd, os.urandom(size), 0)
    return fd


def test_started_writeback_cleans_the_range_while_an_untouched_file_stays_dirty(
    tmp_path: Path,
) -> None:
    for _attempt in range(3):
        ours, control = write_file(tmp_path / "ours", 8 * MIB), write_file(tmp_path / "ctl", 8 * MIB)
        try:
            before = dirty_pages(ours)
            if before is None:
                pytest.skip(
                    f"cachestat(2) failed ({_UNAVAILABLE}: Linux < 6.5, or a container's seccomp "
                    "filter): can't see dirty pages"
                )
            if before == 0:
                pytest.skip(f"{tmp_path} keeps no dirty page cache (tmpfs-like): nothing to write back")
            start_writeback(ours, 0, 8 * MIB)
            deadline = time.monotonic() + 10
            while dirty_pages(ours) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert dirty_pages(ours) == 0, "the started range was still dirty after 10 s"
            # The kernel alone would keep both dirty for dirty_expire_centisecs (30 s); if the
            # control was flushed too, a sync elsewhere (another test) did it: measure again.
            if dirty_pages(control):
                return
        finally:
            os.close(ours)
            os.close(control)
    pytest.skip("syncs by other processes flushed the control file in each of 3 attempts")


def test_start_writeback_is_best_effort(tmp_path: Path) -> None:
    fd = write_file(tmp_path / "f", MIB)
    os.close(fd)
    start_writeback(fd, 0, MIB)  # a closed descriptor: ignored, the commit's sync still follows
    start_writeback(-1, 0, 0)
    assert (tmp_path / "f").stat().st_size == MIB
