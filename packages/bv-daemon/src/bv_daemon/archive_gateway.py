"""Where a node's protocol-data archive calls go: the fleet API's ArchiveService or a local store.

Babel's download/upload jobs ask the daemon over the node's engine socket (BabelEngine, JSON
payloads in the ``bv_core.models`` archive shapes); the engine server hands each call to the
runtime's `ArchiveGateway` together with the node's current `NodeImage` (an upgrade may change
the image, so it is read per call). Each gateway picks its own key from the image:

* `FleetArchiveGateway` (connected mode): ``image.archive_id`` on ``blockjoy.v1.ArchiveService``
  through the daemon's `FleetClient`; payloads are converted between the models and the
  protobuf messages here (api-contract.md §4.2, babel-plugin.md §4.1). NOT_FOUND from
  GetDownloadMetadata means "no archive".
* `LocalArchiveGateway` (standalone mode): ``image.store_key`` in a directory store
  (`job_runner.archive.LocalArchiveStore`), whose presigned URLs point at the daemon's
  `bv_daemon.archive_server.ArchiveServer`.

Errors leave a gateway as ``bv_core.errors`` families (the engine server maps them to gRPC codes
in one table): `NotFound` = no archive, `InvalidInput` = a bad payload from babel or the API,
`Conflict` = the store refuses in its current state (``code`` says ALREADY_EXISTS when a version
is already reserved), `ExternalError` = the API or store is unreachable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, final

import msgspec

from bv_core.errors import Conflict, InvalidInput, NotFound
from bv_core.models import (
    Chunk,
    DownloadManifest,
    DownloadMetadata,
    NodeImage,
    UploadSlots,
    convert,
)
from bv_core.proto.blockjoy.v1 import archive_pb2

if TYPE_CHECKING:
    from bv_daemon.fleet.client import FleetClient
    from job_runner.archive import LocalArchiveStore

__all__ = [
    "ArchiveGateway",
    "ArchiveRefused",
    "FleetArchiveGateway",
    "LocalArchiveGateway",
    "NoArchive",
    "checksum_from_pb",
    "checksum_to_pb",
    "chunk_from_pb",
    "chunk_to_pb",
    "metadata_from_pb",
    "put_manifest_request",
    "upload_slots_from_pb",
]

_T = TypeVar("_T")
_CHECKSUM_FIELDS = ("sha1", "sha256", "blake3")  # the pb oneof names = ChecksumAlgorithm values


class NoArchive(NotFound):
    """The node's image has no archive (yet): downloads have nothing to fetch."""


class ArchiveRefused(Conflict):
    """The archive store refused the call in its current state.

    ``code`` is the gRPC status name babel should see: FAILED_PRECONDITION, or ALREADY_EXISTS
    when the data version an upload wants to reserve is already locked.
    """

    def __init__(self, message: str, *, code: str = "FAILED_PRECONDITION") -> None:
        super().__init__(message)
        self.code = code


class ArchiveGateway(Protocol):
    """The four BabelEngine archive calls plus an existence probe, for one node's image."""

    async def download_metadata(self, image: NodeImage) -> DownloadMetadata: ...

    async def download_chunks(
        self, image: NodeImage, data_version: int, indexes: Sequence[int]
    ) -> list[Chunk]: ...

    async def upload_slots(
        self, image: NodeImage, data_version: int | None, indexes: Sequence[int],
        url_expires_secs: int,
    ) -> UploadSlots: ...

    async def put_download_manifest(
        self, image: NodeImage, manifest: DownloadManifest, data_version: int
    ) -> None: ...

    async def has_archive(self, image: NodeImage) -> bool: ...


# -- payload conversions (models <-> blockjoy.v1 messages) ------------------------------------
def checksum_from_pb(msg: Any, source: str) -> dict[str, str]:
    """``Checksum{sha1|sha256|blake3: bytes}`` as the model's ``{algorithm, digest(hex)}``."""
    which = msg.WhichOneof("checksum")
    if which is None:
        raise InvalidInput(f"{source}: checksum has none of {', '.join(_CHECKSUM_FIELDS)}")
    return {"algorithm": which, "digest": bytes(getattr(msg, which)).hex()}


def checksum_to_pb(algorithm: str, digest_hex: str) -> Any:
    if algorithm not in _CHECKSUM_FIELDS:
        raise InvalidInput(f"checksum algorithm {algorithm!r}: expected one of {', '.join(_CHECKSUM_FIELDS)}")
    return archive_pb2.Checksum(**{algorithm: bytes.fromhex(digest_hex)})


def _compression_from_pb(msg: Any, has: bool) -> dict[str, object] | None:
    if not has or msg.WhichOneof("compression") is None:
        return None
    return {"algorithm": "zstd", "level": msg.zstd}


def _chunk_doc(msg: Any, source: str) -> dict[str, object]:
    return {
        "index": msg.index, "key": msg.key, "url": msg.url if msg.HasField("url") else None,
        "checksum": checksum_from_pb(msg.checksum, f"{source}: chunk {msg.index}"),
        "size": msg.size,
        "destinations": [{"path": d.path, "position_bytes": d.position_bytes, "size_bytes": d.size_bytes}
                         for d in msg.destinations],
    }  # fmt: skip


def chunk_from_pb(msg: Any, source: str = "ArchiveChunk") -> Chunk:
    """An ``ArchiveChunk`` as a validated `Chunk` (paths, digest length, sizes checked)."""
    return convert(_chunk_doc(msg, source), Chunk, source)


def chunk_to_pb(chunk: Chunk) -> Any:
    msg = archive_pb2.ArchiveChunk(
        index=chunk.index, key=chunk.key, size=chunk.size,
        checksum=checksum_to_pb(chunk.checksum.algorithm.value, chunk.checksum.digest),
        destinations=[archive_pb2.ChunkTarget(path=d.path, position_bytes=d.position_bytes,
                                              size_bytes=d.size_bytes) for d in chunk.destinations],
    )  # fmt: skip
    if chunk.url is not None:
        msg.url = chunk.url
    return msg


def metadata_from_pb(msg: Any, source: str = "GetDownloadMetadata") -> DownloadMetadata:
    doc = {
        "total_size": msg.total_size, "chunks": msg.chunks, "data_version": msg.data_version,
        "compression": _compression_from_pb(msg.compression, msg.HasField("compression")),
    }  # fmt: skip
    return convert(doc, DownloadMetadata, source)


def upload_slots_from_pb(msg: Any, source: str = "GetUploadSlots") -> UploadSlots:
    doc = {"data_version": msg.data_version,
           "slots": [{"index": s.index, "key": s.key, "url": s.url} for s in msg.slots]}
    return convert(doc, UploadSlots, source)


def put_manifest_request(archive_id: str, manifest: DownloadManifest, data_version: int) -> Any:
    """The ``PutDownloadManifest`` request: the blueprint's chunks, always without urls."""
    req = archive_pb2.ArchiveServicePutDownloadManifestRequest(
        archive_id=archive_id, data_version=data_version, total_size=manifest.total_size,
        chunks=[chunk_to_pb(_without_url(c)) for c in manifest.chunks])
    if manifest.compression is not None:
        req.compression.zstd = manifest.compression.level
    return req


def _without_url(chunk: Chunk) -> Chunk:
    if chunk.url is None:
        return chunk
    return msgspec.structs.replace(chunk, url=None)


# -- connected mode ---------------------------------------------------------------------------
@final
class FleetArchiveGateway:
    """ArchiveService of the fleet API, keyed by the node image's ``archive_id``."""

    def __init__(self, client: FleetClient) -> None:
        self._client = client

    @staticmethod
    def _archive_id(image: NodeImage) -> str:
        if not image.archive_id:
            raise NoArchive(f"image {image.id or image.version}: the fleet API gave this node no archive_id")
        return image.archive_id

    async def download_metadata(self, image: NodeImage) -> DownloadMetadata:
        req = archive_pb2.ArchiveServiceGetDownloadMetadataRequest(archive_id=self._archive_id(image))
        try:
            reply = await self._client.archive_download_metadata(req)
        except NotFound as err:
            raise NoArchive(f"no archive {req.archive_id}: {err}") from err
        return metadata_from_pb(reply, f"ArchiveService.GetDownloadMetadata({req.archive_id})")

    async def download_chunks(
        self, image: NodeImage, data_version: int, indexes: Sequence[int]
    ) -> list[Chunk]:
        req = archive_pb2.ArchiveServiceGetDownloadChunksRequest(
            archive_id=self._archive_id(image), data_version=data_version, chunk_indexes=list(indexes))
        reply = await self._client.archive_download_chunks(req)
        source = f"ArchiveService.GetDownloadChunks({req.archive_id})"
        return [chunk_from_pb(c, source) for c in reply.chunks]

    async def upload_slots(
        self, image: NodeImage, data_version: int | None, indexes: Sequence[int],
        url_expires_secs: int,
    ) -> UploadSlots:
        req = archive_pb2.ArchiveServiceGetUploadSlotsRequest(
            archive_id=self._archive_id(image), slot_indexes=list(indexes))
        if data_version is not None:
            req.data_version = data_version
        if url_expires_secs:
            req.url_expires = url_expires_secs
        reply = await self._client.archive_upload_slots(req)
        return upload_slots_from_pb(reply, f"ArchiveService.GetUploadSlots({req.archive_id})")

    async def put_download_manifest(
        self, image: NodeImage, manifest: DownloadManifest, data_version: int
    ) -> None:
        await self._client.archive_put_manifest(
            put_manifest_request(self._archive_id(image), manifest, data_version))

    async def has_archive(self, image: NodeImage) -> bool:
        try:
            await self.download_metadata(image)
        except NoArchive:
            return False
        return True


# -- standalone mode --------------------------------------------------------------------------
@final
class LocalArchiveGateway:
    """A directory archive store, keyed by the node image's ``store_key``.

    ``base_url`` is where the daemon's archive server listens (the URLs are fetched from inside
    the nodes); ``secret`` signs them and must be the server's.
    """

    def __init__(self, root: Path, *, base_url: str, secret: bytes) -> None:
        self.root = root
        self.base_url = base_url
        self._secret = secret
        self._stores: dict[str, LocalArchiveStore] = {}  # one per store_key (caches manifest bodies)

    def _store(self, image: NodeImage) -> LocalArchiveStore:
        # job_runner's store pulls aiohttp and zstandard in: imported only when a store is used
        from job_runner.archive import LocalArchiveStore

        key = image.store_key
        store = self._stores.get(key)  # only ever called on the daemon's event loop: no lock
        if store is None:
            try:
                store = LocalArchiveStore(self.root, key, base_url=self.base_url, secret=self._secret)
            except ValueError:
                raise InvalidInput(f"image {image.id}: store_key {key!r} cannot name an archive "
                                   "directory") from None
            self._stores[key] = store
        return store

    async def download_metadata(self, image: NodeImage) -> DownloadMetadata:
        return await _local(self._store(image).download_metadata())

    async def download_chunks(
        self, image: NodeImage, data_version: int, indexes: Sequence[int]
    ) -> list[Chunk]:
        return await _local(self._store(image).download_chunks(data_version, indexes))

    async def upload_slots(
        self, image: NodeImage, data_version: int | None, indexes: Sequence[int],
        url_expires_secs: int,
    ) -> UploadSlots:
        # the API's default expiry when babel sends none (api-contract.md §4.2: 7 days)
        expires = url_expires_secs or 7 * 24 * 3600
        return await _local(self._store(image).upload_slots(data_version, indexes, expires))

    async def put_download_manifest(
        self, image: NodeImage, manifest: DownloadManifest, data_version: int
    ) -> None:
        await _local(self._store(image).put_download_manifest(manifest, data_version))

    async def has_archive(self, image: NodeImage) -> bool:
        try:
            await self.download_metadata(image)
        except NotFound:
            return False
        return True


async def _local(coro: Awaitable[_T]) -> _T:
    """Run a LocalArchiveStore call; its refusals become `ArchiveRefused`, not-found `NoArchive`."""
    from job_runner.archive import ArchiveNotFound, SourceError, VersionLocked

    try:
        return await coro
    except ArchiveNotFound as err:
        raise NoArchive(str(err)) from err
    except VersionLocked as err:  # babel must see ALREADY_EXISTS for a reserved version
        raise ArchiveRefused(str(err), code="ALREADY_EXISTS") from err
    except SourceError as err:
        if err.retryable:
            raise
        raise ArchiveRefused(str(err), code="FAILED_PRECONDITION") from err
