"""babel and its job runners as zipapps inside a bwrap sandbox over the real test rootfs.

The node's own python3 (Debian bookworm) runs both zipapps; the job runner binary arrives
through UploadJobRunner like the daemon sends it. Needs root (namespaces) and bwrap.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel_support import Babel, Client, processes_matching, sh_job, wait_for_process
from bundle_support import REPO, bundle_dir

from bv_core.jobs import Finished, Stopped, crc32_bzip2
from bv_core.proto.babel.v1 import babel_pb2 as pb

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from tests.support.rootfs import test_rootfs  # noqa: E402,F401  (fixture)

pytestmark = [
    pytest.mark.root,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bwrap not installed"),
]


@pytest.fixture(scope="session")
def bundle() -> Path:
    return bundle_dir()


@pytest.fixture
def sandboxed_babel(root: Path, bundle: Path, test_rootfs: Path) -> Iterator[Babel]:  # noqa: F811
    node = root  # the in-node root babel uses, bound at /mnt/node inside the sandbox
    argv = [
        "bwrap", "--ro-bind", str(test_rootfs), "/", "--dev", "/dev", "--proc", "/proc",
        "--tmpfs", "/tmp", "--tmpfs", "/mnt", "--bind", str(node), "/mnt/node",
        "--ro-bind", str(bundle), "/mnt/bundle",
        "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
        "--chdir", "/", "--clearenv", "--setenv", "PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
        "--setenv", "HOME", "/tmp", "--setenv", "SHIV_ROOT", "/tmp/shiv",
        "--", "python3", "/mnt/bundle/babel", "--root", "/mnt/node",
    ]  # fmt: skip
    babel = Babel(node)
    with open(babel.log, "ab") as log:
        babel.proc = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True)
    yield babel
    babel.kill()  # bwrap is the sandbox's init parent: everything inside dies with it


async def test_jobs_in_a_sandbox_over_the_real_rootfs(sandboxed_babel: Babel, bundle: Path, marker: str) -> None:
    await sandboxed_babel.wait_ready(timeout=60)
    async with sandboxed_babel.channel() as ch:
        client = Client(ch, sandboxed_babel.root)
        binary = (bundle / "babel_job_runner").read_bytes()

        async def chunks() -> object:
            for i in range(0, len(binary), 16384):
                yield pb.BinaryChunk(bin=binary[i : i + 16384])
            yield pb.BinaryChunk(checksum=crc32_bzip2(binary))

        await client.stub.UploadJobRunner(chunks(), timeout=60)
        await client.setup()
        order = "/mnt/node/order.txt"  # a path inside the sandbox
        await client.create("first", sh_job(f"sleep 0.2; cat /etc/debian_version >/dev/null && echo first >> {order}"))
        await client.create("second", sh_job(f"echo second >> {order}", needs=["first"]))
        await client.create("service", sh_job(
            f"trap 'echo bye; exit 0' USR1; sleep 1000.{marker} & wait", wait_for=["second"],
            shutdown_signal="SIGUSR1", shutdown_timeout_secs=10))
        for name in ("service", "second", "first"):
            await client.start(name)
        await wait_for_process(marker, timeout=60)
        assert (sandboxed_babel.root / "order.txt").read_text().split() == ["first", "second"]
        started = time.monotonic()
        await client.stop("service")
        assert time.monotonic() - started < 8
        assert isinstance((await client.info("service")).status, Stopped)
        assert (await client.info("second")).status == Finished(0, "")
        assert "bye" in (sandboxed_babel.root / "var/lib/babel/jobs/service/logs").read_text()
        assert processes_matching(f"1000.{marker}") == []
