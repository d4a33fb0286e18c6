"""Built-in operators with Rhai's typing rules (the slow, general paths).

The compiler inlines int fast paths; everything else lands here. Rules: no implicit
coercion except int/float mixing and ``string + anything`` (via ``display``); ``==`` on
different types is false and ``!=`` true; other operators on unsupported types fall back
to a registered native operator function, else "Function not found".
"""

from __future__ import annotations

import math
from typing import Any

from ._errors import RhaiLimitError, RhaiRuntimeError
from ._format import display
from ._limits import Limits
from ._stdlib._common import rhai_eq
from ._values import INT_MAX, INT_MIN, Char, type_name

__all__ = ["arith", "check_result", "compare", "contains", "display", "int_overflow", "not_found", "rhai_eq",
           "to_bool", "unary"]

_NUM = (int, float)
_MASK = (1 << 64) - 1


def not_found(name: str, args: list[Any] | tuple[Any, ...]) -> RhaiRuntimeError:
    types = ", ".join(type_name(a) for a in args)
    return RhaiRuntimeError(f"Function not found: {name} ({types})")


def int_overflow(op: str, a: Any, b: Any) -> RhaiRuntimeError:
    word = {"+": "Addition", "-": "Subtraction", "*": "Multiplication", "/": "Division",
            "%": "Modulo division", "**": "Exponential", "<<": "Left-shift",
            ">>": "Right-shift"}.get(op, "Arithmetic")
    return RhaiRuntimeError(f"{word} overflow: {a} {op} {b}")


def to_bool(value: Any, what: str = "") -> bool:
    if value is True or value is False:
        return value
    raise RhaiRuntimeError(f"Data type incorrect: {type_name(value)} (expecting bool){what}")


def _is_num(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def _int_arith(op: str, a: int, b: int) -> Any:
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "/":
        if b == 0:
            raise RhaiRuntimeError(f"Division by zero: {a} / {b}")
        q = abs(a) // abs(b)
        r = q if (a >= 0) == (b >= 0) else -q
    elif op == "%":
        if b == 0:
            raise RhaiRuntimeError(f"Division by zero: {a} % {b}")
        m = abs(a) % abs(b)
        r = m if a >= 0 else -m
    elif op == "**":
        if b < 0:
            raise RhaiRuntimeError(f"Integer raised to a negative power: {a} ** {b}")
        if b > 0xFFFFFFFF or (abs(a) > 1 and b > 64):
            raise int_overflow(op, a, b)
        r = a**b
    elif op == "<<" or op == ">>":
        if b < 0:
            op, b = (">>" if op == "<<" else "<<"), -b
        if b >= 64:
            raise int_overflow(op, a, b)
        if op == ">>":
            return a >> b
        r = (a << b) & _MASK
        return r - (1 << 64) if r > INT_MAX else r
    elif op == "&":
        return a & b
    elif op == "|":
        return a | b
    elif op == "^":
        return a ^ b
    else:
        raise not_found(op, (a, b))
    if INT_MIN <= r <= INT_MAX:
        return r
    raise int_overflow(op, a, b)


def _float_arith(op: str, a: float, b: float) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            if a == 0 or a != a:
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if op == "%":
        if b == 0:
            return math.nan
        return math.fmod(a, b)
    if op == "**":
        try:
            return math.pow(a, b)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan
    raise not_found(op, (a, b))


def check_result(r: Any, limits: Limits | None) -> Any:
    """Raise RhaiLimitError if an operator result breaks the size limits; else return it."""
    if limits is None:
        return r
    t = type(r)
    if t is str:
        if limits.max_string_size and len(r) > limits.max_string_size:
            raise RhaiLimitError("Length of string too large: more than "
                                 f"{limits.max_string_size} characters (max_string_size)")
    elif t is list or t is bytearray:
        if limits.max_array_size and len(r) > limits.max_array_size:
            raise RhaiLimitError("Size of array too large: more than "
                                 f"{limits.max_array_size} items (max_array_size)")
    elif t is dict:
        if limits.max_map_size and len(r) > limits.max_map_size:
            raise RhaiLimitError("Size of object map too large: more than "
                                 f"{limits.max_map_size} properties (max_map_size)")
    return r


def arith(op: str, a: Any, b: Any, limits: Limits | None = None) -> Any:
    """``a op b`` for the arithmetic and bit operators (+ - * / % ** << >> & | ^);
    NotImplemented when there is no built-in meaning (ask the registry)."""
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return _int_arith(op, a, b)
    if ta in _NUM and tb in _NUM:
        return _float_arith(op, float(a), float(b))
    if op == "+":
        if ta is bytearray or tb is bytearray:
            if ta is bytearray and tb is bytearray:
                return check_result(a + b, limits)
            return NotImplemented
        if ta is str or tb is str or (ta is Char and tb is Char):
            if ta is Char and tb is Char:
                r = a + b
            else:
                r = (a if ta is str else display(a)) + (b if tb is str else display(b))
            return check_result(str(r), limits)
        if ta is Char and tb is str or ta is str and tb is Char:
            return str(a) + str(b)
        if ta is list and tb is list:
            if limits and limits.max_array_size and len(a) + len(b) > limits.max_array_size:
                check_result(a + b, limits)
            return a + b
        if ta is dict and tb is dict:
            out = dict(a)
            out.update(b)
            return check_result(out, limits)
        if ta is bytearray and tb is bytearray:
            return check_result(a + b, limits)
    if ta is bool and tb is bool and op in ("&", "|", "^"):
        if op == "&":
            return a and b
        if op == "|":
            return a or b
        return a != b
    return NotImplemented


def compare(op: str, a: Any, b: Any) -> Any:
    """``== != < <= > >=`` with Rhai's rules; NotImplemented means "ask the registry"
    (same non-built-in type on both sides, e.g. two timestamps)."""
    ta, tb = type(a), type(b)
    builtin = (
        (ta in _NUM and tb in _NUM)
        or (ta in (str, Char) and tb in (str, Char))
        or (ta is bool and tb is bool)
        or (a is None and b is None)
    )
    if op == "==" or op == "!=":
        if ta is tb and not builtin and ta not in (list, dict, bytearray, range):
            if ta.__module__ != "builtins" and ta.__name__ not in ("FnPtr", "Timestamp"):
                return NotImplemented
        eq = rhai_eq(a, b)
        return eq if op == "==" else not eq
    if not builtin:
        # Different types never compare (false, as Rhai's default comparison operators);
        # the same non-built-in type may have registered operators.
        return NotImplemented if ta is tb else False
    if a is None:
        return op in ("<=", ">=")
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def unary(op: str, v: Any) -> Any:
    t = type(v)
    if op == "-":
        if t is int:
            if v == INT_MIN:
                raise RhaiRuntimeError(f"Negation overflow: -{v}")
            return -v
        if t is float:
            return -v
    elif op == "+":
        if t is int or t is float:
            return v
    elif op == "!":
        if t is bool:
            return not v
    raise not_found(op, (v,))


def contains(container: Any, item: Any) -> bool | None:
    """Built-in ``item in container``; None means "ask the registry's contains()"."""
    t = type(container)
    if t is str:
        if type(item) in (str, Char):
            return item in container
        return None
    if t is list:
        return any(rhai_eq(x, item) for x in container)
    if t is dict:
        if type(item) in (str, Char):
            return item in container
        return None
    if t is range:
        if type(item) is int:
            return item in container
        return None
    if t is bytearray:
        if type(item) is int:
            return 0 <= item <= 255 and item in container
        return None
    return None
