"""Benchmark of protocol-data archives against this machine's limits, measured in the same run.

    python benchmarks/archive_bench.py [--size-gib 2] [--chunk-mib 64] [--runners 4] [--level 3]
                                       [--repeat N] [--warmup N] [--workdir DIR] [--keep]

Generates a dataset of mixed files (a few large, many small; half random, half compressible
text), starts the test object store (tests/fakes/object_store.py) as its own process, then:

  upload     our Uploader (zstd, BLAKE3, presigned PUTs)    vs  ``zstd -T0 -<level>`` of the same bytes
  download   our Downloader (GET, verify, unzstd, pwrite,    vs  ``curl URL | zstd -d > file`` + fsync
             fdatasync per chunk)                                of the same bytes as one object

Our jobs run in child processes so their peak RSS is measured alone (wait4). Prints MiB/s of
uncompressed data, the ratio to each reference, and the peak RSS against 2 x runners x chunk.
Targets (issue 5): download >= 0.9x, upload >= 0.85x, RSS < 2 x runners x chunk size.
Needs curl and zstd (installed with apt-get if missing). Run it as root on a quiet machine: before
each measured step it syncs, empties the page cache and reads back only that step's inputs
(settle()), so neither side inherits the other's leftovers; without root the figures drift.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret"
STORE_KEY = "bench-archive"
MIB = 1024 * 1024
_A = TypeVar("_A")
_B = TypeVar("_B")


def ensure_tools() -> None:
    missing = [t for t in ("curl", "zstd") if shutil.which(t) is None]
    if missing:
        print(f"installing {' '.join(missing)} with apt-get", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True)


def generate(src: Path, total: int, seed: int = 1) -> list[Path]:
    """Half random (incompressible), half log-like text (~5x); 85% in 4 large files, the rest
    in small files of 1 KiB..256 KiB."""
    rng = random.Random(seed)
    block = os.urandom(8 * MIB)
    words = [
        bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(3, 9)))
        for _ in range(400)
    ]

    def text(n: int) -> bytes:
        out = bytearray()
        i = 0
        while len(out) < n:
            out += b"%d INFO block=%d peer=%s " % (1_700_000_000 + i, i * 7, rng.choice(words))
            out += b" ".join(rng.choice(words) for _ in range(8)) + b"\n"
            i += 1
        return bytes(out[:n])

    text_block = text(8 * MIB)

    def fill(path: Path, n: int, compressible: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            left = n
            k = 0
            while left:
                piece = text_block if compressible else block
                off = (k * 4099) % (len(piece) // 2)  # shift so blocks differ
                data = piece[off : off + min(left, len(piece) - off)]
                if not compressible:
                    data = bytes([k & 0xFF]) + data[1:]  # random blocks never repeat byte-for-byte
                f.write(data)
                left -= len(data)
                k += 1

    files: list[Path] = []
    large = int(total * 0.85)
    for i in range(4):
        path = src / "chaindata" / f"large-{i}.db"
        fill(path, large // 4, compressible=i % 2 == 1)
        files.append(path)
    left = total - sum(p.stat().st_size for p in files)
    i = 0
    while left > 0:
        n = min(left, rng.randrange(1024, 256 * 1024))
        path = src / "small" / f"d{i % 50}" / f"f{i}.sst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text(n) if i % 2 else os.urandom(n))
        files.append(path)
        left -= n
        i += 1
    return files


def timed(cmd: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + sys of the whole pipeline)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


_DROP_CACHES = Path("/proc/sys/vm/drop_caches")
CAN_DROP = os.geteuid() == 0 and os.access(_DROP_CACHES, os.W_OK)


def settle(*inputs: Path) -> None:
    """Start a measured step from the same memory whichever side runs and whatever ran before:
    dirty pages written out, the page cache emptied, then only the step's inputs read back in.

    Without it the outcome depended on what the previous steps left: this VM's page-cache
    writes ran 2-8x slower or faster depending on which pages the kernel reused (perf:
    copy_folio_from_iter_atomic from 0.4 to 4 CPU-s for the same 2 GiB), so a side's time
    depended on its place in the round, not on its own work.
    """
    subprocess.run(["sync"], check=True)
    if CAN_DROP:
        _DROP_CACHES.write_text("1")
    buf = bytearray(8 * MIB)
    for top in inputs:
        walk = os.walk(top) if top.is_dir() else [(str(top.parent), [], [top.name])]
        for root, _, names in walk:
            for name in names:
                with open(os.path.join(root, name), "rb", buffering=0) as f:
                    while f.readinto(buf):
                        pass


def in_order(ours_first: bool, ours: Callable[[], _A], ref: Callable[[], _B]) -> tuple[_A, _B]:
    """Run both sides, ours first or the reference first; returns (ours, reference)."""
    if ours_first:
        mine = ours()
        return mine, ref()
    theirs = ref()
    return ours(), theirs


def run_child(args: list[str]) -> tuple[float, float, int]:
    """Run this script as a child job; returns (wall seconds, CPU seconds, peak RSS bytes)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args])
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {args[:2]} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


async def child(
    mode: str,
    store_root: str,
    base_url: str,
    data: str,
    meta: str,
    runners: int,
    chunks: int,
    level: int,
) -> None:
    from bv_core.models import ZstdCompression
    from job_runner.archive import Downloader, LocalArchiveStore, TransferConfig, Uploader

    store = LocalArchiveStore(
        Path(store_root), STORE_KEY, base_url=base_url, secret=SECRET.encode()
    )
    cfg = TransferConfig(max_runners=runners, max_connections=runners)
    if mode == "upload":
        await Uploader(
            store,
            Path(data),
            Path(meta),
            Path(meta) / "progress.json",
            cfg,
            compression=ZstdCompression(level=level),
            number_of_chunks=chunks,
        ).run()
    else:
        await Downloader(store, Path(data), Path(meta), Path(meta) / "progress.json", cfg).run()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size-gib",
        type=float,
        default=2.0,
        help="dataset size (default 2 GiB; the target needs >= 2)",
    )
    parser.add_argument("--chunk-mib", type=int, default=64)
    parser.add_argument("--runners", type=int, default=4)
    parser.add_argument("--level", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds (default 3); the best time of each side counts"
    )
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", nargs=8, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, store_root, base_url, data, meta, runners, chunks, level = args.child
        try:
            import uvloop

            uvloop.run(
                child(mode, store_root, base_url, data, meta, int(runners), int(chunks), int(level))
            )
        except ImportError:
            asyncio.run(
                child(mode, store_root, base_url, data, meta, int(runners), int(chunks), int(level))
            )
        return 0

    ensure_tools()
    if not CAN_DROP:
        print("note: not root, so the page cache is not emptied between steps; figures are noisier",
              flush=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="archive-bench-", dir="/var/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    total = int(args.size_gib * 1024**3)
    src, objects = work / "src", work / "objects"
    rounds = args.warmup + args.repeat
    # src, ref.bin, ref.out, and per round a kept download dir plus its stored version (see below)
    need = total * (3 + rounds * 2)
    free = shutil.disk_usage(work).free
    if free < need:
        raise SystemExit(
            f"{work} has {free / 1024**3:.1f} GiB free; {rounds} rounds of {args.size_gib:g} GiB need "
            f"about {need / 1024**3:.1f} GiB (use --workdir, --size-gib or --repeat)"
        )
    objects.mkdir(exist_ok=True)
    server = None
    try:
        print(f"generating {args.size_gib:g} GiB dataset in {src} ...", flush=True)
        files = generate(src, total)
        total = sum(p.stat().st_size for p in files)
        ref_bin = work / "ref.bin"
        with open(ref_bin, "wb") as out:
            for p in files:
                with open(p, "rb") as f:
                    shutil.copyfileobj(f, out, 8 * MIB)
        subprocess.run(["sync"], check=True)
        n_chunks = max(1, -(-total // (args.chunk_mib * MIB)))
        print(
            f"dataset: {len(files)} files, {total / MIB:.0f} MiB; {n_chunks} chunks of {args.chunk_mib} MiB, "
            f"{args.runners} runners, zstd level {args.level}",
            flush=True,
        )

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.object_store", str(objects), SECRET],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        if not line.startswith("READY "):
            raise SystemExit(f"object store did not start: {line!r}")
        base_url = line.split()[1]

        from job_runner.archive import presign

        ref_zst = objects / "ref" / "ref.zst"
        ref_zst.parent.mkdir()
        out_bin = work / "ref.out"
        t_ref_up = t_up = t_ref_down = t_down = float("inf")
        rss_up = rss_down = 0
        round_ratios: list[tuple[float, float]] = []  # (upload, download), sides measured back to back

        # Each side settles first (see settle()): only its own inputs are in the page cache.
        def ref_upload() -> tuple[float, float]:
            # zstd -T0 of the same bytes (from page cache, .zst written out)
            settle(ref_bin)
            return timed(f"zstd -T0 -{args.level} -q -f {ref_bin} -o {ref_zst}")

        def our_upload() -> tuple[float, float, int]:
            # a new data version each round
            settle(src)
            return run_child(["--child", "upload", str(objects), base_url, str(src),
                              str(work / "up-meta"), str(args.runners), str(n_chunks),
                              str(args.level)])

        def ref_download() -> tuple[float, float]:
            # curl | zstd -d > file, then fsync
            settle(ref_zst)
            url = presign(base_url, SECRET.encode(), "GET", "ref/ref.zst", int(time.time()) + 3600)
            return timed(f"curl -sf '{url}' | zstd -d -q -f -o {out_bin} && sync {out_bin}")

        def our_download(dst: Path) -> tuple[float, float, int]:
            # the latest version, into this round's new directory
            settle(objects / STORE_KEY / max(os.listdir(objects / STORE_KEY), key=int))
            return run_child(["--child", "download", str(objects), base_url, str(dst),
                              str(work / "down-meta"), str(args.runners), str(n_chunks),
                              str(args.level)])

        # Each round measures both sides back to back so that load from other processes hits
        # both; the best time of each is compared. Round 0 is a warm-up of both sides, not counted: the
        # first round ran up to 20 % slower for our side (cold store directories and interpreter
        # caches) and made the ratio a measure of the warm-up.
        #
        # Each round downloads into a new directory and the directories are deleted only at the
        # end: recreating ~2400 files where the last round just deleted them makes ext4's inode
        # allocator skip recently deleted inodes (recently_deleted() in perf, 1-3 CPU-s growing
        # round by round), a cost of this loop that a node's download into its data dir never pays.
        dst = work / "dst-0"
        for rnd in range(-args.warmup, args.repeat):
            dst = work / f"dst-{rnd + args.warmup}"
            shutil.rmtree(work / "up-meta", ignore_errors=True)
            shutil.rmtree(work / "down-meta", ignore_errors=True)
            out_bin.unlink(missing_ok=True)
            if (objects / STORE_KEY).is_dir():  # older versions: disk space only
                versions = sorted(int(v) for v in os.listdir(objects / STORE_KEY))
                for version in versions[:-1]:
                    shutil.rmtree(objects / STORE_KEY / str(version))
            # Odd rounds run our side first, so that whatever settle() can't reset (the disk's
            # own cache, the store's warm-up) favours neither side.
            ours_first = rnd % 2 == 1
            (up, cpu_up, rss), (ref_up, cpu_ref_up) = in_order(ours_first, our_upload, ref_upload)
            rss_up = max(rss_up, rss)
            (down, cpu_down, rss), (ref_down, cpu_ref_down) = in_order(
                ours_first, functools.partial(our_download, dst), ref_download
            )
            rss_down = max(rss_down, rss)
            if rnd < 0:
                print(f"warm-up: upload {up:.2f}s vs {ref_up:.2f}s; download {down:.2f}s vs {ref_down:.2f}s "
                      "(not counted)", flush=True)
                continue
            print(
                f"round {rnd + 1}: upload {up:.2f}s vs zstd -T0 {ref_up:.2f}s; "
                f"download {down:.2f}s vs curl|zstd -d {ref_down:.2f}s; load {os.getloadavg()[0]:.1f}; "
                f"CPU s: upload {cpu_up:.1f} vs {cpu_ref_up:.1f}, download {cpu_down:.1f} vs {cpu_ref_down:.1f}",
                flush=True,
            )
            round_ratios.append((ref_up / up, ref_down / down))
            t_ref_up, t_up = min(t_ref_up, ref_up), min(t_up, up)
            t_ref_down, t_down = min(t_ref_down, ref_down), min(t_down, down)
        last_version = max(int(v) for v in os.listdir(objects / STORE_KEY))
        stored = sum(
            p.stat().st_size for p in (objects / STORE_KEY / str(last_version)).glob("data.part_*")
        )
        check = subprocess.run(["cmp", "-s", str(ref_bin), str(out_bin)]).returncode == 0
        same = (
            all((dst / p.relative_to(src)).stat().st_size == p.stat().st_size for p in files)
            and subprocess.run(["diff", "-rq", str(src), str(dst)], capture_output=True).returncode
            == 0
        )

        mib = total / MIB
        bound = 2 * args.runners * args.chunk_mib * MIB
        rows = [
            ("upload (ours)", mib / t_up, t_up),
            ("zstd -T0 (reference)", mib / t_ref_up, t_ref_up),
            ("download (ours)", mib / t_down, t_down),
            ("curl | zstd -d + fsync (reference)", mib / t_ref_down, t_ref_down),
        ]
        print()
        print(f"{'':40s} {'MiB/s':>9s} {'seconds':>9s}")
        for name, rate, secs in rows:
            print(f"{name:40s} {rate:9.0f} {secs:9.2f}")
        print()
        up_ratio = t_ref_up / t_up
        down_ratio = t_ref_down / t_down
        print(
            f"upload ratio to zstd -T0:           {up_ratio:.2f}x (target >= 0.85) {'OK' if up_ratio >= 0.85 else 'BELOW'}"
        )
        print(
            f"download ratio to curl|zstd -d:     {down_ratio:.2f}x (target >= 0.90) {'OK' if down_ratio >= 0.9 else 'BELOW'}"
        )
        ups = sorted(r[0] for r in round_ratios)
        downs = sorted(r[1] for r in round_ratios)
        print(
            f"per-round ratios (same-round reference): upload {' '.join(f'{r:.2f}' for r in ups)}, "
            f"download {' '.join(f'{r:.2f}' for r in downs)} (this VM's speed drifts between rounds)"
        )
        print(
            f"peak RSS upload / download:         {rss_up / MIB:.0f} / {rss_down / MIB:.0f} MiB "
            f"(bound 2 x {args.runners} x {args.chunk_mib} MiB = {bound / MIB:.0f} MiB) "
            f"{'OK' if max(rss_up, rss_down) < bound else 'OVER'}"
        )
        print(
            f"compression: {total / MIB:.0f} MiB -> {stored / MIB:.0f} MiB stored ({total / max(stored, 1):.2f}x); "
            f"reference .zst {ref_zst.stat().st_size / MIB:.0f} MiB"
        )
        print(f"round trip identical: {same}; reference pipeline identical: {check}")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
        return 0 if same and check else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
