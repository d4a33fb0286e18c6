"""Provisions a host for a BlockVisor fleet and installs the bundle (``bvup``, a standalone zipapp)."""

from __future__ import annotations

__version__ = "0.1.0"

from ._provision import Options as Options  # noqa: E402
from ._provision import provision as provision  # noqa: E402

__all__ = ["Options", "__version__", "provision"]
