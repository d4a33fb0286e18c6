"""Compilation of expressions (operators, access, calls, literals) into closures.

``ExprCompiler`` is the expression half of ``_compiler.Compiler``. A compiled node is a
function ``code(frame) -> value``. Errors raised without a position get the position of
the innermost node that handles them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from . import _ast as A
from ._binops import make_binop
from ._errors import Position, RhaiError, RhaiParseError, RhaiRuntimeError
from ._fuse import fuse
from ._limits import Limits
from ._ops import contains, not_found, rhai_eq, to_bool, unary
from ._runtime import (
    Cell,
    CFn,
    Ctx,
    ReceiverUpdate,
    Unit,
    index_get,
    index_set,
    interp_part,
    prop_get,
    prop_set,
)
from ._values import FnPtr, deep_copy

__all__ = ["Code", "ExprCompiler", "Scope", "Setter", "copy_value"]

Frame = list[Any]
Code = Callable[[Frame], Any]
Setter = Callable[[Frame, Any], None]

_ALIASING = (A.Var, A.Prop, A.Index, A.GlobalVar, A.ModVar, A.This)


def copy_value(v: Any) -> Any:
    t = type(v)
    if t is list or t is dict or t is bytearray:
        return deep_copy(v)
    return v


def _at(code: Code, pos: Position) -> Code:
    """Give errors escaping ``code`` the position ``pos`` if they have none yet."""
    def node(fr: Frame) -> Any:
        try:
            return code(fr)
        except RhaiError as e:
            if e.pos is None:
                e.pos = pos
            raise
    return node


class Scope:
    """Compile-time scope of one function body: variable name -> frame slot."""

    def __init__(self, celled: set[str], top: bool) -> None:
        self.vars: list[tuple[str, int, bool, bool]] = []  # name, slot, is_cell, is_const
        self.nslots = 1
        self.celled = celled
        self.loops = 0
        self.top = top
        self.block_depth = 0

    def declare(self, name: str, const: bool = False, cell: bool | None = None) -> tuple[int, bool]:
        slot = self.nslots
        self.nslots += 1
        is_cell = name in self.celled if cell is None else cell
        self.vars.append((name, slot, is_cell, const))
        return slot, is_cell

    def is_const(self, name: str) -> bool:
        for n, _, _, const in reversed(self.vars):
            if n == name:
                return const
        return False

    def find(self, name: str) -> tuple[int, bool] | None:
        for n, slot, cell, _ in reversed(self.vars):
            if n == name:
                return slot, cell
        return None


class ExprCompiler:
    unit: Unit
    scope: Scope
    limits: Limits
    registry_names: Callable[[str], bool]

    def compile_fn(self, node: A.Closure) -> CFn:  # implemented by Compiler
        raise NotImplementedError

    def expr(self, node: A.Node) -> Code:
        method: Callable[[Any], Code] = getattr(self, "c_" + type(node).__name__)
        return method(node)

    def value(self, node: A.Node) -> Code:
        """An expression whose value will be stored: copy arrays/maps read from elsewhere."""
        code = self.expr(node)
        if isinstance(node, _ALIASING):
            def copied(fr: Frame) -> Any:
                v = code(fr)
                t = type(v)
                if t is list or t is dict or t is bytearray:
                    return deep_copy(v)
                return v
            return copied
        return code

    def plain_slot(self, name: str) -> int | None:
        """The frame slot of a local variable not shared with closures, else None."""
        found = self.scope.find(name)
        return found[0] if found is not None and not found[1] else None

    def operand(self, node: A.Node) -> tuple[str, Any]:
        if isinstance(node, A.Lit):
            return "const", node.value
        if isinstance(node, A.Var):
            found = self.scope.find(node.name)
            if found is not None:
                return ("cell" if found[1] else "slot"), found[0]
        return "code", self.expr(node)

    # -- literals and variables -------------------------------------------------------
    def c_Lit(self, node: A.Lit) -> Code:
        v = node.value
        return lambda fr: v

    def c_Interp(self, node: A.Interp) -> Code:
        parts: list[tuple[str, Code | None]] = [
            (p, None) if isinstance(p, str) else ("", self.expr(p)) for p in node.parts]
        max_str, pos = self.limits.max_string_size, node.pos

        def interp(fr: Frame) -> Any:
            out = [text if code is None else interp_part(code(fr)) for text, code in parts]
            s = "".join(out)
            if max_str and len(s) > max_str:
                fr[0].rt.check_size(s)
            return s
        return _at(interp, pos)

    def c_Var(self, node: A.Var) -> Code:
        found = self.scope.find(node.name)
        if found is None:
            name, pos = node.name, node.pos

            def unknown(fr: Frame) -> Any:
                raise RhaiRuntimeError(f"Variable not found: {name}", pos)
            return unknown
        slot, cell = found
        if cell:
            return lambda fr: fr[slot].v
        return operator.itemgetter(slot)

    def c_This(self, node: A.This) -> Code:
        pos = node.pos

        def this(fr: Frame) -> Any:
            cell = fr[0].this
            if cell is None:
                raise RhaiRuntimeError("'this' not bound (not in a method call)", pos)
            return cell.v
        return this

    def c_GlobalVar(self, node: A.GlobalVar) -> Code:
        name, pos = node.name, node.pos

        def global_var(fr: Frame) -> Any:
            g = fr[0].inst.globals
            if name in g:
                return g[name]
            raise RhaiRuntimeError(f"Variable not found: global::{name}", pos)
        return global_var

    def c_ModVar(self, node: A.ModVar) -> Code:
        path, name, pos = node.path, node.name, node.pos

        def mod_var(fr: Frame) -> Any:
            inst = _module(fr[0], path, pos)
            if name in inst.exports:
                return inst.exports[name]
            raise RhaiRuntimeError(f"Variable not found: {'::'.join(path)}::{name}", pos)
        return mod_var

    def c_ArrayLit(self, node: A.ArrayLit) -> Code:
        codes = [self.value(item) for item in node.items]
        return lambda fr: [c(fr) for c in codes]

    def c_MapLit(self, node: A.MapLit) -> Code:
        items = [(k, self.value(v)) for k, v in node.items]
        return lambda fr: {k: c(fr) for k, c in items}

    def c_Closure(self, node: A.Closure) -> Code:
        outer = [self.scope.find(name) for name in node.captures]
        slots = [f[0] for f in outer if f is not None and f[1]]
        if len(slots) != len(node.captures):
            raise RhaiParseError("internal error: closure capture is not shared", node.pos)
        cfn = self.compile_fn(node)

        def make_closure(fr: Frame) -> Any:
            return FnPtr(cfn.name, [], cfn, (fr[0].inst, [fr[s] for s in slots]))
        return make_closure

    # -- operators --------------------------------------------------------------------
    def c_Binary(self, node: A.Binary) -> Code:
        op, pos = node.op, node.pos
        if op in ("in", "!in"):
            item, container = self.expr(node.left), self.expr(node.right)
            negate = op == "!in"

            def in_op(fr: Frame) -> Any:
                c, i = container(fr), item(fr)
                r = contains(c, i)
                if r is None:
                    ctx: Ctx = fr[0]
                    r = to_bool(ctx.rt.call_native(ctx, "contains", [c, i]))
                return (not r) if negate else r
            return _at(in_op, pos)
        lk, lv = self.operand(node.left)
        rk, rv = self.operand(node.right)
        if lk == "code" or rk == "code":
            generic = make_binop(op, lk, lv, rk, rv, pos, self.limits)
            return fuse(node, self.plain_slot, generic) or generic
        if lk == "const" and rk == "const":
            try:
                value = make_binop(op, lk, lv, rk, rv, pos, self.limits)([None])
                return lambda fr: value
            except (RhaiError, AttributeError):
                pass  # errors and registry operators are left to run time
        return make_binop(op, lk, lv, rk, rv, pos, self.limits)

    def c_Unary(self, node: A.Unary) -> Code:
        op, inner, pos = node.op, self.expr(node.expr), node.pos
        if op == "!":
            def not_op(fr: Frame) -> Any:
                v = inner(fr)
                if v is True:
                    return False
                if v is False:
                    return True
                raise RhaiRuntimeError(not_found("!", [v]).message, pos)
            return not_op

        def unary_op(fr: Frame) -> Any:
            return unary(op, inner(fr))
        return _at(unary_op, pos)

    def c_Logic(self, node: A.Logic) -> Code:
        left, right, pos = self.expr(node.left), self.expr(node.right), node.pos
        if node.op == "??":
            def coalesce(fr: Frame) -> Any:
                v = left(fr)
                return right(fr) if v is None else v
            return coalesce
        if node.op == "&&":
            def and_op(fr: Frame) -> Any:
                if to_bool(left(fr)):
                    return to_bool(right(fr))
                return False
            return _at(and_op, pos)

        def or_op(fr: Frame) -> Any:
            if to_bool(left(fr)):
                return True
            return to_bool(right(fr))
        return _at(or_op, pos)

    def c_Range(self, node: A.Range) -> Code:
        start, end, extra, pos = self.expr(node.start), self.expr(node.end), int(node.inclusive), node.pos

        def make_range(fr: Frame) -> Any:
            a, b = start(fr), end(fr)
            if type(a) is int and type(b) is int:
                return range(a, b + extra)
            raise RhaiRuntimeError(not_found("..=" if extra else "..", [a, b]).message, pos)
        return make_range

    # -- access -----------------------------------------------------------------------
    def c_Prop(self, node: A.Prop) -> Code:
        obj, name, safe = self.expr(node.obj), node.name, node.safe

        def prop(fr: Frame) -> Any:
            o = obj(fr)
            if type(o) is dict:
                return o.get(name)
            if o is None and safe:
                return None
            return prop_get(fr[0], o, name)
        return _at(prop, node.pos)

    def c_Index(self, node: A.Index) -> Code:
        obj, idx, safe = self.expr(node.obj), self.expr(node.index), node.safe

        def index(fr: Frame) -> Any:
            o = obj(fr)
            if o is None and safe:
                return None
            return index_get(fr[0], o, idx(fr))
        return _at(index, node.pos)

    def lvalue(self, node: A.Node) -> tuple[Code, Setter] | None:
        """Getter and setter for an assignable expression; None when not assignable."""
        if isinstance(node, A.Var):
            found = self.scope.find(node.name)
            if found is None:
                name, pos = node.name, node.pos

                def missing(fr: Frame, v: Any = None) -> Any:
                    raise RhaiRuntimeError(f"Variable not found: {name}", pos)
                return missing, missing
            slot, cell = found
            if cell:
                def set_cell(fr: Frame, v: Any) -> None:
                    fr[slot].v = v
                return (lambda fr: fr[slot].v), set_cell

            def set_slot(fr: Frame, v: Any) -> None:
                fr[slot] = v
            return operator.itemgetter(slot), set_slot
        if isinstance(node, A.This):
            def set_this(fr: Frame, v: Any) -> None:
                cell = fr[0].this
                if cell is None:
                    raise RhaiRuntimeError("'this' not bound (not in a method call)")
                cell.v = v
            return self.c_This(node), set_this
        if isinstance(node, A.Prop) and not node.safe:
            inner = self.lvalue(node.obj)
            if inner is None:
                return None
            oget = inner[0]
            name = node.name

            def set_prop(fr: Frame, v: Any) -> None:
                prop_set(fr[0], oget(fr), name, v)
            return self.c_Prop(node), set_prop
        if isinstance(node, A.Index) and not node.safe:
            inner = self.lvalue(node.obj)
            if inner is None:
                return None
            cget, cset = inner
            idx = self.expr(node.index)

            def set_index(fr: Frame, v: Any) -> None:
                c = cget(fr)
                new = index_set(fr[0], c, idx(fr), v)
                if new is not c:
                    cset(fr, new)
            return self.c_Index(node), set_index
        return None

    # -- calls ------------------------------------------------------------------------
    def args(self, nodes: list[A.Node]) -> list[Code]:
        return [self.value(n) for n in nodes]

    def c_Call(self, node: A.Call) -> Code:
        name, pos, n = node.name, node.pos, len(node.args)
        if node.ns:
            return self.module_call(node)
        if name == "is_shared" and n == 1:
            return self.is_shared(node.args[0])
        if name == "is_def_var" and n == 1:
            # Variables are resolved at compile time, so the names in scope here are known.
            names = frozenset(v[0] for v in self.scope.vars)
            name_arg = self.expr(node.args[0])

            def is_def_var(fr: Frame) -> Any:
                v = name_arg(fr)
                if type(v) is not str:
                    raise RhaiRuntimeError(not_found("is_def_var", [v]).message, pos)
                return v in names
            return is_def_var
        if name == "Fn" and n == 1:
            arg = self.expr(node.args[0])

            def make_fn(fr: Frame) -> Any:
                fname = arg(fr)
                if type(fname) is not str:
                    raise RhaiRuntimeError(not_found("Fn", [fname]).message, pos)
                if not fname or not (fname[0].isalpha() or fname[0] == "_") or not all(
                        c.isalnum() or c == "_" for c in fname):
                    raise RhaiRuntimeError(f"Invalid function name: '{fname}'", pos)
                return FnPtr(fname)
            return make_fn
        args = self.args(node.args)
        cfn = self.unit.fns.get((name, n))
        if cfn is not None:
            target = cfn

            def script_call(fr: Frame) -> Any:
                ctx: Ctx = fr[0]
                try:
                    return ctx.rt.invoke(target, [a(fr) for a in args], ctx.inst, pos=pos)
                except RhaiError as e:
                    if e.pos is None:
                        e.pos = pos
                    raise
            return script_call
        # Natives get the first argument by reference when it is a variable (Rhai does the
        # same), so e.g. ``push(arr, 1)`` changes ``arr``.
        # (Constants are passed as copies, so a mutating function cannot change them.)
        first = None
        if n and isinstance(node.args[0], A.Var) and not self.scope.is_const(node.args[0].name):
            first = self.lvalue(node.args[0])
        if first is not None:
            args[0] = first[0]
        setter = first[1] if first else None
        var_fn = self.scope.find(name)
        fn_getter = self.c_Var(A.Var(pos, name)) if var_fn is not None else None

        def native_call(fr: Frame) -> Any:
            try:
                ctx: Ctx = fr[0]
                values = [a(fr) for a in args]
                rt = ctx.rt
                if not rt.registry.lookup(name, n) and fn_getter is not None:
                    fp = fn_getter(fr)
                    if type(fp) is FnPtr:
                        return rt.call_ptr(ctx, fp, values, pos=pos)
                r = rt.call_native(ctx, name, values)
                if n:
                    v0 = values[0]
                    t0 = type(v0)
                    if t0 is list or t0 is dict or t0 is bytearray:
                        rt.check_size(v0)
                if type(r) is ReceiverUpdate:
                    if setter is not None:
                        setter(fr, r.value)
                    return r.result
                return r
            except RhaiError as e:
                if e.pos is None:
                    e.pos = pos
                raise
        return native_call

    def module_call(self, node: A.Call) -> Code:
        name, pos, n = node.name, node.pos, len(node.args)
        path = node.ns or []
        args = self.args(node.args)

        def mod_call(fr: Frame) -> Any:
            ctx: Ctx = fr[0]
            inst = _module(ctx, path, pos) if path else ctx.inst
            cfn = inst.unit.fns.get((name, n))
            values = [a(fr) for a in args]
            if cfn is None or (cfn.private and inst is not ctx.inst):
                if not path:
                    return ctx.rt.call_native(ctx, name, values)
                raise RhaiRuntimeError(not_found("::".join([*path, name]), values).message, pos)
            return ctx.rt.invoke(cfn, values, inst, pos=pos)
        return _at(mod_call, pos)

    def is_shared(self, node: A.Node) -> Code:
        """``is_shared(x)``: is x a variable shared with a closure? (Known at compile time:
        captured variables live in cells from their declaration on.)"""
        arg = self.expr(node)
        found = self.scope.find(node.name) if isinstance(node, A.Var) else None
        shared = found is not None and found[1]

        def is_shared(fr: Frame) -> Any:
            arg(fr)
            return shared
        return is_shared

    def c_MethodCall(self, node: A.MethodCall) -> Code:
        name, pos, n, safe = node.name, node.pos, len(node.args), node.safe
        if name == "is_shared" and n == 0 and not safe:
            return self.is_shared(node.obj)
        lv = None if safe else self.lvalue(node.obj)
        obj = lv[0] if lv else self.expr(node.obj)
        setter = lv[1] if lv else None
        args = self.args(node.args)
        cfn = self.unit.fns.get((name, n))
        const_name = None
        if isinstance(node.obj, A.Var) and self.scope.is_const(node.obj.name):
            const_name = node.obj.name
        elif isinstance(node.obj, (A.GlobalVar, A.ModVar)):
            const_name = node.obj.name
        if const_name is not None:
            # A constant must not change: run the method on a copy and refuse if it changed.
            inner_call = self._method_call(node, obj, None, args, cfn, keep_update=True)
            cname = const_name

            def const_method_call(fr: Frame) -> Any:
                original = obj(fr)
                copy = copy_value(original)
                r = inner_call(fr, copy)
                if type(r) is ReceiverUpdate or not rhai_eq(copy, original):
                    raise RhaiRuntimeError(
                        f"Non-pure method '{name}' cannot be called on constant '{cname}'", pos)
                return r
            return const_method_call
        call = self._method_call(node, obj, setter, args, cfn)
        return lambda fr: call(fr, _NO_RECV)

    def _method_call(self, node: A.MethodCall, obj: Code, setter: Setter | None,
                     args: list[Code], cfn: CFn | None,
                     keep_update: bool = False) -> Callable[[Frame, Any], Any]:
        name, pos, n, safe = node.name, node.pos, len(node.args), node.safe

        def method_call(fr: Frame, recv: Any) -> Any:
            try:
                ctx: Ctx = fr[0]
                rt = ctx.rt
                if recv is _NO_RECV:
                    recv = obj(fr)
                if recv is None and safe:
                    return None
                values = [a(fr) for a in args]
                t = type(recv)
                if name == "call":
                    if t is FnPtr:
                        return rt.call_ptr(ctx, recv, values, pos=pos)
                    if values and type(values[0]) is FnPtr:
                        # ``obj.call(fp, args)``: call fp with ``this`` bound to obj.
                        this = Cell(recv)
                        r = rt.call_ptr(ctx, values[0], values[1:], this, pos)
                        if this.v is not recv and setter is not None:
                            setter(fr, this.v)
                        return r
                if t is FnPtr and name == "curry":
                    return FnPtr(recv.name, recv.curry + values, recv.fn_def, recv.captured)
                if cfn is not None:
                    this = Cell(recv)
                    r = rt.invoke(cfn, values, ctx.inst, this, pos=pos)
                    if this.v is not recv and setter is not None:
                        setter(fr, this.v)
                    return r
                if t is dict:
                    fp = recv.get(name)
                    if type(fp) is FnPtr and not rt.registry.lookup(name, n + 1):
                        return rt.call_ptr(ctx, fp, values, Cell(recv), pos)
                r = rt.call_native(ctx, name, [recv, *values])
                if t is list or t is dict or t is bytearray:
                    rt.check_size(recv)
                if type(r) is ReceiverUpdate:
                    if setter is not None:
                        setter(fr, r.value)
                    elif keep_update:
                        return r
                    return r.result
                return r
            except RhaiError as e:
                if e.pos is None:
                    e.pos = pos
                raise
        return method_call


_NO_RECV = object()


def _module(ctx: Ctx, path: list[str], pos: Position) -> Any:
    inst = ctx.inst
    for i, part in enumerate(path):
        nxt = inst.imports.get(part)
        if nxt is None and i == 0:
            nxt = ctx.rt.find_module(part)
        if nxt is None:
            raise RhaiRuntimeError(f"Module not found: {'::'.join(path[: i + 1])}", pos)
        inst = nxt
    return inst

