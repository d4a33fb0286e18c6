"""Installs a BlockVisor bundle version with backup, health check and rollback.

Run as ``<bundle>/installer`` (a zipapp inside the bundle it installs); see ``_installer`` for
the step sequence and its crash safety, ``_service`` for the systemd and process service managers.
"""

from __future__ import annotations

from ._daemon_client import DaemonClient as DaemonClient
from ._errors import Blacklisted as Blacklisted
from ._errors import BundleError as BundleError
from ._errors import InstallFailed as InstallFailed
from ._errors import RequirementsError as RequirementsError
from ._errors import RollbackFailed as RollbackFailed
from ._errors import ServiceError as ServiceError
from ._errors import StepFailed as StepFailed
from ._fetch import checksum_url as checksum_url
from ._fetch import download_bundle as download_bundle
from ._fetch import unpack_bundle as unpack_bundle
from ._installer import CRASH_AFTER_ENV as CRASH_AFTER_ENV
from ._installer import STEPS as STEPS
from ._installer import BackupStatus as BackupStatus
from ._installer import Installer as Installer
from ._installer import InstallerOptions as InstallerOptions
from ._layout import SERVICE_NAME as SERVICE_NAME
from ._layout import BundleDir as BundleDir
from ._layout import InstallPaths as InstallPaths
from ._layout import read_blacklist as read_blacklist
from ._service import ProcessServiceManager as ProcessServiceManager
from ._service import ServiceManager as ServiceManager
from ._service import SystemdServiceManager as SystemdServiceManager
from ._service import default_service_manager as default_service_manager

__version__ = "0.1.0"

__all__ = [
    "CRASH_AFTER_ENV", "SERVICE_NAME", "STEPS", "BackupStatus", "Blacklisted", "BundleDir",
    "BundleError", "DaemonClient", "InstallFailed", "InstallPaths", "Installer",
    "InstallerOptions", "ProcessServiceManager", "RequirementsError", "RollbackFailed",
    "ServiceError", "ServiceManager", "StepFailed", "SystemdServiceManager", "checksum_url",
    "default_service_manager", "download_bundle", "read_blacklist", "unpack_bundle",
]
