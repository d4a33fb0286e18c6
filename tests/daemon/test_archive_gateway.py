"""Archive gateway: payload conversions, the standalone store served by the daemon, engine socket.

The round trip runs the job runner's real Uploader/Downloader against a real EngineServer on a
Unix socket, whose LocalArchiveGateway hands out URLs of a real ArchiveServer on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import grpc
import pytest

from bv_core.errors import InvalidInput, ModelError
from bv_core.models import (
    Checksum,
    ChecksumAlgorithm,
    Chunk,
    DownloadManifest,
    FileLocation,
    NodeImage,
    ZstdCompression,
)
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc
from bv_core.proto.blockjoy.v1 import archive_pb2
from bv_daemon.archive_gateway import (
    ArchiveGateway,
    LocalArchiveGateway,
    checksum_from_pb,
    chunk_from_pb,
    chunk_to_pb,
    metadata_from_pb,
    put_manifest_request,
    upload_slots_from_pb,
)
from bv_daemon.archive_server import ArchiveServer
from bv_daemon.engine_server import NO_ARCHIVE_STORE, EngineServer
from job_runner.archive import (
    ArchiveNotFound,
    Downloader,
    EngineArchiveClient,
    SourceError,
    TransferConfig,
    Uploader,
    presign,
)

SECRET = b"daemon-archive-test-secret"
FAST = TransferConfig(max_connections=2, max_runners=3, part_size=32 * 1024, buffer_size=16 * 1024,
                      max_retries=2, backoff_base_s=0.01)


def _image(store_key: str = "demo-archive", archive_id: str = "") -> NodeImage:
    return NodeImage(id="demo/main/1.0.0", version="1.0.0", config_id="", archive_id=archive_id,
                     store_key=store_key, uri="file:///nonexistent", min_babel_version="0.1.0")


def _chunk(index: int = 0, *, url: str | None = None) -> Chunk:
    return Chunk(index=index, key=f"k/1/data.part_{index}", url=url,
                 checksum=Checksum(algorithm=ChecksumAlgorithm.BLAKE3, digest="ab" * 32), size=7,
                 destinations=[FileLocation(path="a/b.bin", position_bytes=3, size_bytes=10),
                               FileLocation(path="c", position_bytes=0, size_bytes=5)])


# -- conversions --------------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "size"), [("sha1", 20), ("sha256", 32), ("blake3", 32)])
def test_checksum_oneof_bytes_become_the_models_hex_digest(field: str, size: int) -> None:
    raw = bytes(range(size))
    doc = checksum_from_pb(archive_pb2.Checksum(**{field: raw}), "test")
    assert doc == {"algorithm": field, "digest": raw.hex()}
    chunk = chunk_from_pb(archive_pb2.ArchiveChunk(
        index=0, key="k", size=1, checksum=archive_pb2.Checksum(**{field: raw}),
        destinations=[archive_pb2.ChunkTarget(path="f", position_bytes=0, size_bytes=1)]))
    assert chunk.checksum.algorithm is ChecksumAlgorithm(field) and chunk.checksum.digest == raw.hex()
    assert getattr(chunk_to_pb(chunk).checksum, field) == raw


def test_chunk_round_trips_through_the_api_message() -> None:
    chunk = _chunk(4, url="http://h/k?sig=1")
    msg = chunk_to_pb(chunk)
    assert msg.url == "http://h/k?sig=1" and msg.index == 4 and msg.size == 7
    assert [(d.path, d.position_bytes, d.size_bytes) for d in msg.destinations] == [("a/b.bin", 3, 10), ("c", 0, 5)]
    assert chunk_from_pb(msg) == chunk
    no_url = chunk_to_pb(_chunk(1))
    assert not no_url.HasField("url") and chunk_from_pb(no_url).url is None


def test_chunk_without_checksum_or_with_a_bad_one_is_refused_by_name() -> None:
    bare = archive_pb2.ArchiveChunk(index=2, key="k", size=1)
    with pytest.raises(InvalidInput, match="chunk 2: checksum has none of sha1, sha256, blake3"):
        chunk_from_pb(bare, "GetDownloadChunks")
    short = archive_pb2.ArchiveChunk(index=0, key="k", size=1, checksum=archive_pb2.Checksum(sha256=b"\x01" * 5))
    with pytest.raises(ModelError, match="digest"):
        chunk_from_pb(short, "GetDownloadChunks")
    escaping = archive_pb2.ArchiveChunk(
        index=0, key="k", size=1, checksum=archive_pb2.Checksum(sha1=b"\x01" * 20),
        destinations=[archive_pb2.ChunkTarget(path="../etc/passwd", size_bytes=1)])
    with pytest.raises(ModelError, match=r"destinations\[0\]\.path"):
        chunk_from_pb(escaping, "GetDownloadChunks")


def test_metadata_compression_is_optional() -> None:
    msg = archive_pb2.ArchiveServiceGetDownloadMetadataResponse(data_version=3, total_size=99, chunks=4)
    meta = metadata_from_pb(msg)
    assert (meta.data_version, meta.total_size, meta.chunks, meta.compression) == (3, 99, 4, None)
    msg.compression.zstd = 5
    assert metadata_from_pb(msg).compression == ZstdCompression(level=5)


def test_upload_slots_need_at_least_one_slot() -> None:
    msg = archive_pb2.ArchiveServiceGetUploadSlotsResponse(
        data_version=2, slots=[archive_pb2.UploadSlot(index=1, key="k/2/data.part_1", url="http://u")])
    slots = upload_slots_from_pb(msg)
    assert slots.data_version == 2 and [(s.index, s.key, s.url) for s in slots.slots] == [(1, "k/2/data.part_1", "http://u")]
    with pytest.raises(ModelError, match="slots"):
        upload_slots_from_pb(archive_pb2.ArchiveServiceGetUploadSlotsResponse(data_version=2))


def test_put_manifest_request_drops_urls_and_keeps_compression() -> None:
    manifest = DownloadManifest(total_size=30, compression=ZstdCompression(level=7),
                                chunks=[_chunk(0, url="http://x"), _chunk(1)])
    req = put_manifest_request("arch-1", manifest, 5)
    assert (req.archive_id, req.data_version, req.total_size, req.compression.zstd) == ("arch-1", 5, 30, 7)
    assert [c.HasField("url") for c in req.chunks] == [False, False]
    plain = put_manifest_request("arch-1", DownloadManifest(total_size=15, chunks=[_chunk(0)]), 1)
    assert not plain.HasField("compression")


# -- the standalone store over real sockets -----------------------------------------------------
@dataclass
class Standalone:
    store: Path
    server: ArchiveServer
    gateway: LocalArchiveGateway
    engine: EngineServer
    socket: Path


@pytest.fixture
async def standalone(tmp_path: Path) -> AsyncIterator[Standalone]:
    store = tmp_path / "store"
    # a short socket path: AF_UNIX paths are limited to 107 bytes
    sock = Path("/tmp") / f"bv-engine-{uuid.uuid4().hex[:12]}.socket"
    async with ArchiveServer(store, SECRET, "127.0.0.1") as server:
        gateway = LocalArchiveGateway(store, base_url=server.base_url, secret=SECRET)
        image = _image()
        engine = EngineServer("node-1", sock, image=lambda: image, gateway=lambda: gateway)
        await engine.start()
        try:
            yield Standalone(store, server, gateway, engine, sock)
        finally:
            await engine.stop()
            sock.unlink(missing_ok=True)


def _dataset(root: Path) -> dict[str, str]:
    rng = random.Random(11)
    root.mkdir(parents=True)
    files = {"big.bin": rng.randbytes(150_000), "log/text.log": b"a compressible line\n" * 4000,
             "empty": b"", "nested/deep/small": rng.randbytes(77)}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


async def test_upload_then_download_through_the_engine_socket(standalone: Standalone, tmp_path: Path) -> None:
    want = _dataset(tmp_path / "src")
    client = EngineArchiveClient(standalone.socket, retry_base_s=0.01)
    try:
        with pytest.raises(ArchiveNotFound):  # nothing uploaded yet: NOT_FOUND = "no archive"
            await client.download_metadata()
        await Uploader(client, tmp_path / "src", tmp_path / "up-meta", tmp_path / "up.json", FAST,
                       compression=ZstdCompression(level=3), number_of_chunks=4).run()
        meta = await client.download_metadata()
        assert (meta.data_version, meta.chunks) == (1, 4)
        assert (standalone.store / "demo-archive" / "1" / "manifest-header.json").is_file()
        await Downloader(client, tmp_path / "dst", tmp_path / "down-meta", tmp_path / "down.json", FAST).run()
    finally:
        await client.close()
    assert _digests(tmp_path / "dst") == want
    # the chunk objects went through the daemon's HTTP server into the store directory
    assert sorted(p.name for p in (standalone.store / "demo-archive" / "1").glob("data.part_*")) == [
        f"data.part_{i}" for i in range(4)]


async def test_has_archive_and_keys_per_store_key(standalone: Standalone, tmp_path: Path) -> None:
    gw: ArchiveGateway = standalone.gateway
    assert not await gw.has_archive(_image("demo-archive"))
    slots = await gw.upload_slots(_image("demo-archive"), None, [0], 60)
    assert slots.data_version == 1 and slots.slots[0].key == "demo-archive/1/data.part_0"
    manifest = DownloadManifest(total_size=0, chunks=[])
    await gw.put_download_manifest(_image("demo-archive"), manifest, 1)
    assert await gw.has_archive(_image("demo-archive"))
    assert not await gw.has_archive(_image("other-archive"))
    with pytest.raises(InvalidInput, match="store_key '../x'"):
        await gw.download_metadata(_image("../x"))


async def test_engine_maps_store_refusals_to_grpc_codes(standalone: Standalone) -> None:
    async with grpc.aio.insecure_channel(f"unix://{standalone.socket}") as channel:
        stub = pb_grpc.BabelEngineStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.GetDownloadMetadata(pb.Empty())
        assert err.value.code() is grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as err:  # a version nobody reserved
            await stub.GetUploadSlots(pb.GetUploadSlotsRequest(data_version=9, slots=[0], url_expires_secs=5))
        assert err.value.code() is grpc.StatusCode.FAILED_PRECONDITION and "not reserved" in (err.value.details() or "")
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.PutDownloadManifest(pb.PutDownloadManifestRequest(manifest_json="{not json", data_version=1))
        assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "\n" not in (err.value.details() or "")


async def test_engine_without_a_store_names_the_fix(tmp_path: Path) -> None:
    sock = Path("/tmp") / f"bv-engine-{uuid.uuid4().hex[:12]}.socket"
    engine = EngineServer("node-2", sock)
    await engine.start()
    client = EngineArchiveClient(sock, retry_base_s=0.01)
    try:
        with pytest.raises(SourceError, match="FAILED_PRECONDITION no archive store configured") as err:
            await client.download_metadata()
        assert str(err.value).endswith(NO_ARCHIVE_STORE) and not err.value.retryable
    finally:
        await client.close()
        await engine.stop()
        sock.unlink(missing_ok=True)


# -- the HTTP server's checks -------------------------------------------------------------------
async def test_server_refuses_bad_signatures_escapes_and_unsized_puts(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "k" / "1").mkdir(parents=True)
    (store / "k" / "1" / "data.part_0").write_bytes(b"0123456789")
    (store / "k" / "1" / ".lock").write_bytes(b"")
    later = int(time.time()) + 60
    async with ArchiveServer(store, SECRET, "127.0.0.1") as server, aiohttp.ClientSession() as http:
        base = server.base_url
        url = presign(base, SECRET, "GET", "k/1/data.part_0", later)
        async with http.get(url, headers={"Range": "bytes=2-5"}) as resp:
            assert resp.status == 206 and await resp.read() == b"2345"
        async with http.head(url) as resp:
            assert resp.status == 200 and resp.headers["Content-Length"] == "10"
        async with http.get(presign(base, b"wrong", "GET", "k/1/data.part_0", later)) as resp:
            assert resp.status == 403
        async with http.get(presign(base, SECRET, "GET", "k/1/data.part_0", int(time.time()) - 5)) as resp:
            assert resp.status == 403 and "expired" in await resp.text()
        async with http.put(presign(base, SECRET, "GET", "k/1/data.part_0", later), data=b"x") as resp:
            assert resp.status == 403  # a GET signature does not allow a PUT
        async with http.get(presign(base, SECRET, "GET", "k/1/.lock", later)) as resp:
            assert resp.status == 400  # lock and temp files are never objects
        put = presign(base, SECRET, "PUT", "k/2/data.part_0", later)

        async def body() -> AsyncIterator[bytes]:
            yield b"abc"

        async with http.put(put, data=body()) as resp:  # chunked: no Content-Length
            assert resp.status == 411
        assert not (store / "k" / "2" / "data.part_0").exists()
        async with http.put(put, data=b"new object") as resp:
            assert resp.status == 200
        assert (store / "k" / "2" / "data.part_0").read_bytes() == b"new object"
        assert not [p for p in (store / "k" / "2").iterdir() if p.name.startswith(".")]


async def test_server_binds_an_address_the_host_does_not_have_yet(tmp_path: Path) -> None:
    # the node bridge may not exist when the daemon starts: IP_FREEBIND lets the bind succeed
    if os.uname().sysname != "Linux":
        pytest.skip("IP_FREEBIND is Linux-only")
    async with ArchiveServer(tmp_path / "s", SECRET, "192.0.2.77") as server:
        assert server.base_url.startswith("http://192.0.2.77:") and server.port > 0


async def test_a_locked_version_is_refused_as_already_exists() -> None:
    from bv_daemon.archive_gateway import ArchiveRefused, _local
    from job_runner.archive import SourceError, VersionLocked

    async def locked() -> None:
        raise VersionLocked("version 3 of 'demo-store' is already locked")

    async def refused() -> None:
        raise SourceError("version 9 is not reserved", retryable=False)

    with pytest.raises(ArchiveRefused, match="already locked") as err:
        await _local(locked())
    assert err.value.code == "ALREADY_EXISTS"
    with pytest.raises(ArchiveRefused) as err:
        await _local(refused())
    assert err.value.code == "FAILED_PRECONDITION"
