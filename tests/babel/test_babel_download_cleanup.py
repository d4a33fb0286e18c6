"""CleanupJob of a download job: the started chunks' files and the download's state go, the
completed marker and everything else stays. The state is written with the job runner's own
classes, so babel and the runner agree on the file formats."""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson
from babel_support import Client, sh_job

from babel._download_cleanup import protocol_data_dir
from bv_core.jobs import NodePaths
from bv_core.models import Checksum, ChecksumAlgorithm, Chunk, FileLocation
from bv_core.proto.babel.v1 import babel_pb2 as pb
from job_runner.archive.download import DownloadMeta


def _chunk(index: int, paths: list[str]) -> Chunk:
    return Chunk(index=index, key=f"data/{index}", size=10,
                 checksum=Checksum(algorithm=ChecksumAlgorithm.SHA1, digest="0" * 40),
                 destinations=[FileLocation(path=p, position_bytes=0, size_bytes=5) for p in paths])


def _files(base: Path) -> set[str]:
    return {str(p.relative_to(base)) for p in base.rglob("*") if p.is_file() or p.is_symlink()}


async def test_cleanup_removes_started_chunk_files_and_download_state(client: Client, tmp_path: Path) -> None:
    await client.create("download", {"job_type": {"download": {}}, "restart": "never"})
    await client.create("other", sh_job("true"))
    data = client.root / "blockjoy/protocol_data"
    meta = DownloadMeta(client.root / "blockjoy/.babel_jobs")
    meta.dir.mkdir(parents=True)
    outside = tmp_path / "outside"  # reachable only through a symlinked dir in the data dir
    outside.mkdir()
    (outside / "escape.bin").write_bytes(b"keep")
    data.mkdir(parents=True)
    (data / "link").symlink_to(outside)
    chunks = [_chunk(0, ["a/0.bin", "shared.bin"]), _chunk(1, ["b/1.bin"]),
              _chunk(2, ["shared.bin", "c/2.bin", "link/escape.bin"]), _chunk(3, ["d/3.bin"])]
    for path in ("a/0.bin", "shared.bin", "b/1.bin", "c/2.bin", "d/3.bin", "unrelated.txt"):
        (data / path).parent.mkdir(parents=True, exist_ok=True)
        (data / path).write_bytes(b"12345")
    meta.manifest.write_bytes(msgspec.json.encode(chunks))
    meta.metadata.write_bytes(orjson.dumps({"data_version": 1, "total_size": 20, "chunks": 4}))
    meta.parts.append_many([{"index": 0}, {"index": 2}])
    with meta.parts.path.open("ab") as f:
        f.write(b'{"index": 3')  # torn last line: the runner was killed mid-append
    meta.chunks.append({"index": 0})
    meta.completed.touch()
    state = {meta.metadata, meta.manifest, meta.parts.path, meta.chunks.path}

    # a run_sh job's cleanup touches none of it
    await client.stub.CleanupJob(pb.JobName(name="other"), timeout=10)
    assert all(p.exists() for p in state) and (data / "a/0.bin").exists()

    await client.stub.CleanupJob(pb.JobName(name="download"), timeout=10)
    assert not any(p.exists() for p in state)
    assert meta.completed.exists()  # as the original: cleanup does not undo a finished download
    # chunks 0 and 2 were started; 1 was not, 3's record is torn; unrelated files stay
    assert _files(data) == {"b/1.bin", "d/3.bin", "unrelated.txt", "link"}
    assert (outside / "escape.bin").read_bytes() == b"keep"  # never through the symlink

    # again, with nothing left to clean: still fine
    await client.stub.CleanupJob(pb.JobName(name="download"), timeout=10)
    assert _files(data) == {"b/1.bin", "d/3.bin", "unrelated.txt", "link"}


async def test_cleanup_with_an_unreadable_manifest_still_forgets_the_download(client: Client) -> None:
    await client.create("download", {"job_type": {"download": {}}, "restart": "never"})
    data = client.root / "blockjoy/protocol_data"
    data.mkdir(parents=True)
    (data / "a.bin").write_bytes(b"x")
    meta = DownloadMeta(client.root / "blockjoy/.babel_jobs")
    meta.dir.mkdir(parents=True)
    meta.manifest.write_bytes(b"[{not json")
    meta.metadata.write_bytes(b"{}")
    meta.parts.append({"index": 0})
    await client.stub.CleanupJob(pb.JobName(name="download"), timeout=10)
    assert not meta.metadata.exists() and not meta.manifest.exists() and not meta.parts.path.exists()
    assert (data / "a.bin").exists()  # unknown destinations: left for the next download to rewrite


def test_protocol_data_dir_follows_babel_conf(tmp_path: Path) -> None:
    node = NodePaths(tmp_path)
    assert protocol_data_dir(node) == tmp_path / "blockjoy/protocol_data"
    node.babel_conf.parent.mkdir(parents=True)
    node.babel_conf.write_bytes(orjson.dumps({"node_env": {"protocol_data_path": "/srv/proto"}}))
    assert protocol_data_dir(node) == tmp_path / "srv/proto"
    node.babel_conf.write_bytes(b"not json")
    assert protocol_data_dir(node) == tmp_path / "blockjoy/protocol_data"
