"""Protocol-data archive manifests (original ``babel_api/src/engine.rs``, babel-plugin.md §4.1).

An archive is a list of chunks; each chunk is stored compressed under ``key`` and, once
decompressed, is laid out across one or more ``destinations`` (files relative to the node's
data dir, back to back). Paths are validated here so no manifest, even one from a remote
store, can write outside the data dir.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path, PurePosixPath
from typing import Annotated

import msgspec

from ..errors import InvalidInput
from ._base import U32, U64, Model
from ._decode import FieldError

__all__ = [
    "Checksum",
    "ChecksumAlgorithm",
    "Chunk",
    "DownloadManifest",
    "DownloadMetadata",
    "FileLocation",
    "UploadManifest",
    "UploadSlot",
    "UploadSlots",
    "ZstdCompression",
]


class ZstdCompression(Model, frozen=True, kw_only=True, tag_field="algorithm", tag="zstd"):
    """The only compression the original supports; JSON ``{"algorithm": "zstd", "level": 3}``."""

    level: Annotated[int, msgspec.Meta(ge=-(2**17), le=22)] = 3


class ChecksumAlgorithm(enum.Enum):
    SHA1 = "sha1"
    SHA256 = "sha256"
    BLAKE3 = "blake3"


_DIGEST_HEX_LEN = {ChecksumAlgorithm.SHA1: 40, ChecksumAlgorithm.SHA256: 64, ChecksumAlgorithm.BLAKE3: 64}


class Checksum(Model, frozen=True, kw_only=True):
    """Digest of the chunk's bytes *as stored* (i.e. compressed), lowercase hex."""

    algorithm: ChecksumAlgorithm
    digest: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]*$")]

    def __post_init__(self) -> None:
        want = _DIGEST_HEX_LEN[self.algorithm]
        if len(self.digest) != want:
            raise FieldError(
                "digest",
                f"expected {want} hex digits for {self.algorithm.value}, got {len(self.digest)}",
            )


def _check_relative(path: str) -> str | None:
    """Why ``path`` could escape or misname a file under the data dir, or None when it is fine."""
    if not path:
        return "expected a non-empty relative path"
    if "\x00" in path:
        return "expected a path without NUL bytes"
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return f"expected a path relative to the data dir, got absolute {path!r}"
    if ".." in pure.parts:
        return f"expected a path inside the data dir, got {path!r} (contains '..')"
    if pure.parts in ((), (".",)):
        return f"expected a file path, got {path!r}"
    return None


class FileLocation(Model, frozen=True, kw_only=True):
    """Where a slice of a decompressed chunk goes: ``size_bytes`` at ``position_bytes`` of ``path``."""

    path: str
    position_bytes: U64
    size_bytes: U64

    def __post_init__(self) -> None:
        if (why := _check_relative(self.path)) is not None:
            raise FieldError("path", why)

    def resolve(self, data_dir: str | os.PathLike[str]) -> Path:
        """Absolute path under ``data_dir``; refuses a symlinked parent leading outside it."""
        root = Path(data_dir).resolve()
        target = (root / self.path).resolve()
        if not target.is_relative_to(root):
            raise InvalidInput(f"destination {self.path!r} resolves outside {root} (to {target})")
        return target


class Chunk(Model, frozen=True, kw_only=True):
    index: U32
    key: str  # persistent object key in the store
    url: str | None = None  # presigned URL, short-lived; None once used
    checksum: Checksum
    size: U64  # bytes as stored (compressed)
    destinations: list[FileLocation]

    @property
    def data_size(self) -> int:
        """Uncompressed bytes this chunk fills."""
        return sum(d.size_bytes for d in self.destinations)


class DownloadMetadata(Model, frozen=True, kw_only=True):
    """The manifest header: enough to plan a download before fetching chunk URLs."""

    total_size: U64  # uncompressed bytes of all files
    compression: ZstdCompression | None = None
    chunks: U32  # chunk count
    data_version: U64


def _check_chunks(chunks: list[Chunk], total_size: int) -> None:
    seen: set[int] = set()
    for i, chunk in enumerate(chunks):
        if chunk.index in seen:
            raise FieldError(f"chunks[{i}].index", f"duplicate chunk index {chunk.index}")
        seen.add(chunk.index)
    filled = sum(c.data_size for c in chunks)
    if filled != total_size:
        raise FieldError(
            "total_size", f"expected the sum of destination sizes ({filled}), got {total_size}"
        )


class DownloadManifest(Model, frozen=True, kw_only=True):
    total_size: U64
    compression: ZstdCompression | None = None
    chunks: list[Chunk]

    def __post_init__(self) -> None:
        _check_chunks(self.chunks, self.total_size)


class UploadSlot(Model, frozen=True, kw_only=True):
    index: U32
    key: str
    url: str  # presigned PUT URL


class UploadSlots(Model, frozen=True, kw_only=True):
    slots: Annotated[list[UploadSlot], msgspec.Meta(min_length=1)]
    data_version: U64


class UploadManifest(Model, frozen=True, kw_only=True):
    """The upload plan kept across restarts (the original's ``upload.blueprint``).

    Chunks not yet uploaded have ``size == 0`` and a placeholder checksum.
    """

    manifest: DownloadManifest
    data_version: U64
