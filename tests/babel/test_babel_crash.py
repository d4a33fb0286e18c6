"""Crashes: babel SIGKILLed while jobs run; a job runner SIGKILLed under babel."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import orjson
from babel_support import Babel, Client, processes_matching, sh_job, wait_for_process

from bv_core.jobs import Finished, Running, Stopped


def _runner_pid(client: Client, name: str) -> int:
    data = orjson.loads((client.root / f"var/lib/babel/jobs/{name}/runner.pid").read_bytes())
    return int(data["pid"])


async def _wait_for_replacement(marker: str, job_pid: int, *, timeout: float, why: str) -> None:
    """Until the job runs again as a new process and ``job_pid`` is gone."""
    deadline = time.monotonic() + timeout
    while True:
        pids = processes_matching(f"1000.{marker}")
        if pids and job_pid not in pids:
            return
        assert time.monotonic() < deadline, f"{why}: {pids}"
        await asyncio.sleep(0.05)


async def test_jobs_survive_babel_sigkill_and_are_reattached(babel: Babel, client: Client, marker: str) -> None:
    restart = {"always": {"backoff_timeout_ms": 60_000, "backoff_base_ms": 50}}
    await client.run("svc", sh_job(f"exec sleep 1000.{marker}", restart, shutdown_timeout_secs=2))
    await client.run("once", sh_job("echo done"))
    await client.wait_status("once", Finished)
    (job_pid,) = await wait_for_process(marker)
    runner = _runner_pid(client, "svc")

    babel.kill()
    await asyncio.sleep(0.5)
    assert processes_matching(f"1000.{marker}") == [job_pid]  # the job kept running

    babel.start()
    await babel.wait_ready()
    async with babel.channel() as ch:
        again = Client(ch, babel.root)
        info = await again.info("svc")
        assert isinstance(info.status, Running)
        assert info.restart_count == 0
        assert any("re-attached" in line for line in info.logs)
        assert (await again.info("once")).status == Finished(0, "")
        assert processes_matching(f"1000.{marker}") == [job_pid]  # not restarted
        assert _runner_pid(again, "svc") == runner
        await again.stop("svc")
        assert isinstance((await again.info("svc")).status, Stopped)
    assert processes_matching(f"1000.{marker}") == []
    assert processes_matching(str(babel.root) + " svc") == []


async def test_runner_sigkill_is_restarted_under_policy(client: Client, marker: str) -> None:
    restart = {"on_failure": {"backoff_timeout_ms": 60_000, "backoff_base_ms": 50}}
    await client.run("svc", sh_job(f"exec sleep 1000.{marker}", restart, shutdown_timeout_secs=2))
    (job_pid,) = await wait_for_process(marker)
    runner = _runner_pid(client, "svc")
    os.kill(runner, signal.SIGKILL)
    await _wait_for_replacement(marker, job_pid, timeout=15, why="job not restarted")
    info = await client.wait_status("svc", Running)
    assert info.restart_count == 1
    assert any("ended unexpectedly" in line for line in info.logs)
    assert _runner_pid(client, "svc") != runner
    await client.stop("svc")
    assert processes_matching(f"1000.{marker}") == []


async def test_runner_sigkill_under_never_fails_and_kills_the_job(client: Client, marker: str) -> None:
    await client.run("oneshot", sh_job(f"sleep 1000.{marker}"))
    await wait_for_process(marker)
    os.kill(_runner_pid(client, "oneshot"), signal.SIGKILL)
    info = await client.wait_status("oneshot", Finished)
    assert isinstance(info.status, Finished) and info.status.exit_code is None
    assert "ended unexpectedly" in info.status.message
    deadline = time.monotonic() + 15  # generous: babel polls runners; CI machines are loaded
    while processes_matching(f"1000.{marker}"):
        assert time.monotonic() < deadline, "the job's process outlived its runner"
        await asyncio.sleep(0.05)


async def test_graceful_babel_exit_leaves_jobs_running(babel: Babel, client: Client, marker: str) -> None:
    await client.run("svc", sh_job(f"exec sleep 1000.{marker}", shutdown_timeout_secs=2))
    (job_pid,) = await wait_for_process(marker)
    babel.stop()  # SIGTERM: babel exits, jobs stay
    assert processes_matching(f"1000.{marker}") == [job_pid]
    babel.start()
    await babel.wait_ready()
    async with babel.channel() as ch:
        again = Client(ch, babel.root)
        assert isinstance((await again.info("svc")).status, Running)
        await again.stop("svc")
    assert processes_matching(f"1000.{marker}") == []


async def test_shutdown_babel_stops_jobs_and_they_restart_next_time(babel: Babel, client: Client, marker: str) -> None:
    from bv_core.proto.babel.v1 import babel_pb2 as pb

    await client.run("svc", sh_job(f"exec sleep 1000.{marker}", shutdown_timeout_secs=2))
    (job_pid,) = await wait_for_process(marker)
    timeout = await client.stub.GetBabelShutdownTimeout(pb.Empty(), timeout=5)
    assert timeout.millis == 17_000  # 2 s of the active job + 15 s
    await client.stub.ShutdownBabel(pb.ShutdownBabelRequest(force=False), timeout=20)
    assert processes_matching(f"1000.{marker}") == []
    babel.stop()
    babel.start()
    await babel.wait_ready()
    async with babel.channel() as ch:
        again = Client(ch, babel.root)
        await again.wait_status("svc", Running)
        pids = await wait_for_process(marker)
        assert job_pid not in pids
        await again.stop("svc")


async def test_runner_killed_before_it_recorded_child_pid_leaves_no_job_behind(
    client: Client, marker: str
) -> None:
    """The job's processes carry BABEL_JOB=<token>: the next runner finds them without child.pid."""
    restart = {"on_failure": {"backoff_timeout_ms": 60_000, "backoff_base_ms": 50}}
    await client.run("svc", sh_job(f"exec sleep 1000.{marker}", restart, shutdown_timeout_secs=2))
    (job_pid,) = await wait_for_process(marker)
    (client.root / "var/lib/babel/jobs/svc/child.pid").unlink()  # as if killed before writing it
    os.kill(_runner_pid(client, "svc"), signal.SIGKILL)
    await _wait_for_replacement(marker, job_pid, timeout=30, why="the old job was left running")
    info = await client.wait_status("svc", Running)
    assert any("left by a previous job runner" in line for line in info.logs), info.logs
    await client.stop("svc")
    assert processes_matching(f"1000.{marker}") == []
