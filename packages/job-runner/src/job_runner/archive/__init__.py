"""Protocol-data archives: the ``download`` and ``upload`` job kinds (babel-plugin.md §4).

Public surface:
    DownloadKind, UploadKind        JobKinds the job runner dispatches to
    Downloader, Uploader            the resumable transfer engines (usable without a job)
    TransferConfig                  runners, connections, part/buffer sizes, retries
    ArchiveSource                   where manifests and presigned URLs come from
    EngineArchiveClient             ArchiveSource over the node's /engine.socket (BabelEngine)
    LocalArchiveStore               ArchiveSource over a store directory (standalone, tests)
    presign, check_signature        the presigned-URL scheme of the local store
    check_plan, DownloadPlan        manifest safety checks
    scan_files, plan_upload         how an upload cuts the data dir into chunks
    errors: ArchiveError and its family (see _errors)
"""

from __future__ import annotations

from ._errors import ArchiveError as ArchiveError
from ._errors import ArchiveNotFound as ArchiveNotFound
from ._errors import ChecksumMismatch as ChecksumMismatch
from ._errors import DataChanged as DataChanged
from ._errors import Interrupted as Interrupted
from ._errors import ManifestError as ManifestError
from ._errors import NotEnoughSpace as NotEnoughSpace
from ._errors import SourceError as SourceError
from ._errors import TransferError as TransferError
from ._errors import UrlExpired as UrlExpired
from ._errors import VersionLocked as VersionLocked
from ._kind import DownloadKind as DownloadKind
from ._kind import UploadKind as UploadKind
from ._kind import meta_dir as meta_dir
from ._kind import protocol_data_dir as protocol_data_dir
from ._plan import DownloadPlan as DownloadPlan
from ._plan import check_plan as check_plan
from ._presign import check_signature as check_signature
from ._presign import presign as presign
from ._source import ArchiveSource as ArchiveSource
from ._source import EngineArchiveClient as EngineArchiveClient
from ._transfer import TransferConfig as TransferConfig
from .download import Downloader as Downloader
from .local_store import LocalArchiveStore as LocalArchiveStore
from .upload import Uploader as Uploader
from .upload import plan_upload as plan_upload
from .upload import scan_files as scan_files

__all__ = [
    "ArchiveError",
    "ArchiveNotFound",
    "ArchiveSource",
    "ChecksumMismatch",
    "DataChanged",
    "DownloadKind",
    "DownloadPlan",
    "Downloader",
    "EngineArchiveClient",
    "Interrupted",
    "LocalArchiveStore",
    "ManifestError",
    "NotEnoughSpace",
    "SourceError",
    "TransferError",
    "UploadKind",
    "Uploader",
    "UrlExpired",
    "VersionLocked",
    "TransferConfig",
    "check_plan",
    "check_signature",
    "meta_dir",
    "plan_upload",
    "presign",
    "protocol_data_dir",
    "scan_files",
]
