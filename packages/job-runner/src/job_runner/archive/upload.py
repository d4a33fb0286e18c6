"""The upload job: publish the data dir as a new archive version, resumably.

Files in ``meta_dir`` (``<data_mount_point>/.babel_jobs``):

    upload.blueprint   the plan (manifest without checksums, data_version, data stamp, file sizes)
    upload.chunks      JSON lines: a Chunk (key, checksum, size) per uploaded chunk

The plan lays the files (sorted by path, exclude globs applied, regular files only) back to back
and cuts them into ``number_of_chunks`` chunks (default one per 500 MB). ``max_runners`` workers
each have one chunk read whole and zstd-compressed in one call on a compression thread (one per
core, at most runners), hash the stored bytes with BLAKE3 and PUT them to a presigned URL from a
sender thread, in 1 MiB pieces with an explicit Content-Length. Memory: a chunk-sized read buffer
per compression thread plus each runner's compressed chunk, at most 2 x runners x chunk size.
When all are up, the manifest goes to the archive source
and the meta files are removed. A restart resumes from ``upload.chunks`` unless the protocol
data stamp or a file's size changed, in which case it starts over.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import fnmatch
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final, final

import msgspec
import zstandard

from bv_core.models import (
    Checksum,
    ChecksumAlgorithm,
    Chunk,
    DownloadManifest,
    FileLocation,
    ZstdCompression,
)
from bv_core.persistence import atomic_write

from ._errors import (
    ArchiveError,
    DataChanged,
    Interrupted,
    ManifestError,
    TransferError,
    UrlExpired,
)
from ._files import Journal, ProgressFile, human
from ._http import HttpPool
from ._plan import MAX_CHUNKS
from ._source import ArchiveSource
from ._transfer import MIB, TransferConfig, job_error, new_hasher

__all__ = ["DEFAULT_CHUNK_BYTES", "Blueprint", "Uploader", "plan_upload", "scan_files"]

log = logging.getLogger(__name__)

DEFAULT_CHUNK_BYTES: Final = 500_000_000
_PLACEHOLDER = Checksum(algorithm=ChecksumAlgorithm.SHA1, digest="0" * 40)
_BATCH_LIMIT: Final = 100


class Blueprint(msgspec.Struct, forbid_unknown_fields=True):
    manifest: DownloadManifest
    data_version: int
    data_stamp: float | None
    files: dict[str, int]  # relative path -> size when planned


def scan_files(data_dir: Path, exclude: Sequence[str]) -> list[tuple[str, int]]:
    """Regular files under ``data_dir`` as (relative path, size), sorted; excluded paths and
    everything under an excluded directory are skipped; symlinks are not followed."""
    out: list[tuple[str, int]] = []

    def skip(rel: str) -> bool:
        return any(fnmatch.fnmatchcase(rel, pattern) for pattern in exclude)

    def walk(dir_path: str, rel_dir: str) -> None:
        with os.scandir(dir_path) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            if skip(rel):
                continue
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                walk(entry.path, rel + "/")
            elif stat.S_ISREG(st.st_mode):
                out.append((rel, st.st_size))

    walk(str(data_dir), "")
    out.sort()
    return out


def plan_upload(
    files: list[tuple[str, int]], number_of_chunks: int | None, compression: ZstdCompression | None
) -> DownloadManifest:
    """Cut the files, laid back to back, into at most ``number_of_chunks`` chunks."""
    if not files:
        raise ArchiveError("nothing to upload: no files in the data dir (after excludes)")
    total = sum(size for _, size in files)
    slots = number_of_chunks if number_of_chunks is not None else 1 + total // DEFAULT_CHUNK_BYTES
    if slots < 1:
        raise ArchiveError(f"invalid number of chunks {slots} - need at least one")
    if slots > MAX_CHUNKS:
        raise ArchiveError(f"number of chunks {slots} is over the limit {MAX_CHUNKS}")
    chunk_size = max(1, -(-total // slots))
    chunks: list[list[FileLocation]] = [[]]
    room = chunk_size
    for rel, size in files:
        pos = 0
        if size == 0:
            chunks[-1].append(FileLocation(path=rel, position_bytes=0, size_bytes=0))
            continue
        while pos < size:
            if room == 0:
                chunks.append([])
                room = chunk_size
            n = min(room, size - pos)
            chunks[-1].append(FileLocation(path=rel, position_bytes=pos, size_bytes=n))
            pos += n
            room -= n
    return DownloadManifest(
        total_size=total,
        compression=compression,
        chunks=[
            Chunk(index=i, key="", url=None, checksum=_PLACEHOLDER, size=0, destinations=dests)
            for i, dests in enumerate(chunks)
        ],
    )


def _read_chunk(data_dir: Path, chunk: Chunk, sizes: dict[str, int], into: memoryview) -> int:
    """Read a chunk's file ranges back to back into ``into``; returns the bytes read."""
    at = 0
    for dest in chunk.destinations:
        path = data_dir / dest.path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            raise DataChanged(f"can't read {path}: {exc.strerror or exc}") from exc
        try:
            if os.fstat(fd).st_size != sizes.get(dest.path):
                raise DataChanged(f"{path} changed size since the upload was planned")
            pos, end = dest.position_bytes, dest.position_bytes + dest.size_bytes
            while pos < end:
                n = os.preadv(fd, [into[at : at + end - pos]], pos)
                if not n:
                    raise DataChanged(f"{path} is shorter than planned")
                pos += n
                at += n
        finally:
            os.close(fd)
    return at


def _prepare(
    data_dir: Path, chunk: Chunk, sizes: dict[str, int], level: int | None, buffers: threading.local
) -> tuple[list[bytes], int, str]:
    """Read a chunk, compress it, hash the result (runs in a compression thread).

    The chunk is read whole into the thread's buffer and compressed in one call: zstd then sees
    contiguous input, which costs about a fifth less CPU than streaming it in pieces (streaming
    copies input into a ring buffer and matches across its wrap, zstd's slower extDict path).
    Memory: one chunk-sized input buffer per compression thread (threads <= runners).
    """
    need = chunk.data_size
    buf: bytearray | None = getattr(buffers, "buf", None)
    if buf is None or len(buf) < need:
        buf = buffers.buf = None  # drop the old one before allocating the larger one
        buf = buffers.buf = bytearray(need)
    view = memoryview(buf)[:need]
    try:
        _read_chunk(data_dir, chunk, sizes, view)
        if level is None:
            out = bytes(view)
        else:
            out = zstandard.ZstdCompressor(level=level).compress(view)
    finally:
        view.release()
    hasher = new_hasher(ChecksumAlgorithm.BLAKE3)
    hasher.update(out)
    return ([out] if out else []), len(out), hasher.hexdigest()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _pieces(pieces: list[bytes], stop: asyncio.Event) -> Iterator[memoryview]:
    """The body in 1 MiB views (http.client sends each with sendall; nothing is joined); a stop
    request ends a long PUT between views."""
    for piece in pieces:
        view = memoryview(piece)
        for i in range(0, len(view), MIB):
            if stop.is_set():
                raise Interrupted("upload interrupted")
            yield view[i : i + MIB]


@final
class Uploader:
    def __init__(
        self,
        source: ArchiveSource,
        data_dir: Path,
        meta_dir: Path,
        progress: Path,
        config: TransferConfig | None = None,
        *,
        exclude: Sequence[str] = (),
        compression: ZstdCompression | None = None,
        number_of_chunks: int | None = None,
        url_expires_secs: int | None = None,
        data_version: int | None = None,
        data_stamp: float | None = None,
        stop: asyncio.Event | None = None,
        on_log: Callable[[str], None] | None = None,
    ) -> None:
        self.source = source
        self.data_dir = data_dir
        self.meta_dir = meta_dir
        self.blueprint_path = meta_dir / "upload.blueprint"
        self.journal = Journal(meta_dir / "upload.chunks")
        self.progress_path = progress
        self.cfg = config or TransferConfig()
        self.exclude = tuple(exclude)
        self.compression = compression
        self.number_of_chunks = number_of_chunks
        self.url_expires_secs = url_expires_secs or 3600 + self.cfg.max_runners * 15
        self.data_version = data_version
        self.data_stamp = data_stamp
        self.stop = stop or asyncio.Event()
        self._log = on_log or log.info
        self._slots: dict[int, tuple[str, str]] = {}
        self._slot_lock = asyncio.Lock()
        self._pending: list[int] = []

    def remove_meta(self) -> None:
        self.blueprint_path.unlink(missing_ok=True)
        self.journal.remove()

    def _load_blueprint(self) -> Blueprint | None:
        try:
            bp = msgspec.json.decode(self.blueprint_path.read_bytes(), type=Blueprint)
        except FileNotFoundError:
            return None
        except (OSError, msgspec.ValidationError, msgspec.DecodeError) as exc:
            self._log(f"discarding unreadable upload blueprint: {exc}")
            return None
        if bp.data_stamp != self.data_stamp:
            self._log("protocol_data stamp doesn't match, need to start upload from scratch")
            return None
        return bp

    async def _new_blueprint(self, loop: asyncio.AbstractEventLoop) -> Blueprint:
        files = await loop.run_in_executor(None, scan_files, self.data_dir, self.exclude)
        manifest = plan_upload(files, self.number_of_chunks, self.compression)
        first = list(range(len(manifest.chunks)))[: min(self.cfg.max_runners, _BATCH_LIMIT)]
        slots = await self.source.upload_slots(self.data_version, first, self.url_expires_secs)
        bp = Blueprint(
            manifest=manifest,
            data_version=slots.data_version,
            data_stamp=self.data_stamp,
            files=dict(files),
        )
        self.meta_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.blueprint_path, msgspec.json.encode(bp))  # before any URL is used
        for slot in slots.slots:
            self._slots[slot.index] = (slot.key, slot.url)
        self._log(
            f"upload planned: {len(files)} files, {human(manifest.total_size)} in {len(manifest.chunks)} chunks, "
            f"data version {bp.data_version}"
        )
        return bp

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        bp = self._load_blueprint()
        if bp is None:
            self.remove_meta()
            bp = await self._new_blueprint(loop)
        try:
            await self._upload(bp, loop)
        except (DataChanged, ManifestError):
            self.remove_meta()  # non-recoverable: the next attempt plans again
            raise

    async def _upload(self, bp: Blueprint, loop: asyncio.AbstractEventLoop) -> None:
        n = len(bp.manifest.chunks)
        done: dict[int, Chunk] = {}
        for record in self.journal.load():
            try:
                chunk = msgspec.convert(record, Chunk)
            except msgspec.ValidationError:
                continue
            if (
                0 <= chunk.index < n
                and chunk.destinations == bp.manifest.chunks[chunk.index].destinations
            ):
                done[chunk.index] = chunk
        self._pending = [i for i in reversed(range(n)) if i not in done]
        progress = ProgressFile(self.progress_path, n, bp.manifest.total_size, "uploaded")
        done_bytes = sum(bp.manifest.chunks[i].data_size for i in done)
        progress.update(len(done), done_bytes, force=True)
        level = self.compression.level if self.compression is not None else None
        if bp.manifest.compression is not None:
            level = bp.manifest.compression.level
        # Compression threads: one per core, not per runner. More threads than cores only
        # thrash the caches (zstd's window and tables); runners still overlap PUTs with work.
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, min(self.cfg.max_runners, _cpus())), thread_name_prefix="upload"
        )
        # PUTs block in their own threads (one per runner): sending waits on the network, and
        # a compression thread must not.
        senders = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.cfg.max_runners, thread_name_prefix="upload-put"
        )
        http = HttpPool(
            read_timeout_s=120.0, request_slots=threading.Semaphore(self.cfg.max_connections)
        )
        buffers = threading.local()  # one chunk-sized read buffer per compression thread

        async def worker() -> None:
            nonlocal done_bytes
            while self._pending and not self.stop.is_set():
                index = self._pending.pop()
                planned = bp.manifest.chunks[index]
                pieces, size, digest = await loop.run_in_executor(
                    pool, _prepare, self.data_dir, planned, bp.files, level, buffers
                )
                key = await self._put(bp, index, pieces, size, http, senders)
                del pieces
                chunk = msgspec.structs.replace(
                    planned,
                    key=key,
                    url=None,
                    size=size,
                    checksum=Checksum(algorithm=ChecksumAlgorithm.BLAKE3, digest=digest),
                )
                await loop.run_in_executor(pool, self.journal.append, msgspec.to_builtins(chunk))
                done[index] = chunk
                done_bytes += planned.data_size
                progress.update(len(done), done_bytes)

        try:
            async with http.aborted_on(self.stop), asyncio.TaskGroup() as tg:
                for _ in range(min(self.cfg.max_runners, len(self._pending))):
                    tg.create_task(worker())
        except BaseExceptionGroup as group:
            raise job_error(group, self.stop.is_set(), "upload") from None
        finally:
            http.close()
            # in a thread: waiting here on the loop would stall it (and a store it serves)
            await asyncio.to_thread(senders.shutdown, wait=True, cancel_futures=True)
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if self.stop.is_set():
            raise Interrupted("upload interrupted")
        progress.update(len(done), done_bytes, force=True)
        manifest = DownloadManifest(
            total_size=bp.manifest.total_size,
            compression=bp.manifest.compression,
            chunks=[done[i] for i in range(n)],
        )
        await self.source.put_download_manifest(manifest, bp.data_version)
        self.remove_meta()
        self._log(f"upload of data version {bp.data_version} completed ({n} chunks)")

    async def _slot(self, bp: Blueprint, index: int, *, fresh: bool) -> tuple[str, str]:
        async with self._slot_lock:
            if fresh:
                self._slots.pop(index, None)
            if index not in self._slots:
                batch = [index] + [
                    i
                    for i in reversed(self._pending[-self.cfg.max_runners :])
                    if i not in self._slots
                ]
                slots = await self.source.upload_slots(
                    bp.data_version, batch[:_BATCH_LIMIT], self.url_expires_secs
                )
                if slots.data_version != bp.data_version:
                    raise ManifestError(
                        f"upload slots are for data version {slots.data_version}, expected {bp.data_version}"
                    )
                for slot in slots.slots:
                    self._slots[slot.index] = (slot.key, slot.url)
                if index not in self._slots:
                    raise ManifestError(f"no upload slot returned for chunk {index}")
            return self._slots[index]

    async def _put(
        self,
        bp: Blueprint,
        index: int,
        pieces: list[bytes],
        size: int,
        http: HttpPool,
        senders: concurrent.futures.Executor,
    ) -> str:
        loop = asyncio.get_running_loop()
        failures = 0
        fresh = False
        while True:
            if self.stop.is_set():
                raise Interrupted("upload interrupted")
            key, url = await self._slot(bp, index, fresh=fresh)
            fresh = False
            if size == 0:
                return key
            try:
                await loop.run_in_executor(senders, http.put, url, _pieces(pieces, self.stop), size)
                self._slots.pop(index, None)
                return key
            except UrlExpired as exc:
                self._log(f"chunk {index}: {exc}; asking for a fresh URL")
                fresh = True
                error: ArchiveError = exc
            except TransferError as exc:
                self._log(f"chunk {index}: upload failed: {exc}")
                error = exc
            failures += 1
            if failures > self.cfg.max_retries:
                raise type(error)(
                    f"{error} (gave up after {self.cfg.max_retries} retries)"
                ) from error
            await asyncio.sleep(self.cfg.backoff_base_s * 2 ** (failures - 1))
