"""Jobs through babel's gRPC API: dependency order, logs, stop signal and timeout."""

from __future__ import annotations

import asyncio
import time

import grpc
import orjson
import pytest
from babel_support import Client, processes_matching, sh_job, wait_for_process

from bv_core.jobs import Finished, Pending, Running, Stopped
from bv_core.proto.babel.v1 import babel_pb2 as pb


async def test_needs_and_wait_for_run_in_order(client: Client) -> None:
    order = client.root / "order.txt"
    await client.create("a", sh_job(f"sleep 0.3; echo a >> {order}"))
    await client.create("b", sh_job(f"echo b >> {order}; exit 3", needs=["a"]))
    await client.create("c", sh_job(f"echo c >> {order}", wait_for=["b"]))
    await client.create("d", sh_job(f"echo d >> {order}", needs=["b"]))
    for name in ("d", "c", "b", "a"):  # start order must not matter
        await client.start(name)
    info_b = await client.info("b")
    assert isinstance(info_b.status, Pending) and info_b.status.waiting_for == ("a",)
    c = await client.wait_status("c", Finished)
    d = await client.wait_status("d", Finished)
    assert order.read_text().split() == ["a", "b", "c"]
    assert c.status == Finished(0, "")
    # d needs b, which failed: d fails without running.
    assert isinstance(d.status, Finished) and d.status.exit_code is None
    assert "needs 'b', but it failed with 3" in d.status.message
    b = await client.info("b")
    assert b.status == Finished(3, "Job 'b' finished with exit status: 3")
    assert any("exit status: 3" in line for line in b.logs)


async def test_needs_of_a_stopped_job_fails(client: Client, marker: str) -> None:
    await client.run("base", sh_job(f"sleep 1000.{marker}"))
    await client.wait_status("base", Running)
    await client.stop("base")
    await client.run("dependent", sh_job("true", needs=["base"]))
    info = await client.wait_status("dependent", Finished)
    assert isinstance(info.status, Finished) and "but it was stopped" in info.status.message


async def test_logs_are_readable_through_the_api(client: Client) -> None:
    await client.run("talker", sh_job("for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2", log_timestamp=True))
    await client.wait_status("talker", Finished)
    lines = [m.line async for m in client.stub.JobLogs(pb.JobLogsRequest(name="talker", lines=3), timeout=5)]
    assert len(lines) == 3
    assert [line.split("|", 1)[1] for line in lines] == ["line4", "line5", "oops"]


async def test_logs_follow_streams_new_lines(client: Client, marker: str) -> None:
    await client.run("ticker", sh_job(f"i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.1; done; sleep 1000.{marker}"))
    await client.wait_status("ticker", Running)
    got: list[str] = []
    stream = client.stub.JobLogs(pb.JobLogsRequest(name="ticker", lines=1, follow=True), timeout=10)
    async for message in stream:
        got.append(message.line)
        if len(got) >= 5:
            break
    stream.cancel()
    numbers = [int(line.removeprefix("tick")) for line in got]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    await client.stop("ticker")


async def test_stop_sends_the_configured_signal(client: Client, marker: str) -> None:
    body = f"trap 'echo got USR1; exit 0' USR1; sleep 1000.{marker} & wait"
    await client.run("usr1", sh_job(body, shutdown_signal="SIGUSR1", shutdown_timeout_secs=20))
    await client.wait_status("usr1", Running)
    await wait_for_process(marker)
    job_timeout = await client.stub.GetJobShutdownTimeout(pb.JobName(name="usr1"), timeout=5)
    all_timeout = await client.stub.GetActiveJobsShutdownTimeout(pb.Empty(), timeout=5)
    assert job_timeout.millis == all_timeout.millis == 20_000
    jobs = await client.stub.GetJobs(pb.Empty(), timeout=5)
    assert orjson.loads(jobs.jobs_json["usr1"])["status"] == "running"
    started = time.monotonic()
    await client.stop("usr1")
    assert time.monotonic() - started < 10  # it obeyed the signal: no wait for the 20 s timeout
    info = await client.info("usr1")
    assert isinstance(info.status, Stopped)
    assert "got USR1" in (client.root / "var/lib/babel/jobs/usr1/logs").read_text()
    assert processes_matching(f"1000.{marker}") == []


async def test_stop_kills_after_shutdown_timeout(client: Client, marker: str) -> None:
    # The shell ignores SIGTERM; only the SIGKILL after shutdown_timeout ends it.
    body = f"trap '' TERM; sleep 1000.{marker}; sleep 1000.{marker}"
    await client.run("stubborn", sh_job(body, shutdown_timeout_secs=1))
    await wait_for_process(marker)
    started = time.monotonic()
    await client.stop("stubborn")
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 6.0
    assert isinstance((await client.info("stubborn")).status, Stopped)
    assert processes_matching(f"1000.{marker}") == []


async def test_skip_lets_dependents_proceed(client: Client, marker: str) -> None:
    await client.run("slow", sh_job(f"sleep 1000.{marker}", shutdown_timeout_secs=2))
    await client.run("after", sh_job("echo ran", needs=["slow"]))
    await wait_for_process(marker)
    await client.stub.SkipJob(pb.JobName(name="slow"), timeout=15)
    assert (await client.info("slow")).status == Finished(0, "Skipped")
    assert (await client.wait_status("after", Finished)).status == Finished(0, "")


async def test_job_info_of_unknown_job_is_not_found(client: Client) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.info("ghost")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "ghost" in (err.value.details() or "")


async def test_background_children_do_not_outlive_the_job(client: Client, marker: str) -> None:
    await client.run("forker", sh_job(f"(setsid sleep 1000.{marker} &); sleep 1000.{marker} & echo started"))
    await client.wait_status("forker", Finished)
    await asyncio.sleep(0.2)
    assert processes_matching(f"1000.{marker}") == []


async def test_run_as_switches_user_and_groups(client: Client) -> None:
    await client.run("as_nobody", sh_job("id -u; id -G", run_as="nobody"))
    assert (await client.wait_status("as_nobody", Finished)).status == Finished(0, "")
    uid, groups = (client.root / "var/lib/babel/jobs/as_nobody/logs").read_text().split("\n")[:2]
    assert uid == "65534" and "0" not in groups.split()
    await client.run("as_ghost", sh_job("true", run_as="no_such_user_x"))
    info = await client.wait_status("as_ghost", Finished)
    assert info.status == Finished(None, "cant run as a 'no_such_user_x': user not found")
