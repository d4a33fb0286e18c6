"""Rhai's standard library (core + standard packages) and the BlockVisor helper functions.

``install(registry)`` registers every function; each submodule installs one area.
"""

from __future__ import annotations

from .._registry import FunctionRegistry

__all__ = ["install"]


def install(registry: FunctionRegistry) -> None:
    """Register the whole standard library into ``registry``."""
    # Submodules are added here as they are written (strings, arrays, maps, numbers, ...).
