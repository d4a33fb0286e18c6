"""Helpers shared by the stdlib modules: argument type guards (raising NoMatch so the next
overload is tried), Rhai's index arithmetic, Rust-compatible trimming, equality as the
``==`` operator defines it, and calls of function-pointer arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import RhaiError
from .._registry import CallContext, FunctionRegistry, NoMatch, RuntimeFault
from .._values import INT_MAX, INT_MIN, Char, FnPtr, Timestamp, deep_copy

__all__ = [
    "ReceiverUpdate",
    "as_array",
    "as_blob",
    "as_bool",
    "as_char",
    "as_float",
    "as_fn",
    "as_int",
    "as_map",
    "as_range",
    "as_str",
    "calc_index",
    "range_start_len",
    "calc_offset_len",
    "call_indexed",
    "check_int",
    "copy_in",
    "reg",
    "rhai_eq",
    "rust_trim",
    "truthy",
]


@dataclass(frozen=True, slots=True)
class ReceiverUpdate:
    """Returned by a native method that changes a receiver Python cannot change in place
    (a string or a char: ``s.trim()``, ``s.pad(5, ' ')``, ``c.make_upper()``...).

    The evaluator must store ``value`` back into the variable, property or element the
    receiver came from, and use ``result`` as the value of the call. When the call is not
    a method call on an assignable receiver (``trim(s)``, ``"x".trim()``), only ``result``
    is used (Rhai discards changes to temporary copies the same way).
    """

    value: Any
    result: Any = None


def reg(registry: FunctionRegistry, names: str, arity: int, fn: Callable[..., Any]) -> None:
    """Register ``fn`` under each space-separated name in ``names``."""
    for name in names.split():
        registry.register(name, arity, fn)


# --- type guards --------------------------------------------------------------------------


def as_int(v: Any) -> int:
    if type(v) is int:
        return v
    raise NoMatch


def as_float(v: Any) -> float:
    if type(v) is float:
        return v
    raise NoMatch


def as_bool(v: Any) -> bool:
    if type(v) is bool:
        return v
    raise NoMatch


def as_str(v: Any) -> str:
    if type(v) is str:
        return v
    raise NoMatch


def as_char(v: Any) -> Char:
    if type(v) is Char:
        return v
    raise NoMatch


def as_array(v: Any) -> list[Any]:
    if type(v) is list:
        return v
    raise NoMatch


def as_map(v: Any) -> dict[str, Any]:
    if type(v) is dict:
        return v
    raise NoMatch


def as_blob(v: Any) -> bytearray:
    if type(v) is bytearray:
        return v
    raise NoMatch


def as_range(v: Any) -> range:
    """A Rhai range (``a..b`` / ``a..=b``) as the evaluator passes it: a Python ``range``
    with step 1 (an inclusive range ``a..=b`` arrives as ``range(a, b + 1)``)."""
    if type(v) is range and v.step == 1:
        return v
    raise NoMatch


def range_start_len(r: range) -> tuple[int, int]:
    """A range argument as (start, count), clamped so a negative start or an empty range
    selects nothing before position 0 (how ranged splice/extract/drain/retain read it)."""
    start = max(r.start, 0)
    return start, max(r.stop, start) - start


def as_fn(v: Any) -> FnPtr:
    """A function-pointer argument; Rhai also accepts a function name as a string."""
    if type(v) is FnPtr:
        return v
    if type(v) is str:
        if (
            not v
            or not (v[0].isalpha() or v[0] == "_")
            or not all(c.isalnum() or c == "_" for c in v)
        ):
            raise RuntimeFault(f"Invalid function name: {v!r}")
        return FnPtr(v)
    raise NoMatch


def check_int(value: int, what: str) -> int:
    """Raise Rhai's overflow error when a result does not fit in i64."""
    if INT_MIN <= value <= INT_MAX:
        return value
    raise RuntimeFault(f"Integer overflow: {what}")


def truthy(v: Any) -> bool:
    """Rhai's ``as_bool().unwrap_or(false)``: only a real ``true`` counts."""
    return v is True


def copy_in(v: Any) -> Any:
    """Copy a value that is about to be stored inside a container (value semantics)."""
    t = type(v)
    if t is list or t is dict or t is bytearray or t is FnPtr:
        return deep_copy(v)
    return v


# --- index arithmetic (Rhai's calc_offset_len / calc_index) --------------------------------


def calc_offset_len(length: int, start: int, count: int) -> tuple[int, int]:
    """Start and length of a slice: a negative start counts from the end (clamped to 0),
    a start past the end gives ``(length, 0)``, the length is clamped to what is left."""
    if start < 0:
        start = length - min(-start, length)
    elif start >= length:
        return length, 0
    if count <= 0:
        return start, 0
    return start, min(count, length - start)


def calc_index(length: int, index: int) -> int | None:
    """A single position: negative counts from the end; None when out of bounds."""
    if index < 0:
        if -index <= length:
            return length + index
        return None
    if index < length:
        return index
    return None


# Rust's char::is_whitespace (Unicode White_Space); Python's str.isspace differs on
# U+001C..U+001F, which Rust does not trim.
_RUST_WS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def rust_trim(s: str) -> str:
    return s.strip(_RUST_WS)


# --- equality -----------------------------------------------------------------------------


def rhai_eq(a: Any, b: Any) -> bool:
    """``a == b`` by Rhai's rules: ints and floats compare by value, chars compare with
    strings, other different types are unequal; arrays and maps element by element."""
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in _NUMERIC and tb in _NUMERIC:
        return bool(a == b)
    if ta in _TEXT and tb in _TEXT:
        return str.__eq__(a, b)
    if ta is not tb:
        return False
    if ta is list:
        return len(a) == len(b) and all(rhai_eq(x, y) for x, y in zip(a, b, strict=True))
    if ta is dict:
        return a.keys() == b.keys() and all(rhai_eq(a[k], b[k]) for k in a)
    if ta is FnPtr:
        return bool(a.name == b.name and a.fn_def is b.fn_def and rhai_eq(a.curry, b.curry))
    if ta is Timestamp or a is None or ta in (bytearray, range):
        return bool(a == b)
    return a is b


_NUMERIC = (int, float)
_TEXT = (str, Char)


# --- calling function pointers ------------------------------------------------------------


def _declared_arity(fn: FnPtr) -> int | None:
    """Parameters a closure still takes after its curried arguments (None for a named
    function, whose overloads are only known when it is called)."""
    nparams = getattr(fn.fn_def, "nparams", None)
    if type(nparams) is int:
        return nparams - len(fn.curry)
    params = getattr(fn.fn_def, "params", None)
    if isinstance(params, list | tuple):
        return len(params) - len(fn.curry)
    return None


def _is_not_found(err: Exception, name: str) -> bool:
    text = getattr(err, "message", None) or str(err)
    return f"Function not found: {name} (" in text


def call_indexed(ctx: CallContext, fn: FnPtr, items: list[Any], index: int) -> Any:
    """Call ``fn(items...)``, or ``fn(items..., index)`` when the function takes one more
    parameter (Rhai's optional index argument of filter/map/reduce/...)."""
    arity = _declared_arity(fn)
    if arity == len(items) + 1:
        return ctx.call_fn_ptr(fn, [*items, index])
    if arity is not None:
        return ctx.call_fn_ptr(fn, items)
    try:
        return ctx.call_fn_ptr(fn, items)
    except (RhaiError, RuntimeFault) as err:
        if not _is_not_found(err, fn.name):
            raise
    return ctx.call_fn_ptr(fn, [*items, index])


def swallowed(err: Exception) -> bool:
    """Whether an error from a comparer callback may be ignored (as Rhai's sort and dedup
    do): script errors yes, sandbox limits never."""
    return getattr(err, "catchable", True) is not False
