"""Bad input is rejected with a clear error naming it, and nothing on disk changes."""

from __future__ import annotations

from pathlib import Path

import grpc
import orjson
import pytest
from babel_support import Client, sh_job

from bv_core.proto.babel.v1 import babel_pb2 as pb


def _tree(root: Path) -> dict[str, bytes]:
    base = root / "var/lib/babel"
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


# One babel serves every case: starting a process per case would make the suite slow.
BAD_JOBS: list[tuple[str, dict[str, object], str]] = [
    ("x", sh_job("true", needs=["nope"]), "needs 'nope', but it is not defined"),
    ("x", sh_job("true", wait_for=["nope"]), "waits for 'nope', but it is not defined"),
    ("x", sh_job("   "), "$.job_type.run_sh: command must not be empty"),
    ("x", sh_job("true", shutdown_timeout_secs=-1), "$.shutdown_timeout_secs"),
    ("x", sh_job("true", shutdown_signal="SIGNOPE"), "unknown signal 'SIGNOPE'"),
    ("x", sh_job("true", restart={"on_failure": {"backoff_timeout_ms": -5, "backoff_base_ms": 1}}),
     "$.restart.on_failure.backoff_timeout_ms"),
    ("x", {"job_type": {"run_sh": "true"}}, "$.restart: required field is missing"),
    ("x", sh_job("true", colour="blue"), "$.colour: unknown field"),
    ("a/b", sh_job("true"), "must not contain '/' or '..'"),
    ("..", sh_job("true"), "must not contain '/' or '..'"),
    ("x..y", sh_job("true"), "must not contain '/' or '..'"),
    ("", sh_job("true"), "job name must not be empty"),
    ("x", sh_job("true", needs=["../etc"]), "$.needs[0]"),
    ("self", sh_job("true", needs=["self"]), "needs itself"),
]


async def test_bad_jobs_are_rejected_and_disk_unchanged(client: Client) -> None:
    await client.create("existing", sh_job("true"))
    before = _tree(client.root)
    for name, config, expected in BAD_JOBS:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await client.create(name, config)
        case = f"case {name!r} {config}"
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, case
        details = err.value.details() or ""
        assert expected in details and "\n" not in details, f"{case}: {details}"
        assert _tree(client.root) == before, case
    assert not (client.root / "var/lib/babel/jobs" / "x").exists()


async def test_config_that_is_not_json_is_rejected(client: Client) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.stub.CreateJob(pb.CreateJobRequest(name="x", config_json="{nope"), timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not valid JSON" in (err.value.details() or "")


async def test_cycle_through_recreate_is_rejected(client: Client) -> None:
    await client.create("a", sh_job("true"))
    await client.create("b", sh_job("true", needs=["a"]))
    before = _tree(client.root)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.create("a", sh_job("true", wait_for=["b"]))
    assert "cycle" in (err.value.details() or "")
    assert _tree(client.root) == before


async def test_too_many_jobs(client: Client) -> None:
    for i in range(16):
        await client.create(f"j{i}", sh_job("true"))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.create("j16", sh_job("true"))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "max number of supported jobs: 16" in (err.value.details() or "")


async def test_start_of_unknown_job(client: Client) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.start("ghost")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "can't start, job 'ghost' not found" in (err.value.details() or "")


async def test_job_files_keep_the_wire_shape(client: Client) -> None:
    config = sh_job("echo hi", restart={"always": {"backoff_timeout_ms": 1000, "backoff_base_ms": 100}}, needs=[])
    await client.create("shape", config)
    saved = orjson.loads((client.root / "var/lib/babel/jobs/shape/config.json").read_bytes())
    assert saved["job_type"] == {"run_sh": "echo hi"}
    assert saved["restart"] == {"always": {"backoff_timeout_ms": 1000, "backoff_base_ms": 100}}
    assert orjson.loads((client.root / "var/lib/babel/jobs/shape/status.json").read_bytes()) == "stopped"
