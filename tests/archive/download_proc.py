"""``python -m tests.archive.download_proc ARGS_JSON``: one download in its own process, so a
test can SIGKILL it mid-way and start it again."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import orjson

from job_runner.archive import Downloader, LocalArchiveStore, TransferConfig


async def main(args: dict[str, object]) -> None:
    store = LocalArchiveStore(
        Path(str(args["root"])),
        str(args["store_key"]),
        base_url=str(args["base_url"]),
        secret=str(args["secret"]).encode(),
    )
    cfg = TransferConfig(
        max_runners=int(str(args["runners"])),
        buffer_size=16 * 1024,
        backoff_base_s=0.01,
        commit_bytes=1,  # journal every chunk, so the test can kill between commits
    )
    await Downloader(
        store, Path(str(args["data"])), Path(str(args["meta"])), Path(str(args["progress"])), cfg
    ).run()


if __name__ == "__main__":
    asyncio.run(main(orjson.loads(sys.argv[1])))
