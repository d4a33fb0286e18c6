"""The shiv zipapps run from a clean directory with the system python3 and nothing installed.

The zipapps come from bundle_support (dist/bundle, BV_BUNDLE_DIR, or a cached build).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest
from babel_support import Babel, Client, sh_job
from bundle_support import bundle_dir

from bv_core.jobs import Finished, crc32_bzip2
from bv_core.proto.babel.v1 import babel_pb2 as pb

SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def bundle() -> Path:
    return bundle_dir()


@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="no system python3")
async def test_zipapps_run_jobs_from_a_clean_directory(root: Path, bundle: Path) -> None:
    BUNDLE = bundle  # noqa: N806
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "SHIV_ROOT": str(root / ".shiv")}
    babel = Babel(root)
    with open(babel.log, "ab") as log:
        babel.proc = subprocess.Popen(
            [str(SYSTEM_PYTHON), str(BUNDLE / "babel"), "--root", str(root)],
            cwd=root, env=env, stdout=log, stderr=log, start_new_session=True,
        )
    try:
        await babel.wait_ready(timeout=60)
        async with babel.channel() as ch:
            client = Client(ch, root)
            binary = (BUNDLE / "babel_job_runner").read_bytes()

            async def chunks() -> object:
                for i in range(0, len(binary), 16384):
                    yield pb.BinaryChunk(bin=binary[i : i + 16384])
                yield pb.BinaryChunk(checksum=crc32_bzip2(binary))

            await client.stub.UploadJobRunner(chunks(), timeout=60)
            await client.setup()
            await client.run("zip", sh_job("echo from-zipapp"))
            info = await client.wait_status("zip", Finished, timeout=60)
            assert info.status == Finished(0, ""), orjson.dumps((root / "var/lib/babel/jobs/zip/runner.log").read_text())
            assert (root / "var/lib/babel/jobs/zip/logs").read_text() == "from-zipapp\n"
    finally:
        babel.stop()
        await asyncio.sleep(0)
