"""Files babel writes for the daemon: the job runner binary, file_write/file_read, templates,
babel.conf (setup_babel) and the protocol-data lock stamp."""

from __future__ import annotations

import asyncio
import enum
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import orjson

from bv_core.jobs import NodePaths, crc32_bzip2
from bv_core.persistence import atomic_write, atomic_write_json

from ._exceptions import BadRequest, CommandFailed, FileMissing
from ._template import render

__all__ = [
    "CHUNK_SIZE", "BinaryStatus", "JobRunnerBinary", "read_chunks", "render_template",
    "save_verified", "setup_babel",
]

CHUNK_SIZE: Final = 16 * 1024


class BinaryStatus(enum.Enum):
    OK = "ok"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    MISSING = "missing"


def file_checksum(path: Path) -> int | None:
    try:
        crc = 0
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                crc = crc32_bzip2(chunk, crc)
        return crc
    except FileNotFoundError:
        return None


def save_verified(path: Path, data: bytes, checksum: int | None, *, mode: int) -> None:
    """Check the stream's CRC, then replace ``path`` atomically (running copies keep the old)."""
    if checksum is None:
        raise BadRequest("incomplete binary stream - missing checksum")
    actual = crc32_bzip2(data)
    if actual != checksum:
        raise BadRequest(f"checksum mismatch for {path}: expected {checksum:#010x}, got {actual:#010x}")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, mode=mode)
    os.chmod(path, mode)


class JobRunnerBinary:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()  # no spawn reads a half-written binary (rename is atomic anyway)
        self.checksum = file_checksum(path)

    def check(self, checksum: int) -> BinaryStatus:
        if self.checksum is None:
            return BinaryStatus.MISSING
        return BinaryStatus.OK if self.checksum == checksum else BinaryStatus.CHECKSUM_MISMATCH

    async def install(self, data: bytes, checksum: int | None) -> None:
        async with self._lock:
            save_verified(self.path, data, checksum, mode=0o755)
            self.checksum = checksum


async def read_chunks(path: Path) -> AsyncIterator[bytes]:
    if not path.is_file():
        raise FileMissing(f"file_read: {path} does not exist or is not a file")
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            yield chunk
            await asyncio.sleep(0)


def render_template(node: NodePaths, template: str, destination: str, params_json: str) -> None:
    try:
        params = orjson.loads(params_json or "{}")
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"render_template: params are not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise BadRequest("render_template: params must be a JSON object")
    source = node.inside(template)
    try:
        text = source.read_text()
    except FileNotFoundError:
        raise FileMissing(f"render_template: template {template} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandFailed(f"render_template: cannot read {template}: {exc}") from exc
    rendered = render(text, params)
    dest = node.inside(destination)
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, rendered.encode())


async def setup_babel(node: NodePaths, node_env_json: str, ramdisks: list[tuple[str, int]]) -> None:
    """Mount missing ramdisks, save babel.conf, run post_setup.sh if the image has one."""
    try:
        node_env = orjson.loads(node_env_json or "{}")
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"setup_babel: node_env is not valid JSON: {exc}") from None
    if not isinstance(node_env, dict):
        raise BadRequest("setup_babel: node_env must be a JSON object")
    mounted = {line.split()[1] for line in Path("/proc/mounts").read_text().splitlines() if line}
    for mount_point, size_mb in ramdisks:
        target = node.inside(mount_point)
        if str(target) in mounted:
            continue
        target.mkdir(parents=True, exist_ok=True)
        await _check_call(["mount", "-t", "tmpfs", "-o", f"rw,size={size_mb}M", "tmpfs", str(target)])
    node.babel_conf.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(
        node.babel_conf,
        {"node_env": node_env, "ramdisks": [{"ram_disk_mount_point": m, "ram_disk_size_mb": s} for m, s in ramdisks]},
    )
    if node.post_setup.exists():
        await _check_call(["sh", str(node.post_setup)])


async def _check_call(argv: list[str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise CommandFailed(f"{' '.join(argv)} failed ({proc.returncode}): {out.decode(errors='replace').strip()}")


def protocol_data_stamp(node: NodePaths) -> float | None:
    try:
        return node.protocol_data_lock().stat().st_mtime
    except FileNotFoundError:
        return None
