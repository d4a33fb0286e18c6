"""Installer errors.

Tree::

    BvError (bv_core.errors)
     ├─ InvalidInput
     │   └─ Blacklisted        this version failed before: refused (operator/updater input)
     ├─ ExternalError
     │   ├─ RequirementsError  the host lacks something the bundle needs (kernel, tool, bridge)
     │   ├─ BundleError        the bundle is incomplete or its files do not match SHA256SUMS
     │   ├─ StepFailed         one install step failed or timed out (names the step)
     │   └─ ServiceError       the service manager could not start/stop/query the daemon
     ├─ InstallFailed          install failed; host left on the previous version (or nothing)
     └─ RollbackFailed         install failed AND the rollback failed: the host is broken
"""

from __future__ import annotations

from bv_core.errors import BvError, ExternalError, InvalidInput

__all__ = [
    "Blacklisted",
    "BundleError",
    "InstallFailed",
    "RequirementsError",
    "RollbackFailed",
    "ServiceError",
    "StepFailed",
]


class Blacklisted(InvalidInput):
    pass


class RequirementsError(ExternalError):
    pass


class BundleError(ExternalError):
    pass


class StepFailed(ExternalError):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"step '{step}' failed: {message}")
        self.step = step


class ServiceError(ExternalError):
    pass


class InstallFailed(BvError):
    pass


class RollbackFailed(BvError):
    pass
