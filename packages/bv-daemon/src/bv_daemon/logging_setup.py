"""Log levels as the README's policy describes: error, warn, info, debug, trace.

Python has no TRACE level; we add one below DEBUG for wire-level detail (RPC payloads, plugin
host calls). ``BV_LOG`` (or ``--log-level``) selects the level; the daemon passes it to babel
through the node environment.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["TRACE", "configure_logging", "parse_level"]

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

_LEVELS = {
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": TRACE,
}


def parse_level(name: str) -> int:
    try:
        return _LEVELS[name.strip().lower()]
    except KeyError:
        choices = ", ".join(k for k in _LEVELS if k != "warning")
        raise ValueError(f"unknown log level '{name}' (choose one of: {choices})") from None


def configure_logging(level: str | None = None, *, identifier: str = "blockvisor") -> int:
    """Log to stderr (journald captures it under systemd); returns the numeric level."""
    numeric = parse_level(level or os.environ.get("BV_LOG", "info"))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(f"%(asctime)s %(levelname)-5s {identifier} %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # grpc/asyncio chatter only from debug on.
    for noisy in ("asyncio", "grpc", "aiohttp"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.INFO))
    return numeric
