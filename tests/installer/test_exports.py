"""The public surface of bv_installer and bvup is exactly their ``__all__`` (STYLE.md rule 4)."""

from __future__ import annotations

import types

import pytest

import bv_installer
import bvup


@pytest.mark.parametrize("module", [bv_installer, bvup], ids=lambda m: m.__name__)
def test_all_matches_public_names(module: types.ModuleType) -> None:
    public = {n for n in vars(module) if not n.startswith("_") and not isinstance(getattr(module, n), types.ModuleType)}
    assert set(module.__all__) - {"__version__"} == public - {"annotations"}  # the __future__ import
