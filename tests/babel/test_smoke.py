from __future__ import annotations

from bv_core.jobs import Finished

from .conftest import Client, sh_job


async def test_job_runs_and_finishes(client: Client) -> None:
    await client.run("hello", sh_job("echo hi"))
    info = await client.wait_status("hello", Finished)
    assert info.status == Finished(0, "")
    assert (client.root / "var/lib/babel/jobs/hello/logs").read_text() == "hi\n"
