"""Array functions (Rhai's BasicArrayPackage). Methods mutate the receiver list in place.

Callbacks (``filter``, ``map``, ``reduce``...) take a function pointer or a function name;
they get the element and, if they declare one more parameter, its index."""

from __future__ import annotations

import functools
from typing import Any

from .._errors import RhaiError
from .._registry import CallContext, FunctionRegistry, NoMatch, RuntimeFault
from .._values import Char, FnPtr, deep_copy
from ._common import (
    as_array,
    as_fn,
    as_int,
    as_range,
    calc_index,
    calc_offset_len,
    call_indexed,
    copy_in,
    range_start_len,
    reg,
    rhai_eq,
    swallowed,
    truthy,
)
from .strings import refuse_size

__all__ = ["install"]


def _len(ctx: CallContext, a: Any) -> int:
    return len(as_array(a))


def _is_empty(ctx: CallContext, a: Any) -> bool:
    return not as_array(a)


def _get(ctx: CallContext, a: Any, index: Any) -> Any:
    a, index = as_array(a), as_int(index)
    if not a:
        return None
    start, _ = calc_offset_len(len(a), index, 0)
    return deep_copy(a[start]) if start < len(a) else None


def _set(ctx: CallContext, a: Any, index: Any, value: Any) -> None:
    a, index = as_array(a), as_int(index)
    if not a:
        return
    start, _ = calc_offset_len(len(a), index, 0)
    if start < len(a):
        a[start] = copy_in(value)


def _push(ctx: CallContext, a: Any, item: Any) -> None:
    a = as_array(a)
    a.append(copy_in(item))
    ctx.check_size(a)


def _append(ctx: CallContext, a: Any, other: Any) -> None:
    a, other = as_array(a), as_array(other)
    a.extend(copy_in(v) for v in other)
    ctx.check_size(a)


def _plus_assign(ctx: CallContext, a: Any, item: Any) -> None:
    # `+=` appends an array's elements, or pushes any other value.
    if type(item) is list:
        _append(ctx, a, item)
    else:
        _push(ctx, a, item)


def _concat(ctx: CallContext, a: Any, b: Any) -> list[Any]:
    result = [copy_in(v) for v in as_array(a)] + [copy_in(v) for v in as_array(b)]
    ctx.check_size(result)
    return result


def _insert(ctx: CallContext, a: Any, index: Any, item: Any) -> None:
    a, index = as_array(a), as_int(index)
    start, _ = calc_offset_len(len(a), index, 0)
    a.insert(start, copy_in(item))
    ctx.check_size(a)


def _pad(ctx: CallContext, a: Any, length: Any, item: Any) -> None:
    a, length = as_array(a), as_int(length)
    if length <= len(a):
        return
    refuse_size(ctx, length, "max_array_size", "array", "items")
    a.extend(copy_in(item) for _ in range(length - len(a)))
    ctx.check_size(a)


def _pop(ctx: CallContext, a: Any) -> Any:
    a = as_array(a)
    return a.pop() if a else None


def _shift(ctx: CallContext, a: Any) -> Any:
    a = as_array(a)
    return a.pop(0) if a else None


def _remove(ctx: CallContext, a: Any, index: Any) -> Any:
    a, index = as_array(a), as_int(index)
    pos = calc_index(len(a), index)
    return None if pos is None else a.pop(pos)


def _clear(ctx: CallContext, a: Any) -> None:
    as_array(a).clear()


def _truncate(ctx: CallContext, a: Any, length: Any) -> None:
    a, length = as_array(a), as_int(length)
    del a[max(length, 0) :]


def _chop(ctx: CallContext, a: Any, length: Any) -> None:
    a, length = as_array(a), as_int(length)
    if length <= 0:
        a.clear()
    elif length < len(a):
        del a[: len(a) - length]


def _reverse(ctx: CallContext, a: Any) -> None:
    as_array(a).reverse()


def _splice(ctx: CallContext, a: Any, start: Any, count: Any, replace: Any) -> None:
    a, start, count, replace = as_array(a), as_int(start), as_int(count), as_array(replace)
    items = [copy_in(v) for v in replace]
    if not a:
        a.extend(items)
    else:
        begin, n = calc_offset_len(len(a), start, count)
        a[begin : begin + n] = items
    ctx.check_size(a)


def _splice_range(ctx: CallContext, a: Any, r: Any, replace: Any) -> None:
    start, count = range_start_len(as_range(r))
    _splice(ctx, a, start, count, replace)


def _extract(ctx: CallContext, a: Any, start: Any, count: Any) -> list[Any]:
    a, start, count = as_array(a), as_int(start), as_int(count)
    if not a or count <= 0:
        return []
    begin, n = calc_offset_len(len(a), start, count)
    return deep_copy(a[begin : begin + n])  # type: ignore[no-any-return]


def _extract_tail(ctx: CallContext, a: Any, start: Any) -> list[Any]:
    return _extract(ctx, a, start, len(as_array(a)) + 1)


def _extract_range(ctx: CallContext, a: Any, r: Any) -> list[Any]:
    start, count = range_start_len(as_range(r))
    return _extract(ctx, a, start, count)


def _split_off(ctx: CallContext, a: Any, index: Any) -> list[Any]:
    a, index = as_array(a), as_int(index)
    if not a:
        return []
    begin, n = calc_offset_len(len(a), index, len(a) + 1)
    if begin == 0:
        cut = len(a) - n  # a start at or before the front cuts the whole array
    elif begin >= len(a):
        return []
    else:
        cut = begin
    tail: list[Any] = a[cut:]
    del a[cut:]
    return tail


# --- callbacks ----------------------------------------------------------------------------


def _map(ctx: CallContext, a: Any, fn: Any) -> list[Any]:
    a, fn = as_array(a), as_fn(fn)
    return [call_indexed(ctx, fn, [copy_in(v)], i) for i, v in enumerate(list(a))]


def _filter(ctx: CallContext, a: Any, fn: Any) -> list[Any]:
    a, fn = as_array(a), as_fn(fn)
    return [
        copy_in(v) for i, v in enumerate(list(a)) if truthy(call_indexed(ctx, fn, [copy_in(v)], i))
    ]


def _contains(ctx: CallContext, a: Any, value: Any) -> bool:
    return any(rhai_eq(v, value) for v in as_array(a))


def _index_of_from(ctx: CallContext, a: Any, value: Any, start: Any) -> int:
    a, start = as_array(a), as_int(start)
    if type(value) is FnPtr or type(value) is str:
        raise NoMatch
    if not a:
        return -1
    begin, _ = calc_offset_len(len(a), start, 0)
    for i in range(begin, len(a)):
        if rhai_eq(a[i], value):
            return i
    return -1


def _index_of(ctx: CallContext, a: Any, value: Any) -> int:
    return _index_of_from(ctx, a, value, 0)


def _index_of_fn_from(ctx: CallContext, a: Any, fn: Any, start: Any) -> int:
    a, start = as_array(a), as_int(start)
    # A string is a function name here, as in Rhai (its &str overload beats Dynamic).
    if type(fn) is not FnPtr and type(fn) is not str:
        raise NoMatch
    fn = as_fn(fn)
    if not a:
        return -1
    begin, _ = calc_offset_len(len(a), start, 0)
    for i in range(begin, len(a)):
        if i < len(a) and truthy(call_indexed(ctx, fn, [copy_in(a[i])], i)):
            return i
    return -1


def _index_of_fn(ctx: CallContext, a: Any, fn: Any) -> int:
    return _index_of_fn_from(ctx, a, fn, 0)


def _some(ctx: CallContext, a: Any, fn: Any) -> bool:
    a, fn = as_array(a), as_fn(fn)
    return any(truthy(call_indexed(ctx, fn, [copy_in(v)], i)) for i, v in enumerate(list(a)))


def _none(ctx: CallContext, a: Any, fn: Any) -> bool:
    return not _some(ctx, a, fn)


def _all(ctx: CallContext, a: Any, fn: Any) -> bool:
    a, fn = as_array(a), as_fn(fn)
    return all(truthy(call_indexed(ctx, fn, [copy_in(v)], i)) for i, v in enumerate(list(a)))


def _find_from(ctx: CallContext, a: Any, fn: Any, start: Any) -> Any:
    a, fn, start = as_array(a), as_fn(fn), as_int(start)
    if not a:
        return None
    begin, _ = calc_offset_len(len(a), start, 0)
    for i in range(begin, len(a)):
        if i < len(a) and truthy(call_indexed(ctx, fn, [copy_in(a[i])], i)):
            return copy_in(a[i])
    return None


def _find(ctx: CallContext, a: Any, fn: Any) -> Any:
    return _find_from(ctx, a, fn, 0)


def _find_map_from(ctx: CallContext, a: Any, fn: Any, start: Any) -> Any:
    a, fn, start = as_array(a), as_fn(fn), as_int(start)
    if not a:
        return None
    begin, _ = calc_offset_len(len(a), start, 0)
    for i in range(begin, len(a)):
        if i < len(a):
            value = call_indexed(ctx, fn, [copy_in(a[i])], i)
            if value is not None:
                return value
    return None


def _find_map(ctx: CallContext, a: Any, fn: Any) -> Any:
    return _find_map_from(ctx, a, fn, 0)


def _reduce_init(ctx: CallContext, a: Any, fn: Any, initial: Any) -> Any:
    a, fn = as_array(a), as_fn(fn)
    result = initial
    for i, v in enumerate(list(a)):
        result = call_indexed(ctx, fn, [result, copy_in(v)], i)
    return result


def _reduce(ctx: CallContext, a: Any, fn: Any) -> Any:
    return _reduce_init(ctx, a, fn, None)


def _reduce_rev_init(ctx: CallContext, a: Any, fn: Any, initial: Any) -> Any:
    a, fn = as_array(a), as_fn(fn)
    result = initial
    items = list(a)
    for i in range(len(items) - 1, -1, -1):
        result = call_indexed(ctx, fn, [result, copy_in(items[i])], i)
    return result


def _reduce_rev(ctx: CallContext, a: Any, fn: Any) -> Any:
    return _reduce_rev_init(ctx, a, fn, None)


def _drain_fn(ctx: CallContext, a: Any, fn: Any) -> list[Any]:
    a, fn = as_array(a), as_fn(fn)
    kept: list[Any] = []
    drained: list[Any] = []
    for i, v in enumerate(list(a)):
        (drained if truthy(call_indexed(ctx, fn, [copy_in(v)], i)) else kept).append(v)
    a[:] = kept
    return drained


def _drain_range(ctx: CallContext, a: Any, start: Any, count: Any) -> list[Any]:
    a, start, count = as_array(a), as_int(start), as_int(count)
    if not a or count <= 0:
        return []
    begin, n = calc_offset_len(len(a), start, count)
    drained: list[Any] = a[begin : begin + n]
    del a[begin : begin + n]
    return drained


def _drain_r(ctx: CallContext, a: Any, r: Any) -> list[Any]:
    start, count = range_start_len(as_range(r))
    return _drain_range(ctx, a, start, count)


def _retain_fn(ctx: CallContext, a: Any, fn: Any) -> list[Any]:
    a, fn = as_array(a), as_fn(fn)
    kept: list[Any] = []
    removed: list[Any] = []
    for i, v in enumerate(list(a)):
        (kept if truthy(call_indexed(ctx, fn, [copy_in(v)], i)) else removed).append(v)
    a[:] = kept
    return removed


def _retain_range(ctx: CallContext, a: Any, start: Any, count: Any) -> list[Any]:
    a, start, count = as_array(a), as_int(start), as_int(count)
    if not a or count <= 0:
        return []
    begin, n = calc_offset_len(len(a), start, count)
    removed: list[Any] = a[:begin] + a[begin + n :]
    a[:] = a[begin : begin + n]
    return removed


def _retain_r(ctx: CallContext, a: Any, r: Any) -> list[Any]:
    start, count = range_start_len(as_range(r))
    return _retain_range(ctx, a, start, count)


def _dedup(ctx: CallContext, a: Any) -> None:
    a = as_array(a)
    out: list[Any] = []
    for v in a:
        if not out or not rhai_eq(out[-1], v):
            out.append(v)
    a[:] = out


def _dedup_fn(ctx: CallContext, a: Any, fn: Any) -> None:
    a, fn = as_array(a), as_fn(fn)
    out: list[Any] = []
    for v in list(a):
        # Rust's dedup_by compares the kept element with the next one; a failing
        # comparer counts as "different", as in Rhai.
        if out:
            try:
                same = truthy(ctx.call_fn_ptr(fn, [copy_in(out[-1]), copy_in(v)]))
            except (RhaiError, RuntimeFault) as err:
                if not swallowed(err):
                    raise
                same = False
            if same:
                continue
        out.append(v)
    a[:] = out


_SORTABLE = (int, float, str, Char, bool, type(None))


def _sort(ctx: CallContext, a: Any) -> None:
    a = as_array(a)
    if len(a) <= 1:
        return
    first = type(a[0])
    if any(type(v) is not first for v in a):
        raise RuntimeFault(
            "Function not found: sort() cannot be called with elements of different types"
        )
    if first in _SORTABLE and first is not type(None):
        a.sort()


def _sort_fn(ctx: CallContext, a: Any, fn: Any) -> None:
    a, fn = as_array(a), as_fn(fn)
    if len(a) <= 1:
        return

    def compare(x: Any, y: Any) -> int:
        try:
            v = ctx.call_fn_ptr(fn, [copy_in(x), copy_in(y)])
        except (RhaiError, RuntimeFault) as err:
            if not swallowed(err):
                raise
            v = None
        if type(v) is int:
            return (v > 0) - (v < 0)
        return 0  # Rhai falls back to comparing type ids: equal for same-typed elements

    a.sort(key=functools.cmp_to_key(compare))


def _eq(ctx: CallContext, a: Any, b: Any) -> bool:
    return rhai_eq(as_array(a), as_array(b))


def _ne(ctx: CallContext, a: Any, b: Any) -> bool:
    return not rhai_eq(as_array(a), as_array(b))


def install(registry: FunctionRegistry) -> None:
    """Register the array functions."""
    reg(registry, "len get$len", 1, _len)
    reg(registry, "is_empty get$is_empty", 1, _is_empty)
    reg(registry, "get", 2, _get)
    reg(registry, "set", 3, _set)
    reg(registry, "push", 2, _push)
    reg(registry, "append", 2, _append)
    reg(registry, "+=", 2, _plus_assign)
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
    reg(registry, "map", 2, _map)
    reg(registry, "filter", 2, _filter)
    # The function-pointer overloads go first: a FnPtr value is a predicate, not an element.
    reg(registry, "index_of", 2, _index_of_fn)
    reg(registry, "index_of", 3, _index_of_fn_from)
    reg(registry, "contains", 2, _contains)
    reg(registry, "index_of", 2, _index_of)
    reg(registry, "index_of", 3, _index_of_from)
    reg(registry, "some", 2, _some)
    reg(registry, "none", 2, _none)
    reg(registry, "all", 2, _all)
    reg(registry, "find", 2, _find)
    reg(registry, "find", 3, _find_from)
    reg(registry, "find_map", 2, _find_map)
    reg(registry, "find_map", 3, _find_map_from)
    reg(registry, "reduce", 2, _reduce)
    reg(registry, "reduce", 3, _reduce_init)
    reg(registry, "reduce_rev", 2, _reduce_rev)
    reg(registry, "reduce_rev", 3, _reduce_rev_init)
    reg(registry, "drain", 2, _drain_fn)
    reg(registry, "drain", 3, _drain_range)
    reg(registry, "drain", 2, _drain_r)
    reg(registry, "retain", 2, _retain_fn)
    reg(registry, "retain", 3, _retain_range)
    reg(registry, "retain", 2, _retain_r)
    reg(registry, "dedup", 1, _dedup)
    reg(registry, "dedup", 2, _dedup_fn)
    reg(registry, "sort", 1, _sort)
    reg(registry, "sort", 2, _sort_fn)
    reg(registry, "==", 2, _eq)
    reg(registry, "!=", 2, _ne)
