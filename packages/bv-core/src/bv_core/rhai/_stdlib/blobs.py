"""BLOB (byte array) functions: Rhai's BasicBlobPackage minus the float/string writers.
Byte values are ints; only their lower 8 bits are stored."""

from __future__ import annotations

from typing import Any

from .._registry import CallContext, FunctionRegistry, NoMatch
from .._values import Char
from ._common import (
    as_blob,
    as_int,
    as_range,
    calc_index,
    calc_offset_len,
    range_start_len,
    reg,
    rhai_eq,
)
from .strings import refuse_size

__all__ = ["install"]


def _new(ctx: CallContext) -> bytearray:
    return bytearray()


def _new_len(ctx: CallContext, length: Any) -> bytearray:
    return _new_filled(ctx, length, 0)


def _new_filled(ctx: CallContext, length: Any, value: Any) -> bytearray:
    size, byte = max(as_int(length), 0), as_int(value) & 0xFF
    _pre_check(ctx, size)
    result = bytearray([byte]) * size
    ctx.check_size(result)
    return result


def _pre_check(ctx: CallContext, length: int) -> None:
    refuse_size(ctx, length, "max_array_size", "BLOB", "bytes")


def _len(ctx: CallContext, b: Any) -> int:
    return len(as_blob(b))


def _is_empty(ctx: CallContext, b: Any) -> bool:
    return not as_blob(b)


def _to_array(ctx: CallContext, b: Any) -> list[Any]:
    return list(as_blob(b))


def _contains(ctx: CallContext, b: Any, value: Any) -> bool:
    return (as_int(value) & 0xFF) in as_blob(b)


def _get(ctx: CallContext, b: Any, index: Any) -> int:
    b, index = as_blob(b), as_int(index)
    if not b:
        return 0
    start, _ = calc_offset_len(len(b), index, 0)
    return b[start] if start < len(b) else 0


def _set(ctx: CallContext, b: Any, index: Any, value: Any) -> None:
    b, index, value = as_blob(b), as_int(index), as_int(value)
    if not b:
        return
    start, _ = calc_offset_len(len(b), index, 0)
    if start < len(b):
        b[start] = value & 0xFF


def _push(ctx: CallContext, b: Any, value: Any) -> None:
    b = as_blob(b)
    b.append(as_int(value) & 0xFF)
    ctx.check_size(b)


def _append(ctx: CallContext, b: Any, other: Any) -> None:
    b = as_blob(b)
    if type(other) is bytearray:
        b.extend(other)
    elif type(other) is str or type(other) is Char:
        b.extend(str.__str__(other).encode("utf-8", "surrogatepass"))
    else:
        raise NoMatch
    ctx.check_size(b)


def _concat(ctx: CallContext, a: Any, b: Any) -> bytearray:
    result = as_blob(a) + as_blob(b)
    ctx.check_size(result)
    return result


def _insert(ctx: CallContext, b: Any, index: Any, value: Any) -> None:
    b, index, value = as_blob(b), as_int(index), as_int(value)
    start, _ = calc_offset_len(len(b), index, 0)
    b.insert(start, value & 0xFF)
    ctx.check_size(b)


def _pad(ctx: CallContext, b: Any, length: Any, value: Any) -> None:
    b, length, value = as_blob(b), as_int(length), as_int(value)
    if length <= len(b):
        return
    _pre_check(ctx, length)
    b.extend(bytes([value & 0xFF]) * (length - len(b)))
    ctx.check_size(b)


def _pop(ctx: CallContext, b: Any) -> int:
    b = as_blob(b)
    return b.pop() if b else 0


def _shift(ctx: CallContext, b: Any) -> int:
    b = as_blob(b)
    return b.pop(0) if b else 0


def _remove(ctx: CallContext, b: Any, index: Any) -> int:
    b, index = as_blob(b), as_int(index)
    pos = calc_index(len(b), index)
    return 0 if pos is None else b.pop(pos)


def _clear(ctx: CallContext, b: Any) -> None:
    as_blob(b).clear()


def _truncate(ctx: CallContext, b: Any, length: Any) -> None:
    b, length = as_blob(b), as_int(length)
    del b[max(length, 0) :]


def _chop(ctx: CallContext, b: Any, length: Any) -> None:
    b, length = as_blob(b), as_int(length)
    if length <= 0:
        b.clear()
    elif length < len(b):
        del b[: len(b) - length]


def _reverse(ctx: CallContext, b: Any) -> None:
    as_blob(b).reverse()


def _splice(ctx: CallContext, b: Any, start: Any, count: Any, replace: Any) -> None:
    b, start, count, replace = as_blob(b), as_int(start), as_int(count), as_blob(replace)
    if not b:
        b.extend(replace)
    else:
        begin, n = calc_offset_len(len(b), start, count)
        b[begin : begin + n] = replace
    ctx.check_size(b)


def _splice_range(ctx: CallContext, b: Any, r: Any, replace: Any) -> None:
    start, count = range_start_len(as_range(r))
    _splice(ctx, b, start, count, replace)


def _extract(ctx: CallContext, b: Any, start: Any, count: Any) -> bytearray:
    b, start, count = as_blob(b), as_int(start), as_int(count)
    if not b or count <= 0:
        return bytearray()
    begin, n = calc_offset_len(len(b), start, count)
    return bytearray(b[begin : begin + n])


def _extract_tail(ctx: CallContext, b: Any, start: Any) -> bytearray:
    return _extract(ctx, b, start, len(as_blob(b)) + 1)


def _extract_range(ctx: CallContext, b: Any, r: Any) -> bytearray:
    start, count = range_start_len(as_range(r))
    return _extract(ctx, b, start, count)


def _split_off(ctx: CallContext, b: Any, index: Any) -> bytearray:
    b, index = as_blob(b), as_int(index)
    if not b:
        return bytearray()
    begin, n = calc_offset_len(len(b), index, len(b) + 1)
    if begin >= len(b):
        return bytearray()
    cut = len(b) - n if begin == 0 else begin
    tail = bytearray(b[cut:])
    del b[cut:]
    return tail


def _drain(ctx: CallContext, b: Any, start: Any, count: Any) -> bytearray:
    b, start, count = as_blob(b), as_int(start), as_int(count)
    if not b or count <= 0:
        return bytearray()
    begin, n = calc_offset_len(len(b), start, count)
    drained = bytearray(b[begin : begin + n])
    del b[begin : begin + n]
    return drained


def _drain_range(ctx: CallContext, b: Any, r: Any) -> bytearray:
    start, count = range_start_len(as_range(r))
    return _drain(ctx, b, start, count)


def _retain(ctx: CallContext, b: Any, start: Any, count: Any) -> bytearray:
    b, start, count = as_blob(b), as_int(start), as_int(count)
    if not b or count <= 0:
        return bytearray()
    begin, n = calc_offset_len(len(b), start, count)
    removed = bytearray(b[:begin] + b[begin + n :])
    b[:] = b[begin : begin + n]
    return removed


def _retain_range(ctx: CallContext, b: Any, r: Any) -> bytearray:
    start, count = range_start_len(as_range(r))
    return _retain(ctx, b, start, count)


def _parse_int(b: bytearray, start: int, count: int, little: bool) -> int:
    if not b or count <= 0:
        return 0
    begin, n = calc_offset_len(len(b), start, count)
    if n == 0:
        return 0
    # Rhai copies up to 8 bytes into a zeroed 8-byte buffer, so a short big-endian read
    # lands in the high bytes.
    buf = bytes(b[begin : begin + min(n, 8)]).ljust(8, b"\0")
    return int.from_bytes(buf, "little" if little else "big", signed=True)


def _parse_le(ctx: CallContext, b: Any, start: Any, count: Any) -> int:
    return _parse_int(as_blob(b), as_int(start), as_int(count), True)


def _parse_be(ctx: CallContext, b: Any, start: Any, count: Any) -> int:
    return _parse_int(as_blob(b), as_int(start), as_int(count), False)


def _parse_le_range(ctx: CallContext, b: Any, r: Any) -> int:
    start, count = range_start_len(as_range(r))
    return _parse_int(as_blob(b), start, count, True)


def _parse_be_range(ctx: CallContext, b: Any, r: Any) -> int:
    start, count = range_start_len(as_range(r))
    return _parse_int(as_blob(b), start, count, False)


def _eq(ctx: CallContext, a: Any, b: Any) -> bool:
    return rhai_eq(as_blob(a), as_blob(b))


def _ne(ctx: CallContext, a: Any, b: Any) -> bool:
    return not rhai_eq(as_blob(a), as_blob(b))


def install(registry: FunctionRegistry) -> None:
    """Register the BLOB functions."""
    reg(registry, "blob", 0, _new)
    reg(registry, "blob", 1, _new_len)
    reg(registry, "blob", 2, _new_filled)
    reg(registry, "len get$len", 1, _len)
    reg(registry, "is_empty get$is_empty", 1, _is_empty)
    reg(registry, "to_array", 1, _to_array)
    reg(registry, "contains", 2, _contains)
    reg(registry, "get", 2, _get)
    reg(registry, "set", 3, _set)
    reg(registry, "push append +=", 2, _push)
    reg(registry, "append +=", 2, _append)
    reg(registry, "+", 2, _concat)
    reg(registry, "insert", 3, _insert)
    reg(registry, "pad", 3, _pad)
    reg(registry, "pop", 1, _pop)
    reg(registry, "shift", 1, _shift)
    reg(registry, "remove", 2, _remove)
    reg(registry, "clear", 1, _clear)
    reg(registry, "truncate", 2, _truncate)
    reg(registry, "chop", 2, _chop)
    reg(registry, "reverse", 1, _reverse)
    reg(registry, "splice", 4, _splice)
    reg(registry, "splice", 3, _splice_range)
    reg(registry, "extract", 3, _extract)
    reg(registry, "extract", 2, _extract_tail)
    reg(registry, "extract", 2, _extract_range)
    reg(registry, "split", 2, _split_off)
    reg(registry, "drain", 3, _drain)
    reg(registry, "drain", 2, _drain_range)
    reg(registry, "retain", 3, _retain)
    reg(registry, "retain", 2, _retain_range)
    reg(registry, "parse_le_int", 3, _parse_le)
    reg(registry, "parse_be_int", 3, _parse_be)
    reg(registry, "parse_le_int", 2, _parse_le_range)
    reg(registry, "parse_be_int", 2, _parse_be_range)
    reg(registry, "==", 2, _eq)
    reg(registry, "!=", 2, _ne)
