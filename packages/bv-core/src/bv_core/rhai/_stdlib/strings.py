"""String and character functions (Rhai's MoreStringPackage and the char functions of
BasicStringPackage). Positions and lengths count characters, not bytes.

Methods that change the string they are called on return a ReceiverUpdate, because
Python strings are immutable (see ``_common.ReceiverUpdate``)."""

from __future__ import annotations

import re
from typing import Any

from .._errors import RhaiLimitError
from .._format import display
from .._registry import CallContext, FunctionRegistry, NoMatch, RuntimeFault
from .._values import Char
from ._common import (
    ReceiverUpdate,
    as_blob,
    as_char,
    as_int,
    as_range,
    as_str,
    reg,
    rust_trim,
)

__all__ = ["install", "max_size", "refuse_size"]


def max_size(ctx: CallContext, field: str) -> int:
    """The engine's size limit ``field`` (0 = unlimited) when the context exposes its
    Limits (``ctx.limits`` or ``ctx.rt.limits``); lets a function refuse a huge result
    before building it."""
    limits = getattr(ctx, "limits", None) or getattr(getattr(ctx, "rt", None), "limits", None)
    value = getattr(limits, field, 0)
    return value if type(value) is int else 0


# Without a configured limit, refuse results no sane script needs rather than run the
# host out of memory.
HARD_CAP = 1 << 31


def refuse_size(ctx: CallContext, length: int, field: str, what: str, unit: str) -> None:
    """Raise before building a ``length``-long result that would break a size limit."""
    limit = max_size(ctx, field)
    if limit and length > limit:
        raise RhaiLimitError(f"{what} exceeds the maximum size of {limit} {unit} ({field})")
    if length > HARD_CAP:
        raise RuntimeFault(f"{what[0].upper()}{what[1:]} too large: {length} {unit}")


def _checked(ctx: CallContext, s: str) -> str:
    ctx.check_size(s)
    return s


def _pre_check_len(ctx: CallContext, length: int) -> None:
    refuse_size(ctx, length, "max_string_size", "string", "characters")


# --- size and content ---------------------------------------------------------------------


def _len(ctx: CallContext, s: Any) -> int:
    return len(as_str(s))


def _is_empty(ctx: CallContext, s: Any) -> bool:
    return not as_str(s)


def _bytes(ctx: CallContext, s: Any) -> int:
    return len(as_str(s).encode("utf-8", "surrogatepass"))


def _contains(ctx: CallContext, s: Any, sub: Any) -> bool:
    s = as_str(s)
    if type(sub) is str or type(sub) is Char:
        return sub in s
    raise NoMatch


def _starts_with(ctx: CallContext, s: Any, prefix: Any) -> bool:
    return as_str(s).startswith(as_str(prefix))


def _ends_with(ctx: CallContext, s: Any, suffix: Any) -> bool:
    return as_str(s).endswith(as_str(suffix))


def _needle(v: Any) -> str:
    if type(v) is str or type(v) is Char:
        return str.__str__(v)
    raise NoMatch


def _index_of(ctx: CallContext, s: Any, sub: Any) -> int:
    text, needle = as_str(s), _needle(sub)
    if not text:
        return -1
    return text.find(needle)


def _index_of_from(ctx: CallContext, s: Any, sub: Any, start: Any) -> int:
    text, needle, begin = as_str(s), _needle(sub), as_int(start)
    if not text:
        return -1
    n = len(text)
    if begin < 0:
        begin = 0 if -begin > n else n + begin
    elif begin >= n:
        return -1
    return text.find(needle, begin)


def _get(ctx: CallContext, s: Any, index: Any) -> Any:
    s, index = as_str(s), as_int(index)
    if index >= 0:
        return Char(s[index]) if index < len(s) else None
    return Char(s[index]) if -index <= len(s) else None


def _set(ctx: CallContext, s: Any, index: Any, ch: Any) -> ReceiverUpdate:
    s, index, ch = as_str(s), as_int(index), as_char(ch)
    n = len(s)
    if index < 0:
        if -index > n:
            return ReceiverUpdate(s)
        index += n
    if index >= n:
        return ReceiverUpdate(s)
    return ReceiverUpdate(s[:index] + str.__str__(ch) + s[index + 1 :])


# --- sub-strings --------------------------------------------------------------------------


def _slice(s: str, start: int, count: int) -> str | None:
    """Rhai's sub_string/crop arithmetic; None means 'empty result'."""
    if not s or count <= 0:
        return None
    n = len(s)
    if start < 0:
        offset = 0 if -start > n else n + start
    elif start >= n:
        return None
    else:
        offset = start
    return s[offset : offset + min(count, n - offset)]


def _sub_string(ctx: CallContext, s: Any, start: Any, count: Any) -> str:
    return _slice(as_str(s), as_int(start), as_int(count)) or ""


def _sub_string_from(ctx: CallContext, s: Any, start: Any) -> str:
    s = as_str(s)
    return _slice(s, as_int(start), len(s) + 1) or ""


def _range_bounds(r: range) -> tuple[int, int]:
    start = max(r.start, 0)
    return start, max(r.stop, start) - start


def _sub_string_range(ctx: CallContext, s: Any, r: Any) -> str:
    start, count = _range_bounds(as_range(r))
    return _slice(as_str(s), start, count) or ""


def _crop(ctx: CallContext, s: Any, start: Any, count: Any) -> ReceiverUpdate:
    s, start, count = as_str(s), as_int(start), as_int(count)
    if not s:
        return ReceiverUpdate(s)
    return ReceiverUpdate(_slice(s, start, count) or "")


def _crop_from(ctx: CallContext, s: Any, start: Any) -> ReceiverUpdate:
    s = as_str(s)
    return _crop(ctx, s, start, len(s) + 1)


def _crop_range(ctx: CallContext, s: Any, r: Any) -> ReceiverUpdate:
    start, count = _range_bounds(as_range(r))
    return _crop(ctx, s, start, count)


def _truncate(ctx: CallContext, s: Any, length: Any) -> ReceiverUpdate:
    s, length = as_str(s), as_int(length)
    return ReceiverUpdate(s[:length] if length > 0 else "")


def _clear(ctx: CallContext, s: Any) -> ReceiverUpdate:
    as_str(s)
    return ReceiverUpdate("")


def _trim(ctx: CallContext, s: Any) -> ReceiverUpdate:
    return ReceiverUpdate(rust_trim(as_str(s)))


def _remove(ctx: CallContext, s: Any, sub: Any) -> ReceiverUpdate:
    s, sub = as_str(s), _needle(sub)
    return ReceiverUpdate(s.replace(sub, "") if sub else s)


def _pop(ctx: CallContext, s: Any) -> ReceiverUpdate:
    s = as_str(s)
    if not s:
        return ReceiverUpdate(s, None)
    return ReceiverUpdate(s[:-1], Char(s[-1]))


def _pop_n(ctx: CallContext, s: Any, count: Any) -> ReceiverUpdate:
    s, count = as_str(s), as_int(count)
    if not s or count <= 0:
        return ReceiverUpdate(s, "")
    cut = max(len(s) - count, 0)
    return ReceiverUpdate(s[:cut], s[cut:])


def _replace(ctx: CallContext, s: Any, find: Any, sub: Any) -> ReceiverUpdate:
    s, find, sub = as_str(s), _needle(find), _needle(sub)
    if not s:
        return ReceiverUpdate(s)
    if not find:
        # Rust's str::replace with an empty pattern inserts at every char boundary.
        return ReceiverUpdate(_checked(ctx, sub + sub.join(s) + sub))
    return ReceiverUpdate(_checked(ctx, s.replace(find, sub)))


def _pad(ctx: CallContext, s: Any, length: Any, padding: Any) -> ReceiverUpdate:
    s, length = as_str(s), as_int(length)
    if type(padding) is Char:
        fill = str.__str__(padding)
    elif type(padding) is str:
        fill = padding
    else:
        raise NoMatch
    if length <= 0:
        return ReceiverUpdate(s)
    _pre_check_len(ctx, length)
    if length <= len(s) or not fill:
        return ReceiverUpdate(s)
    missing = length - len(s)
    extra = (fill * (missing // len(fill) + 1))[:missing]
    return ReceiverUpdate(_checked(ctx, s + extra))


# --- case ---------------------------------------------------------------------------------


def _to_upper(ctx: CallContext, s: Any) -> str:
    return as_str(s).upper()


def _to_lower(ctx: CallContext, s: Any) -> str:
    return as_str(s).lower()


def _make_upper(ctx: CallContext, s: Any) -> ReceiverUpdate:
    return ReceiverUpdate(as_str(s).upper())


def _make_lower(ctx: CallContext, s: Any) -> ReceiverUpdate:
    return ReceiverUpdate(as_str(s).lower())


def _char_case(c: Char, upper: bool) -> Char:
    mapped = c.upper() if upper else c.lower()
    # Rust keeps the character when its case mapping is more than one character.
    return Char(mapped) if len(mapped) == 1 else c


def _char_to_upper(ctx: CallContext, c: Any) -> Char:
    return _char_case(as_char(c), True)


def _char_to_lower(ctx: CallContext, c: Any) -> Char:
    return _char_case(as_char(c), False)


def _char_make_upper(ctx: CallContext, c: Any) -> ReceiverUpdate:
    return ReceiverUpdate(_char_case(as_char(c), True))


def _char_make_lower(ctx: CallContext, c: Any) -> ReceiverUpdate:
    return ReceiverUpdate(_char_case(as_char(c), False))


def _char_to_int(ctx: CallContext, c: Any) -> int:
    return ord(as_char(c))


def _max(ctx: CallContext, a: Any, b: Any) -> Any:
    if (type(a) is str and type(b) is str) or (type(a) is Char and type(b) is Char):
        return a if a >= b else b
    raise NoMatch


def _min(ctx: CallContext, a: Any, b: Any) -> Any:
    if (type(a) is str and type(b) is str) or (type(a) is Char and type(b) is Char):
        return a if a <= b else b
    raise NoMatch


# --- splitting ----------------------------------------------------------------------------

_WS_RE = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def _split_at(ctx: CallContext, s: Any, index: Any) -> list[Any]:
    s, index = as_str(s), as_int(index)
    n = len(s)
    if index <= 0:
        cut = 0 if -index > n else n + index
    else:
        cut = min(index, n)
    return [s[:cut], s[cut:]]


def _split_ws(ctx: CallContext, s: Any) -> list[Any]:
    return [p for p in _WS_RE.split(as_str(s)) if p]


def _pieces(s: str, delim: str) -> list[str]:
    if delim:
        return s.split(delim)
    return ["", *s, ""]  # Rust splits an empty pattern at every char boundary


def _split(ctx: CallContext, s: Any, delim: Any) -> list[Any]:
    return _checked_list(ctx, _pieces(as_str(s), _needle(delim)))


def _split_n(ctx: CallContext, s: Any, delim: Any, segments: Any) -> list[Any]:
    text, sep, count = as_str(s), _needle(delim), as_int(segments)
    if count < 1:
        return [text]
    if sep:
        return list(text.split(sep, count - 1))
    pieces = _pieces(text, sep)
    if len(pieces) <= count:
        return pieces
    return [*pieces[: count - 1], "".join(pieces[count - 1 :])]


def _split_rev(ctx: CallContext, s: Any, delim: Any) -> list[Any]:
    s, delim = as_str(s), _needle(delim)
    if not delim:
        return _pieces(s, delim)[::-1]
    return list(s.rsplit(delim))[::-1]


def _split_rev_n(ctx: CallContext, s: Any, delim: Any, segments: Any) -> list[Any]:
    s, delim, segments = as_str(s), _needle(delim), as_int(segments)
    if segments < 1:
        return [s]
    if not delim:
        pieces = _pieces(s, delim)[::-1]
        if len(pieces) <= segments:
            return pieces
        return [*pieces[: segments - 1], "".join(reversed(pieces[segments - 1 :]))]
    return list(s.rsplit(delim, segments - 1))[::-1]


def _checked_list(ctx: CallContext, items: list[Any]) -> list[Any]:
    ctx.check_size(items)
    return items


def _to_chars(ctx: CallContext, s: Any) -> list[Any]:
    return _checked_list(ctx, [Char(c) for c in as_str(s)])


def _chars_window(s: str, start: int, count: int) -> list[Any]:
    """Rhai's CharsStream: ``count`` chars from ``start`` (negative counts from the end).
    Rhai iterates lazily; a list iterates the same way in ``for``."""
    if count <= 0:
        return []
    if start < 0:
        start = max(len(s) + start, 0)
    return [Char(c) for c in s[start : start + count]]


def _chars_from(ctx: CallContext, s: Any, start: Any) -> list[Any]:
    text = as_str(s)
    return _chars_window(text, as_int(start), len(text))


def _chars_n(ctx: CallContext, s: Any, start: Any, count: Any) -> list[Any]:
    return _chars_window(as_str(s), as_int(start), as_int(count))


def _chars_range(ctx: CallContext, s: Any, r: Any) -> list[Any]:
    start, count = _range_bounds(as_range(r))
    return _chars_window(as_str(s), start, count)


def _minus(ctx: CallContext, s: Any, sub: Any) -> str:
    text, needle = as_str(s), _needle(sub)
    return text.replace(needle, "") if needle else text


def _minus_assign(ctx: CallContext, s: Any, sub: Any) -> ReceiverUpdate:
    return ReceiverUpdate(_minus(ctx, s, sub))


def _to_blob(ctx: CallContext, s: Any) -> bytearray:
    return bytearray(as_str(s).encode("utf-8", "surrogatepass"))


# --- concatenation ------------------------------------------------------------------------


def _text_of(item: Any) -> str:
    if type(item) is bytearray:
        return item.decode("utf-8", "replace")
    return display(item)


def _append_any(ctx: CallContext, s: Any, item: Any) -> ReceiverUpdate:
    s = as_str(s)
    text = _text_of(item)
    return ReceiverUpdate(_checked(ctx, s + text) if text else s)


def _plus_append(ctx: CallContext, s: Any, item: Any) -> str:
    s = as_str(s)
    text = _text_of(item)
    return _checked(ctx, s + text) if text else s


def _plus_prepend(ctx: CallContext, item: Any, s: Any) -> str:
    s = as_str(s)
    if type(item) is str:
        raise NoMatch
    return _checked(ctx, _text_of(item) + s)


def _char_plus_char(ctx: CallContext, a: Any, b: Any) -> str:
    return str.__str__(as_char(a)) + str.__str__(as_char(b))


def _blob_as_string(ctx: CallContext, b: Any) -> str:
    return as_blob(b).decode("utf-8", "replace")


def install(registry: FunctionRegistry) -> None:
    """Register the string and char functions."""
    reg(registry, "len get$len", 1, _len)
    reg(registry, "is_empty get$is_empty", 1, _is_empty)
    reg(registry, "bytes get$bytes", 1, _bytes)
    reg(registry, "contains", 2, _contains)
    reg(registry, "starts_with", 2, _starts_with)
    reg(registry, "ends_with", 2, _ends_with)
    reg(registry, "index_of", 2, _index_of)
    reg(registry, "index_of", 3, _index_of_from)
    reg(registry, "get", 2, _get)
    reg(registry, "set", 3, _set)
    reg(registry, "sub_string", 3, _sub_string)
    reg(registry, "sub_string", 2, _sub_string_from)
    reg(registry, "sub_string", 2, _sub_string_range)
    reg(registry, "crop", 3, _crop)
    reg(registry, "crop", 2, _crop_from)
    reg(registry, "crop", 2, _crop_range)
    reg(registry, "truncate", 2, _truncate)
    reg(registry, "clear", 1, _clear)
    reg(registry, "trim", 1, _trim)
    reg(registry, "remove", 2, _remove)
    reg(registry, "pop", 1, _pop)
    reg(registry, "pop", 2, _pop_n)
    reg(registry, "replace", 3, _replace)
    reg(registry, "pad", 3, _pad)
    reg(registry, "to_upper", 1, _to_upper)
    reg(registry, "to_lower", 1, _to_lower)
    reg(registry, "make_upper", 1, _make_upper)
    reg(registry, "make_lower", 1, _make_lower)
    reg(registry, "to_upper", 1, _char_to_upper)
    reg(registry, "to_lower", 1, _char_to_lower)
    reg(registry, "make_upper", 1, _char_make_upper)
    reg(registry, "make_lower", 1, _char_make_lower)
    reg(registry, "to_int", 1, _char_to_int)
    reg(registry, "max", 2, _max)
    reg(registry, "min", 2, _min)
    reg(registry, "split", 2, _split_at)
    reg(registry, "split", 1, _split_ws)
    reg(registry, "split", 2, _split)
    reg(registry, "split", 3, _split_n)
    reg(registry, "split_rev", 2, _split_rev)
    reg(registry, "split_rev", 3, _split_rev_n)
    reg(registry, "to_chars chars", 1, _to_chars)
    reg(registry, "chars", 2, _chars_from)
    reg(registry, "chars", 2, _chars_range)
    reg(registry, "chars", 3, _chars_n)
    reg(registry, "-", 2, _minus)
    reg(registry, "-=", 2, _minus_assign)
    reg(registry, "to_blob", 1, _to_blob)
    reg(registry, "as_string", 1, _blob_as_string)
    reg(registry, "+= append", 2, _append_any)
    reg(registry, "+", 2, _plus_append)
    reg(registry, "+", 2, _plus_prepend)
    reg(registry, "+", 2, _char_plus_char)
