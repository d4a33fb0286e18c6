"""Restart decisions: the original's Backoff + JobBackoff (babel-plugin.md §3.2), pure logic.

The delay before retry n (n from 0) is ``backoff_base_ms * 2**n``, capped at MAX_DELAY_MS. A
run that lasted longer than ``backoff_timeout_ms`` resets n and restarts at once. With
``max_retries`` set, the job finishes once n reaches it. Times are seconds from an injected
clock; nothing here sleeps.
"""

from __future__ import annotations

from typing import Final

import msgspec

from bv_core.jobs import Finished, Restart, RestartPolicy

__all__ = ["MAX_DELAY_MS", "Backoff", "GiveUp", "RestartAfter"]

MAX_DELAY_MS: Final = 3_600_000  # one hour: keeps 2**n from growing without bound


class RestartAfter(msgspec.Struct, frozen=True):
    delay: float  # seconds; 0 = at once


class GiveUp(msgspec.Struct, frozen=True):
    status: Finished


class Backoff:
    def __init__(self, restart: Restart) -> None:
        self._restart = restart
        self._counter = 0
        self._started_at: float | None = None

    @property
    def retries(self) -> int:
        return self._counter

    def start(self, now: float) -> None:
        """Record that the job's process was spawned at ``now``."""
        self._started_at = now

    def stopped(self, now: float, exit_code: int | None, message: str) -> RestartAfter | GiveUp:
        """Decide what follows a run that ended with ``exit_code`` (None = killed by a signal)."""
        policy = self._restart.policy
        if policy is RestartPolicy.NEVER:
            return GiveUp(Finished(exit_code, "" if exit_code == 0 else message))
        if policy is RestartPolicy.ON_FAILURE and exit_code == 0:
            return GiveUp(Finished(0, ""))
        cfg = self._restart.config
        assert cfg is not None, "always/on_failure always carry a RestartConfig"
        ran_for_ms = (now - (self._started_at if self._started_at is not None else now)) * 1000
        if ran_for_ms > cfg.backoff_timeout_ms:
            self._counter = 0
            return RestartAfter(0.0)
        if cfg.max_retries is not None and self._counter >= cfg.max_retries:
            return GiveUp(Finished(exit_code, message))
        delay_ms = min(cfg.backoff_base_ms * 2**self._counter, MAX_DELAY_MS)
        self._counter += 1
        return RestartAfter(delay_ms / 1000)
