"""Download and upload against a misbehaving store: retries, refetches, fresh URLs, SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import orjson
import pytest

from bv_core.models import ZstdCompression
from job_runner.archive import (
    Downloader,
    LocalArchiveStore,
    TransferConfig,
    TransferError,
    Uploader,
)
from tests.archive.conftest import FAST, ROOT, SECRET, STORE_KEY, make_dataset, tree_digest
from tests.fakes.object_store import ObjectStore


async def published(archive: LocalArchiveStore, tmp: Path, chunks: int, tiny: int = 40) -> Path:
    src = tmp / "src"
    make_dataset(src, tiny=tiny)
    await Uploader(
        archive,
        src,
        tmp / "up-meta",
        tmp / "up.json",
        FAST,
        compression=ZstdCompression(level=3),
        number_of_chunks=chunks,
    ).run()
    return src


async def test_transient_500s_resets_and_truncations_are_retried(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    src = await published(archive, tmp_path, chunks=6)
    object_store.fail("GET", "500", count=3)
    object_store.fail("GET", "reset", count=2)
    object_store.fail("GET", "truncate", count=2)
    logs: list[str] = []
    await Downloader(
        archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST, on_log=logs.append
    ).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
    assert object_store.injected == {"500": 3, "reset": 2, "truncate": 2}
    # 500s and truncations surface as failed transfers; aiohttp itself may re-send a request
    # whose keep-alive connection was reset before any response, so resets need not.
    assert sum("transfer failed" in line for line in logs) >= 5, "\n".join(logs)
    assert any("received" in line and "at byte" in line for line in logs)


async def test_a_cut_transfer_resumes_at_the_byte_where_it_stopped(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    """The decoder keeps its state across requests: after a cut GET the next one asks for the
    rest of the chunk, not for the chunk again."""
    src = await published(archive, tmp_path, chunks=2)
    chunk = max(await archive.download_chunks(1, [0, 1]), key=lambda c: c.size)
    assert chunk.size > FAST.part_size  # several ranged GETs per chunk
    key = chunk.key
    object_store.fail("GET", "truncate", key=key)  # the first GET of the chunk sends half a part
    await Downloader(archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
    starts = [start for k, start in object_store.ranges if k == key]
    assert starts[:2] == [0, FAST.part_size // 2], starts
    assert 0 not in starts[1:], f"the chunk was fetched again from its first byte: {starts}"


async def test_corrupted_chunk_is_detected_and_refetched(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    src = await published(archive, tmp_path, chunks=4)
    key = f"{STORE_KEY}/1/data.part_2"
    object_store.fail("GET", "corrupt", key=key)
    logs: list[str] = []
    await Downloader(
        archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST, on_log=logs.append
    ).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
    assert any(
        "chunk 2" in line and ("checksum mismatch" in line or "corrupt" in line) for line in logs
    ), logs
    (chunk,) = await archive.download_chunks(1, [2])
    parts = -(-chunk.size // FAST.part_size)  # ranged GETs of one clean fetch
    assert object_store.gets[key] >= parts + 1  # refetched after the mismatch


async def test_persistent_failure_fails_the_job_with_a_clear_error(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    await published(archive, tmp_path, chunks=2)
    object_store.fail("GET", "500", count=100)
    cfg = TransferConfig(max_runners=2, max_retries=2, backoff_base_s=0.01)
    with pytest.raises(TransferError, match=r"server responded with 500.*gave up after 2 retries"):
        await Downloader(
            archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", cfg
        ).run()
    assert not (tmp_path / "meta" / "download.completed").exists()


async def test_expired_urls_are_refreshed(tmp_path: Path, object_store: ObjectStore) -> None:
    now = [
        time.time() - 7200
    ]  # the store's clock starts two hours late: its URLs are already expired
    archive = LocalArchiveStore(
        object_store.root,
        STORE_KEY,
        base_url=object_store.base_url,
        secret=SECRET,
        get_expires_s=60,
        clock=lambda: now[0],
    )
    fresh = LocalArchiveStore(
        object_store.root, STORE_KEY, base_url=object_store.base_url, secret=SECRET
    )
    src = await published(fresh, tmp_path, chunks=3)
    logs: list[str] = []

    def log(line: str) -> None:
        logs.append(line)
        if "fresh URL" in line:
            now[0] = time.time()  # the next URLs the store signs are valid

    await Downloader(
        archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST, on_log=log
    ).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
    assert object_store.refused >= 1
    assert any("403" in line and "expired" in line for line in logs)


async def test_upload_retries_transient_put_failures(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    object_store.fail("PUT", "500", count=2)
    object_store.fail("PUT", "reset", count=1)
    src = await published(archive, tmp_path, chunks=4)
    await Downloader(archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
    assert object_store.injected == {"500": 2, "reset": 1}


async def test_upload_resumes_without_reuploading_finished_chunks(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    src = tmp_path / "src"
    make_dataset(src, tiny=30)
    cfg = TransferConfig(max_runners=1, max_retries=1, backoff_base_s=0.01, buffer_size=16 * 1024)
    key3 = f"{STORE_KEY}/1/data.part_3"
    object_store.fail(
        "PUT", "500", key=key3, count=2
    )  # more than max_retries: the first run fails at chunk 3

    def uploader() -> Uploader:
        return Uploader(
            archive,
            src,
            tmp_path / "up-meta",
            tmp_path / "up.json",
            cfg,
            compression=ZstdCompression(level=3),
            number_of_chunks=6,
        )

    with pytest.raises(TransferError):
        await uploader().run()
    journal = [
        orjson.loads(line)["index"]
        for line in (tmp_path / "up-meta" / "upload.chunks").read_bytes().splitlines()
    ]
    assert journal == [0, 1, 2]
    puts_before = dict(object_store.puts)
    await uploader().run()
    for i in journal:
        assert (
            object_store.puts[f"{STORE_KEY}/1/data.part_{i}"]
            == puts_before[f"{STORE_KEY}/1/data.part_{i}"]
        )
    assert (await archive.download_metadata()).data_version == 1  # resumed the same version
    await Downloader(archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)


async def test_sigkill_mid_download_then_restart_does_not_refetch_finished_chunks(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    src = await published(archive, tmp_path, chunks=30)
    args = orjson.dumps(
        {
            "root": str(object_store.root),
            "store_key": STORE_KEY,
            "base_url": object_store.base_url,
            "secret": SECRET.decode(),
            "data": str(tmp_path / "dst"),
            "meta": str(tmp_path / "meta"),
            "progress": str(tmp_path / "p.json"),
            "runners": 2,
        }
    ).decode()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    journal = tmp_path / "meta" / "download.chunks"
    object_store.delay_all = 0.05  # slow enough to be killed mid-way

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.archive.download_proc", args, env=env, cwd=ROOT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and len(journal.read_bytes().splitlines()) >= 6:
            break
        assert proc.returncode is None, "the download ended before it could be killed"
        await asyncio.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert await proc.wait() == -signal.SIGKILL
    done = {
        orjson.loads(line)["index"] for line in journal.read_bytes().splitlines() if line.strip()
    }
    assert 6 <= len(done) < 30
    gets_before = dict(object_store.gets)

    object_store.delay_all = 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.archive.download_proc", args, env=env, cwd=ROOT
    )
    assert await proc.wait() == 0
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
    for i in range(30):
        key = f"{STORE_KEY}/1/data.part_{i}"
        if i in done:
            assert object_store.gets[key] == gets_before[key], f"chunk {i} was fetched again"
        else:
            assert object_store.gets[key] >= 1
    assert (tmp_path / "meta" / "download.completed").exists()
