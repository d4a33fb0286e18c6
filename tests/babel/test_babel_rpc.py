"""The other Babel RPCs: run_sh/run_rest/run_jrpc, templates, files, job runner binary, lock."""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
from collections.abc import Iterator

import grpc
import orjson
import pytest
from babel_support import Babel, Client, processes_matching, sh_job

from bv_core.jobs import Finished, Pending, crc32_bzip2
from bv_core.proto.babel.v1 import babel_pb2 as pb
from bv_core.proto.babel.v1 import babel_pb2_grpc as pb_grpc


async def test_run_sh_returns_output_and_kills_on_timeout(client: Client, marker: str) -> None:
    resp = await client.stub.RunSh(pb.RunShRequest(body="echo out; echo err >&2; exit 7 &&"), timeout=10)
    assert (resp.exit_code, resp.stdout, resp.stderr) == (7, "out\n", "err\n")
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.stub.RunSh(pb.RunShRequest(body=f"sleep 1000.{marker}"), timeout=1.0)
    assert time.monotonic() - started < 5
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await asyncio.sleep(0.3)
    assert processes_matching(f"1000.{marker}") == []


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        body = orjson.dumps({"path": self.path, "auth": self.headers.get("Authorization")})
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        request = orjson.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(orjson.dumps({"jsonrpc": "2.0", "id": request["id"], "result": request}))

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_run_rest_and_run_jrpc(client: Client, http_url: str) -> None:
    headers = [pb.Header(name="Authorization", value="Bearer t")]
    resp = await client.stub.RunRest(pb.RestRequest(url=f"{http_url}/ok", headers=headers), timeout=10)
    assert resp.status_code == 200 and orjson.loads(resp.body) == {"path": "/ok", "auth": "Bearer t"}
    missing = await client.stub.RunRest(pb.RestRequest(url=f"{http_url}/missing"), timeout=10)
    assert missing.status_code == 404  # any status is a result
    jrpc = await client.stub.RunJrpc(
        pb.JrpcRequest(host=http_url, method="eth_blockNumber", params_json="[1]"), timeout=10
    )
    result = orjson.loads(jrpc.body)["result"]
    assert result == {"jsonrpc": "2.0", "id": 0, "method": "eth_blockNumber", "params": [1]}
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.stub.RunRest(pb.RestRequest(url="file:///etc/passwd"), timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_render_template(client: Client) -> None:
    templates = client.root / "var/lib/babel/templates"
    templates.mkdir(parents=True)
    (templates / "c.toml").write_text(
        'name = "{{ node.name | lower }}"\nurl = "{{ url | replace(from="http", to="ws") }}"\n'
        "{% if peers %}{% for p in peers %}peer={{ p }}\n{% endfor %}{% endif %}{% raw %}{{ x }}{% endraw %}\n"
    )
    params = {"node": {"name": "MyNode"}, "url": "http://h", "peers": ["a", "b"]}
    await client.stub.RenderTemplate(
        pb.RenderTemplateRequest(template="/var/lib/babel/templates/c.toml", destination="/etc/out/c.toml",
                                 params_json=orjson.dumps(params).decode()), timeout=10)
    rendered = (client.root / "etc/out/c.toml").read_text()
    assert rendered == 'name = "mynode"\nurl = "ws://h"\npeer=a\npeer=b\n{{ x }}\n'
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.stub.RenderTemplate(
            pb.RenderTemplateRequest(template="/var/lib/babel/templates/c.toml", destination="/etc/out/d",
                                     params_json="{}"), timeout=10)
    assert "template variable 'node.name' not found" in (err.value.details() or "")
    assert not (client.root / "etc/out/d").exists()


async def test_file_write_and_read_with_checksum(client: Client) -> None:
    data = bytes(range(256)) * 200  # several 16 KiB chunks
    crc = crc32_bzip2(data)

    async def chunks(checksum: int) -> object:
        yield pb.FileWriteChunk(destination="/blockjoy/file.bin")
        for i in range(0, len(data), 16384):
            yield pb.FileWriteChunk(bin=data[i : i + 16384])
        yield pb.FileWriteChunk(checksum=checksum)

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.stub.FileWrite(chunks(crc ^ 1), timeout=10)
    assert "checksum mismatch" in (err.value.details() or "")
    assert not (client.root / "blockjoy/file.bin").exists()
    await client.stub.FileWrite(chunks(crc), timeout=10)
    assert (client.root / "blockjoy/file.bin").read_bytes() == data
    got = bytearray()
    checksum = None
    async for chunk in client.stub.FileRead(pb.FileReadRequest(path="/blockjoy/file.bin"), timeout=10):
        if chunk.WhichOneof("chunk") == "bin":
            got += chunk.bin
        else:
            checksum = chunk.checksum
    assert bytes(got) == data and checksum == crc
    with pytest.raises(grpc.aio.AioRpcError) as err:
        async for _ in client.stub.FileRead(pb.FileReadRequest(path="/nope"), timeout=10):
            pass
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


async def test_job_runner_binary_check_and_upload(client: Client) -> None:
    missing = await client.stub.CheckJobRunner(pb.CheckJobRunnerRequest(checksum=1), timeout=5)
    assert missing.status == pb.BINARY_STATUS_MISSING
    binary = b"#!/bin/sh\necho runner\n" * 1000
    crc = crc32_bzip2(binary)

    async def stream(with_checksum: bool) -> object:
        for i in range(0, len(binary), 16384):
            yield pb.BinaryChunk(bin=binary[i : i + 16384])
        if with_checksum:
            yield pb.BinaryChunk(checksum=crc)

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.stub.UploadJobRunner(stream(False), timeout=10)
    assert "missing checksum" in (err.value.details() or "")
    await client.stub.UploadJobRunner(stream(True), timeout=10)
    installed = client.root / "usr/bin/babel_job_runner"
    assert installed.read_bytes() == binary and installed.stat().st_mode & 0o111
    ok = await client.stub.CheckJobRunner(pb.CheckJobRunnerRequest(checksum=crc), timeout=5)
    assert ok.status == pb.BINARY_STATUS_OK
    other = await client.stub.CheckJobRunner(pb.CheckJobRunnerRequest(checksum=crc + 1), timeout=5)
    assert other.status == pb.BINARY_STATUS_CHECKSUM_MISMATCH


async def test_protocol_data_lock_is_touched_by_use_protocol_data_jobs(client: Client) -> None:
    stamp = await client.stub.ProtocolDataStamp(pb.Empty(), timeout=5)
    assert not stamp.present
    await client.run("plain", sh_job("true"))
    await client.wait_status("plain", Finished)
    assert not (await client.stub.ProtocolDataStamp(pb.Empty(), timeout=5)).present
    await client.run("data", sh_job("true", use_protocol_data=True))
    await client.wait_status("data", Finished)
    stamp = await client.stub.ProtocolDataStamp(pb.Empty(), timeout=5)
    assert stamp.present and abs(stamp.unix_seconds - time.time()) < 60
    assert (client.root / "blockjoy/.protocol_data.lock").exists()
    assert (await client.stub.IsDownloadCompleted(pb.Empty(), timeout=5)).value


async def test_one_time_job_runs_once_per_data_disk(client: Client) -> None:
    runs = client.root / "runs.txt"
    config = sh_job(f"echo run >> {runs}; exit 4", one_time=True)
    await client.run("first_run", config)
    first = await client.wait_status("first_run", Finished)
    await client.create("first_run", config)  # re-create (as after re-init) and start again
    await client.start("first_run")
    await asyncio.sleep(0.2)
    again = await client.wait_status("first_run", Finished)
    assert runs.read_text() == "run\n"
    assert first.status == again.status == Finished(4, "Job 'first_run' finished with exit status: 4")
    assert (client.root / "blockjoy/.babel_jobs/first_run/status.json").exists()


async def test_jobs_wait_for_setup_babel(babel: Babel) -> None:
    async with babel.channel() as ch:
        c = Client(ch, babel.root)
        await c.run("early", sh_job("true"))
        await asyncio.sleep(0.5)
        assert isinstance((await c.info("early")).status, Pending)
        await c.setup()
        assert (await c.wait_status("early", Finished)).status == Finished(0, "")
        version = await pb_grpc.BabelStub(ch).GetVersion(pb.GetVersionRequest(), timeout=5)
        assert version.version
