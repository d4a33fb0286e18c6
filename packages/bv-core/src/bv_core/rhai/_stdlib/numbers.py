"""Number functions: parsing (parse_int trims its input and takes a radix 2..36, as Rhai's
does), conversions, the integer and float helpers of Rhai's ArithmeticPackage and
BasicMathPackage, formatting in other bases, and integer ranges.

Float maths follows IEEE/Rust results (``sqrt(-1.0)`` is NaN, ``ln(0.0)`` is -inf) where
Python's math module would raise."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .._registry import CallContext, FunctionRegistry, NoMatch, RuntimeFault
from .._values import INT_MAX, INT_MIN
from ._common import as_float, as_int, as_range, as_str, reg, rust_trim

__all__ = ["install", "parse_int_text", "rust_f64_text"]

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _parse_int_error(text: str, radix: int) -> str | None:
    """Rust's ``i64::from_str_radix`` verdict on ``text``: None if it parses, else the
    ParseIntError message."""
    if not text:
        return "cannot parse integer from empty string"
    body = text[1:] if text[0] in "+-" else text
    if not body:
        return "invalid digit found in string"
    allowed = _DIGITS[:radix]
    if any(c.lower() not in allowed or not c.isascii() for c in body):
        return "invalid digit found in string"
    value = int(body, radix) * (-1 if text[0] == "-" else 1)
    if value > INT_MAX:
        return "number too large to fit in target type"
    if value < INT_MIN:
        return "number too small to fit in target type"
    return None


def parse_int_text(text: str, radix: int) -> int:
    """Parse like Rust's ``i64::from_str_radix`` (sign allowed, no prefix, no
    underscores); raises ValueError with Rust's message."""
    err = _parse_int_error(text, radix)
    if err is not None:
        raise ValueError(err)
    return int(text, radix)


def _parse_int_radix(ctx: CallContext, s: Any, radix: Any) -> int:
    s, radix = as_str(s), as_int(radix)
    if not 2 <= radix <= 36:
        raise RuntimeFault(f"Invalid radix: '{radix}'")
    try:
        return parse_int_text(rust_trim(s), radix)
    except ValueError as err:
        raise RuntimeFault(f"Error parsing integer number '{s}': {err}") from None


def _parse_int(ctx: CallContext, s: Any) -> int:
    return _parse_int_radix(ctx, s, 10)


_FLOAT_RE = re.compile(
    r"[+-]?(?:inf|infinity|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", re.IGNORECASE
)


def _parse_float(ctx: CallContext, s: Any) -> float:
    s = as_str(s)
    text = rust_trim(s)
    if not text:
        raise RuntimeFault(
            f"Error parsing floating-point number '{s}': cannot parse float from empty string"
        )
    if not text.isascii() or _FLOAT_RE.fullmatch(text) is None:
        raise RuntimeFault(f"Error parsing floating-point number '{s}': invalid float literal")
    return float(text)


def rust_f64_text(x: float) -> str:
    """Rust's plain ``{}`` of an f64 (no exponent, ``1`` for 1.0), used in error texts."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x):
        return str(int(x))
    return format(x, "f").rstrip("0") if abs(x) >= 1e-4 else repr(x)


def _float_to_int(ctx: CallContext, x: Any) -> int:
    f = as_float(x)
    if f > float(INT_MAX) or f < float(INT_MIN):
        raise RuntimeFault(f"Integer overflow: to_int({rust_f64_text(f)})")
    if math.isnan(f):
        return 0  # Rust's `as` cast saturates NaN to 0
    return max(INT_MIN, min(INT_MAX, math.trunc(f)))


def _int_to_int(ctx: CallContext, x: Any) -> int:
    return as_int(x)


def _int_to_float(ctx: CallContext, x: Any) -> float:
    return float(as_int(x))


# --- integer helpers ----------------------------------------------------------------------


def _abs_int(ctx: CallContext, x: Any) -> int:
    n = as_int(x)
    if n == INT_MIN:
        raise RuntimeFault(f"Negation overflow: -{n}")
    return abs(n)


def _abs_float(ctx: CallContext, x: Any) -> float:
    return abs(as_float(x))


def _sign_int(ctx: CallContext, x: Any) -> int:
    n = as_int(x)
    return (n > 0) - (n < 0)


def _sign_float(ctx: CallContext, x: Any) -> int:
    f = as_float(x)
    if math.isnan(f):
        raise RuntimeFault("Sign of NaN is undefined")
    return (f > 0) - (f < 0)


def _is_zero(ctx: CallContext, x: Any) -> bool:
    if type(x) is int or type(x) is float:
        return x == 0
    raise NoMatch


def _is_odd(ctx: CallContext, x: Any) -> bool:
    return as_int(x) % 2 != 0


def _is_even(ctx: CallContext, x: Any) -> bool:
    return as_int(x) % 2 == 0


def _number(v: Any) -> int | float:
    if type(v) is int or type(v) is float:
        return v
    raise NoMatch


def _max(ctx: CallContext, a: Any, b: Any) -> int | float:
    x, y = _number(a), _number(b)
    if type(x) is int and type(y) is int:
        return x if x >= y else y
    fx, fy = float(x), float(y)
    return fx if fx >= fy else fy


def _min(ctx: CallContext, a: Any, b: Any) -> int | float:
    x, y = _number(a), _number(b)
    if type(x) is int and type(y) is int:
        return x if x <= y else y
    fx, fy = float(x), float(y)
    return fx if fx <= fy else fy


def _to_base(fmt: str) -> Callable[[CallContext, Any], str]:
    def convert(ctx: CallContext, x: Any) -> str:
        # Rust formats a negative i64 in hex/octal/binary as its two's complement.
        return format(as_int(x) & 0xFFFF_FFFF_FFFF_FFFF, fmt)

    return convert


# --- float helpers ------------------------------------------------------------------------


def _ieee(
    fn: Callable[[float], float], on_domain: float = math.nan
) -> Callable[[CallContext, Any], float]:
    def wrapped(ctx: CallContext, x: Any) -> float:
        x = as_float(x)
        try:
            return fn(x)
        except ValueError:
            return on_domain
        except OverflowError:
            return math.inf

    return wrapped


def _ln(x: float) -> float:
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    return math.log(x) if x != math.inf else math.inf


def _div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _log10(x: float) -> float:
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    return math.log10(x) if x != math.inf else math.inf


def _log_base(ctx: CallContext, x: Any, base: Any) -> float:
    return _div(_ln(as_float(x)), _ln(as_float(base)))


def _round(x: float) -> float:
    if not math.isfinite(x):
        return x
    t = float(math.trunc(x))
    if abs(x - t) >= 0.5:
        t += math.copysign(1.0, x)
    return t


def _trunc(x: float) -> float:
    return float(math.trunc(x)) if math.isfinite(x) else x


def _fract(x: float) -> float:
    if math.isinf(x):
        return math.nan
    return x - _trunc(x)


def _floor(x: float) -> float:
    return float(math.floor(x)) if math.isfinite(x) else x


def _ceil(x: float) -> float:
    return float(math.ceil(x)) if math.isfinite(x) else x


def _sqrt(x: float) -> float:
    return math.nan if x < 0 else math.sqrt(x)


def _atanh(x: float) -> float:
    if abs(x) == 1:
        return math.copysign(math.inf, x)
    return math.atanh(x)


def _atan2(ctx: CallContext, x: Any, y: Any) -> float:
    return math.atan2(as_float(x), as_float(y))


def _hypot(ctx: CallContext, x: Any, y: Any) -> float:
    return math.hypot(as_float(x), as_float(y))


def _float_test(test: Callable[[float], bool]) -> Callable[[CallContext, Any], bool]:
    def check(ctx: CallContext, x: Any) -> bool:
        return test(as_float(x))

    return check


# --- ranges -------------------------------------------------------------------------------


def _range(ctx: CallContext, start: Any, end: Any) -> range:
    return range(as_int(start), as_int(end))


def _range_step(ctx: CallContext, start: Any, end: Any, step: Any) -> range:
    start, end, step = as_int(start), as_int(end), as_int(step)
    if step == 0:
        raise RuntimeFault("step value cannot be zero")
    return range(start, end, step)


def _range_start(ctx: CallContext, r: Any) -> int:
    return as_range(r).start


def _range_end(ctx: CallContext, r: Any) -> int:
    return as_range(r).stop


def _range_is_empty(ctx: CallContext, r: Any) -> bool:
    return len(as_range(r)) == 0


def _range_contains(ctx: CallContext, r: Any, x: Any) -> bool:
    return as_int(x) in as_range(r)


def install(registry: FunctionRegistry) -> None:
    """Register the number functions."""
    reg(registry, "parse_int", 1, _parse_int)
    reg(registry, "parse_int", 2, _parse_int_radix)
    reg(registry, "parse_float", 1, _parse_float)
    reg(registry, "to_int", 1, _float_to_int)
    reg(registry, "to_int", 1, _int_to_int)
    reg(registry, "to_float", 1, _int_to_float)
    reg(registry, "abs", 1, _abs_int)
    reg(registry, "abs", 1, _abs_float)
    reg(registry, "sign", 1, _sign_int)
    reg(registry, "sign", 1, _sign_float)
    reg(registry, "is_zero get$is_zero", 1, _is_zero)
    reg(registry, "is_odd get$is_odd", 1, _is_odd)
    reg(registry, "is_even get$is_even", 1, _is_even)
    reg(registry, "max", 2, _max)
    reg(registry, "min", 2, _min)
    reg(registry, "to_hex", 1, _to_base("x"))
    reg(registry, "to_octal", 1, _to_base("o"))
    reg(registry, "to_binary", 1, _to_base("b"))
    reg(registry, "floor get$floor", 1, _ieee(_floor))
    reg(registry, "ceiling get$ceiling", 1, _ieee(_ceil))
    reg(registry, "round get$round", 1, _ieee(_round))
    reg(registry, "int get$int", 1, _ieee(_trunc))
    reg(registry, "fraction get$fraction", 1, _ieee(_fract))
    reg(registry, "is_nan get$is_nan", 1, _float_test(math.isnan))
    reg(registry, "is_finite get$is_finite", 1, _float_test(math.isfinite))
    reg(registry, "is_infinite get$is_infinite", 1, _float_test(math.isinf))
    reg(registry, "sqrt", 1, _ieee(_sqrt))
    reg(registry, "exp", 1, _ieee(math.exp))
    reg(registry, "ln", 1, _ieee(_ln))
    reg(registry, "log", 1, _ieee(_log10))
    reg(registry, "log", 2, _log_base)
    for name, fn in (
        ("sin", math.sin), ("cos", math.cos), ("tan", math.tan),
        ("sinh", math.sinh), ("cosh", math.cosh), ("tanh", math.tanh),
        ("asin", math.asin), ("acos", math.acos), ("atan", math.atan),
        ("asinh", math.asinh), ("acosh", math.acosh), ("atanh", _atanh),
        ("to_degrees", math.degrees), ("to_radians", math.radians),
    ):  # fmt: skip
        reg(registry, name, 1, _ieee(fn))
    reg(registry, "atan", 2, _atan2)
    reg(registry, "hypot", 2, _hypot)
    registry.register("PI", 0, lambda ctx: math.pi)
    registry.register("E", 0, lambda ctx: math.e)
    reg(registry, "range", 2, _range)
    reg(registry, "range", 3, _range_step)
    reg(registry, "start get$start", 1, _range_start)
    reg(registry, "end get$end", 1, _range_end)
    reg(registry, "is_empty get$is_empty", 1, _range_is_empty)
    reg(registry, "contains", 2, _range_contains)
