"""Object-map functions (Rhai's BasicMapPackage). Maps are ordered by key in Rhai, so
``keys()``/``values()`` come out sorted. A map has no property getters: ``m.len`` reads
the key ``len``; only ``m.len()`` calls the function."""

from __future__ import annotations

from typing import Any

from .._format import format_json
from .._registry import CallContext, FunctionRegistry
from ._common import as_fn, as_map, as_str, copy_in, reg, rhai_eq, truthy

__all__ = ["install"]


def _len(ctx: CallContext, m: Any) -> int:
    return len(as_map(m))


def _is_empty(ctx: CallContext, m: Any) -> bool:
    return not as_map(m)


def _contains(ctx: CallContext, m: Any, key: Any) -> bool:
    return as_str(key) in as_map(m)


def _get(ctx: CallContext, m: Any, key: Any) -> Any:
    return copy_in(as_map(m).get(as_str(key)))


def _set(ctx: CallContext, m: Any, key: Any, value: Any) -> None:
    m = as_map(m)
    m[as_str(key)] = copy_in(value)
    ctx.check_size(m)


def _clear(ctx: CallContext, m: Any) -> None:
    as_map(m).clear()


def _remove(ctx: CallContext, m: Any, key: Any) -> Any:
    return as_map(m).pop(as_str(key), None)


def _mixin(ctx: CallContext, m: Any, other: Any) -> None:
    m = as_map(m)
    m.update({k: copy_in(v) for k, v in as_map(other).items()})
    ctx.check_size(m)


def _merge(ctx: CallContext, a: Any, b: Any) -> dict[str, Any]:
    result = {k: copy_in(v) for k, v in as_map(a).items()}
    result.update({k: copy_in(v) for k, v in as_map(b).items()})
    ctx.check_size(result)
    return result


def _fill_with(ctx: CallContext, m: Any, other: Any) -> None:
    m = as_map(m)
    for k, v in as_map(other).items():
        if k not in m:
            m[k] = copy_in(v)
    ctx.check_size(m)


def _eq(ctx: CallContext, a: Any, b: Any) -> bool:
    return rhai_eq(as_map(a), as_map(b))


def _ne(ctx: CallContext, a: Any, b: Any) -> bool:
    return not rhai_eq(as_map(a), as_map(b))


def _keys(ctx: CallContext, m: Any) -> list[Any]:
    return sorted(as_map(m))


def _values(ctx: CallContext, m: Any) -> list[Any]:
    m = as_map(m)
    return [copy_in(m[k]) for k in sorted(m)]


def _to_json(ctx: CallContext, m: Any) -> str:
    return format_json(as_map(m))


def _filter(ctx: CallContext, m: Any, fn: Any) -> dict[str, Any]:
    m, fn = as_map(m), as_fn(fn)
    return {k: copy_in(m[k]) for k in sorted(m) if truthy(_call_kv(ctx, fn, k, m[k]))}


def _drain(ctx: CallContext, m: Any, fn: Any) -> dict[str, Any]:
    m, fn = as_map(m), as_fn(fn)
    drained = {k: m[k] for k in sorted(m) if truthy(_call_kv(ctx, fn, k, m[k]))}
    for k in drained:
        del m[k]
    return drained


def _retain(ctx: CallContext, m: Any, fn: Any) -> dict[str, Any]:
    m, fn = as_map(m), as_fn(fn)
    removed = {k: m[k] for k in sorted(m) if not truthy(_call_kv(ctx, fn, k, m[k]))}
    for k in removed:
        del m[k]
    return removed


def _call_kv(ctx: CallContext, fn: Any, key: str, value: Any) -> Any:
    return ctx.call_fn_ptr(fn, [key, copy_in(value)])


def install(registry: FunctionRegistry) -> None:
    """Register the object-map functions."""
    reg(registry, "len", 1, _len)
    reg(registry, "is_empty", 1, _is_empty)
    reg(registry, "contains", 2, _contains)
    reg(registry, "get", 2, _get)
    reg(registry, "set", 3, _set)
    reg(registry, "clear", 1, _clear)
    reg(registry, "remove", 2, _remove)
    reg(registry, "mixin +=", 2, _mixin)
    reg(registry, "+", 2, _merge)
    reg(registry, "fill_with", 2, _fill_with)
    reg(registry, "==", 2, _eq)
    reg(registry, "!=", 2, _ne)
    reg(registry, "keys", 1, _keys)
    reg(registry, "values", 1, _values)
    reg(registry, "to_json", 1, _to_json)
    reg(registry, "filter", 2, _filter)
    reg(registry, "drain", 2, _drain)
    reg(registry, "retain", 2, _retain)
