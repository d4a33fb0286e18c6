"""Job runner errors.

    JobRunnerError (bv_core.errors.BvError)
    ├── SpawnError            the job's command could not be started (fatal: retrying can't help)
    └── IllegalTransition     a bug: the state machine was asked for an edge it does not have
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bv_core.errors import BvError, InternalError

if TYPE_CHECKING:
    from ._states import RunState

__all__ = ["IllegalTransition", "JobRunnerError", "SpawnError"]


class JobRunnerError(BvError):
    """Base of the job runner's errors."""


class SpawnError(JobRunnerError):
    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class IllegalTransition(JobRunnerError, InternalError):
    def __init__(self, name: str, current: RunState, wanted: RunState, allowed: frozenset[RunState]) -> None:
        names = ", ".join(sorted(s.value for s in allowed)) or "none"
        super().__init__(
            f"job {name!r}: cannot go from {current.value} to {wanted.value} (allowed: {names})"
        )
