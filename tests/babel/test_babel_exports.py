"""The public surface of babel and job_runner is what __all__ says (STYLE.md rule 4)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("module", ["babel", "job_runner", "bv_core.jobs"])
def test_all_matches_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    public = {
        name for name, value in vars(mod).items()
        if not name.startswith("_") and _defined_in(value, module)
    }
    assert set(mod.__all__) >= public
    for name in mod.__all__:
        assert hasattr(mod, name), name


def _defined_in(value: object, module: str) -> bool:
    owner = getattr(value, "__module__", None)
    return isinstance(owner, str) and (owner == module or owner.startswith(module + "."))
