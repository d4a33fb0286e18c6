"""Syntax tree of a Rhai script. Every node carries ``pos`` = (path, line, column).

Statements are expressions too (Rhai's ``if``, ``switch``, blocks and loops have values),
so there is one node family. The compiler (``_compiler.py``) turns nodes into closures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._errors import Position

__all__ = [
    "AST", "ArrayLit", "Assign", "Binary", "Block", "Break", "Call", "Closure", "Continue",
    "DoLoop", "Export", "FnDef", "For", "GlobalVar", "If", "Import", "Index", "Interp", "Let",
    "Lit", "Logic", "Loop", "MapLit", "MethodCall", "ModVar", "Node", "Prop", "Range", "Return",
    "Switch", "SwitchCase", "This", "Throw", "Try", "Unary", "Var", "While", "walk",
]


@dataclass(eq=False)
class Node:
    pos: Position


@dataclass(eq=False)
class Lit(Node):
    value: Any


@dataclass(eq=False)
class Interp(Node):
    """Back-tick string with ``${}``: parts are ``str`` or expressions."""

    parts: list[Any]


@dataclass(eq=False)
class Var(Node):
    name: str


@dataclass(eq=False)
class This(Node):
    pass


@dataclass(eq=False)
class GlobalVar(Node):
    """``global::NAME``: a top-level constant (or a ``global::`` module path)."""

    name: str


@dataclass(eq=False)
class ModVar(Node):
    """``mod::NAME`` (``path`` = [mod, sub...])."""

    path: list[str]
    name: str


@dataclass(eq=False)
class ArrayLit(Node):
    items: list[Node]


@dataclass(eq=False)
class MapLit(Node):
    items: list[tuple[str, Node]]


@dataclass(eq=False)
class Unary(Node):
    op: str
    expr: Node


@dataclass(eq=False)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(eq=False)
class Logic(Node):
    """Short-circuit ``&&``, ``||`` and ``??``."""

    op: str
    left: Node
    right: Node


@dataclass(eq=False)
class Range(Node):
    start: Node
    end: Node
    inclusive: bool


@dataclass(eq=False)
class Index(Node):
    obj: Node
    index: Node
    safe: bool = False


@dataclass(eq=False)
class Prop(Node):
    obj: Node
    name: str
    safe: bool = False


@dataclass(eq=False)
class Call(Node):
    """``name(args)``, ``ns::name(args)`` (namespace path in ``ns``)."""

    name: str
    args: list[Node]
    ns: list[str] | None = None


@dataclass(eq=False)
class MethodCall(Node):
    obj: Node
    name: str
    args: list[Node]
    safe: bool = False


@dataclass(eq=False)
class Block(Node):
    stmts: list[Node]


@dataclass(eq=False)
class FnDef(Node):
    name: str
    params: list[str]
    body: Block
    private: bool = False
    source: str = ""


@dataclass(eq=False)
class Closure(Node):
    params: list[str]
    body: Node
    # Names the closure reads from enclosing scopes; filled by the parser.
    captures: list[str] = field(default_factory=list)


@dataclass(eq=False)
class If(Node):
    cond: Node
    then: Block
    otherwise: Node | None


@dataclass(eq=False)
class SwitchCase:
    values: list[Any]  # literal values, or ('range', start, end, inclusive)
    cond: Node | None
    body: Node
    is_default: bool = False


@dataclass(eq=False)
class Switch(Node):
    expr: Node
    cases: list[SwitchCase]


@dataclass(eq=False)
class While(Node):
    cond: Node
    body: Block


@dataclass(eq=False)
class Loop(Node):
    body: Block


@dataclass(eq=False)
class DoLoop(Node):
    body: Block
    cond: Node
    until: bool


@dataclass(eq=False)
class For(Node):
    var: str
    counter: str | None
    iterable: Node
    body: Block


@dataclass(eq=False)
class Try(Node):
    body: Block
    var: str | None
    catch: Block


@dataclass(eq=False)
class Assign(Node):
    """``target op= value``; op is ``=`` or a compound operator like ``+=``."""

    target: Node
    op: str
    value: Node


@dataclass(eq=False)
class Let(Node):
    name: str
    value: Node | None
    const: bool = False
    export: bool = False


@dataclass(eq=False)
class Import(Node):
    path: Node
    alias: str | None


@dataclass(eq=False)
class Export(Node):
    name: str
    alias: str


@dataclass(eq=False)
class Break(Node):
    value: Node | None


@dataclass(eq=False)
class Continue(Node):
    pass


@dataclass(eq=False)
class Return(Node):
    value: Node | None


@dataclass(eq=False)
class Throw(Node):
    value: Node | None


@dataclass(eq=False)
class AST:
    """A parsed script: top-level statements and function definitions (by name and arity)."""

    path: str
    stmts: list[Node]
    fns: dict[tuple[str, int], FnDef]
    source: str = ""
    compiled: Any = None  # cache filled by the engine

    def walk(self) -> Iterator[Node]:
        """Every node of the script, top-level statements then function bodies, parents
        before children (for linters, e.g. finding ``node_params()["KEY"]`` uses)."""
        yield from walk(self.stmts)
        for fn in self.fns.values():
            yield from walk(fn)


def walk(root: Any) -> Iterator[Node]:
    """Nodes under ``root`` (a node, a list of nodes, a switch case), depth first."""
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, Node):
            yield item
            children = list(vars(item).values())
        elif isinstance(item, SwitchCase):
            children = [item.cond, item.body]
        elif isinstance(item, (list, tuple)):
            children = list(item)
        else:
            continue
        stack.extend(reversed(children))
