"""The download job: fetch a protocol-data archive into the data dir, resumably.

Files in ``meta_dir`` (``<data_mount_point>/.babel_jobs``):

    download.metadata   the manifest header (DownloadMetadata); present = a download is planned
    download.manifest   every chunk descriptor (no URLs), validated before anything is written
    download.parts      JSON lines {"index"}: chunks started (cleanup removes their files)
    download.chunks     JSON lines {"index"}: chunks verified and synced to disk (group commits)
    download.completed  empty marker: the archive is fully in place

A restarted job (after SIGKILL or reboot) reloads the plan and skips every index in
``download.chunks``; an index is journaled only after its bytes matched the checksum and were
synced to disk (in group commits, every ``commit_bytes``), so a journaled chunk is never
fetched again and a crash loses at most one commit's worth of finished chunks.

Per chunk, one of ``max_runners`` worker threads sends ranged GETs (``max_connections``
requests being sent at once, archive/_http.py) and receives, verifies, decompresses and writes
the chunk itself (archive/_fetch.py), retrying failed transfers. Memory per worker is its input
and output buffers plus zstd's window.
Free space is checked up front for the whole archive; each file is created and preallocated
(fallocate) when the first chunk that writes it starts, so creating thousands of small files
overlaps the transfers instead of delaying the first byte.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final, final

import msgspec

from bv_core.errors import BvError, ModelError
from bv_core.models import Chunk, DownloadMetadata, decode_json
from bv_core.persistence import atomic_write

from ._errors import Interrupted, ManifestError, NotEnoughSpace
from ._fetch import ChunkFetch
from ._files import FileTable, Journal, ProgressFile, available_bytes, human
from ._http import HttpPool
from ._plan import DownloadPlan, check_metadata, check_plan, check_same, norm_path
from ._source import ArchiveSource
from ._transfer import TransferConfig, job_error

__all__ = ["COMPLETED", "Downloader", "DownloadMeta"]

log = logging.getLogger(__name__)

COMPLETED: Final = "download.completed"
_BATCH_LIMIT: Final = 100  # indexes per GetDownloadChunks (the API's cap)
_CHUNKS = msgspec.json.Decoder(list[Chunk])


@final
class DownloadMeta:
    """The download's files in the metadata dir."""

    def __init__(self, meta_dir: Path) -> None:
        self.dir = meta_dir
        self.metadata = meta_dir / "download.metadata"
        self.manifest = meta_dir / "download.manifest"
        self.parts = Journal(meta_dir / "download.parts")
        self.chunks = Journal(meta_dir / "download.chunks")
        self.completed = meta_dir / COMPLETED

    def reset(self) -> None:
        for path in (self.metadata, self.manifest, self.parts.path, self.chunks.path):
            path.unlink(missing_ok=True)


@final
class Downloader:
    def __init__(
        self,
        source: ArchiveSource,
        data_dir: Path,
        meta_dir: Path,
        progress: Path,
        config: TransferConfig | None = None,
        *,
        stop: asyncio.Event | None = None,
        on_log: Callable[[str], None] | None = None,
    ) -> None:
        self.source = source
        self.data_dir = data_dir
        self.meta = DownloadMeta(meta_dir)
        self.progress_path = progress
        self.cfg = config or TransferConfig()
        self.stop = stop or asyncio.Event()
        self._log = on_log or log.info
        self._urls: dict[int, str] = {}
        self._url_lock = asyncio.Lock()
        self._pending: list[int] = []
        self._done_bytes = 0
        self._done_chunks = 0
        self._uncommitted: list[int] = []
        self._uncommitted_bytes = 0
        self._touched: set[str] = set()
        self._last_commit = time.monotonic()
        self._commit_lock = asyncio.Lock()

    # --- plan -------------------------------------------------------------------------------

    async def _fetch_descriptors(self, meta: DownloadMetadata) -> list[Chunk]:
        chunks: list[Chunk] = []
        for start in range(0, meta.chunks, _BATCH_LIMIT):
            indexes = list(range(start, min(meta.chunks, start + _BATCH_LIMIT)))
            got = await self.source.download_chunks(meta.data_version, indexes)
            if sorted(c.index for c in got) != indexes:
                raise ManifestError(
                    f"asked for chunks {indexes[0]}..{indexes[-1]}, got indexes {[c.index for c in got][:10]}"
                )
            chunks.extend(sorted(got, key=lambda c: c.index))
        # Keep the first URLs for the first workers; the rest would expire before use and
        # would cost memory on huge manifests, so they are asked for again in batches.
        for c in chunks[: 4 * self.cfg.max_runners]:
            if c.url:
                self._urls[c.index] = c.url
        return [msgspec.structs.replace(c, url=None) for c in chunks]

    async def _plan(self) -> DownloadPlan:
        if self.meta.metadata.exists() and self.meta.manifest.exists():
            try:
                meta = decode_json(
                    self.meta.metadata.read_bytes(), DownloadMetadata, str(self.meta.metadata)
                )
                chunks = _CHUNKS.decode(self.meta.manifest.read_bytes())
                plan = check_plan(meta, chunks, self.data_dir)
                self._log(f"resuming download of data version {meta.data_version}")
                return plan
            except (ModelError, msgspec.ValidationError, msgspec.DecodeError) as exc:
                self._log(f"discarding unreadable download state: {exc}")
        self._cleanup_partial()
        meta = await self.source.download_metadata()
        check_metadata(meta)
        chunks = await self._fetch_descriptors(meta)
        plan = check_plan(meta, chunks, self.data_dir)  # raises before anything is written
        self.meta.dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.meta.manifest, msgspec.json.encode(chunks))
        atomic_write(self.meta.metadata, msgspec.json.encode(meta))
        return plan

    def _cleanup_partial(self) -> None:
        """Forget an earlier, unusable attempt (the original's cleanup_job)."""
        try:
            old = _CHUNKS.decode(self.meta.manifest.read_bytes())
        except (OSError, msgspec.ValidationError, msgspec.DecodeError):
            old = []
        started = {r.get("index") for r in self.meta.parts.load() if isinstance(r, dict)}
        for chunk in old:
            if chunk.index in started:
                for dest in chunk.destinations:
                    with contextlib.suppress(OSError, BvError):
                        dest.resolve(self.data_dir).unlink(missing_ok=True)
        self.meta.reset()

    # --- run --------------------------------------------------------------------------------

    async def run(self) -> None:
        if self.meta.completed.exists():
            self._log("download already completed")
            return
        plan = await self._plan()
        done = {
            r["index"]
            for r in self.meta.chunks.load()
            if isinstance(r, dict) and isinstance(r.get("index"), int)
        }
        done &= set(range(plan.metadata.chunks))
        self._done_chunks = len(done)
        self._done_bytes = sum(plan.chunks[i].data_size for i in done)
        files = FileTable(self.data_dir, self.cfg.max_open_files)
        loop = asyncio.get_running_loop()
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.cfg.max_runners + 1, thread_name_prefix="download"
        )
        try:
            need = await loop.run_in_executor(pool, files.needed, plan.files)
            avail = available_bytes(self.data_dir)
            if need > avail:
                raise NotEnoughSpace(
                    f"Can't download {need} bytes ({human(need)}) of data while only {avail} ({human(avail)}) available in {self.data_dir}"
                )
            self.data_dir.mkdir(parents=True, exist_ok=True)
            progress = ProgressFile(
                self.progress_path, plan.metadata.chunks, plan.metadata.total_size, "downloaded"
            )
            progress.update(self._done_chunks, self._done_bytes, force=True)
            self._pending = [i for i in range(plan.metadata.chunks) if i not in done]
            self._pending.reverse()  # pop() from the end takes the lowest index first
            self._log(
                f"downloading {len(self._pending)} of {plan.metadata.chunks} chunks "
                f"({human(plan.metadata.total_size - self._done_bytes)} left)"
            )
            http = HttpPool(
                read_timeout_s=60.0,
                request_slots=threading.Semaphore(self.cfg.max_connections),
            )
            try:
                async with http.aborted_on(self.stop), asyncio.TaskGroup() as tg:
                    for _ in range(min(self.cfg.max_runners, len(self._pending))):
                        tg.create_task(self._worker(plan, http, files, pool, progress))
            except BaseExceptionGroup as group:
                raise job_error(group, self.stop.is_set(), "download") from None
            finally:
                http.close()
                # Finished chunks survive a failed or interrupted run too.
                await self._commit(files, pool)
            if self.stop.is_set():
                raise Interrupted("download interrupted")
            progress.update(self._done_chunks, self._done_bytes, force=True)
        finally:
            files.close()
            # in a thread: waiting here on the loop would stall it (and a store it serves)
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        atomic_write(self.meta.completed, b"")
        self._log(f"download of data version {plan.metadata.data_version} completed")

    async def _url(self, plan: DownloadPlan, index: int, *, fresh: bool = False) -> str:
        async with self._url_lock:
            if fresh:
                self._urls.pop(index, None)
            if index not in self._urls:
                # Ask for URLs for this index and the next ones workers will take.
                batch = [index] + [
                    i
                    for i in reversed(self._pending[-self.cfg.max_runners :])
                    if i not in self._urls
                ]
                got = await self.source.download_chunks(
                    plan.metadata.data_version, batch[:_BATCH_LIMIT]
                )
                for chunk in got:
                    if not 0 <= chunk.index < len(plan.chunks):
                        raise ManifestError(
                            f"engine returned chunk index {chunk.index} not in the manifest"
                        )
                    check_same(plan.chunks[chunk.index], msgspec.structs.replace(chunk, url=None))
                    if chunk.url:
                        self._urls[chunk.index] = chunk.url
                if index not in self._urls:
                    raise ManifestError(f"engine returned no URL for chunk {index}")
            return self._urls[index]

    def _url_from_thread(
        self, loop: asyncio.AbstractEventLoop, plan: DownloadPlan, index: int, fresh: bool
    ) -> str:
        """``_url`` for a worker thread: runs it on the event loop and waits for the answer."""
        return asyncio.run_coroutine_threadsafe(self._url(plan, index, fresh=fresh), loop).result()

    async def _worker(
        self,
        plan: DownloadPlan,
        http: HttpPool,
        files: FileTable,
        pool: concurrent.futures.Executor,
        progress: ProgressFile,
    ) -> None:
        loop = asyncio.get_running_loop()
        while self._pending and not self.stop.is_set():
            index = self._pending.pop()
            chunk = plan.chunks[index]
            await loop.run_in_executor(pool, self.meta.parts.append, {"index": index}, False)
            sizes = [
                (p, plan.files[p])
                for p in dict.fromkeys(norm_path(d.path) for d in chunk.destinations)
            ]
            await loop.run_in_executor(pool, files.ensure, sizes)
            fetch = ChunkFetch(
                chunk,
                files,
                http,
                self.cfg,
                compressed=plan.metadata.compression is not None,
                url=functools.partial(self._url_from_thread, loop, plan, index),
                # an aborted pool (a stop, or another worker failed) also cuts backoffs short
                stop=lambda: self.stop.is_set() or http.aborted,
                log=self._log,
            )
            touched = await loop.run_in_executor(pool, fetch.run)
            self._urls.pop(index, None)
            self._done_chunks += 1
            self._done_bytes += chunk.data_size
            self._uncommitted.append(index)
            self._uncommitted_bytes += chunk.data_size
            self._touched |= touched
            progress.update(self._done_chunks, self._done_bytes)
            due = time.monotonic() - self._last_commit >= self.cfg.commit_interval_s
            if due or self._uncommitted_bytes >= self.cfg.commit_bytes:
                await self._commit(files, pool)

    async def _commit(self, files: FileTable, pool: concurrent.futures.Executor) -> None:
        """Group commit: make the finished chunks' data durable, then journal them together.

        One sync per ``commit_bytes`` (or ``commit_interval_s``) instead of one per chunk; a
        crash loses at most that much finished work, never journals bytes that are not on disk.
        """
        async with self._commit_lock:
            if not self._uncommitted:
                return
            indexes, touched = self._uncommitted, self._touched
            self._uncommitted, self._touched, self._uncommitted_bytes = [], set(), 0
            self._last_commit = time.monotonic()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(pool, files.sync, touched)
            records: list[object] = [{"index": i} for i in indexes]
            await loop.run_in_executor(pool, self.meta.chunks.append_many, records)
