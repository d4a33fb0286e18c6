"""Text forms of Rhai values: ``display`` (to_string / print / ``${}``), ``debug``
(to_debug / debug) and Rhai's JSON rendering of object maps (``map.to_json()``).

The rules follow Rhai 1.20 (``Dynamic``'s Display/Debug and ``BasicStringPackage``):

* ``()`` displays as ``""`` and debugs as ``"()"``; strings display raw and debug quoted
  with Rust's escapes; chars display raw and debug as ``'c'``.
* Floats display like Rhai's ``FloatWrapper``: ``0.0`` for zero, scientific notation
  (``1e20``, ``1.5e-14``) outside about 1e-13..1e13, otherwise plain decimal with ``.0``
  added to whole numbers. Floats debug like Rust's ``{:?}`` (``1e16``, ``0.0001``, ``1.0``).
* Arrays are ``[a, b]`` and maps ``#{"k": v}`` (keys sorted, as Rhai's BTreeMap), both
  with their elements in debug form; blobs are hex bytes ``[0102ff]`` in groups of 8.
* Custom types display as their Rhai type name.
"""

from __future__ import annotations

import struct
import unicodedata
from typing import Any

from ._values import Char, FnPtr, Timestamp, type_name

__all__ = ["debug", "display", "float_debug", "float_display", "format_json", "rust_str_debug"]


def _f32(value: float) -> float:
    # Rhai keeps its display thresholds as f32 constants and widens them to f64.
    return float(struct.unpack("f", struct.pack("f", value))[0])


_MAX_NATURAL = _f32(10_000_000_000_000.0)
_MIN_NATURAL = _f32(0.000_000_000_000_1)


def _shortest(x: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``abs(x)`` and the decimal point position, so that
    ``abs(x) == 0.DIGITS * 10**point`` (Python's repr and Rust use the same algorithm)."""
    mant, _, exp = repr(abs(x)).partition("e")
    intpart, _, frac = mant.partition(".")
    raw = intpart + frac
    digits = raw.lstrip("0")
    point = len(intpart) + (int(exp) if exp else 0) - (len(raw) - len(digits))
    return digits.rstrip("0") or "0", point


def _plain(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * (-point) + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits)) + ".0"
    return digits[:point] + "." + digits[point:]


def _sci(digits: str, point: int) -> str:
    head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{head}e{point - 1}"


def _special(x: float) -> str | None:
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return None


def float_display(x: float) -> str:
    """Rhai's ``to_string`` of a float."""
    special = _special(x)
    if special is not None:
        return special
    if x == 0.0:
        return "0.0"
    digits, point = _shortest(x)
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a > _MAX_NATURAL or a < _MIN_NATURAL:
        return sign + _sci(digits, point)
    return sign + _plain(digits, point)


def float_debug(x: float) -> str:
    """Rust's ``{:?}`` of an f64 (Rhai's ``to_debug`` of a float)."""
    special = _special(x)
    if special is not None:
        return special
    sign = "-" if str(x).startswith("-") else ""
    if x == 0.0:
        return sign + "0.0"
    digits, point = _shortest(x)
    a = abs(x)
    if a < 1e-4 or a >= 1e16:
        return sign + _sci(digits, point)
    return sign + _plain(digits, point)


_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", "\0": "\\0"}
# Categories Rust's {:?} writes as \u{..}: controls, format characters, line/paragraph
# separators, private use, unassigned, surrogates, and combining (grapheme-extend) marks.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs", "Mn", "Me"})


def _escape_char(ch: str, quote: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch == quote:
        return "\\" + ch
    if ch.isascii():
        return ch if ch.isprintable() else f"\\u{{{ord(ch):x}}}"
    if unicodedata.category(ch) in _UNPRINTABLE:
        return f"\\u{{{ord(ch):x}}}"
    return ch


def rust_str_debug(s: str) -> str:
    """Rust's ``{:?}`` of a string: double-quoted, with ``\\n``, ``\\"``, ``\\u{..}`` escapes."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    return '"' + "".join(_escape_char(ch, '"') for ch in s) + '"'


def _char_debug(c: str) -> str:
    return "'" + _escape_char(c, "'") + "'"


def _blob_debug(b: bytearray) -> str:
    hexed = b.hex()
    groups = [hexed[i : i + 16] for i in range(0, len(hexed), 16)]
    return "[" + " ".join(groups) + "]"


def _fnptr_text(f: FnPtr) -> str:
    if not f.curry:
        return f"Fn({f.name})"
    return f"Fn({f.name}, [" + ", ".join(debug(v) for v in f.curry) + "])"


def _range_text(r: range) -> str:
    return f"{r.start}..{r.stop}"


def _custom_text(value: Any) -> str:
    return type_name(value)


def display(value: Any) -> str:
    """The text ``to_string``/``print``/``${}``/``string + value`` give for ``value``."""
    t = type(value)
    if t is str:
        return value  # type: ignore[no-any-return]
    if t is Char:
        return str.__str__(value)
    if t is int:
        return str(value)
    if value is None:
        return ""
    if t is bool:
        return "true" if value else "false"
    if t is float:
        return float_display(value)
    if t is list or t is dict or t is bytearray:
        return debug(value)
    if t is FnPtr:
        return _fnptr_text(value)
    if t is Timestamp:
        return "<timestamp>"
    if t is range:
        return _range_text(value)
    return _custom_text(value)


def debug(value: Any) -> str:
    """The text ``to_debug``/``debug`` give for ``value`` (strings quoted)."""
    t = type(value)
    if t is str:
        return rust_str_debug(value)
    if t is Char:
        return _char_debug(value)
    if t is int:
        return str(value)
    if value is None:
        return "()"
    if t is bool:
        return "true" if value else "false"
    if t is float:
        return float_debug(value)
    if t is list:
        return "[" + ", ".join(debug(v) for v in value) + "]"
    if t is dict:
        items = ", ".join(f"{rust_str_debug(k)}: {debug(value[k])}" for k in sorted(value))
        return "#{" + items + "}"
    if t is bytearray:
        return _blob_debug(value)
    if t is FnPtr:
        return _fnptr_text(value)
    if t is Timestamp:
        return "<timestamp>"
    if t is range:
        return _range_text(value)
    return _custom_text(value)


def format_json(value: Any) -> str:
    """Rhai's ``format_map_as_json`` extended to any value: maps as objects (keys sorted),
    arrays as arrays, blobs as arrays of byte values, ``()`` as ``null``, function pointers
    as their name (or ``[name, curried...]``), everything else in debug form (so strings
    are Rust-escaped and chars come out as ``'c'``, as in Rhai)."""
    t = type(value)
    if t is dict:
        return (
            "{"
            + ",".join(f"{rust_str_debug(k)}:{format_json(value[k])}" for k in sorted(value))
            + "}"
        )
    if t is list:
        return "[" + ",".join(format_json(v) for v in value) + "]"
    if t is bytearray:
        return "[" + ",".join(str(b) for b in value) + "]"
    if value is None:
        return "null"
    if t is FnPtr:
        if value.curry:
            return (
                "[" + ",".join([rust_str_debug(value.name), *map(format_json, value.curry)]) + "]"
            )
        return rust_str_debug(value.name)
    to_json = getattr(value, "rhai_json", None)
    if callable(to_json):
        return str(to_json())
    return debug(value)
