"""Free-space check, stop requests, and an upload whose data changed under it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from bv_core.models import ZstdCompression
from job_runner.archive import (
    DataChanged,
    Downloader,
    Interrupted,
    LocalArchiveStore,
    NotEnoughSpace,
    Uploader,
)
from tests.archive.conftest import FAST, make_dataset, tree_digest
from tests.fakes.object_store import ObjectStore


async def publish(archive: LocalArchiveStore, tmp: Path, **kw: object) -> Path:
    src = tmp / "src"
    make_dataset(src, tiny=20)
    await Uploader(archive, src, tmp / "up-meta", tmp / "up.json", FAST, **kw).run()  # type: ignore[arg-type]
    return src


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs")
async def test_not_enough_space_fails_up_front_and_writes_nothing(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    await publish(archive, tmp_path, compression=ZstdCompression(level=3), number_of_chunks=3)
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], check=True)
    try:
        with pytest.raises(
            NotEnoughSpace, match=r"Can't download \d+ bytes .* while only \d+ .* available in"
        ):
            await Downloader(
                archive, small / "data", tmp_path / "meta", tmp_path / "p.json", FAST
            ).run()
        assert not (small / "data").exists() or list((small / "data").iterdir()) == []
        assert sum(object_store.gets.values()) == 0
    finally:
        subprocess.run(["umount", str(small)], check=True)


async def test_stop_request_interrupts_and_the_next_run_resumes(
    tmp_path: Path, archive: LocalArchiveStore, object_store: ObjectStore
) -> None:
    src = await publish(
        archive, tmp_path, compression=ZstdCompression(level=3), number_of_chunks=24
    )
    object_store.delay_all = 0.1
    stop = asyncio.Event()
    down = Downloader(
        archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST, stop=stop
    )
    task = asyncio.create_task(down.run())
    while down._done_chunks < 3:  # progress.json is throttled; watch the live count
        await asyncio.sleep(0.005)
    stop.set()
    with pytest.raises(Interrupted, match="download interrupted"):
        await task
    journaled = len((tmp_path / "meta" / "download.chunks").read_bytes().splitlines())
    assert 3 <= journaled < 24  # finished chunks were committed on the way out
    object_store.delay_all = 0
    gets = sum(object_store.gets.values())
    await Downloader(archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST).run()
    assert (
        sum(object_store.gets.values()) - gets <= 24 - journaled + 4
    )  # only what was left (+ ranged parts)
    assert tree_digest(tmp_path / "dst") == tree_digest(src)


async def test_upload_restarts_from_scratch_when_data_changed(
    tmp_path: Path, archive: LocalArchiveStore
) -> None:
    src = tmp_path / "src"
    make_dataset(src, tiny=5)
    stop = asyncio.Event()

    def uploader(stamp: float, stop: asyncio.Event | None = None) -> Uploader:
        return Uploader(
            archive,
            src,
            tmp_path / "up-meta",
            tmp_path / "up.json",
            FAST,
            compression=ZstdCompression(level=1),
            number_of_chunks=4,
            data_stamp=stamp,
            stop=stop,
        )

    stop.set()  # plan, reserve a version, then stop before any chunk
    with pytest.raises(Interrupted):
        await uploader(1.0, stop).run()
    assert (tmp_path / "up-meta" / "upload.blueprint").exists()
    (src / "big-text.log").write_bytes(b"rewritten")
    # Same stamp: the plan is reused, the changed file is detected and the plan dropped.
    with pytest.raises(DataChanged, match="changed size"):
        await uploader(1.0).run()
    assert not (tmp_path / "up-meta" / "upload.blueprint").exists()
    # A new stamp (or no plan) plans again from the files as they are now.
    await uploader(2.0).run()
    await Downloader(archive, tmp_path / "dst", tmp_path / "meta", tmp_path / "p.json", FAST).run()
    assert tree_digest(tmp_path / "dst") == tree_digest(src)
