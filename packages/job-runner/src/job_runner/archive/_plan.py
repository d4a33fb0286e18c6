"""Checks that make an untrusted manifest safe before a single byte is written.

A download plan is the metadata plus every chunk's descriptor. It is accepted only when:
chunk indexes are exactly 0..n-1 and their count is bounded; each chunk has destinations and
a stored size a zstd stream of its data could have; every destination path is relative, has
no ``..``, does not resolve (through symlinks) outside the data dir, and is not both a file and
a directory of another; the pieces of each file tile it from 0 with no gap and no overlap; and
the sizes add up to ``total_size``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Final, final

from bv_core.models import Chunk, DownloadMetadata

from ._errors import ManifestError

__all__ = [
    "MAX_CHUNKS",
    "MAX_DESTINATIONS",
    "DownloadPlan",
    "check_metadata",
    "check_plan",
    "check_same",
    "norm_path",
    "zstd_bound",
]

MAX_CHUNKS: Final = 1_000_000  # 500 MB chunks -> 500 TB; anything larger is a broken manifest
MAX_DESTINATIONS: Final = 20_000_000  # files x pieces over the whole archive


def zstd_bound(size: int) -> int:
    """Largest zstd frame for ``size`` input bytes (ZSTD_COMPRESSBOUND) plus frame headers."""
    return size + (size >> 8) + ((128 << 10) - size >> 11 if size < (128 << 10) else 0) + 64


def norm_path(path: str) -> str:
    """The identity of a destination: ``a//b`` and ``./a/b`` are the same file as ``a/b``."""
    return str(PurePosixPath(path))


@final
class DownloadPlan:
    """A validated manifest: ``files`` maps each relative path to its final size."""

    def __init__(
        self, metadata: DownloadMetadata, chunks: list[Chunk], files: dict[str, int]
    ) -> None:
        self.metadata = metadata
        self.chunks = chunks
        self.files = files


def check_metadata(meta: DownloadMetadata) -> None:
    if meta.chunks > MAX_CHUNKS:
        raise ManifestError(f"manifest has {meta.chunks} chunks, more than the limit {MAX_CHUNKS}")
    if meta.chunks == 0 and meta.total_size > 0:
        raise ManifestError(f"manifest has no chunks but total_size {meta.total_size}")


def check_plan(meta: DownloadMetadata, chunks: list[Chunk], data_dir: Path) -> DownloadPlan:
    check_metadata(meta)
    if len(chunks) != meta.chunks:
        raise ManifestError(
            f"manifest header says {meta.chunks} chunks, got {len(chunks)} chunk descriptors"
        )
    pieces: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    total = 0
    n_dest = 0
    for pos, chunk in enumerate(chunks):
        if chunk.index != pos:
            raise ManifestError(
                f"chunk #{pos} has index {chunk.index}; indexes must be 0..{meta.chunks - 1}"
            )
        if not chunk.destinations:
            raise ManifestError(f"chunk {chunk.index} has no destinations")
        n_dest += len(chunk.destinations)
        if n_dest > MAX_DESTINATIONS:
            raise ManifestError(f"manifest has more than {MAX_DESTINATIONS} destinations")
        data = chunk.data_size
        limit = zstd_bound(data) if meta.compression is not None else data
        if chunk.size > limit or (meta.compression is None and chunk.size != data):
            raise ManifestError(
                f"chunk {chunk.index} stores {chunk.size} bytes for {data} bytes of data (at most {limit} possible)"
            )
        for dest in chunk.destinations:
            pieces[norm_path(dest.path)].append((dest.position_bytes, dest.size_bytes, chunk.index))
        total += data
    if total != meta.total_size:
        raise ManifestError(
            f"chunk destinations add up to {total} bytes, but total_size is {meta.total_size}"
        )
    files: dict[str, int] = {}
    for path, spans in pieces.items():
        spans.sort()
        end = 0
        for start, size, index in spans:
            if start < end:
                raise ManifestError(
                    f"chunk {index} overlaps another chunk in {path!r} at byte {start}"
                )
            if start > end:
                raise ManifestError(
                    f"{path!r} has a gap at bytes {end}..{start} (chunk {index} starts at {start})"
                )
            end = start + size
        files[path] = end
    _check_tree(files, data_dir)
    return DownloadPlan(meta, chunks, files)


def _check_tree(files: dict[str, int], data_dir: Path) -> None:
    dirs: set[str] = set()
    for path in files:
        parts = PurePosixPath(path).parts
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    for path in files:
        if path in dirs:
            raise ManifestError(f"{path!r} is both a file and a directory in the manifest")
    root = data_dir.resolve()
    for path in files:
        try:
            target = (root / path).resolve()
        except (OSError, RuntimeError) as exc:  # symlink loop
            raise ManifestError(f"destination {path!r} cannot be resolved: {exc}") from exc
        if not target.is_relative_to(root) or target == root:
            raise ManifestError(f"destination {path!r} resolves outside {root} (to {target})")


def check_same(planned: Chunk, fresh: Chunk) -> None:
    """A chunk re-fetched for a new URL must describe exactly what was planned."""
    if (planned.key, planned.checksum, planned.size, planned.destinations) != (
        fresh.key,
        fresh.checksum,
        fresh.size,
        fresh.destinations,
    ):
        raise ManifestError(
            f"chunk {planned.index} changed between manifest reads (key {fresh.key!r})"
        )
