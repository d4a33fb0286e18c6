"""File plumbing for archive jobs: the data dir's open files, free space, journals, progress.

Writes go through ``os.pwrite`` on descriptors opened once (without O_TRUNC, so a resumed
download keeps what earlier runs wrote) and kept in a bounded LRU. Every path is opened with
O_NOFOLLOW below a data dir whose parents were checked by the plan, so a symlink planted
after the check cannot redirect a write.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, final

import orjson

from ._errors import ArchiveError, ManifestError, NotEnoughSpace

__all__ = ["MAX_OPEN_FILES", "FileTable", "Journal", "ProgressFile", "available_bytes", "human",
           "start_writeback"]

MAX_OPEN_FILES: Final = 1024
_SYNCFS_OVER: Final = 8
_MAX_DIRS: Final = 256  # directory descriptors kept open (deeper trees walk again per file)


def _libc(name: str, *argtypes: type) -> Callable[..., int] | None:
    """A libc function through ctypes (it releases the GIL), None where libc lacks it."""
    try:
        fn = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = list(argtypes)
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


_syncfs = _libc("syncfs", ctypes.c_int)
_sync_file_range = _libc("sync_file_range", ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
_SYNC_FILE_RANGE_WRITE: Final = 2


def start_writeback(fd: int, pos: int, size: int) -> None:
    """Start writing ``size`` bytes at ``pos`` to disk now, without waiting (best effort).

    Left to the kernel, a download's dirty pages stay in memory until the group commit's sync,
    which then waits for all of them while the transfers stall behind it; started per chunk,
    the disk works alongside the network and the commit finds little left to write.
    """
    if size > 0 and _sync_file_range is not None:
        _sync_file_range(fd, pos, size, _SYNC_FILE_RANGE_WRITE)


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    raise AssertionError("unreachable")


def available_bytes(path: Path) -> int:
    """Free bytes for an unprivileged writer on the filesystem holding ``path`` (or its parent)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    st = os.statvfs(probe)
    return st.f_bavail * st.f_frsize


@final
class FileTable:
    """Descriptors of the data dir's files, thread-safe, at most ``max_open`` kept open."""

    def __init__(self, data_dir: Path, max_open: int = MAX_OPEN_FILES) -> None:
        self.data_dir = data_dir
        self._max_open = max(8, max_open)
        self._fds: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._ready: dict[str, threading.Event] = {}  # set when the file exists, sized
        self._ready_lock = threading.Lock()
        self._write_locks: dict[str, threading.Lock] = {}
        # Directory descriptors by relative path ("" = the data dir), never closed before
        # close(): a thread may be opening a file below one while another looks it up.
        self._dirs: dict[str, int] = {}
        self._dirs_lock = threading.Lock()

    def _root(self) -> int:
        with self._dirs_lock:
            fd = self._dirs.get("")
            if fd is None:
                fd = self._dirs[""] = os.open(
                    self.data_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
                )
            return fd

    def _step(self, parent_fd: int, name: str, rel_dir: str) -> int:
        """Open (creating it if missing) directory ``name`` below ``parent_fd``, not following
        a symlink unless it resolves inside the data dir (as the plan allowed)."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            return os.open(name, flags, dir_fd=parent_fd)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=parent_fd)
            return os.open(name, flags, dir_fd=parent_fd)
        except OSError as exc:
            if not stat.S_ISLNK(os.lstat(name, dir_fd=parent_fd).st_mode):
                raise ArchiveError(f"can't open directory {self.data_dir / rel_dir}: {exc.strerror}") from exc
        real = (self.data_dir / rel_dir).resolve()
        if not real.is_relative_to(self.data_dir.resolve()):
            raise ManifestError(f"destination directory {rel_dir!r} resolves outside {self.data_dir}")
        return os.open(real, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def _keep(self, rel_dir: str, fd: int) -> tuple[int, bool]:
        """Cache a walked directory's descriptor: (descriptor, owned by the caller)."""
        with self._dirs_lock:
            have = self._dirs.get(rel_dir)
            if have is None and len(self._dirs) < _MAX_DIRS:
                self._dirs[rel_dir] = fd
                return fd, False
        if have is None:
            return fd, True  # the cache is full: the caller closes it after use
        os.close(fd)  # another thread walked it meanwhile
        return have, False

    def _dir(self, rel_dir: str) -> tuple[int, bool]:
        """A descriptor of ``rel_dir`` below the data dir and whether the caller must close it.

        Walked once, component by component from the nearest cached ancestor; files are then
        opened relative to it (openat, O_NOFOLLOW): one system call per file instead of a mkdir,
        a realpath and an open by path, and a directory swapped for a symlink after the walk
        can't redirect the writes (the descriptor is the directory itself).
        """
        if not rel_dir:
            return self._root(), False
        parts = rel_dir.split("/")
        with self._dirs_lock:
            i = len(parts)
            while i and "/".join(parts[:i]) not in self._dirs:
                i -= 1
            cached = self._dirs.get("/".join(parts[:i])) if i else None
        if i == len(parts) and cached is not None:
            return cached, False
        cur, owned = (cached, False) if cached is not None else (self._root(), False)
        for j in range(i, len(parts)):
            walked = "/".join(parts[: j + 1])
            try:
                nxt = self._step(cur, parts[j], walked)
            finally:
                if owned:
                    os.close(cur)
            cur, owned = self._keep(walked, nxt)
        return cur, owned

    def _open(self, rel: str, flags: int) -> int:
        head, _, name = rel.rpartition("/")
        try:
            parent, owned = self._dir(head)
            try:
                return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=parent)
            finally:
                if owned:
                    os.close(parent)
        except OSError as exc:
            raise ArchiveError(f"can't open {self.data_dir / rel}: {exc.strerror or exc}") from exc

    def dup(self, rel: str) -> int:
        """A descriptor of ``rel`` that the caller owns and closes (an LRU eviction by another
        thread can't close it under the caller)."""
        with self._lock:
            fd = self._fds.get(rel)
            if fd is not None:
                self._fds.move_to_end(rel)
                return os.dup(fd)
        opened = self._open(rel, os.O_RDWR | os.O_CREAT)  # outside the lock: mkdir, resolve, open
        with self._lock:
            fd = self._fds.get(rel)
            if fd is not None:  # another thread opened it meanwhile
                os.close(opened)
                self._fds.move_to_end(rel)
                return os.dup(fd)
            while len(self._fds) >= self._max_open:
                _, old = self._fds.popitem(last=False)
                os.close(old)
            self._fds[rel] = opened
            return os.dup(opened)

    def write_lock(self, rel: str) -> threading.Lock:
        """The lock writers of ``rel`` hold around each pwrite.

        The kernel serialises buffered writes to one file anyway (ext4 takes the inode lock),
        but its waiters spin on the lock: with four workers writing chunks of one large file
        on two cores, perf showed a third of the write CPU spinning and the copies themselves
        several times slower. A waiter here sleeps, and its core decompresses for another.
        """
        with self._lock:
            lock = self._write_locks.get(rel)
            if lock is None:
                lock = self._write_locks[rel] = threading.Lock()
            return lock

    @contextlib.contextmanager
    def fd(self, rel: str) -> Iterator[int]:
        mine = self.dup(rel)
        try:
            yield mine
        finally:
            os.close(mine)

    def pwrite(self, rel: str, data: memoryview | bytes, pos: int) -> None:
        with self.fd(rel) as fd:
            view = memoryview(data)
            while view:
                n = os.pwrite(fd, view, pos)
                view = view[n:]
                pos += n

    def preallocate(self, rel: str, size: int) -> int:
        """Give the file its final size and blocks; returns the bytes newly allocated."""
        with self.fd(rel) as fd:
            st = os.fstat(fd)
            had = st.st_blocks * 512
            if st.st_size != size:
                os.ftruncate(fd, size)
            if size:
                try:
                    os.posix_fallocate(fd, 0, size)
                except OSError as exc:
                    if exc.errno == 28:  # ENOSPC
                        raise NotEnoughSpace(
                            f"no space left to allocate {human(size)} for {rel}"
                        ) from exc
                    # EOPNOTSUPP (tmpfs-like fs): ftruncate alone is fine
            return max(0, size - had)

    def ensure(self, sizes: list[tuple[str, int]]) -> None:
        """Preallocate each file the first time a chunk needs it (creation overlaps transfers).

        The lock only decides who creates a file: workers whose chunks hold hundreds of small
        files create them side by side, and wait only for a file another worker is creating.
        """
        for rel, size in sizes:
            while True:
                with self._ready_lock:
                    done = self._ready.get(rel)
                    if done is None:
                        done = self._ready[rel] = threading.Event()
                        mine = True
                    else:
                        mine = False
                if not mine:
                    done.wait()
                    if rel in self._ready:
                        break
                    continue  # its creator failed: try it ourselves
                try:
                    self.preallocate(rel, size)
                except BaseException:
                    with self._ready_lock:
                        del self._ready[rel]
                    done.set()
                    raise
                done.set()
                break

    def needed(self, files: dict[str, int]) -> int:
        """Bytes still to allocate for ``files`` (those present count what they already hold)."""
        need = 0
        for rel, size in files.items():
            try:
                st = os.lstat(os.path.join(self.data_dir, rel))
                need += max(0, size - st.st_blocks * 512)
            except FileNotFoundError:
                need += size
        return need

    def sync(self, rels: set[str]) -> None:
        """Make written data durable before it is journaled (a reboot must not lose it)."""
        # One syncfs beats thousands of fdatasyncs of tiny files.
        if len(rels) > _SYNCFS_OVER and _syncfs is not None and _syncfs(self._root()) == 0:
            return
        for rel in rels:
            with self.fd(rel) as fd:
                os.fdatasync(fd)

    def close(self) -> None:
        with self._lock:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()
        with self._dirs_lock:
            for fd in self._dirs.values():
                os.close(fd)
            self._dirs.clear()


@final
class Journal:
    """An append-only JSON-lines file, fsynced per record: what a SIGKILL cannot take back.

    A torn last line (killed mid-append) is ignored on load.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def load(self) -> list[object]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        out: list[object] = []
        for line in data.splitlines():
            try:
                out.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
        return out

    def append(self, record: object, sync: bool = True) -> None:
        self.append_many([record], sync)

    def append_many(self, records: list[object], sync: bool = True) -> None:
        data = b"".join(orjson.dumps(r) + b"\n" for r in records)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


@final
class ProgressFile:
    """``progress.json`` = JobProgress (``total``/``current`` chunks, ``message``) plus bytes and
    an ETA, written atomically at most every ``interval_s`` (and always on the last chunk)."""

    def __init__(
        self, path: Path, total_chunks: int, total_bytes: int, verb: str, interval_s: float = 0.5
    ) -> None:
        self.path = path
        self.total_chunks = total_chunks
        self.total_bytes = total_bytes
        self.verb = verb
        self._interval = interval_s
        self._last = 0.0
        self._t0 = time.monotonic()
        self._bytes0: int | None = None

    def update(self, chunks: int, bytes_done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if self._bytes0 is None:
            self._bytes0, self._t0 = bytes_done, now
        if not force and chunks < self.total_chunks and now - self._last < self._interval:
            return
        self._last = now
        rate = (bytes_done - self._bytes0) / max(now - self._t0, 1e-6)
        left = self.total_bytes - bytes_done
        eta = int(left / rate) if rate > 0 and left > 0 else (0 if left <= 0 else None)
        eta_text = (
            "" if eta is None else f", ETA {eta // 3600}h{eta // 60 % 60:02d}m{eta % 60:02d}s"
        )
        message = f"chunks, {human(bytes_done)}/{human(self.total_bytes)} {self.verb}{eta_text}"
        with contextlib.suppress(Exception):  # progress is advisory; never fail the job on it
            _replace_json(
                self.path,
                {
                    "total": self.total_chunks,
                    "current": chunks,
                    "message": message,
                    "bytes_total": self.total_bytes,
                    "bytes_done": bytes_done,
                    "eta_secs": eta,
                },
            )


def _replace_json(path: Path, obj: object) -> None:
    """Atomic for readers (temp + rename) but not fsynced: progress is advisory, and an fsync
    every interval would force ext4 to write out the download's dirty data early."""
    tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    tmp.write_bytes(orjson.dumps(obj))
    os.replace(tmp, path)
