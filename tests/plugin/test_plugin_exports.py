"""The public surface of bv_core.plugin: __all__ matches the public names."""

from __future__ import annotations

import bv_core.plugin as plugin
import bv_core.plugin.linter as linter


def test_all_matches_public_names() -> None:
    public = {n for n in vars(plugin) if not n.startswith("_") and n not in {"annotations", "linter"}}
    assert sorted(plugin.__all__) == sorted(public)
    assert set(linter.__all__) <= set(vars(linter))
