"""Generated loop closures with the body's statements unrolled into the loop.

A ``while`` or ``for`` whose body is a block of a few statements runs them inline instead
of through a block closure: one Python call less per iteration on the hottest path of
arithmetic loops. Semantics are those of the generic loops in ``_compiler``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import Position

__all__ = ["make_for", "make_while"]

Code = Callable[[list[Any]], Any]

_WHILE = """
def make(cond, {params}, pos, bad_cond, tick, ContinueFlow, BreakFlow):
    def while_(fr):
        rt = fr[0].rt
        start = left = rt.next_check - rt.ops
        try:
            while True:
                c = cond(fr)
                if c is not True:
                    if c is False:
                        return None
                    bad_cond(c, pos)
                left -= 1
                if left <= 0:
                    rt.ops += start - left
                    tick(rt, pos)
                    start = left = rt.next_check - rt.ops
                try:
{body}
                except ContinueFlow:
                    pass
                except BreakFlow as b:
                    return b.value
        finally:
            rt.ops += start - left
    return while_
"""

_FOR = """
def make(slot, {params}, pos, tick, ContinueFlow, BreakFlow):
    def for_items(fr, rt, items):
        start = left = rt.next_check - rt.ops
        try:
            for x in items:
                fr[slot] = x
                left -= 1
                if left <= 0:
                    rt.ops += start - left
                    tick(rt, pos)
                    start = left = rt.next_check - rt.ops
                try:
{body}
                except ContinueFlow:
                    pass
                except BreakFlow as b:
                    return b.value
        finally:
            rt.ops += start - left
        return None
    return for_items
"""

_CACHE: dict[tuple[str, int], Callable[..., Any]] = {}
MAX_UNROLL = 8


def _factory(kind: str, n: int) -> Callable[..., Any]:
    key = (kind, n)
    factory = _CACHE.get(key)
    if factory is None:
        params = ", ".join(f"s{i}" for i in range(n))
        body = "\n".join(f"                    s{i}(fr)" for i in range(n))
        src = (_WHILE if kind == "while" else _FOR).format(params=params, body=body)
        ns: dict[str, Any] = {}
        exec(compile(src, f"<rhai-{kind}-{n}>", "exec"), ns)  # noqa: S102 - fixed templates
        factory = _CACHE[key] = ns["make"]
    return factory


def make_while(cond: Code, stmts: list[Code], pos: Position, bad_cond: Callable[..., Any],
               tick: Callable[..., Any], flows: tuple[type, type]) -> Code:
    """``while cond { stmts }`` with 1..MAX_UNROLL statements."""
    made: Code = _factory("while", len(stmts))(cond, *stmts, pos, bad_cond, tick, *flows)
    return made


def make_for(slot: int, stmts: list[Code], pos: Position, tick: Callable[..., Any],
             flows: tuple[type, type]) -> Callable[[list[Any], Any, Any], Any]:
    """The iteration part of ``for x in items { stmts }`` (loop variable in ``slot``)."""
    made: Callable[[list[Any], Any, Any], Any] = _factory("for", len(stmts))(
        slot, *stmts, pos, tick, *flows)
    return made
