"""A real connected blockvisord proxies a running node's engine socket to the fleet API.

The test plays babel: it connects to the node's ``rootfs/engine.socket`` as the in-node jobs do
and checks that the daemon answers from the fake API's ArchiveService with the node's archive_id.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bv_core.models import Checksum, ChecksumAlgorithm, Chunk, DownloadManifest, FileLocation
from bv_core.proto.blockjoy.v1 import command_pb2
from bv_core.proto.blockvisor.internal.v1 import node_pb2
from bv_daemon.archive_gateway import put_manifest_request
from job_runner.archive import ArchiveNotFound, EngineArchiveClient
from tests.connected.connected_support import ConnectedDaemon
from tests.e2e.daemon_support import node_status, wait_for

pytestmark = [pytest.mark.root, pytest.mark.slow]

OK = command_pb2.COMMAND_EXIT_CODE_OK


def _manifest() -> DownloadManifest:
    chunk = Chunk(index=0, key="demo/1/data.part_0", size=5,
                  checksum=Checksum(algorithm=ChecksumAlgorithm.BLAKE3, digest="cd" * 32),
                  destinations=[FileLocation(path="chain/db", position_bytes=0, size_bytes=42)])
    return DownloadManifest(total_size=42, chunks=[chunk])


async def _babel_calls(sock: Path) -> tuple[int, int, str | None]:
    client = EngineArchiveClient(sock, retry_base_s=0.05)
    try:
        meta = await client.download_metadata()
        chunks = await client.download_chunks(meta.data_version, [0])
        return meta.data_version, meta.chunks, chunks[0].url
    finally:
        await client.close()


async def _no_archive(sock: Path) -> None:
    client = EngineArchiveClient(sock, retry_base_s=0.05)
    try:
        with pytest.raises(ArchiveNotFound):
            await client.download_metadata()
    finally:
        await client.close()


def test_running_node_engine_socket_reaches_the_archive_service(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    image = api.add_image("demochain", "demo-devnet-full", "1.0.0")
    node = api.create_node(d.host_id, image.image_id, ip=d.pool[0], gateway=d.gateway)
    d.node_ids.add(node.node_id)
    create = api.commands[-1]
    d.publish()
    assert d.wait_command(create.command_id).exit_code == OK
    wait_for("node running", lambda: node_status(d, node.node_id) == node_pb2.NODE_STATUS_RUNNING,
             timeout=120)
    archive_id = node.config.image.archive_id
    sock = d.nodes_dir / node.node_id / "rootfs" / "engine.socket"

    asyncio.run(_no_archive(sock))
    asked = api.calls_of("ArchiveService.GetDownloadMetadata")
    assert asked and asked[-1].request.archive_id == archive_id

    api.archives[archive_id] = {3: put_manifest_request(archive_id, _manifest(), 3)}
    version, count, url = asyncio.run(_babel_calls(sock))
    assert (version, count) == (3, 1)
    assert url == f"{api.archive_url}/demo/1/data.part_0?fake-presigned=GET"
    chunks_call = api.calls_of("ArchiveService.GetDownloadChunks")[-1].request
    assert (chunks_call.archive_id, chunks_call.data_version, list(chunks_call.chunk_indexes)) == (archive_id, 3, [0])
