"""bv_core.models' public surface: __all__ is exactly the public names, all resolvable."""

from __future__ import annotations

import bv_core.models as models


def test_all_matches_public_names() -> None:
    public = {n for n in vars(models) if not n.startswith("_") and n != "annotations"}
    assert set(models.__all__) == public
    assert len(models.__all__) == len(set(models.__all__))


def test_every_export_resolves() -> None:
    for name in models.__all__:
        assert getattr(models, name) is not None, name
