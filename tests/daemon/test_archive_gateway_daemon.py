"""A standalone blockvisord with ``archive_store_dir`` serves protocol-data archives to its nodes.

Real daemon, real bwrap node: the test plays the node's jobs on the node's engine socket
(upload, then download through the daemon's HTTP store server on the bridge address) and
fetches a presigned URL from inside the node's network namespace, as a download job would.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bv_core.errors import InvalidInput
from bv_core.models import HostConfig, ZstdCompression
from bv_core.proto.blockvisor.internal.v1 import node_pb2
from bv_daemon.daemon import ARCHIVE_STORE_ENV, archive_store_dir
from bv_daemon.platform._netns import netns_path
from job_runner.archive import (
    ArchiveNotFound,
    Downloader,
    EngineArchiveClient,
    TransferConfig,
    Uploader,
)
from tests.e2e.daemon_support import Daemon, create_node

FAST = TransferConfig(max_connections=2, max_runners=3, part_size=32 * 1024, buffer_size=16 * 1024,
                      max_retries=2, backoff_base_s=0.01)


def test_store_dir_comes_from_env_before_config() -> None:
    cfg = HostConfig(id="h", archive_store_dir="/srv/archives")
    assert archive_store_dir(cfg, {}) == Path("/srv/archives")
    assert archive_store_dir(cfg, {ARCHIVE_STORE_ENV: "/tmp/other"}) == Path("/tmp/other")
    assert archive_store_dir(None, {}) is None and archive_store_dir(HostConfig(id="h"), {}) is None
    with pytest.raises(InvalidInput, match="BV_ARCHIVE_STORE: expected an absolute directory path, got 'rel'"):
        archive_store_dir(None, {ARCHIVE_STORE_ENV: "rel"})


@pytest.fixture
def store_daemon(bundle_dir: Path, image_store: Path) -> Iterator[tuple[Daemon, Path]]:
    root = Path(tempfile.mkdtemp(prefix="bva-", dir="/tmp"))  # short: Unix socket paths
    store = root / "archives"
    d = Daemon(root, bundle_dir, image_store, config={"archive_store_dir": str(store)})
    try:
        d.start()
        yield d, store
    finally:
        d.cleanup()
        left = d.leftovers()
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"the test left these behind: {left}"


async def _upload_and_download(sock: Path, src: Path, work: Path) -> tuple[int, str]:
    client = EngineArchiveClient(sock, retry_base_s=0.05)
    try:
        with pytest.raises(ArchiveNotFound):
            await client.download_metadata()
        await Uploader(client, src, work / "up-meta", work / "up.json", FAST,
                       compression=ZstdCompression(level=1), number_of_chunks=3).run()
        await Downloader(client, work / "dst", work / "down-meta", work / "down.json", FAST).run()
        meta = await client.download_metadata()
        chunk = (await client.download_chunks(meta.data_version, [0]))[0]
        assert chunk.url is not None
        return chunk.size, chunk.url
    finally:
        await client.close()


@pytest.mark.root
@pytest.mark.slow
def test_node_engine_socket_uses_the_hosts_archive_store(
    store_daemon: tuple[Daemon, Path], tmp_path: Path
) -> None:
    d, store = store_daemon
    node = create_node(d, "archive-node")
    d.call("StartNode", node_pb2.StartNodeRequest(node=node.id))
    src = tmp_path / "src"
    (src / "db").mkdir(parents=True)
    (src / "db" / "blocks.bin").write_bytes(random.Random(5).randbytes(120_000))
    (src / "db" / "state.log").write_bytes(b"state line\n" * 3000)
    sock = d.nodes_dir / node.id / "rootfs" / "engine.socket"

    size, url = asyncio.run(_upload_and_download(sock, src, tmp_path))

    digest = {p.relative_to(src): hashlib.sha256(p.read_bytes()).hexdigest() for p in src.rglob("*") if p.is_file()}
    dst = tmp_path / "dst"
    assert {p.relative_to(dst): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in dst.rglob("*") if p.is_file()} == digest
    store_key = next(p.name for p in store.iterdir() if p.is_dir())
    assert (store / store_key / "1" / "manifest-header.json").is_file()
    # the URLs name the node bridge address, and the node's own network reaches them
    assert url.startswith(f"http://{next(d.net.hosts())}:")
    fetch = ("import sys, urllib.request; "
             "sys.stdout.write(str(len(urllib.request.urlopen(sys.argv[1], timeout=10).read())))")
    out = subprocess.run(["nsenter", f"--net={netns_path(node.id)}", "python3", "-c", fetch, url],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == size
