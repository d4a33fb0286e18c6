"""Compiles an ``AST`` into a ``Unit`` of closures (statements, control flow, functions).

Scoping follows Rhai: a function sees only its parameters and its own variables (plus
``global::`` constants and imported modules); ``let`` shadows; every ``let`` gets its own
frame slot. Variables captured by closures are stored in ``Cell``s (decided per function
from the closures' capture lists, which the parser computes).
"""

from __future__ import annotations

import itertools
from typing import Any

from . import _ast as A
from ._binops import make_binop
from ._compile_expr import _ALIASING, Code, ExprCompiler, Scope, copy_value
from ._errors import RhaiError, RhaiParseError, RhaiRuntimeError, RhaiThrow
from ._fuse import fuse
from ._limits import Limits
from ._loops import MAX_UNROLL, make_for, make_while
from ._ops import display, rhai_eq, to_bool
from ._runtime import BreakFlow, Cell, CFn, ContinueFlow, Ctx, ReturnFlow, Unit
from ._values import Char, type_name

__all__ = ["compile_ast"]

Frame = list[Any]
_anon_ids = itertools.count(1)


def _closure_captures(node: Any, out: set[str]) -> set[str]:
    """Names captured by any closure nested in ``node`` (not crossing into fn defs)."""
    if isinstance(node, A.Closure):
        out.update(node.captures)
    if isinstance(node, (A.Node, A.SwitchCase)):
        for value in vars(node).values():
            _closure_captures(value, out)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _closure_captures(item, out)
    return out


# Rhai's error variant names (the "error" field of a caught engine error), by message.
_ERROR_KINDS = (
    ("Function not found", "ErrorFunctionNotFound"),
    ("Variable not found", "ErrorVariableNotFound"),
    ("Module not found", "ErrorModuleNotFound"),
    ("Array index", "ErrorArrayBounds"),
    ("String index", "ErrorStringBounds"),
    ("Bit-field index", "ErrorBitFieldBounds"),
    ("Data type incorrect", "ErrorMismatchDataType"),
    ("Indexer unavailable", "ErrorIndexingType"),
    ("'this' not bound", "ErrorUnboundThis"),
    ("For loop expects", "ErrorFor"),
    ("Non-pure method", "ErrorNonPureMethodCallOnConstant"),
    ("Unknown property", "ErrorPropertyNotFound"),
    ("Cannot set property", "ErrorPropertyNotFound"),
    ("Division by zero", "ErrorArithmetic"),
    ("Integer raised", "ErrorArithmetic"),
    (" overflow", "ErrorArithmetic"),
)


def _has_closure(node: Any) -> bool:
    if isinstance(node, A.Closure):
        return True
    if isinstance(node, (A.Node, A.SwitchCase)):
        return any(_has_closure(v) for v in vars(node).values())
    if isinstance(node, (list, tuple)):
        return any(_has_closure(item) for item in node)
    return False


def _error_value(e: RhaiRuntimeError) -> Any:
    """What ``catch (e)`` binds: the thrown value, or for engine errors a map like Rhai's."""
    if e.is_value:
        return e.thrown
    out: dict[str, Any] = {"message": e.message}
    for prefix, kind in _ERROR_KINDS:
        if e.message.startswith(prefix) or (prefix.startswith(" ") and prefix in e.message):
            out["error"] = kind
            break
    if e.pos is not None:
        out["source"] = e.pos[0]
        out["line"] = e.pos[1]
        out["position"] = e.pos[2]
    return out


class Compiler(ExprCompiler):
    def __init__(self, ast: A.AST, limits: Limits) -> None:
        self.ast = ast
        self.unit = Unit(ast.path)
        self.limits = limits
        self.scope = Scope(set(), True)
        self.has_lib = False

    def compile(self) -> Unit:
        for (name, arity), fdef in self.ast.fns.items():
            self.unit.fns[(name, arity)] = CFn(name, arity, fdef.pos, fdef.private)
        for (name, arity), fdef in self.ast.fns.items():
            self.fill_fn(self.unit.fns[(name, arity)], fdef.params, [], fdef.body, False)
        main = self.unit.main
        self.has_lib = bool(self.ast.fns) or _has_closure(self.ast.stmts)
        self.scope = Scope(_closure_captures(self.ast.stmts, set()), True)
        main.body = self.block_body(self.ast.stmts, top=True)
        main.nslots = self.scope.nslots
        return self.unit

    def fill_fn(self, cfn: CFn, params: list[str], captures: list[str], body: A.Node,
                closure: bool) -> None:
        saved = self.scope
        self.scope = scope = Scope(_closure_captures(body, set()), False)
        try:
            for name in captures:
                scope.declare(name, cell=True)
            cfn.ncaptured = len(captures)
            for p in params:
                scope.declare(p)
            cfn.cell_params = tuple(slot for _, slot, cell, _ in scope.vars[len(captures):] if cell)
            if isinstance(body, A.Block):
                cfn.body = self.block_body(body.stmts, top=False, fn_body=True)
            else:
                cfn.body = self.expr(body)
            cfn.nslots = scope.nslots
        finally:
            self.scope = saved

    def compile_fn(self, node: A.Closure) -> CFn:
        cfn = CFn(f"anon$fn{next(_anon_ids)}", len(node.params), node.pos)
        self.fill_fn(cfn, node.params, node.captures, node.body, True)
        return cfn

    # -- blocks and statements --------------------------------------------------------
    def block_codes(self, stmts: list[A.Node]) -> list[Code]:
        """The statements of a loop body block, compiled in their own scope."""
        self.scope.block_depth += 1
        self.scope.loops += 1
        mark = len(self.scope.vars)
        try:
            return [self.stmt(s) for s in stmts]
        finally:
            del self.scope.vars[mark:]
            self.scope.loops -= 1
            self.scope.block_depth -= 1

    def block_body(self, stmts: list[A.Node], top: bool = False, fn_body: bool = False) -> Code:
        mark = len(self.scope.vars)
        codes: list[Code] = []
        for i, stmt in enumerate(stmts):
            if fn_body and i == len(stmts) - 1 and isinstance(stmt, A.Return):
                # A trailing return needs no exception to leave the function.
                codes.append(self.value(stmt.value) if stmt.value else (lambda fr: None))
            elif fn_body and i == len(stmts) - 1 and isinstance(stmt, _ALIASING):
                # The result must not alias a global constant or ``this``.
                codes.append(self.value(stmt))
            else:
                codes.append(self.stmt(stmt, top))
        del self.scope.vars[mark:]
        if not codes:
            return lambda fr: None
        if len(codes) == 1:
            return codes[0]
        if len(codes) == 2:
            c1, c2 = codes

            def block2(fr: Frame) -> Any:
                c1(fr)
                return c2(fr)
            return block2
        head, last = codes[:-1], codes[-1]

        def block(fr: Frame) -> Any:
            for c in head:
                c(fr)
            return last(fr)
        return block

    def c_Block(self, node: A.Block) -> Code:
        self.scope.block_depth += 1
        try:
            return self.block_body(node.stmts)
        finally:
            self.scope.block_depth -= 1

    def stmt(self, node: A.Node, top: bool = False) -> Code:
        if isinstance(node, A.Let):
            return self.let(node, top)
        return self.expr(node)

    def c_Let(self, node: A.Let) -> Code:
        """A ``let`` where an expression is expected (closure or switch-case body)."""
        return self.let(node, False)

    def let(self, node: A.Let, top: bool) -> Code:
        val = self.value(node.value) if node.value is not None else (lambda fr: None)
        slot, cell = self.scope.declare(node.name, node.const)
        name = node.name
        # Rhai shares top-level constants with functions (global::NAME) only when the
        # script defines functions or closures; without any, global::NAME is "not found".
        is_global = (top and self.scope.top and node.const and self.scope.block_depth == 0
                     and self.has_lib)
        export = node.export
        if is_global or export or cell:
            def let_full(fr: Frame) -> Any:
                v = val(fr)
                fr[slot] = Cell(v) if cell else v
                if is_global:
                    fr[0].inst.globals[name] = v
                if export:
                    fr[0].inst.exports[name] = v
            return let_full

        def let(fr: Frame) -> Any:
            fr[slot] = val(fr)
        return let

    def c_Export(self, node: A.Export) -> Code:
        get = self.c_Var(A.Var(node.pos, node.name))
        alias = node.alias

        def export(fr: Frame) -> Any:
            fr[0].inst.exports[alias] = copy_value(get(fr))
        return export

    def c_Import(self, node: A.Import) -> Code:
        path, alias, pos = self.expr(node.path), node.alias, node.pos

        def do_import(fr: Frame) -> Any:
            ctx: Ctx = fr[0]
            name = path(fr)
            if type(name) is not str:
                raise RhaiRuntimeError("module path must be a string", pos)
            try:
                inst = ctx.rt.import_module(name, ctx.inst)
            except RhaiError as e:
                if e.pos is None:
                    e.pos = pos
                raise
            if alias:
                ctx.inst.imports[alias] = inst
        return do_import

    def c_Assign(self, node: A.Assign) -> Code:
        op, pos = node.op, node.pos
        lv = self.lvalue(node.target)
        if lv is None:
            raise RhaiParseError("cannot assign to this expression", pos)
        get, put = lv
        found = self.scope.find(node.target.name) if isinstance(node.target, A.Var) else None
        slot = found[0] if found is not None and not found[1] else 0
        rhs = node.value
        if slot and op == "=" and isinstance(rhs, A.Binary) and rhs.op not in ("in", "!in"):
            lk, lval = self.operand(rhs.left)
            rk, rval = self.operand(rhs.right)
            generic = make_binop(rhs.op, lk, lval, rk, rval, rhs.pos, self.limits, store=slot)
            return fuse(rhs, self.plain_slot, generic, store=slot) or generic
        if slot and op != "=":
            rk, rval = self.operand(rhs)
            if rk == "code" and isinstance(rhs, _ALIASING):
                rval = self.value(rhs)
            return make_binop(op[:-1], "slot", slot, rk, rval, pos, self.limits, store=slot,
                              in_place=True)
        val = self.value(node.value)
        if op == "=":
            if slot:
                def assign_slot(fr: Frame) -> Any:
                    fr[slot] = val(fr)
                return assign_slot

            def assign(fr: Frame) -> Any:
                put(fr, val(fr))
            return _at_stmt(assign, pos)
        bin_op = op[:-1]
        combine = make_binop(bin_op, "code", lambda fr: fr[1], "code", lambda fr: fr[2], pos,
                             self.limits, in_place=True)

        def op_assign(fr: Frame) -> Any:
            put(fr, combine([fr[0], get(fr), val(fr)]))
        return _at_stmt(op_assign, pos)

    # -- control flow -----------------------------------------------------------------
    def c_If(self, node: A.If) -> Code:
        cond, then, pos = self.expr(node.cond), self.c_Block(node.then), node.cond.pos
        other = self.expr(node.otherwise) if node.otherwise is not None else None

        def if_(fr: Frame) -> Any:
            c = cond(fr)
            if c is True:
                return then(fr)
            if c is not False:
                _bad_cond(c, pos)
            return other(fr) if other is not None else None
        return if_

    def loop_body(self, block: A.Block) -> Code:
        self.scope.loops += 1
        try:
            return self.c_Block(block)
        finally:
            self.scope.loops -= 1

    def c_While(self, node: A.While) -> Code:
        cond, pos = self.expr(node.cond), node.pos
        if 1 <= len(node.body.stmts) <= MAX_UNROLL:
            return make_while(cond, self.block_codes(node.body.stmts), pos, _bad_cond, _tick,
                              (ContinueFlow, BreakFlow))
        body = self.loop_body(node.body)

        def while_(fr: Frame) -> Any:
            # Operations are counted in a local countdown (cheaper than an attribute per
            # iteration) and charged to the runtime at each check and on exit.
            rt = fr[0].rt
            start = left = rt.next_check - rt.ops
            try:
                while True:
                    c = cond(fr)
                    if c is not True:
                        if c is False:
                            return None
                        _bad_cond(c, pos)
                    left -= 1
                    if left <= 0:
                        rt.ops += start - left
                        _tick(rt, pos)
                        start = left = rt.next_check - rt.ops
                    try:
                        body(fr)
                    except ContinueFlow:
                        pass
                    except BreakFlow as b:
                        return b.value
            finally:
                rt.ops += start - left
        return while_

    def c_Loop(self, node: A.Loop) -> Code:
        body, pos = self.loop_body(node.body), node.pos

        def loop(fr: Frame) -> Any:
            rt = fr[0].rt
            start = left = rt.next_check - rt.ops
            try:
                while True:
                    left -= 1
                    if left <= 0:
                        rt.ops += start - left
                        _tick(rt, pos)
                        start = left = rt.next_check - rt.ops
                    try:
                        body(fr)
                    except ContinueFlow:
                        pass
                    except BreakFlow as b:
                        return b.value
            finally:
                rt.ops += start - left
        return loop

    def c_DoLoop(self, node: A.DoLoop) -> Code:
        body, pos = self.loop_body(node.body), node.pos
        cond, until = self.expr(node.cond), node.until

        def do_loop(fr: Frame) -> Any:
            rt = fr[0].rt
            while True:
                ops = rt.ops = rt.ops + 1
                if ops >= rt.next_check:
                    _tick(rt, pos)
                try:
                    body(fr)
                except ContinueFlow:
                    pass
                except BreakFlow as b:
                    return b.value
                c = cond(fr)
                if c is not True and c is not False:
                    _bad_cond(c, node.cond.pos)
                if c is until:
                    return None
        return do_loop

    def c_For(self, node: A.For) -> Code:
        iterable, pos = self.expr(node.iterable), node.pos
        mark = len(self.scope.vars)
        slot, cell = self.scope.declare(node.var)
        cslot, ccell = self.scope.declare(node.counter) if node.counter else (0, False)
        has_counter = node.counter is not None
        simple = not has_counter and not cell
        unrolled = None
        if simple and 1 <= len(node.body.stmts) <= MAX_UNROLL:
            unrolled = make_for(slot, self.block_codes(node.body.stmts), pos, _tick,
                                (ContinueFlow, BreakFlow))
            body: Code = _no_body
        else:
            body = self.loop_body(node.body)
        del self.scope.vars[mark:]

        def for_(fr: Frame) -> Any:
            rt = fr[0].rt
            it = iterable(fr)
            t = type(it)
            if t is range or t is bytearray:
                items: Any = it
            elif t is list:
                items = (copy_value(x) for x in it)
            elif t is str:
                items = map(_char, it)
            else:
                raise RhaiRuntimeError(f"For loop expects iterable type (array, range, string or blob), not "
                                       f"{_tname(it)}", node.iterable.pos)
            if unrolled is not None:
                return unrolled(fr, rt, items)
            if simple:
                start = left = rt.next_check - rt.ops
                try:
                    for x in items:
                        fr[slot] = x
                        left -= 1
                        if left <= 0:
                            rt.ops += start - left
                            _tick(rt, pos)
                            start = left = rt.next_check - rt.ops
                        try:
                            body(fr)
                        except ContinueFlow:
                            pass
                        except BreakFlow as b:
                            return b.value
                finally:
                    rt.ops += start - left
                return None
            # The loop variables are one variable each for the whole loop (Rhai updates
            # them in place), so closures capturing them see the latest values.
            var_cell = counter_cell = None
            if cell:
                fr[slot] = var_cell = Cell()
            if ccell:
                fr[cslot] = counter_cell = Cell()
            for i, x in enumerate(items):
                if var_cell is not None:
                    var_cell.v = x
                else:
                    fr[slot] = x
                if has_counter:
                    if counter_cell is not None:
                        counter_cell.v = i
                    else:
                        fr[cslot] = i
                ops = rt.ops = rt.ops + 1
                if ops >= rt.next_check:
                    _tick(rt, pos)
                try:
                    body(fr)
                except ContinueFlow:
                    pass
                except BreakFlow as b:
                    return b.value
            return None
        return for_

    def c_Break(self, node: A.Break) -> Code:
        if not self.scope.loops:
            raise RhaiParseError("'break' must be inside a loop", node.pos)
        if node.value is None:
            def brk(fr: Frame) -> Any:
                raise BreakFlow()
            return brk
        val = self.value(node.value)

        def brk_value(fr: Frame) -> Any:
            raise BreakFlow(val(fr))
        return brk_value

    def c_Continue(self, node: A.Continue) -> Code:
        if not self.scope.loops:
            raise RhaiParseError("'continue' must be inside a loop", node.pos)

        def cont(fr: Frame) -> Any:
            raise ContinueFlow()
        return cont

    def c_Return(self, node: A.Return) -> Code:
        val = self.value(node.value) if node.value is not None else (lambda fr: None)

        def ret(fr: Frame) -> Any:
            raise ReturnFlow(val(fr))
        return ret

    def c_Throw(self, node: A.Throw) -> Code:
        val = self.expr(node.value) if node.value is not None else (lambda fr: None)
        pos = node.pos

        def throw(fr: Frame) -> Any:
            v = copy_value(val(fr))
            text = "Runtime error" if v is None else f"Runtime error: {display(v)}"
            raise RhaiThrow(text, pos, thrown=v, is_value=True)
        return throw

    def c_Try(self, node: A.Try) -> Code:
        body = self.c_Block(node.body)
        mark = len(self.scope.vars)
        slot, cell = self.scope.declare(node.var) if node.var else (0, False)
        catch = self.c_Block(node.catch)
        del self.scope.vars[mark:]
        has_var = node.var is not None

        def try_(fr: Frame) -> Any:
            try:
                return body(fr)
            except RhaiRuntimeError as e:
                if not e.catchable:
                    raise
                if has_var:
                    v = _error_value(e)
                    fr[slot] = Cell(v) if cell else v
                try:
                    return catch(fr)
                except RhaiThrow as again:
                    # A bare ``throw;`` in the catch block re-throws the caught error.
                    if again.thrown is None:
                        e.pos = again.pos
                        raise e from None
                    raise
        return try_

    def c_Switch(self, node: A.Switch) -> Code:
        subject = self.expr(node.expr)
        table: dict[tuple[type, Any], list[tuple[Code | None, Code]]] = {}
        containers: list[tuple[Any, Code | None, Code]] = []  # array/map cases
        ranges: list[tuple[int, int, Code | None, Code]] = []
        default: Code | None = None
        default_conds: list[tuple[Code, Code]] = []
        for case in node.cases:
            cond = self.expr(case.cond) if case.cond is not None else None
            body = self.expr(case.body)
            if case.is_default:
                if cond is None:
                    default = body
                else:
                    default_conds.append((cond, body))
                continue
            for v in case.values:
                if isinstance(v, tuple):
                    _, lo, hi, inclusive = v
                    ranges.append((lo, hi + 1 if inclusive else hi, cond, body))
                elif isinstance(v, (list, dict)):
                    containers.append((v, cond, body))
                else:
                    table.setdefault((type(v), v), []).append((cond, body))

        def switch(fr: Frame) -> Any:
            v = subject(fr)
            t = type(v)
            if t is not list and t is not dict and t is not bytearray:
                for cond, body in table.get((t, v), ()):
                    if cond is None or to_bool(cond(fr)):
                        return body(fr)
            else:
                for value, cond, body in containers:
                    if rhai_eq(value, v) and (cond is None or to_bool(cond(fr))):
                        return body(fr)
            if t is int:
                for lo, hi, cond, body in ranges:
                    if lo <= v < hi and (cond is None or to_bool(cond(fr))):
                        return body(fr)
            for cond, body in default_conds:
                if to_bool(cond(fr)):
                    return body(fr)
            return default(fr) if default is not None else None
        return _at_stmt(switch, node.pos)


def _no_body(fr: Frame) -> Any:
    return None


_char = Char
_tname = type_name


def _bad_cond(c: Any, pos: Any) -> None:
    raise RhaiRuntimeError(f"Data type incorrect: {_tname(c)} (expecting bool)", pos)


def _tick(rt: Any, pos: Any) -> None:
    try:
        rt.tick()
    except RhaiError as e:
        if e.pos is None:
            e.pos = pos
        raise


def _at_stmt(code: Code, pos: Any) -> Code:
    def node(fr: Frame) -> Any:
        try:
            return code(fr)
        except RhaiError as e:
            if e.pos is None:
                e.pos = pos
            raise
    return node


def compile_ast(ast: A.AST, limits: Limits | None = None) -> Unit:
    """Compile ``ast`` (cached on the AST object by the engine); size limits are bound in."""
    return Compiler(ast, limits or Limits()).compile()
