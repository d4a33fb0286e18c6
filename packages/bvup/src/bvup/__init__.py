"""Provisions a host for a BlockVisor fleet and installs the bundle."""

from __future__ import annotations

__version__ = "0.1.0"
