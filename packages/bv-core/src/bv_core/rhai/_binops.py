"""Generated closures for binary operators, with inline int fast paths.

Closures are generated from fixed source templates (one per operator, operand shape -
local slot, captured cell, constant or sub-expression - and whether the result is stored
into a local slot, for ``x op= y``), because the fast path must avoid Python call
overhead per operand: a 1M-iteration arithmetic loop has to stay within ~10x of plain
Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import Position, RhaiError
from ._limits import Limits
from ._ops import arith, check_result, compare, int_overflow
from ._stdlib._common import ReceiverUpdate
from ._values import INT_MAX, INT_MIN

_MISSING = object()

__all__ = ["make_binop"]

_OPERAND = {
    "slot": "fr[{v}]",
    "cell": "fr[{v}].v",
    "const": "{v}",
    "code": "{v}(fr)",
}

_TEMPLATE = """
def make(L, R, S, slow, pos, ovf, RhaiError, INT_MIN, INT_MAX):
    def node(fr):
        a = {a}
        b = {b}
        if type(a) is int and type(b) is int:
{fast}
        try:
            {store}slow(fr, a, b)
        except RhaiError as e:
            if e.pos is None:
                e.pos = pos
            raise
{tail}
    return node
"""

_CHECKED = """\
            v = a {op} b
            if INT_MIN <= v <= INT_MAX:
                {store}v{tail16}
            e = ovf("{op}", a, b)
            e.pos = pos
            raise e"""

_DIVISION = """\
            if b > 0 and a >= 0:
                {store}a {pyop} b{tail16}"""

_DIRECT = """\
            {store}a {op} b{tail12}"""

_FAST = {
    "+": _CHECKED, "-": _CHECKED, "*": _CHECKED, "/": _DIVISION, "%": _DIVISION,
    "==": _DIRECT, "!=": _DIRECT, "<": _DIRECT, "<=": _DIRECT, ">": _DIRECT, ">=": _DIRECT,
    "&": _DIRECT, "|": _DIRECT, "^": _DIRECT,
}  # fmt: skip

_CACHE: dict[tuple[str, str, str, bool], Callable[..., Any]] = {}

_COMPARE = frozenset(["==", "!=", "<", "<=", ">", ">="])


def _factory(op: str, lkind: str, rkind: str, store: bool) -> Callable[..., Any]:
    key = (op, lkind, rkind, store)
    factory = _CACHE.get(key)
    if factory is None:
        pyop = "//" if op == "/" else op
        store_txt = "fr[S] = " if store else "return "
        tail16 = "\n                return None" if store else ""
        tail12 = "\n            return None" if store else ""
        fast = _FAST.get(op, "            pass").format(op=op, pyop=pyop, store=store_txt,
                                                      tail16=tail16, tail12=tail12)
        src = _TEMPLATE.format(
            a=_OPERAND[lkind].format(v="L"), b=_OPERAND[rkind].format(v="R"), fast=fast,
            store=store_txt, tail="        return None" if store else "")
        ns: dict[str, Any] = {}
        exec(compile(src, f"<rhai-binop {op}>", "exec"), ns)  # noqa: S102 - fixed templates only
        factory = _CACHE[key] = ns["make"]
    return factory


def _fallback(fr: list[Any], op: str, a: Any, b: Any) -> Any:
    """No built-in meaning: a registered operator function (e.g. for custom types)."""
    ctx = fr[0]
    return ctx.rt.call_native(ctx, op, [a, b])


def _slow(op: str, limits: Limits | None, in_place: bool) -> Callable[[list[Any], Any, Any], Any]:
    if op in _COMPARE:
        def compare_op(fr: list[Any], a: Any, b: Any) -> Any:
            r = compare(op, a, b)
            return _fallback(fr, op, a, b) if r is NotImplemented else r
        return compare_op
    if in_place:
        # ``x op= y``: built-in meaning first, then a registered ``op=`` function (which
        # changes its first argument in place or returns a ReceiverUpdate), then ``op``.
        def op_assign(fr: list[Any], a: Any, b: Any) -> Any:
            r = arith(op, a, b, limits)
            if r is not NotImplemented:
                return r
            ctx = fr[0]
            r = ctx.rt.call_native(ctx, op + "=", [a, b], missing=_MISSING)
            if r is not _MISSING:
                return r.value if type(r) is ReceiverUpdate else a
            return _fallback(fr, op, a, b)
    if in_place and op == "+":
        # ``x += y`` appends to arrays/blobs and merges maps in place (Rhai's op-assign).
        def add_assign(fr: list[Any], a: Any, b: Any) -> Any:
            t, tb = type(a), type(b)
            if t is list:
                if tb is list:
                    a.extend(b)
                else:
                    a.append(b)
                return check_result(a, limits)
            if t is dict and tb is dict:
                a.update(b)
                return check_result(a, limits)
            if t is bytearray and tb is bytearray:
                a.extend(b)
                return check_result(a, limits)
            if t is bytearray and tb is int:
                a.append(b & 0xFF)
                return check_result(a, limits)
            return op_assign(fr, a, b)
        return add_assign
    if in_place:
        return op_assign

    def arith_op(fr: list[Any], a: Any, b: Any) -> Any:
        r = arith(op, a, b, limits)
        return _fallback(fr, op, a, b) if r is NotImplemented else r
    return arith_op


def make_binop(op: str, lkind: str, lval: Any, rkind: str, rval: Any, pos: Position,
               limits: Limits | None, store: int = 0, in_place: bool = False) -> Callable[[list[Any]], Any]:
    """A closure computing ``a op b``; operands described as (kind, value) pairs.

    With ``store`` (a frame slot), the closure assigns the result to that slot instead
    of returning it; with ``in_place`` (``x += y``) ``+`` appends to arrays and blobs and
    merges maps in place.
    """
    slow = _slow(op, limits, in_place)
    make = _factory(op, lkind, rkind, bool(store))
    node: Callable[[list[Any]], Any] = make(lval, rval, store, slow, pos, int_overflow,
                                            RhaiError, INT_MIN, INT_MAX)
    return node
