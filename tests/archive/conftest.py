"""Fixtures for archive tests: a real HTTP object store, a directory archive store, datasets."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from job_runner.archive import LocalArchiveStore, TransferConfig  # noqa: E402
from tests.fakes.object_store import ObjectStore  # noqa: E402

SECRET = b"test-secret"
STORE_KEY = "test-archive"
FAST = TransferConfig(
    max_connections=3,
    max_runners=4,
    part_size=48 * 1024,
    buffer_size=16 * 1024,
    max_retries=5,
    backoff_base_s=0.01,
)


def tree_digest(root: Path) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = (
                path.stat().st_size,
                hashlib.sha256(path.read_bytes()).hexdigest(),
            )
    return out


def make_dataset(root: Path, *, tiny: int = 300) -> None:
    """Empty files, a sparse file, files larger than a chunk, compressible and random data,
    and many tiny files in nested dirs."""
    rng = __import__("random").Random(7)
    root.mkdir(parents=True, exist_ok=True)
    (root / "empty").write_bytes(b"")
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "sub" / "deeper" / "empty2").write_bytes(b"")
    (root / "big-random.bin").write_bytes(rng.randbytes(300_000))
    (root / "big-text.log").write_bytes(
        b"".join(b"line %d of a compressible log\n" % i for i in range(12_000))
    )
    with open(root / "sparse.img", "wb") as f:
        f.seek(400_000)
        f.write(b"tail")
        f.seek(100_000)
        f.write(b"middle")
    for i in range(tiny):
        d = root / "tiny" / f"d{i % 17}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.dat").write_bytes(rng.randbytes(rng.randrange(0, 200)))


@pytest.fixture
async def object_store(tmp_path: Path) -> AsyncIterator[ObjectStore]:
    root = tmp_path / "objects"
    root.mkdir()
    async with ObjectStore(root, SECRET, piece=64 * 1024) as store:
        yield store


@pytest.fixture
def archive(object_store: ObjectStore) -> LocalArchiveStore:
    return LocalArchiveStore(
        object_store.root, STORE_KEY, base_url=object_store.base_url, secret=SECRET
    )
