"""Shared helpers for the bv_core model and persistence tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bv_core.errors import ModelError

DATA = Path(__file__).parent / "data"

Step = str | int


def _mutated(doc: Any, path: list[Step], op: str, value: Any = None) -> Any:
    """A deep copy of ``doc`` with one edit at ``path``: set / delete / rename (value = new key)."""
    out = copy.deepcopy(doc)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == "set":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "rename":
        assert isinstance(parent, dict)
        parent = {value if k == last else k: v for k, v in parent.items()}
        return _mutated(out, path[:-1], "set", parent) if path[:-1] else parent
    else:
        raise AssertionError(op)
    return out


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def json_fixture() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return json.loads((DATA / name).read_text())

    return load


@pytest.fixture
def mutate() -> Callable[..., Any]:
    return _mutated


@pytest.fixture
def check_error() -> Callable[[ModelError, str, str, str], None]:
    """Assert a ModelError names the document, the exact field path and the expectation."""

    def check(err: ModelError, source: str, path: str, fragment: str) -> None:
        message = str(err)
        assert err.source == source, message
        assert err.path == path, message
        assert fragment.lower() in err.expected.lower(), message
        assert message.startswith(f"{source}: {path}: "), message
        assert "\n" not in message

    return check
