"""The ``download`` and ``upload`` job kinds: archive runs under the job's restart policy.

Messages are the original's: "job '<name>' finished" and "job '<name>' failed with: <err>".
A successful run is final whatever the policy (re-running a finished download or upload right
away is the original's ``always`` quirk, not copied). A stop request returns None: babel
records Stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from bv_core.errors import BvError
from bv_core.jobs import DownloadJob, Finished, NodePaths, UploadJob
from bv_core.models import ZstdCompression

from .._backoff import Backoff, GiveUp
from ._errors import Interrupted
from ._source import ArchiveSource, EngineArchiveClient
from ._transfer import TransferConfig
from .download import COMPLETED, Downloader
from .upload import Uploader

if TYPE_CHECKING:
    from .._kinds import JobContext

__all__ = ["DownloadKind", "UploadKind", "meta_dir", "protocol_data_dir"]

DEFAULT_PROTOCOL_DATA_PATH = "/blockjoy/protocol_data"


def protocol_data_dir(node: NodePaths) -> Path:
    """``node_env.protocol_data_path`` from babel.conf (default /blockjoy/protocol_data), under root."""
    path = DEFAULT_PROTOCOL_DATA_PATH
    with contextlib.suppress(OSError, orjson.JSONDecodeError, AttributeError):
        conf = orjson.loads(node.babel_conf.read_bytes())
        value = conf.get("node_env", {}).get("protocol_data_path")
        if isinstance(value, str) and value:
            path = value
    return node.inside(path)


def meta_dir(node: NodePaths) -> Path:
    return node.data_mount_point() / ".babel_jobs"


def _stamp(node: NodePaths) -> float | None:
    try:
        return node.protocol_data_lock().stat().st_mtime
    except OSError:
        return None


class _ArchiveKind:
    def __init__(self, source: ArchiveSource | None = None) -> None:
        self._source = source  # tests inject a store; in a node it is the engine socket

    async def _attempt(self, ctx: JobContext, source: ArchiveSource) -> None:
        raise NotImplementedError

    def _done(self, ctx: JobContext) -> None:
        return None

    async def run(self, ctx: JobContext) -> Finished | None:
        source = self._source or EngineArchiveClient(ctx.node.engine_socket)
        backoff = Backoff(ctx.config.restart)
        try:
            while True:
                backoff.start(time.monotonic())
                try:
                    await self._attempt(ctx, source)
                except Interrupted:
                    return None
                except BvError as exc:
                    if ctx.stop.is_set():
                        return None
                    message = f"job '{ctx.name}' failed with: {exc}"
                    decision = backoff.stopped(time.monotonic(), -1, message)
                    ctx.events.push_log(message)
                    if isinstance(decision, GiveUp):
                        return decision.status
                    ctx.events.register_restart()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ctx.stop.wait(), decision.delay)
                    if ctx.stop.is_set():
                        return None
                    continue
                self._done(ctx)
                return Finished(0, f"job '{ctx.name}' finished")
        finally:
            if self._source is None:
                await source.close()


class DownloadKind(_ArchiveKind):
    def __init__(self, job: DownloadJob, source: ArchiveSource | None = None) -> None:
        super().__init__(source)
        self._cfg = TransferConfig(
            max_connections=job.max_connections or 3, max_runners=job.max_runners or 8
        )

    async def run(self, ctx: JobContext) -> Finished | None:
        node = ctx.node
        done = (meta_dir(node) / COMPLETED).exists()
        # With use_protocol_data the runner itself touched the lock just now: not a sign of data.
        if done or (not ctx.config.use_protocol_data and node.protocol_data_lock().exists()):
            return Finished(0, f"job '{ctx.name}' finished")
        return await super().run(ctx)

    async def _attempt(self, ctx: JobContext, source: ArchiveSource) -> None:
        node = ctx.node
        await Downloader(
            source,
            protocol_data_dir(node),
            meta_dir(node),
            ctx.paths.progress,
            self._cfg,
            stop=ctx.stop,
            on_log=ctx.events.push_log,
        ).run()

    def _done(self, ctx: JobContext) -> None:
        lock = ctx.node.protocol_data_lock()
        with contextlib.suppress(OSError):
            lock.parent.mkdir(parents=True, exist_ok=True)
            lock.touch()
            os.utime(lock)


class UploadKind(_ArchiveKind):
    def __init__(self, job: UploadJob, source: ArchiveSource | None = None) -> None:
        super().__init__(source)
        self._job = job
        self._cfg = TransferConfig(
            max_connections=job.max_connections or 3, max_runners=job.max_runners or 8
        )

    async def _attempt(self, ctx: JobContext, source: ArchiveSource) -> None:
        job = self._job
        level = (job.compression or {}).get("ZSTD")
        node = ctx.node
        await Uploader(
            source,
            protocol_data_dir(node),
            meta_dir(node),
            ctx.paths.progress,
            self._cfg,
            exclude=job.exclude or (),
            compression=None if level is None else ZstdCompression(level=level),
            number_of_chunks=job.number_of_chunks,
            url_expires_secs=job.url_expires_secs,
            data_version=job.data_version,
            data_stamp=_stamp(node),
            stop=ctx.stop,
            on_log=ctx.events.push_log,
        ).run()
