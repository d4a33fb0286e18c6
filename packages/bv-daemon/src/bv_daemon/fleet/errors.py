"""Errors of the fleet-API side of the daemon, translated from grpc at the client boundary.

    bv_core.errors.BvError
    ├── InvalidInput
    │   └── FleetRejected         the API refused the request as invalid (INVALID_ARGUMENT, OUT_OF_RANGE)
    ├── NotFound
    │   └── FleetNotFound         the API does not know the named thing (NOT_FOUND)
    ├── Conflict
    │   └── FleetConflict         the API says it clashes with its state (ALREADY_EXISTS, FAILED_PRECONDITION)
    └── ExternalError
        ├── FleetUnavailable      transport or server trouble, retried before it is raised
        └── FleetAuthError        our credentials were refused (UNAUTHENTICATED, PERMISSION_DENIED)
            └── TokenRefreshFailed  AuthService.Refresh itself failed; see ``retry_at``

Every error carries ``rpc`` ("CommandService.Pending") and ``code`` (the grpc status name) so
callers and logs can tell exactly which call failed.
"""

from __future__ import annotations

from bv_core.errors import Conflict, ExternalError, InvalidInput, NotFound

__all__ = [
    "FleetAuthError",
    "FleetConflict",
    "FleetError",
    "FleetNotFound",
    "FleetRejected",
    "FleetUnavailable",
    "TokenRefreshFailed",
]


class FleetError:
    """Mixin holding what every fleet error carries; always combined with a bv_core family."""

    rpc: str
    code: str

    def _set(self, rpc: str, code: str) -> None:
        self.rpc = rpc
        self.code = code


def _message(rpc: str, code: str, details: str) -> str:
    return f"fleet API {rpc} failed: {code}: {details or 'no details'}"


class FleetRejected(InvalidInput, FleetError):
    def __init__(self, rpc: str, code: str, details: str) -> None:
        self._set(rpc, code)
        super().__init__(_message(rpc, code, details))


class FleetNotFound(NotFound, FleetError):
    def __init__(self, rpc: str, code: str, details: str) -> None:
        self._set(rpc, code)
        super().__init__(_message(rpc, code, details))


class FleetConflict(Conflict, FleetError):
    def __init__(self, rpc: str, code: str, details: str) -> None:
        self._set(rpc, code)
        super().__init__(_message(rpc, code, details))


class FleetUnavailable(ExternalError, FleetError):
    def __init__(self, rpc: str, code: str, details: str) -> None:
        self._set(rpc, code)
        super().__init__(_message(rpc, code, details))


class FleetAuthError(ExternalError, FleetError):
    def __init__(self, rpc: str, code: str, details: str) -> None:
        self._set(rpc, code)
        super().__init__(_message(rpc, code, details))


class TokenRefreshFailed(FleetAuthError):
    """Refreshing the host token failed; no new refresh is attempted before ``retry_at``.

    ``retry_at`` is on the client's clock (monotonic seconds by default). Calls made before
    then fail fast with this error instead of hammering AuthService.
    """

    def __init__(self, rpc: str, code: str, details: str, retry_at: float) -> None:
        super().__init__(rpc, code, details)
        self.retry_at = retry_at
