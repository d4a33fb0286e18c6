"""An untrusted manifest that would escape, overlap or not add up fails before anything is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from job_runner.archive import (
    ArchiveError,
    Downloader,
    LocalArchiveStore,
    ManifestError,
    SourceError,
)
from tests.archive.conftest import FAST, STORE_KEY
from tests.fakes.object_store import ObjectStore

DIGEST = "ab" * 32


def chunk(index: int, dests: list[tuple[str, int, int]], size: int | None = None) -> dict[str, Any]:
    return {
        "index": index,
        "key": f"{STORE_KEY}/1/data.part_{index}",
        "url": None,
        "checksum": {"algorithm": "sha256", "digest": DIGEST},
        "size": sum(d[2] for d in dests) if size is None else size,
        "destinations": [
            {"path": p, "position_bytes": pos, "size_bytes": n} for p, pos, n in dests
        ],
    }


def publish(
    root: Path, chunks: list[dict[str, Any]], *, total: int | None = None, count: int | None = None
) -> None:
    vdir = root / STORE_KEY / "1"
    vdir.mkdir(parents=True)
    total = (
        sum(d["size_bytes"] for c in chunks for d in c["destinations"]) if total is None else total
    )
    header = {
        "total_size": total,
        "compression": None,
        "chunks": len(chunks) if count is None else count,
        "data_version": 1,
    }
    (vdir / "manifest-body.json").write_bytes(orjson.dumps(chunks))
    (vdir / "manifest-header.json").write_bytes(orjson.dumps(header))
    for c in chunks:
        (vdir / f"data.part_{c['index']}").write_bytes(b"x" * c["size"])


CASES = {
    "dotdot": ([chunk(0, [("a", 0, 4), ("../escape", 0, 4)])], {}, r"\.\."),
    "nested-dotdot": ([chunk(0, [("sub/../../escape", 0, 4)])], {}, r"\.\."),
    "absolute": ([chunk(0, [("/etc/passwd-evil", 0, 4)])], {}, r"absolute"),
    "overlap": (
        [chunk(0, [("f", 0, 10)]), chunk(1, [("f", 5, 10)])],
        {},
        r"chunk 1 overlaps another chunk in 'f' at byte 5",
    ),
    "same-file-two-spellings": (
        [chunk(0, [("d/f", 0, 10)]), chunk(1, [("d//f", 0, 10)])],
        {},
        r"overlaps",
    ),
    "gap": ([chunk(0, [("f", 0, 10)]), chunk(1, [("f", 20, 10)])], {}, r"gap at bytes 10..20"),
    "total-mismatch": (
        [chunk(0, [("f", 0, 10)])],
        {"total": 25},
        r"add up to 10 bytes, but total_size is 25",
    ),
    "count-mismatch": (
        [chunk(0, [("f", 0, 10)])],
        {"count": 2},
        r"chunk index 1 not in version|says 2 chunks",
    ),
    "file-and-dir": ([chunk(0, [("a", 0, 4), ("a/b", 0, 4)])], {}, r"both a file and a directory"),
    "too-many-chunks": ([chunk(0, [("f", 0, 4)])], {"count": 5_000_000}, r"more than the limit"),
    "plain-size-mismatch": (
        [chunk(0, [("f", 0, 10)], size=50)],
        {},
        r"stores 50 bytes for 10 bytes",
    ),
    "no-destinations": ([chunk(0, [])], {}, r"no destinations"),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_bad_manifest_fails_clearly_and_writes_nothing(
    case: str, tmp_path: Path, object_store: ObjectStore, archive: LocalArchiveStore
) -> None:
    chunks, kw, message = CASES[case]
    publish(object_store.root, chunks, **kw)
    node = tmp_path / "node"
    data = node / "data"
    data.mkdir(parents=True)
    outside_before = sorted(
        str(p) for p in tmp_path.rglob("*") if not str(p).startswith(str(object_store.root))
    )
    # A header promising chunks the body lacks is the store's error (an unknown index).
    expected: type[ArchiveError] = SourceError if case == "count-mismatch" else ManifestError
    with pytest.raises(expected, match=message):
        await Downloader(archive, data, node / "meta", node / "progress.json", FAST).run()
    assert list(data.iterdir()) == []
    assert not (node / "meta" / "download.metadata").exists()
    outside_after = sorted(
        str(p) for p in tmp_path.rglob("*") if not str(p).startswith(str(object_store.root))
    )
    assert outside_after == outside_before
    assert sum(object_store.gets.values()) == 0  # not a byte fetched


async def test_symlink_escape_is_refused(
    tmp_path: Path, object_store: ObjectStore, archive: LocalArchiveStore
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    os.symlink(outside, data / "link")
    publish(object_store.root, [chunk(0, [("ok", 0, 4), ("link/owned", 0, 4)])])
    with pytest.raises(ManifestError, match=r"'link/owned' resolves outside"):
        await Downloader(archive, data, tmp_path / "meta", tmp_path / "p.json", FAST).run()
    assert list(outside.iterdir()) == [] and sorted(p.name for p in data.iterdir()) == ["link"]


async def test_chunk_changed_between_reads_is_refused(
    tmp_path: Path, object_store: ObjectStore, archive: LocalArchiveStore
) -> None:
    """URLs fetched later must describe the chunks that were validated, not new destinations."""
    publish(object_store.root, [chunk(0, [("f", 0, 4)]), chunk(1, [("g", 0, 4)])])
    down = Downloader(archive, tmp_path / "data", tmp_path / "meta", tmp_path / "p.json", FAST)
    plan = await down._plan()
    body = object_store.root / STORE_KEY / "1" / "manifest-body.json"
    evil = [chunk(0, [("f", 0, 4)]), chunk(1, [("../../escape", 0, 4)])]
    evil[1]["destinations"][0]["path"] = "g2"
    body.write_bytes(orjson.dumps(evil))
    fresh = LocalArchiveStore(
        object_store.root, STORE_KEY, base_url=object_store.base_url, secret=b"test-secret"
    )
    down.source = fresh
    down._urls.clear()
    with pytest.raises(ManifestError, match=r"chunk 1 changed between manifest reads"):
        await down._url(plan, 1)
