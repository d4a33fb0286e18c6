"""Walking a parsed Rhai script: find nodes without evaluating anything.

Used to detect the plugin API generation (top-level constants), legacy names the script
reads, and by the linter's undefined-property check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ..rhai import _ast as A

__all__ = ["iter_nodes", "node_params_keys", "reads_variable", "top_level_constants"]


def iter_nodes(ast: A.AST) -> Iterator[A.Node]:
    """Every node of the script: top-level statements and function bodies."""
    stack: list[Any] = [ast.stmts, list(ast.fns.values())]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, A.Node | A.SwitchCase):
            if isinstance(item, A.Node):
                yield item
            stack.extend(
                getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "pos"
            )


def top_level_constants(ast: A.AST) -> set[str]:
    """Names declared by top-level ``const`` statements."""
    return {s.name for s in ast.stmts if isinstance(s, A.Let) and s.const}


def reads_variable(ast: A.AST, name: str) -> bool:
    return any(isinstance(n, A.Var) and n.name == name for n in iter_nodes(ast))


def _is_node_params_call(node: A.Node) -> bool:
    return isinstance(node, A.Call) and node.name == "node_params" and not node.args and not node.ns


def node_params_keys(ast: A.AST) -> list[tuple[str, A.Node]]:
    """``node_params()["key"]`` and ``node_params().key`` reads: (key, node) pairs."""
    found: list[tuple[str, A.Node]] = []
    for node in iter_nodes(ast):
        if isinstance(node, A.Index) and _is_node_params_call(node.obj):
            if isinstance(node.index, A.Lit) and isinstance(node.index.value, str):
                found.append((str(node.index.value), node))
        elif isinstance(node, A.Prop) and _is_node_params_call(node.obj):
            found.append((node.name, node))
    return found
