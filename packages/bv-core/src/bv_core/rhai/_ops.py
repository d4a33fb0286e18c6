"""Built-in operators with Rhai's typing rules (the slow, general paths).

The compiler inlines int fast paths; everything else lands here. Rules: no implicit
coercion except int/float mixing and ``string + anything`` (via ``display``); ``==`` on
different types is false and ``!=`` true; other operators on unsupported types fall back
to a registered native operator function, else "Function not found".
"""

from __future__ import annotations

import math
from typing import Any

from ._errors import RhaiRuntimeError
from ._values import INT_MAX, INT_MIN, Char, type_name

try:
    from ._format import display
except ImportError:  # pragma: no cover - only while _format.py is being written
    def display(value: Any) -> str:
        return "" if value is None else str(value)

try:
    from ._stdlib._common import rhai_eq
except ImportError:  # pragma: no cover
    def rhai_eq(a: Any, b: Any) -> bool:
        return type(a) is type(b) and bool(a == b)

__all__ = ["arith", "compare", "contains", "display", "int_overflow", "not_found", "rhai_eq",
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


def arith(op: str, a: Any, b: Any, max_str: int = 0) -> Any:
    """``a op b`` for the arithmetic and bit operators (+ - * / % ** << >> & | ^)."""
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return _int_arith(op, a, b)
    if ta in _NUM and tb in _NUM:
        return _float_arith(op, float(a), float(b))
    if op == "+":
        if ta is str or tb is str or (ta is Char and tb is Char):
            if ta is Char and tb is Char:
                r = a + b
            else:
                r = (a if ta is str else display(a)) + (b if tb is str else display(b))
            if max_str and len(r) > max_str:
                from ._errors import RhaiLimitError

                raise RhaiLimitError(f"string exceeds the maximum size of {max_str} characters (max_string_size)")
            return str(r)
        if ta is Char and tb is str or ta is str and tb is Char:
            return str(a) + str(b)
        if ta is list and tb is list:
            return a + b
        if ta is dict and tb is dict:
            out = dict(a)
            out.update(b)
            return out
        if ta is bytearray and tb is bytearray:
            return a + b
    if ta is bool and tb is bool and op in ("&", "|", "^"):
        if op == "&":
            return a and b
        if op == "|":
            return a or b
        return a != b
    raise not_found(op, (a, b))


def compare(op: str, a: Any, b: Any) -> bool:
    """``== != < <= > >=`` with Rhai's rules."""
    if op == "==":
        return rhai_eq(a, b)
    if op == "!=":
        return not rhai_eq(a, b)
    ta, tb = type(a), type(b)
    ok = (
        (ta in _NUM and tb in _NUM)
        or (ta in (str, Char) and tb in (str, Char))
        or (ta is bool and tb is bool)
        or (a is None and b is None)
    )
    if not ok:
        raise not_found(op, (a, b))
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
