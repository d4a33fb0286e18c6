"""Archive job errors, by whose fault they are.

ArchiveError (bv_core.errors.BvError)
├── ManifestError        (InvalidInput)  the manifest is unsafe or inconsistent; nothing was written
├── DataChanged          (InvalidInput)  upload: source files changed under the plan; start over
├── ArchiveNotFound      (NotFound)      the store has no archive (the "no archive" signal)
├── NotEnoughSpace       (ExternalError) the data disk cannot hold what is left to download
├── SourceError          (ExternalError) the engine socket / archive store refused or failed
│   └── VersionLocked                    upload: the data version is already reserved
├── TransferError        (ExternalError) one HTTP transfer failed; retried with backoff
│   ├── UrlExpired                       403: the presigned URL is stale; ask for a fresh one
│   └── ChecksumMismatch                 the bytes received are not the bytes published
└── Interrupted                          the job was asked to stop
"""

from __future__ import annotations

from bv_core.errors import BvError, ExternalError, InvalidInput, NotFound

__all__ = [
    "ArchiveError",
    "ArchiveNotFound",
    "ChecksumMismatch",
    "DataChanged",
    "Interrupted",
    "ManifestError",
    "NotEnoughSpace",
    "SourceError",
    "TransferError",
    "UrlExpired",
    "VersionLocked",
]


class ArchiveError(BvError):
    """Base of the archive jobs' errors."""


class ManifestError(ArchiveError, InvalidInput):
    """The manifest would write outside the data dir, overlaps, or does not add up."""


class DataChanged(ArchiveError, InvalidInput):
    """The upload plan no longer matches the files on disk."""


class ArchiveNotFound(ArchiveError, NotFound):
    pass


class NotEnoughSpace(ArchiveError, ExternalError):
    pass


class SourceError(ArchiveError, ExternalError):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class VersionLocked(SourceError):
    """An upload asked to reserve a data version another upload already holds."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class TransferError(ArchiveError, ExternalError):
    pass


class UrlExpired(TransferError):
    pass


class ChecksumMismatch(TransferError):
    pass


class Interrupted(ArchiveError):
    pass
