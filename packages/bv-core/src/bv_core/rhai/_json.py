"""Conversion between Rhai values and JSON-able Python values."""

from __future__ import annotations

from typing import Any

from ._values import INT_MAX, INT_MIN, Char, FnPtr, Timestamp, type_name

__all__ = ["from_json_value", "to_json_value"]


def to_json_value(value: Any) -> Any:
    """Rhai value -> JSON-able Python: maps become dicts sorted by key, ``()`` None,
    chars str, blobs lists of ints, ranges lists; other custom types their display text."""
    t = type(value)
    if value is None or t is bool or t is int or t is float or t is str:
        return value
    if t is Char:
        return str(value)
    if t is list:
        return [to_json_value(v) for v in value]
    if t is dict:
        return {k: to_json_value(value[k]) for k in sorted(value)}
    if t is bytearray:
        return list(value)
    if t is range:
        return list(value)
    if t is FnPtr:
        return f"Fn({value.name})"
    if t is Timestamp:
        return value.at
    to_json = getattr(value, "to_json_value", None)
    if callable(to_json):
        return to_json()
    return type_name(value)


def from_json_value(obj: Any) -> Any:
    """JSON-like Python (dict/list/tuple/int/float/str/bool/None) -> Rhai value."""
    t = type(obj)
    if obj is None or t is bool or t is float or t is str:
        return obj
    if t is int:
        if not INT_MIN <= obj <= INT_MAX:
            return float(obj)
        return obj
    if isinstance(obj, dict):
        return {str(k): from_json_value(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [from_json_value(v) for v in obj]
    if isinstance(obj, (bytes, bytearray)):
        return bytearray(obj)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    raise TypeError(f"cannot convert {type(obj).__name__} to a Rhai value")
