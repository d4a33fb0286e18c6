"""Connected mode: babel's engine socket and the plugin's secrets/archive probe reach the fleet API.

A real EngineServer on a Unix socket proxies through FleetArchiveGateway and a real FleetClient
to the fake fleet API (real gRPC on 127.0.0.1); babel's side is the job runner's own
EngineArchiveClient. The plugin host's calls run in a worker thread as the daemon runs them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from bv_core.errors import ExternalError
from bv_core.models import (
    Checksum,
    ChecksumAlgorithm,
    Chunk,
    DownloadManifest,
    FileLocation,
    NodeImage,
    ZstdCompression,
)
from bv_core.plugin import NodeEnv
from bv_daemon.archive_gateway import FleetArchiveGateway
from bv_daemon.babel_client import BabelClient
from bv_daemon.engine_server import FLEET_NOT_OPEN, EngineServer
from bv_daemon.fleet.client import FleetClient, RetryPolicy, Tokens
from bv_daemon.plugin_host import DEV_SECRET, NodeFacts, NodePluginHost
from job_runner.archive import ArchiveNotFound, EngineArchiveClient, SourceError
from tests.fakes.fleet_api import FakeFleetApi

ARCHIVE_ID = "5f0c3f9e-0000-4000-8000-00000000a001"
NODE_ID = "0b6c1d7e-0000-4000-8000-00000000b001"


def _image(archive_id: str = ARCHIVE_ID) -> NodeImage:
    return NodeImage(id="img-1", version="1.0.0", config_id="cfg-1", archive_id=archive_id,
                     store_key="demo-store", uri="file:///nonexistent", min_babel_version="0.1.0")


def _manifest() -> DownloadManifest:
    chunks = [Chunk(index=i, key=f"demo-store/1/data.part_{i}",
                    checksum=Checksum(algorithm=ChecksumAlgorithm.SHA256, digest=f"{i:02x}" * 32), size=11 + i,
                    destinations=[FileLocation(path=f"dir/file{i}", position_bytes=0, size_bytes=100)])
              for i in range(3)]
    return DownloadManifest(total_size=300, compression=ZstdCompression(level=4), chunks=chunks)


@dataclass
class Proxy:
    api: FakeFleetApi
    client: FleetClient
    gateway: FleetArchiveGateway
    socket: Path
    image: list[NodeImage]  # [current image]; tests swap it as an upgrade would


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    async with FakeFleetApi() as api:
        _, tokens = api.add_host()

        async def no_sleep(_: float) -> None:
            await asyncio.sleep(0)

        client = FleetClient(api.url, Tokens(*tokens), retry=RetryPolicy(attempts=2), sleep=no_sleep)
        sock = Path("/tmp") / f"bv-engine-{uuid.uuid4().hex[:12]}.socket"
        async with client:
            gateway = FleetArchiveGateway(client)
            image = [_image()]
            engine = EngineServer(NODE_ID, sock, image=lambda: image[0], gateway=lambda: gateway)
            await engine.start()
            try:
                yield Proxy(api, client, gateway, sock, image)
            finally:
                await engine.stop()
                sock.unlink(missing_ok=True)


@pytest.fixture
async def babel_side(proxy: Proxy) -> AsyncIterator[EngineArchiveClient]:
    client = EngineArchiveClient(proxy.socket, retry_base_s=0.01)
    try:
        yield client
    finally:
        await client.close()


async def test_engine_proxies_metadata_and_chunks(proxy: Proxy, babel_side: EngineArchiveClient) -> None:
    with pytest.raises(ArchiveNotFound):  # the API's NOT_FOUND is babel's "no archive"
        await babel_side.download_metadata()
    # an upload through the engine: reserve a version, then write its manifest
    slots = await babel_side.upload_slots(None, [0, 1, 2], 900)
    assert slots.data_version == 1 and [s.index for s in slots.slots] == [0, 1, 2]
    req = proxy.api.calls_of("ArchiveService.GetUploadSlots")[0].request
    assert (req.archive_id, list(req.slot_indexes), req.url_expires, req.HasField("data_version")) == (
        ARCHIVE_ID, [0, 1, 2], 900, False)
    await babel_side.put_download_manifest(_manifest(), 1)
    stored = proxy.api.archives[ARCHIVE_ID][1]
    assert stored.compression.zstd == 4 and stored.total_size == 300
    assert bytes(stored.chunks[2].checksum.sha256) == bytes([2]) * 32

    meta = await babel_side.download_metadata()
    assert (meta.data_version, meta.chunks, meta.total_size, meta.compression) == (1, 3, 300, ZstdCompression(level=4))
    chunks = await babel_side.download_chunks(1, [2, 0])
    assert [c.index for c in chunks] == [2, 0]
    assert chunks[0] == Chunk(index=2, key="demo-store/1/data.part_2", url=chunks[0].url,
                              checksum=_manifest().chunks[2].checksum, size=13,
                              destinations=_manifest().chunks[2].destinations)
    assert chunks[0].url == f"{proxy.api.archive_url}/demo-store/1/data.part_2?fake-presigned=GET"
    call = proxy.api.calls_of("ArchiveService.GetDownloadChunks")[0].request
    assert (call.archive_id, call.data_version, list(call.chunk_indexes)) == (ARCHIVE_ID, 1, [2, 0])
    assert all(c.request.archive_id == ARCHIVE_ID for c in proxy.api.calls_of("ArchiveService.GetDownloadMetadata"))


async def test_the_image_is_read_per_call(proxy: Proxy, babel_side: EngineArchiveClient) -> None:
    proxy.api.archives["other-archive"] = {}
    proxy.image[0] = _image("other-archive")  # e.g. after an upgrade
    with pytest.raises(ArchiveNotFound):
        await babel_side.download_metadata()
    assert proxy.api.calls_of("ArchiveService.GetDownloadMetadata")[-1].request.archive_id == "other-archive"
    proxy.image[0] = _image("")  # the API gave the node no archive
    calls = len(proxy.api.calls)
    with pytest.raises(ArchiveNotFound, match="no archive_id"):
        await babel_side.download_metadata()
    assert len(proxy.api.calls) == calls  # refused without asking the API


async def test_locked_version_reaches_babel_as_already_exists(
    proxy: Proxy, babel_side: EngineArchiveClient
) -> None:
    await babel_side.upload_slots(None, [0], 60)
    with pytest.raises(SourceError, match="ALREADY_EXISTS") as err:
        await babel_side.upload_slots(None, [0], 60)  # version 1 is reserved by the first upload
    assert not err.value.retryable
    assert len(proxy.api.calls_of("ArchiveService.GetUploadSlots")) == 2  # babel did not retry


async def test_api_unreachable_is_unavailable(proxy: Proxy, babel_side: EngineArchiveClient) -> None:
    await proxy.api.stop()
    with pytest.raises(SourceError, match="UNAVAILABLE") as err:
        await babel_side.download_metadata()
    assert err.value.retryable


async def test_scripted_api_failure_keeps_its_code(proxy: Proxy) -> None:
    proxy.api.fail("ArchiveService.GetDownloadChunks", grpc.StatusCode.FAILED_PRECONDITION, "No chunk 7.")
    async with grpc.aio.insecure_channel(f"unix://{proxy.socket}") as channel:
        from bv_core.proto.babel.v1 import babel_pb2 as pb
        from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc

        with pytest.raises(grpc.aio.AioRpcError) as err:
            await pb_grpc.BabelEngineStub(channel).GetDownloadChunks(
                pb.GetDownloadChunksRequest(data_version=1, indexes=[7]))
    assert err.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "No chunk 7." in (err.value.details() or "")


# -- the plugin's secrets and archive probe ------------------------------------------------------
def _host(proxy: Proxy, tmp_path: Path, *, dev_mode: bool, client_open: bool = True) -> NodePluginHost:
    env = NodeEnv(node_id=NODE_ID, node_name="n1", node_org_id="", node_version="1.0.0",
                  node_protocol="demo", node_variant="main", node_ip="10.0.0.2", node_gateway="10.0.0.1",
                  dev_mode=dev_mode, bv_host_id="h", bv_host_name="h", bv_api_url=proxy.api.url,
                  data_mount_point="/blockjoy", protocol_data_path="/blockjoy/protocol_data")
    facts = NodeFacts(env, {}, tmp_path, tmp_path / "data", proxy.image[0])
    return NodePluginHost(lambda: facts, BabelClient("n1", tmp_path / "babel.socket"), None,
                          asyncio.get_running_loop(), secrets=lambda: proxy.client if client_open else None,
                          archives=lambda: proxy.gateway if client_open else None)


async def test_plugin_secrets_and_archive_probe_reach_the_api(proxy: Proxy, tmp_path: Path) -> None:
    host = _host(proxy, tmp_path, dev_mode=False)
    proxy.api.secrets[(NODE_ID, "cloudflare-cert-key")] = b"seeded by the API"
    assert await asyncio.to_thread(host.get_secret, "cloudflare-cert-key") == b"seeded by the API"
    assert await asyncio.to_thread(host.get_secret, "missing") is None
    await asyncio.to_thread(host.put_secret, "node-key", b"\x00\x01secret")
    assert proxy.api.secrets[(NODE_ID, "node-key")] == b"\x00\x01secret"
    req = proxy.api.calls_of("CryptService.GetSecret")[0].request
    assert (req.resource.resource_id, req.key) == (NODE_ID, "cloudflare-cert-key")

    assert await asyncio.to_thread(host.has_protocol_archive) is False
    await proxy.gateway.put_download_manifest(proxy.image[0], _manifest(), 1)
    assert await asyncio.to_thread(host.has_protocol_archive) is True
    assert proxy.api.calls_of("ArchiveService.GetDownloadMetadata")[-1].request.archive_id == ARCHIVE_ID


async def test_dev_nodes_keep_dev_mode_answers(proxy: Proxy, tmp_path: Path) -> None:
    await proxy.gateway.put_download_manifest(proxy.image[0], _manifest(), 1)
    proxy.api.secrets[(NODE_ID, "k")] = b"real"
    host = _host(proxy, tmp_path, dev_mode=True)
    calls = len(proxy.api.calls)
    assert await asyncio.to_thread(host.get_secret, "k") == DEV_SECRET
    await asyncio.to_thread(host.put_secret, "k", b"ignored")
    assert await asyncio.to_thread(host.has_protocol_archive) is False
    assert len(proxy.api.calls) == calls and proxy.api.secrets[(NODE_ID, "k")] == b"real"


async def test_connected_node_never_gets_dev_answers_while_the_client_is_closed(
    proxy: Proxy, tmp_path: Path
) -> None:
    host = _host(proxy, tmp_path, dev_mode=False, client_open=False)
    with pytest.raises(ExternalError, match="fleet API connection is not open"):
        await asyncio.to_thread(host.get_secret, "k")
    with pytest.raises(ExternalError, match="fleet API connection is not open"):
        await asyncio.to_thread(host.has_protocol_archive)
    sock = Path("/tmp") / f"bv-engine-{uuid.uuid4().hex[:12]}.socket"
    engine = EngineServer(NODE_ID, sock, image=_image, connected=lambda: True)
    await engine.start()
    client = EngineArchiveClient(sock, retry_base_s=0.01)
    try:
        with pytest.raises(SourceError, match="UNAVAILABLE") as err:
            await client.download_metadata()
        assert err.value.retryable and FLEET_NOT_OPEN in str(err.value)
    finally:
        await client.close()
        await engine.stop()
        sock.unlink(missing_ok=True)
