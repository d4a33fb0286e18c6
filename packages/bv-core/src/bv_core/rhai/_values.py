"""How Rhai values are represented in Python (the contract between evaluator and stdlib).

    Rhai            Python
    ()              None
    bool            bool
    INT (i64)       int   (never bool; every arithmetic result is range-checked)
    FLOAT (f64)     float
    char            Char  (a 1-character ``str`` subclass, so it can be told apart from strings)
    ImmutableString str
    Array           list
    Map             dict[str, Any]   (Rhai maps are ordered by key: iterate via ``sorted``)
    Blob            bytearray
    Fn pointer      FnPtr
    timestamp       Timestamp
    custom types    any other Python object; its Rhai type name is ``type_name(value)``

Rhai has value semantics: assigning or passing an array/map/blob copies it. The evaluator
copies; native functions may mutate their first argument in place (that is how methods like
``push`` change the variable they are called on).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["INT_MAX", "INT_MIN", "Char", "FnPtr", "Timestamp", "deep_copy", "type_name"]

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


class Char(str):
    """A Rhai ``char``: exactly one Unicode scalar value."""

    __slots__ = ()


@dataclass
class FnPtr:
    """A Rhai function pointer: a function name, curried arguments, and for closures the
    anonymous function definition plus captured (shared) variables. ``fn_def`` and
    ``captured`` are opaque to the stdlib; only the evaluator interprets them."""

    name: str
    curry: list[Any] = field(default_factory=list)
    fn_def: Any = None
    captured: Any = None

    def is_anonymous(self) -> bool:
        return self.fn_def is not None


@dataclass(frozen=True)
class Timestamp:
    """A Rhai ``timestamp()``: a monotonic instant in seconds."""

    at: float = field(default_factory=time.monotonic)


_TYPE_NAMES: dict[type, str] = {
    type(None): "()",
    bool: "bool",
    int: "i64",
    float: "f64",
    Char: "char",
    str: "string",
    list: "array",
    dict: "map",
    bytearray: "blob",
    FnPtr: "Fn",
    Timestamp: "timestamp",
}


def type_name(value: Any) -> str:
    """The name Rhai's ``type_of()`` gives ``value``."""
    name = _TYPE_NAMES.get(type(value))
    if name is not None:
        return name
    custom = getattr(value, "rhai_type_name", None)
    return custom if isinstance(custom, str) else type(value).__name__


def deep_copy(value: Any) -> Any:
    """Copy a value the way Rhai's clone does (containers deeply, scalars as they are)."""
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, bytearray):
        return bytearray(value)
    if isinstance(value, FnPtr):
        return FnPtr(value.name, [deep_copy(v) for v in value.curry], value.fn_def, value.captured)
    return value
