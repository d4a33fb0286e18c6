"""Sandbox limits of one engine."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Bounds that stop a runaway script; 0 (or None for ``timeout``) means unlimited.

    ``max_operations`` counts loop iterations and function calls (script and native) per
    ``eval``/``run``/``call_fn`` - coarser than Rhai's per-node count. The expression
    depths are the original BlockVisor settings (64 at global level, 32 inside functions).
    ``timeout`` is wall-clock seconds of script time per ``eval``/``run``/``call_fn``,
    checked every 256 operations; time in host functions registered with
    ``Engine.register_fn`` (I/O with its own timeouts) is not charged. The defaults
    stop any runaway within about a second while leaving real plugins (a few hundred
    operations per call) far from the limits.
    """

    max_operations: int = 1_000_000
    max_call_depth: int = 64
    max_expr_depth: int = 64
    max_function_expr_depth: int = 32
    max_string_size: int = 16 * 1024 * 1024
    max_array_size: int = 1_000_000
    max_map_size: int = 1_000_000
    max_modules: int = 64
    timeout: float | None = 0.8
