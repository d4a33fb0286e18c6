"""The archive package's public surface is exactly its ``__all__``."""

from __future__ import annotations

import types

import job_runner.archive as archive


def test_all_matches_public_names() -> None:
    public = {
        name
        for name, value in vars(archive).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert set(archive.__all__) == public
