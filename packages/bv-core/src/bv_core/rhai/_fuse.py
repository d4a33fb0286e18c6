"""Fused integer arithmetic: one generated closure for a whole operator tree.

An expression like ``x + i * 2 % 7`` whose leaves are plain local variables and integer
literals is compiled into a single Python function computing it on ints, with Rhai's
overflow checks on every intermediate result. Whenever an operand is not an int, a check
fails or an operation needs Rust semantics Python does not share (negative ``/`` and
``%``), the function falls back to the ordinary closure tree, which re-evaluates from the
start (safe: the leaves have no side effects) and raises Rhai's errors. Loops doing
integer arithmetic spend most of their time in such trees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _ast as A
from ._values import INT_MAX, INT_MIN

__all__ = ["fuse"]

_CHECKED = {"+", "-", "*"}
_DIVISION = {"/": "//", "%": "%"}
_BITS = {"&", "|", "^"}
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


def _fusable(node: A.Node, slots: Callable[[str], int | None], root: bool) -> bool:
    if isinstance(node, A.Lit):
        return type(node.value) is int
    if isinstance(node, A.Var):
        return slots(node.name) is not None
    if isinstance(node, A.Binary):
        op = node.op
        if op in _COMPARE and not root:
            return False
        if op not in _CHECKED and op not in _DIVISION and op not in _BITS and op not in _COMPARE:
            return False
        return _fusable(node.left, slots, False) and _fusable(node.right, slots, False)
    return False


def fuse(node: A.Node, slots: Callable[[str], int | None], fallback: Callable[[list[Any]], Any],
         store: int = 0) -> Callable[[list[Any]], Any] | None:
    """A fused closure for ``node`` (storing into frame slot ``store`` if non-zero), or
    None when the tree is not worth or not possible to fuse."""
    if not isinstance(node, A.Binary) or not _fusable(node, slots, True):
        return None
    if not isinstance(node.left, A.Binary) and not isinstance(node.right, A.Binary):
        return None  # a single operator already has a specialised closure
    lines: list[str] = []
    loaded: dict[int, str] = {}
    counter = [0]

    def fail(cond: str) -> None:
        lines.append(f"        if not ({cond}):")
        lines.append("            return FALLBACK(fr)")

    def emit(n: A.Node) -> str:
        if isinstance(n, A.Lit):
            return repr(int(n.value))
        if isinstance(n, A.Var):
            slot = slots(n.name)
            assert slot is not None
            if slot not in loaded:
                name = f"v{slot}"
                lines.append(f"        {name} = fr[{slot}]")
                fail(f"type({name}) is int")
                loaded[slot] = name
            return loaded[slot]
        assert isinstance(n, A.Binary)
        left, right = emit(n.left), emit(n.right)
        counter[0] += 1
        t = f"t{counter[0]}"
        op = n.op
        if op in _CHECKED:
            lines.append(f"        {t} = {left} {op} {right}")
            fail(f"INT_MIN <= {t} <= INT_MAX")
        elif op in _DIVISION:
            fail(f"{left} >= 0 and {right} > 0")
            lines.append(f"        {t} = {left} {_DIVISION[op]} {right}")
        else:
            lines.append(f"        {t} = {left} {op} {right}")
        return t

    result = emit(node)
    tail = f"        fr[{store}] = {result}\n        return None" if store else f"        return {result}"
    src = ("def make(FALLBACK, INT_MIN, INT_MAX):\n    def node(fr):\n" + "\n".join(lines)
           + "\n" + tail + "\n    return node\n")
    ns: dict[str, Any] = {}
    exec(compile(src, "<rhai-fused>", "exec"), ns)  # noqa: S102 - generated from the AST
    made: Callable[[list[Any]], Any] = ns["make"](fallback, INT_MIN, INT_MAX)
    return made
