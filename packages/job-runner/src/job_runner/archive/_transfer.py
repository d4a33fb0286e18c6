"""Transfer settings and the pieces shared by download and upload: hashing, retry pacing."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Final, Protocol

import blake3

from bv_core.models import Checksum, ChecksumAlgorithm

from ._errors import Interrupted

__all__ = ["MIB", "Hasher", "TransferConfig", "checksum_of", "first_error", "job_error", "new_hasher"]

MIB: Final = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class TransferConfig:
    """Limits of one archive job (defaults are the original's, babel-plugin.md §4.1)."""

    max_connections: int = 3  # HTTP requests being sent at once
    max_runners: int = 8  # chunks in flight at once
    part_size: int = 128 * MIB  # bytes per ranged GET
    buffer_size: int = 4 * MIB  # bytes handed to a worker thread at a time
    max_retries: int = 5  # per transfer, before the job fails (its restart policy takes over)
    backoff_base_s: float = 0.5  # retry n sleeps backoff_base_s * 2**n
    request_timeout_s: float = 600.0
    put_timeout_s: float = 3000.0
    max_open_files: int = 1024
    # Download journal group commit: sync + journal every commit_bytes or commit_interval_s.
    commit_bytes: int = 1024 * MIB
    commit_interval_s: float = 10.0

    def __post_init__(self) -> None:
        for name in ("max_connections", "max_runners", "part_size", "buffer_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


class Hasher(Protocol):
    def update(self, data: bytes | memoryview, /) -> object: ...

    def hexdigest(self) -> str: ...


def new_hasher(algorithm: ChecksumAlgorithm) -> Hasher:
    if algorithm is ChecksumAlgorithm.SHA1:
        return hashlib.sha1(usedforsecurity=False)
    if algorithm is ChecksumAlgorithm.SHA256:
        return hashlib.sha256()
    return blake3.blake3(max_threads=1)


def checksum_of(algorithm: ChecksumAlgorithm, hasher: Hasher) -> Checksum:
    return Checksum(algorithm=algorithm, digest=hasher.hexdigest())


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error that stopped a task group (cancellations of the other workers are noise)."""
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return first_error(exc)
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return group.exceptions[0]


def job_error(group: BaseExceptionGroup[BaseException], stopped: bool, what: str) -> BaseException:
    """The error to raise for a failed task group of ``what`` workers: on a stop request, one
    ``Interrupted`` message whichever worker saw the stop first."""
    error = first_error(group)
    if stopped and isinstance(error, Interrupted):
        return Interrupted(f"{what} interrupted")
    return error
