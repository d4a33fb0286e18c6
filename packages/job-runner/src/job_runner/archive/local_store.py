"""A directory archive store: the ArchiveService side, for standalone mode and tests.

Layout under ``root`` (the same object keys a remote store uses, api-contract.md §4.1)::

    <store_key>/<data_version>/manifest-header.json   DownloadMetadata
    <store_key>/<data_version>/manifest-body.json     [Chunk] (no urls)
    <store_key>/<data_version>/data.part_<index>      chunk objects, written by presigned PUTs
    <store_key>/<data_version>/.lock                  the version is reserved by an upload

URLs point at an HTTP server that serves ``root`` and checks :mod:`._presign` signatures
(tests/fakes/object_store.py in tests; the daemon's store server in standalone mode).
A version becomes visible to downloads only when its header is written, i.e. after
``put_download_manifest``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final, TypeVar, final

import msgspec

from bv_core.errors import ModelError
from bv_core.models import (
    Chunk,
    DownloadManifest,
    DownloadMetadata,
    UploadSlot,
    UploadSlots,
    decode_json,
)
from bv_core.persistence import atomic_write

from ._errors import ArchiveNotFound, ManifestError, SourceError, VersionLocked
from ._presign import presign

__all__ = ["MAX_INDEXES_PER_CALL", "LocalArchiveStore"]

_T = TypeVar("_T")
MAX_INDEXES_PER_CALL: Final = 100  # the API's limit per GetDownloadChunks/GetUploadSlots
DEFAULT_GET_EXPIRES_S: Final = 3600


@final
class LocalArchiveStore:
    """Implements ArchiveSource for one ``store_key`` in a directory."""

    def __init__(
        self,
        root: Path,
        store_key: str,
        *,
        base_url: str,
        secret: bytes,
        get_expires_s: int = DEFAULT_GET_EXPIRES_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not store_key or "/" in store_key or store_key in (".", ".."):
            raise ValueError(f"invalid store key {store_key!r}")
        self.root = root
        self.store_key = store_key
        self.base_url = base_url
        self._secret = secret
        self.get_expires_s = get_expires_s
        self._clock = clock
        self._bodies: dict[int, list[Chunk]] = {}

    def _dir(self, version: int) -> Path:
        return self.root / self.store_key / str(version)

    def key(self, version: int, index: int) -> str:
        return f"{self.store_key}/{version}/data.part_{index}"

    def _versions(self, marker: str) -> list[int]:
        try:
            entries = os.listdir(self.root / self.store_key)
        except FileNotFoundError:
            return []
        return sorted(
            int(e)
            for e in entries
            if e.isdigit() and (self.root / self.store_key / e / marker).exists()
        )

    async def download_metadata(self, data_version: int | None = None) -> DownloadMetadata:
        versions = self._versions("manifest-header.json")
        if data_version is None:
            if not versions:
                raise ArchiveNotFound(f"no archive for {self.store_key!r} in {self.root}")
            data_version = versions[-1]
        elif data_version not in versions:
            raise ArchiveNotFound(f"no version {data_version} of {self.store_key!r} in {self.root}")
        header = self._dir(data_version) / "manifest-header.json"
        return _load(header.read_bytes(), DownloadMetadata, str(header))

    def _body(self, version: int) -> list[Chunk]:
        if version not in self._bodies:
            path = self._dir(version) / "manifest-body.json"
            try:
                data = path.read_bytes()
            except FileNotFoundError as exc:
                raise ArchiveNotFound(f"no version {version} of {self.store_key!r}") from exc
            self._bodies[version] = _load(data, list[Chunk], str(path))
        return self._bodies[version]

    async def download_chunks(self, data_version: int, indexes: Sequence[int]) -> list[Chunk]:
        if len(indexes) > MAX_INDEXES_PER_CALL:
            raise SourceError(
                f"at most {MAX_INDEXES_PER_CALL} chunk indexes per call, got {len(indexes)}"
            )
        body = self._body(data_version)
        expires = int(self._clock()) + self.get_expires_s
        out = []
        for i in indexes:
            if not 0 <= i < len(body):
                raise SourceError(
                    f"chunk index {i} not in version {data_version} ({len(body)} chunks)",
                    retryable=False,
                )
            chunk = body[i]
            url = presign(self.base_url, self._secret, "GET", chunk.key, expires)
            out.append(msgspec.structs.replace(chunk, url=url))
        return out

    async def upload_slots(
        self, data_version: int | None, indexes: Sequence[int], url_expires_secs: int
    ) -> UploadSlots:
        if len(indexes) > MAX_INDEXES_PER_CALL:
            raise SourceError(
                f"at most {MAX_INDEXES_PER_CALL} slot indexes per call, got {len(indexes)}"
            )
        if data_version is None:
            existing = self._versions("") or [0]
            data_version = max(existing) + 1
            self._dir(data_version).mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(
                    self._dir(data_version) / ".lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644
                )
            except FileExistsError as exc:
                raise VersionLocked(
                    f"version {data_version} of {self.store_key!r} is already locked"
                ) from exc
            os.close(fd)
        elif not (self._dir(data_version) / ".lock").exists():
            raise SourceError(
                f"version {data_version} of {self.store_key!r} was not reserved", retryable=False
            )
        expires = int(self._clock()) + url_expires_secs
        slots = [
            UploadSlot(
                index=i,
                key=self.key(data_version, i),
                url=presign(self.base_url, self._secret, "PUT", self.key(data_version, i), expires),
            )
            for i in indexes
        ]
        return UploadSlots(slots=slots, data_version=data_version)

    async def put_download_manifest(self, manifest: DownloadManifest, data_version: int) -> None:
        vdir = self._dir(data_version)
        if not (vdir / ".lock").exists():
            raise SourceError(
                f"version {data_version} of {self.store_key!r} was not reserved", retryable=False
            )
        chunks = [msgspec.structs.replace(c, url=None) for c in manifest.chunks]
        if [c.index for c in chunks] != list(range(len(chunks))):
            raise ManifestError("put_download_manifest: chunk indexes must be 0..n-1 in order")
        header = DownloadMetadata(
            total_size=manifest.total_size,
            compression=manifest.compression,
            chunks=len(chunks),
            data_version=data_version,
        )
        atomic_write(vdir / "manifest-body.json", msgspec.json.encode(chunks))
        atomic_write(
            vdir / "manifest-header.json", msgspec.json.encode(header)
        )  # last: publishes the version
        self._bodies.pop(data_version, None)

    async def close(self) -> None:
        return None


def _load(data: bytes, type_: type[_T], source: str) -> _T:
    try:
        return decode_json(data, type_, source)
    except ModelError as exc:
        raise ManifestError(str(exc)) from exc
