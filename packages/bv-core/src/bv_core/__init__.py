"""BlockVisor shared core: models, contracts, persistence and the Rhai plugin language.

Layout (each subpackage re-exports its public names):
    bv_core.errors       the root of every package's exception tree
    bv_core.persistence  atomic file writes (temp + fsync + rename + fsync dir)
    bv_core.models       typed models of every document BlockVisor reads or writes
    bv_core.proto        generated protobuf / gRPC code (never hand-edited)
    bv_core.rhai         the sandboxed Rhai interpreter
    bv_core.plugin       the engine-independent plugin runtime (config, default algorithms, linter)
"""

from __future__ import annotations

__version__ = "0.1.0"
