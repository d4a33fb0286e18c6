"""Generated closures for binary operators, with inline int fast paths.

Closures are generated from source templates (one per operator and operand shape: local
slot, captured cell, constant or sub-expression) because the fast path must avoid Python
call overhead per operand: a 1M-iteration arithmetic loop has to stay within ~10x of
plain Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import Position, RhaiError
from ._ops import arith, compare, int_overflow
from ._values import INT_MAX, INT_MIN

__all__ = ["make_binop"]

_OPERAND = {
    "slot": "fr[L]",
    "cell": "fr[L].v",
    "const": "L",
    "code": "L(fr)",
}

_TEMPLATE = """
def make(L, R, slow, pos, ovf, RhaiError, INT_MIN, INT_MAX):
    def node(fr):
        a = {a}
        b = {b}
        if type(a) is int and type(b) is int:
{fast}
        try:
            return slow(a, b)
        except RhaiError as e:
            if e.pos is None:
                e.pos = pos
            raise
    return node
"""

_CHECKED = """\
            v = a {op} b
            if INT_MIN <= v <= INT_MAX:
                return v
            e = ovf("{op}", a, b)
            e.pos = pos
            raise e"""

_DIRECT = "            return a {op} b"

_FAST = {
    "+": _CHECKED, "-": _CHECKED, "*": _CHECKED,
    "==": _DIRECT, "!=": _DIRECT, "<": _DIRECT, "<=": _DIRECT, ">": _DIRECT, ">=": _DIRECT,
    "&": _DIRECT, "|": _DIRECT, "^": _DIRECT,
}  # fmt: skip

_CACHE: dict[tuple[str, str, str], Callable[..., Any]] = {}

_COMPARE = frozenset(["==", "!=", "<", "<=", ">", ">="])


def _factory(op: str, lkind: str, rkind: str) -> Callable[..., Any]:
    key = (op, lkind, rkind)
    factory = _CACHE.get(key)
    if factory is None:
        fast = _FAST.get(op, "            pass").format(op=op)
        src = _TEMPLATE.format(a=_OPERAND[lkind], b=_OPERAND[rkind].replace("L", "R"), fast=fast)
        ns: dict[str, Any] = {}
        exec(compile(src, f"<rhai-binop {op}>", "exec"), ns)  # noqa: S102 - fixed templates only
        factory = _CACHE[key] = ns["make"]
    return factory


def make_binop(op: str, lkind: str, lval: Any, rkind: str, rval: Any, pos: Position,
               max_str: int) -> Callable[[list[Any]], Any]:
    """A closure computing ``a op b``; operands described as (kind, value) pairs."""
    if op in _COMPARE:
        def slow(a: Any, b: Any) -> Any:
            return compare(op, a, b)
    else:
        def slow(a: Any, b: Any) -> Any:
            return arith(op, a, b, max_str)
    return _factory(op, lkind, rkind)(lval, rval, slow, pos, int_overflow, RhaiError,  # type: ignore[no-any-return]
                                      INT_MIN, INT_MAX)
