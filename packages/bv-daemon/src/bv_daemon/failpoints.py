"""Named pause points for crash tests: ``BV_FAILPOINTS=name[,name...]`` makes the daemon stop
forever at those points, so a test can SIGKILL it at an exact step (mid-create, mid-upgrade).

Unset in production: every call is then a dictionary-free no-op.
"""

from __future__ import annotations

import asyncio
import logging
import os

__all__ = ["failpoint"]

log = logging.getLogger(__name__)

_ACTIVE = frozenset(p.strip() for p in os.environ.get("BV_FAILPOINTS", "").split(",") if p.strip())


async def failpoint(name: str) -> None:
    if name in _ACTIVE:
        log.warning("failpoint %s reached: pausing forever", name)
        await asyncio.Event().wait()
