"""``cleanup_job`` for a download job: forget a started download so the next one starts clean.

The job runner (``job_runner.archive.download``) keeps a download's state in
``<data_mount_point>/.babel_jobs``; babel never imports the runner, so the formats are read here:

    download.metadata   the manifest header; present = a download is planned
    download.manifest   JSON list of ``bv_core.models.Chunk`` (destinations relative to the
                        protocol data dir)
    download.parts      JSON lines ``{"index": i}``: chunks whose files writing started
    download.chunks     JSON lines ``{"index": i}``: chunks finished
    download.completed  marker of a finished download: NOT removed (as the original)

Removed: the destination files of every chunk listed in download.parts, then the four state
files. download.metadata goes first: a crash part-way then leaves no plan to resume, and the
runner's own start-up cleanup finishes the job from the manifest and parts still there.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

import orjson

from bv_core.errors import BvError
from bv_core.jobs import NodePaths
from bv_core.models import Chunk, decode_json

from ._exceptions import CommandFailed

__all__ = ["DEFAULT_PROTOCOL_DATA_PATH", "cleanup_download", "protocol_data_dir"]

log = logging.getLogger(__name__)

DEFAULT_PROTOCOL_DATA_PATH: Final = "/blockjoy/protocol_data"
_STATE_FILES: Final = ("download.metadata", "download.chunks", "download.parts", "download.manifest")


def protocol_data_dir(node: NodePaths) -> Path:
    """``node_env.protocol_data_path`` from babel.conf (default /blockjoy/protocol_data), under root."""
    path = DEFAULT_PROTOCOL_DATA_PATH
    try:
        conf = orjson.loads(node.babel_conf.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        conf = None
    env = conf.get("node_env") if isinstance(conf, dict) else None
    value = env.get("protocol_data_path") if isinstance(env, dict) else None
    if isinstance(value, str) and value:
        path = value
    return node.inside(path)


def _started_indexes(parts: Path) -> set[int]:
    try:
        data = parts.read_bytes()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise CommandFailed(f"can't read {parts}: {exc.strerror or exc}") from exc
    out: set[int] = set()
    for line in data.splitlines():
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:  # a torn last line: the runner was killed mid-append
            continue
        if isinstance(record, dict) and isinstance(record.get("index"), int):
            out.add(record["index"])
    return out


def _manifest(path: Path) -> list[Chunk]:
    try:
        return decode_json(path.read_bytes(), list[Chunk], str(path))
    except FileNotFoundError:
        return []
    except (OSError, BvError) as exc:
        # Without the manifest the started files are unknown; the next download preallocates
        # and rewrites every file it needs, so what is left is only wasted space.
        log.warning("download cleanup: can't read %s, partial files are left in place: %s", path, exc)
        return []


def _remove_under(root: Path, relative: str) -> bool:
    """Unlink ``root/relative`` itself (never a symlink's target); False when its parent
    resolves outside ``root`` (a symlinked directory planted in the data dir)."""
    target = root / relative
    parent = target.parent.resolve()
    if not parent.is_relative_to(root.resolve()):
        log.warning("download cleanup: %s is outside %s, not removed", target, root)
        return False
    try:
        (parent / target.name).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("download cleanup: can't remove %s: %s", target, exc.strerror or exc)
        return False
    return True


def _unlink_state(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise CommandFailed(f"can't remove {path}: {exc.strerror or exc}") from exc


def cleanup_download(node: NodePaths) -> None:
    """Remove a download's partial files and state files; CommandFailed if a state file stays."""
    meta = node.data_mount_point() / ".babel_jobs"
    started = _started_indexes(meta / "download.parts")
    chunks = _manifest(meta / "download.manifest") if started else []
    _unlink_state(meta / _STATE_FILES[0])  # download.metadata first: see the module doc
    data_dir = protocol_data_dir(node)
    for chunk in chunks:
        if chunk.index in started:
            for dest in chunk.destinations:
                _remove_under(data_dir, dest.path)
    for name in _STATE_FILES[1:]:
        _unlink_state(meta / name)
