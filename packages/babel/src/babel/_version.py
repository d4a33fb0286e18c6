"""Babel version (the daemon compares it with an image's min_babel_version)."""

from __future__ import annotations

__version__ = "0.1.0"
