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
from typing import Any

import grpc
import orjson
import pytest

from bv_core.errors import InvalidInput
from bv_core.models import HostConfig, ZstdCompression
from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2
from bv_daemon.daemon import ARCHIVE_STORE_ENV, archive_store_dir
from bv_daemon.platform._netns import netns_path
from job_runner.archive import (
    ArchiveNotFound,
    Downloader,
    EngineArchiveClient,
    TransferConfig,
    Uploader,
)
from tests.e2e.daemon_support import Daemon, create_node, node_height, wait_for, wait_height_above

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


def _job(d: Daemon, node: str, job: str) -> Any:
    try:
        return d.call("GetJobInfo", job_pb2.NodeJobRequest(node=node, job=job), timeout=30)
    except grpc.RpcError:
        return None  # not created yet


def _finished(d: Daemon, node: str, job: str) -> Any:
    info = _job(d, node, job)
    if info is None or info.status != job_pb2.JOB_STATUS_FINISHED:
        return None
    return info


@pytest.mark.root
@pytest.mark.slow
def test_upload_and_download_jobs_run_inside_nodes(store_daemon: tuple[Daemon, Path]) -> None:
    """The whole path: node A's plugin ``upload`` runs the upload job in A (babel + job runner
    in bwrap) against the daemon's store over the bridge; node B's default init then finds the
    archive, its download job fills B's protocol data before the chain service starts, and the
    chain resumes at A's height instead of from genesis."""
    d, store = store_daemon
    a = create_node(d, "archive-a")
    d.call("StartNode", node_pb2.StartNodeRequest(node=a.id))
    wait_height_above(d, a.id, 2)
    d.call("RunPluginMethod", node_pb2.RunPluginMethodRequest(node=a.id, method="upload"), timeout=120)
    info = wait_for("A's upload job to finish", lambda: _finished(d, a.id, "upload"), timeout=120)
    assert info.exit_code == 0, info.message
    store_key = next(p.name for p in store.iterdir() if p.is_dir())
    header = store / store_key / "1" / "manifest-header.json"
    assert header.is_file(), sorted(str(p) for p in store.rglob("*"))
    body = orjson.loads((store / store_key / "1" / "manifest-body.json").read_bytes())
    uploaded = {dest["path"] for chunk in body for dest in chunk["destinations"]}
    assert "chain.json" in uploaded
    assert not any(p.endswith(".tmp") for p in uploaded)  # the plugin's upload exclude

    # B makes no blocks of its own (block time 1000 s): its height is the downloaded one
    b = create_node(d, "archive-b", props={"block-time": "1000"})
    d.call("StartNode", node_pb2.StartNodeRequest(node=b.id))
    info = wait_for("B's download job to finish", lambda: _finished(d, b.id, "download"), timeout=120)
    assert info.exit_code == 0, info.message
    height = wait_for("B's chain to answer", lambda: node_height(d, b.id), timeout=60)
    assert height >= 3  # A was past height 2 when it uploaded; a fresh chain starts at 0
