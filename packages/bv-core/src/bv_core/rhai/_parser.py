"""Recursive-descent parser producing the ``_ast`` tree.

Binary operators use precedence climbing with Rhai's table (``_PRECEDENCE``); ``**`` binds
to the right. Besides syntax the parser enforces what Rhai rejects at compile time:
duplicate map keys, duplicate functions (same name and arity), functions outside global
level, assignment to a constant, and the expression depth limits.
"""

from __future__ import annotations

from . import _ast as A
from ._errors import RhaiParseError
from ._lexer import Token, tokenize
from ._parse_constructs import ConstructParser
from ._values import INT_MAX, INT_MIN

__all__ = ["parse"]

_PRECEDENCE = {
    "||": 30, "|": 30, "^": 30,
    "&&": 60, "&": 60,
    "==": 90, "!=": 90,
    "in": 110, "!in": 110,
    "<": 130, "<=": 130, ">": 130, ">=": 130,
    "??": 135,
    "..": 140, "..=": 140,
    "+": 150, "-": 150,
    "*": 180, "/": 180, "%": 180,
    "**": 190,
    "<<": 210, ">>": 210,
}  # fmt: skip

_ASSIGN_OPS = frozenset(
    ["=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^="]
)
# Statements that end with a block and need no ';' after them.
_BLOCK_STMTS = (A.If, A.Switch, A.While, A.Loop, A.For, A.DoLoop, A.Try, A.Block, A.FnDef)


class _Parser(ConstructParser):
    """Statements, expressions (precedence climbing) and postfix chains."""

    def parse_script(self) -> list[A.Node]:
        stmts: list[A.Node] = []
        while self.tok.kind != "eof":
            if self.is_op(";"):
                self.next()
                continue
            stmt = self.statement(top=True)
            if isinstance(stmt, A.FnDef):
                continue
            stmts.append(stmt)
            self.end_statement(stmt)
        return stmts

    def end_statement(self, stmt: A.Node) -> None:
        if self.is_op(";"):
            self.next()
        elif self.tok.kind == "eof" or self.is_op("}") or isinstance(stmt, _BLOCK_STMTS):
            pass
        else:
            raise self.error(f"expecting ';' to terminate this statement, found {self.describe(self.tok)}")

    def block(self) -> A.Block:
        start = self.expect_op("{", " to start a block")
        self.enter()
        mark = len(self.vars)
        stmts: list[A.Node] = []
        while not self.is_op("}"):
            if self.tok.kind == "eof":
                raise self.error("expecting '}' to end the block", start)
            if self.is_op(";"):
                self.next()
                continue
            stmt = self.statement(top=False)
            stmts.append(stmt)
            self.end_statement(stmt)
        self.next()
        del self.vars[mark:]
        self.depth -= 1
        return A.Block(self.pos(start), stmts)

    def statement(self, top: bool) -> A.Node:
        t = self.tok
        if t.kind == "kw":
            kw = t.value
            if kw in ("let", "const"):
                return self.let_stmt(export=False)
            if kw == "fn" or (kw == "private" and self.peek().kind == "kw" and self.peek().value == "fn"):
                if not top:
                    raise self.error("functions can only be defined at global level")
                return self.fn_def()
            if kw == "import":
                self.next()
                path = self.expr()
                alias = None
                if self.is_kw("as"):
                    self.next()
                    alias = self.expect_ident("a module name").value
                return A.Import(self.pos(t), path, alias)
            if kw == "export":
                if not top:
                    raise self.error("export can only be used at global level")
                self.next()
                if self.is_kw("let") or self.is_kw("const"):
                    return self.let_stmt(export=True)
                name = self.expect_ident("a variable name").value
                alias = name
                if self.is_kw("as"):
                    self.next()
                    alias = self.expect_ident("an export name").value
                return A.Export(self.pos(t), name, alias)
            if kw == "return" or kw == "throw":
                self.next()
                value = None
                if not (self.is_op(";") or self.is_op("}") or self.tok.kind == "eof"):
                    value = self.expr()
                return (A.Return if kw == "return" else A.Throw)(self.pos(t), value)
            if kw == "break":
                self.next()
                value = None
                if not (self.is_op(";") or self.is_op("}") or self.tok.kind == "eof"):
                    value = self.expr()
                return A.Break(self.pos(t), value)
            if kw == "continue":
                self.next()
                return A.Continue(self.pos(t))
        if t.kind == "op" and t.value == "{":
            return self.block()
        if t.kind == "kw" and t.value in ("if", "switch", "while", "loop", "do", "for", "try"):
            self.enter()
            node = self.keyword_expr()
            self.depth -= 1
            return node
        expr = self.expr()
        if self.tok.kind == "op" and self.tok.value in _ASSIGN_OPS:
            op_tok = self.next()
            self.check_target(expr, op_tok)
            value = self.expr()
            return A.Assign(self.pos(op_tok), expr, op_tok.value, value)
        return expr

    def check_target(self, target: A.Node, op_tok: Token) -> None:
        root = target
        while isinstance(root, (A.Index, A.Prop)):
            if root.safe:
                raise self.error("cannot assign through '?.' or '?['", op_tok)
            root = root.obj
        if isinstance(root, A.Var):
            if self.is_const(root.name):
                raise RhaiParseError(f"cannot assign to constant '{root.name}'", root.pos)
            self.lookup(root.name)
            return
        if isinstance(root, A.This):
            return
        raise self.error("left side of assignment is not a variable, property or index", op_tok)

    def let_stmt(self, export: bool) -> A.Let:
        t = self.next()
        const = t.value == "const"
        name = self.expect_ident("a variable name").value
        value = None
        if self.is_op("="):
            self.next()
            value = self.expr()
        elif const:
            raise self.error(f"constant '{name}' needs a value")
        self.declare(name, const)
        return A.Let(self.pos(t), name, value, const, export)

    def fn_def(self) -> A.FnDef:
        private = False
        start = self.tok
        if self.is_kw("private"):
            private = True
            self.next()
        self.next()  # fn
        name = self.expect_ident("a function name").value
        self.expect_op("(", " after the function name")
        params: list[str] = []
        while not self.is_op(")"):
            p = self.expect_ident("a parameter name")
            if p.value in params:
                raise self.error(f"duplicated parameter '{p.value}' in function '{name}'", p)
            params.append(p.value)
            if not self.is_op(")"):
                self.expect_op(",", " between parameters")
        self.next()
        key = (name, len(params))
        if key in self.fns:
            raise self.error(f"function '{name}' with {len(params)} parameters is already defined", start)
        saved = (self.vars, self.closures, self.depth, self.in_fn)
        self.vars, self.closures, self.depth, self.in_fn = [(p, False) for p in params], [], 0, True
        try:
            body = self.block()
        finally:
            self.vars, self.closures, self.depth, self.in_fn = saved
        fn = A.FnDef(self.pos(start), name, params, body, private)
        self.fns[key] = fn
        return fn

    # -- expressions -----------------------------------------------------------------
    def expr(self) -> A.Node:
        self.enter()
        node = self.binary(0)
        self.depth -= 1
        return node

    def binary_op(self) -> str | None:
        t = self.tok
        if t.kind == "op":
            if t.value in _PRECEDENCE:
                return str(t.value)
            if t.value == "!" and self.peek().kind == "kw" and self.peek().value == "in":
                return "!in"
            return None
        if t.kind == "kw" and t.value == "in":
            return "in"
        return None

    def binary(self, min_prec: int) -> A.Node:
        left = self.unary()
        while True:
            op = self.binary_op()
            if op is None:
                return left
            prec = _PRECEDENCE[op]
            if prec < min_prec or (prec == min_prec and op != "**"):
                return left
            t = self.next()
            if op == "!in":
                self.next()
            if op in ("..", "..=") and self.range_end():
                right: A.Node = A.Lit(self.pos(t), INT_MAX)
                op = ".."
            else:
                right = self.binary(prec if op == "**" else prec + 1)
            pos = self.pos(t)
            if op in ("&&", "||", "??"):
                left = A.Logic(pos, op, left, right)
            elif op in ("..", "..="):
                left = A.Range(pos, left, right, op == "..=")
            else:
                left = A.Binary(pos, op, left, right)

    def range_end(self) -> bool:
        """At the end of an open range (``a..`` then ``]``, ``)``, ``,``...)?"""
        t = self.tok
        return t.kind == "eof" or (t.kind == "op" and t.value in ("]", ")", ",", ";", "}"))

    def unary(self) -> A.Node:
        t = self.tok
        if t.kind == "op" and t.value in ("..", "..="):
            # ``..b`` / ``..=b`` / ``..``: a range from 0 (used for slicing)
            self.next()
            if self.range_end():
                return A.Range(self.pos(t), A.Lit(self.pos(t), 0), A.Lit(self.pos(t), INT_MAX), False)
            end = self.binary(_PRECEDENCE[".."] + 1)
            return A.Range(self.pos(t), A.Lit(self.pos(t), 0), end, t.value == "..=")
        if t.kind == "op" and t.value in ("-", "+", "!"):
            self.next()
            self.enter()
            nt = self.tok
            if t.value == "-" and nt.kind == "int" and nt.value == INT_MAX + 1:
                self.next()
                operand: A.Node = self.postfix(A.Lit(self.pos(t), INT_MIN))
                self.depth -= 1
                return operand
            operand = self.unary()
            self.depth -= 1
            if isinstance(operand, A.Lit) and t.value == "-" and type(operand.value) in (int, float):
                return A.Lit(self.pos(t), -operand.value)
            return A.Unary(self.pos(t), t.value, operand)
        return self.postfix(self.primary())

    def args(self) -> list[A.Node]:
        self.expect_op("(")
        out: list[A.Node] = []
        while not self.is_op(")"):
            out.append(self.expr())
            if not self.is_op(")"):
                self.expect_op(",", " between arguments")
        self.next()
        return out

    def postfix(self, node: A.Node) -> A.Node:
        while True:
            t = self.tok
            if t.kind != "op":
                return node
            v = t.value
            if v in (".", "?."):
                self.next()
                nt = self.tok
                if nt.kind not in ("ident", "kw"):
                    raise self.error(f"expecting a property or method name, found {self.describe(nt)}")
                self.next()
                if self.is_op("("):
                    node = A.MethodCall(self.pos(nt), node, nt.value, self.args(), v == "?.")
                else:
                    node = A.Prop(self.pos(nt), node, nt.value, v == "?.")
            elif v in ("[", "?["):
                self.next()
                idx = self.expr()
                self.expect_op("]", " to close the index")
                node = A.Index(self.pos(t), node, idx, v == "?[")
            else:
                return node

    def primary(self) -> A.Node:
        t = self.tok
        pos = self.pos(t)
        kind = t.kind
        if kind in ("int", "float", "str", "char"):
            self.next()
            if kind == "int" and t.value > INT_MAX:
                raise self.error(f"integer literal too large: {t.value}", t)
            return A.Lit(pos, t.value)
        if kind == "tstr":
            self.next()
            return A.Interp(pos, [p if isinstance(p, str) else self.sub_expr(p) for p in t.value])
        if kind == "ident":
            return self.ident_expr()
        if kind == "kw":
            return self.keyword_expr()
        if kind == "op":
            v = t.value
            if v == "(":
                self.next()
                close = self.tok
                if self.is_op(")") and close.line == t.line and close.col == t.col + 1:
                    self.next()  # ``()`` is one token in Rhai; ``( )`` is an error
                    return A.Lit(pos, None)
                inner = self.expr()
                self.expect_op(")", " to close the parenthesis")
                return inner
            if v == "[":
                return self.array_lit()
            if v == "#{":
                return self.map_lit()
            if v == "{":
                return self.block()
            if v in ("|", "||"):
                return self.closure()
        raise self.error(f"unexpected {self.describe(t)}")

    def sub_expr(self, tokens: list[Token]) -> A.Node:
        """Parse the tokens of one ``${...}`` interpolation: statements, like a block."""
        saved_toks, saved_i = self.toks, self.i
        self.toks, self.i = tokens, 0
        mark = len(self.vars)
        try:
            first = self.tok
            stmts: list[A.Node] = []
            while self.tok.kind != "eof":
                if self.is_op(";"):
                    self.next()
                    continue
                stmt = self.statement(top=False)
                stmts.append(stmt)
                self.end_statement(stmt)
            node: A.Node = stmts[0] if len(stmts) == 1 and not isinstance(stmts[0], A.Let) \
                else A.Block(self.pos(first), stmts)
        finally:
            self.toks, self.i = saved_toks, saved_i
            del self.vars[mark:]
        return node

    def ident_expr(self) -> A.Node:
        t = self.next()
        pos = self.pos(t)
        name: str = t.value
        if self.is_op("::"):
            path = [name]
            while self.is_op("::"):
                self.next()
                path.append(self.expect_ident("a name after '::'").value)
            last = path.pop()
            if self.is_op("("):
                return A.Call(pos, last, self.args(), path)
            return A.ModVar(pos, path, last)
        if self.is_op("("):
            return A.Call(pos, name, self.args())
        if self.is_op("!") and self.peek().kind == "op" and self.peek().value == "(":
            raise self.error("calling a function in the caller's scope ('!') is not supported")
        self.lookup(name)
        return A.Var(pos, name)

    def keyword_expr(self) -> A.Node:
        t = self.tok
        pos = self.pos(t)
        kw = t.value
        if kw in ("true", "false"):
            self.next()
            return A.Lit(pos, kw == "true")
        if kw == "this":
            self.next()
            return A.This(pos)
        if kw == "global":
            self.next()
            self.expect_op("::", " after 'global'")
            name = self.expect_ident("a constant name after 'global::'").value
            if self.is_op("::"):
                path = [name]
                while self.is_op("::"):
                    self.next()
                    path.append(self.expect_ident("a name after '::'").value)
                last = path.pop()
                if self.is_op("("):
                    return A.Call(pos, last, self.args(), path)
                return A.ModVar(pos, path, last)
            if self.is_op("("):
                return A.Call(pos, name, self.args(), [])
            return A.GlobalVar(pos, name)
        if kw == "if":
            return self.if_expr()
        if kw == "switch":
            return self.switch_expr()
        if kw == "while":
            self.next()
            cond = self.expr()
            return A.While(pos, cond, self.block())
        if kw == "loop":
            self.next()
            return A.Loop(pos, self.block())
        if kw == "do":
            self.next()
            body = self.block()
            if not (self.is_kw("while") or self.is_kw("until")):
                raise self.error("expecting 'while' or 'until' after a do block")
            until = self.next().value == "until"
            return A.DoLoop(pos, body, self.expr(), until)
        if kw == "for":
            return self.for_expr()
        if kw == "try":
            return self.try_expr()
        if kw in ("return", "throw", "break", "continue"):
            # Also valid in expression position, e.g. ``m.a ?? return -1``.
            return self.statement(top=False)
        if kw == "fn":
            raise self.error("functions can only be defined at global level")
        raise self.error(f"unexpected keyword '{kw}'")

def parse(source: str, path: str = "<script>", max_expr_depth: int = 64,
          max_function_expr_depth: int = 32) -> A.AST:
    """Parse ``source`` into an AST; raises RhaiParseError with file:line:col."""
    parser = _Parser(tokenize(source, path), path, max_expr_depth, max_function_expr_depth)
    stmts = parser.parse_script()
    return A.AST(path, stmts, parser.fns, source)
