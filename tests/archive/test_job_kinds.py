"""The real job-runner process runs upload and download jobs against the engine socket."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson

from bv_core.jobs import JobConfig, NodePaths, job_config_from_obj, job_config_to_json
from job_runner.archive import LocalArchiveStore
from tests.archive.conftest import ROOT, make_dataset, tree_digest
from tests.archive.engine import serve_engine

FAST_RESTART = {
    "on_failure": {"backoff_timeout_ms": 60000, "backoff_base_ms": 10, "max_retries": 2}
}


def write_job(node: NodePaths, name: str, job_type: object) -> JobConfig:
    cfg = job_config_from_obj({"job_type": job_type, "restart": FAST_RESTART}, "test")
    paths = node.job(name)
    paths.dir.mkdir(parents=True, exist_ok=True)
    paths.config.write_bytes(job_config_to_json(cfg))
    return cfg


async def run_runner(node: NodePaths, name: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "job_runner", "--root", str(node.root), name, env=env
    )
    assert await asyncio.wait_for(proc.wait(), 60) == 0
    return orjson.loads(node.job(name).status.read_bytes())  # type: ignore[no-any-return]


def make_node(root: Path) -> NodePaths:
    node = NodePaths(root)
    node.babel_conf.parent.mkdir(parents=True)
    node.babel_conf.write_bytes(
        orjson.dumps(
            {
                "node_env": {
                    "data_mount_point": "/blockjoy",
                    "protocol_data_path": "/blockjoy/protocol_data",
                }
            }
        )
    )
    return node


async def test_upload_then_download_jobs_through_the_engine_socket(
    tmp_path: Path, archive: LocalArchiveStore
) -> None:
    source = make_node(tmp_path / "source-node")
    make_dataset(source.inside("/blockjoy/protocol_data"), tiny=50)
    target = make_node(tmp_path / "target-node")
    servers = [await serve_engine(archive, n.engine_socket) for n in (source, target)]
    try:
        write_job(
            source,
            "upload",
            {"upload": {"compression": {"ZSTD": 3}, "number_of_chunks": 5, "max_runners": 2}},
        )
        status = await run_runner(source, "upload")
        assert status == {"finished": {"exit_code": 0, "message": "job 'upload' finished"}}
        assert not (source.data_mount_point() / ".babel_jobs" / "upload.blueprint").exists()

        write_job(target, "download", {"download": {"max_runners": 3}})
        status = await run_runner(target, "download")
        assert status == {"finished": {"exit_code": 0, "message": "job 'download' finished"}}
        data = target.inside("/blockjoy/protocol_data")
        assert tree_digest(data) == tree_digest(source.inside("/blockjoy/protocol_data"))
        assert (target.data_mount_point() / ".babel_jobs" / "download.completed").exists()
        assert target.protocol_data_lock().exists()
        progress = orjson.loads(target.job("download").progress.read_bytes())
        assert progress["current"] == progress["total"] == 5 and "downloaded" in progress["message"]

        # Done means done: a second run finishes at once, whatever is on disk.
        (data / "big-random.bin").unlink()
        status = await run_runner(target, "download")
        assert status == {"finished": {"exit_code": 0, "message": "job 'download' finished"}}
        assert not (data / "big-random.bin").exists()
    finally:
        for server in servers:
            await server.stop(None)


async def test_download_without_archive_fails_with_the_restart_policy(
    tmp_path: Path, archive: LocalArchiveStore
) -> None:
    node = make_node(tmp_path / "node")
    server = await serve_engine(archive, node.engine_socket)
    try:
        write_job(node, "download", {"download": {}})
        status = await run_runner(node, "download")
        finished = status["finished"]
        assert isinstance(finished, dict) and finished["exit_code"] == -1
        assert finished["message"].startswith(
            "job 'download' failed with: get_download_metadata: no archive"
        )
        assert not node.inside("/blockjoy/protocol_data").exists() or not any(
            node.inside("/blockjoy/protocol_data").iterdir()
        )
    finally:
        await server.stop(None)
