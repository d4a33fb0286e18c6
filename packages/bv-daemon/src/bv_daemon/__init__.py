"""blockvisord (host daemon), bv (operator CLI) and nib (node image builder)."""

from __future__ import annotations

__version__ = "0.1.0"
