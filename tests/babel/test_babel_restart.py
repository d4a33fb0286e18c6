"""Restart policies through babel: on_failure backoff bounds, always after SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from babel_support import Client, processes_matching, sh_job, wait_for_process

from bv_core.jobs import Finished, Running

BASE_MS = 200


async def test_on_failure_backs_off_and_gives_up(client: Client) -> None:
    starts = client.root / "starts.txt"
    restart = {"on_failure": {"backoff_timeout_ms": 10_000, "backoff_base_ms": BASE_MS, "max_retries": 2}}
    await client.run("flaky", sh_job(f"date +%s.%N >> {starts}; exit 1", restart))
    info = await client.wait_status("flaky", Finished, timeout=30)
    assert info.status == Finished(1, "Job 'flaky' finished with exit status: 1")
    stamps = [float(x) for x in starts.read_text().split()]
    assert len(stamps) == 3  # the first run and max_retries=2 retries
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    # Retry n waits base * 2**n: lower bounds are exact, upper bounds generous (loaded CI).
    assert gaps[0] >= BASE_MS / 1000 and gaps[1] >= 2 * BASE_MS / 1000
    assert all(gap < 10 for gap in gaps)
    assert info.restart_count == 2
    assert not info.upgrade_blocking or info.upgrade_blocking  # field present
    assert sum("restarting in" in line for line in info.logs) == 2


async def test_on_failure_success_ends_the_job(client: Client) -> None:
    count = client.root / "count.txt"
    restart = {"on_failure": {"backoff_timeout_ms": 10_000, "backoff_base_ms": 10}}
    body = f"echo x >> {count}; test $(wc -l < {count}) -ge 3"  # fails twice, then succeeds
    await client.run("third_time", sh_job(body, restart))
    info = await client.wait_status("third_time", Finished, timeout=30)
    assert info.status == Finished(0, "")
    assert len(count.read_text().split()) == 3


async def test_always_restarts_after_sigkill_of_its_process(client: Client, marker: str) -> None:
    restart = {"always": {"backoff_timeout_ms": 60_000, "backoff_base_ms": 50}}
    await client.run("service", sh_job(f"exec sleep 1000.{marker}", restart, shutdown_timeout_secs=2))
    (first,) = await wait_for_process(marker)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while True:
        pids = processes_matching(f"1000.{marker}")
        if pids and pids != [first]:
            break
        assert time.monotonic() < deadline, "job was not restarted"
        await asyncio.sleep(0.05)
    info = await client.info("service")
    assert isinstance(info.status, Running)
    assert info.restart_count == 1
    assert any("signal: 9" in line for line in info.logs)
    await client.stop("service")
    assert processes_matching(f"1000.{marker}") == []
