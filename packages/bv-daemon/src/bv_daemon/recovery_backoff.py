"""Recovery budgets of one node (bv-host.md §2.13): per kind of failure, a deferral of
``base * 2**k`` after the k-th failure and exhaustion after ``max_tries`` failures.

Time is passed in (``now``), never read here, so the recovery loop and tests share one clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["BACKOFF_POLICIES", "BackoffPolicy", "RecoveryBackoff", "RecoveryKind"]


class RecoveryKind(enum.Enum):
    START = "start"
    STOP = "stop"  # also used for restarts
    RECONNECT = "reconnect"
    VM = "vm"


@dataclass(frozen=True)
class BackoffPolicy:
    base_secs: float
    max_tries: int


BACKOFF_POLICIES: dict[RecoveryKind, BackoffPolicy] = {
    RecoveryKind.START: BackoffPolicy(15.0, 3),
    RecoveryKind.STOP: BackoffPolicy(45.0, 3),
    RecoveryKind.RECONNECT: BackoffPolicy(5.0, 3),
    RecoveryKind.VM: BackoffPolicy(1.0, 3),
}


@dataclass
class RecoveryBackoff:
    policies: dict[RecoveryKind, BackoffPolicy] = field(default_factory=lambda: dict(BACKOFF_POLICIES))
    failures: dict[RecoveryKind, int] = field(default_factory=dict)
    not_before: float = 0.0

    def due(self, now: float) -> bool:
        """Whether a recovery attempt may run at ``now``."""
        return now >= self.not_before

    def failed(self, kind: RecoveryKind, now: float) -> bool:
        """Record a failure; returns True when the budget of ``kind`` is exhausted."""
        k = self.failures.get(kind, 0)
        policy = self.policies[kind]
        self.failures[kind] = k + 1
        self.not_before = now + policy.base_secs * (2**k)
        return k + 1 >= policy.max_tries

    def succeeded(self) -> None:
        """Any success resets every counter."""
        self.failures.clear()
        self.not_before = 0.0
