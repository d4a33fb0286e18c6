"""Token handling, scopes and depth accounting shared by the parser classes."""

from __future__ import annotations

from . import _ast as A
from ._errors import Position, RhaiParseError
from ._lexer import Token

__all__ = ["ParserBase"]

# Words Rhai reserves for future use: not allowed as variable, parameter or function names.
_RESERVED = frozenset(
    "var static shared goto exit match case public protected new use with module package "
    "super spawn thread go sync async await yield default void null nil is".split()
)


class ParserBase:
    """Cursor over the token list, error helpers, and the lexical scope used to compute
    closure captures and reject assignments to constants."""

    def __init__(self, tokens: list[Token], path: str, max_depth: int, max_fn_depth: int) -> None:
        self.toks = tokens
        self.i = 0
        self.path = path
        self.max_depth = max_depth
        self.max_fn_depth = max_fn_depth
        self.depth = 0
        self.in_fn = False
        self.fns: dict[tuple[str, int], A.FnDef] = {}
        # Lexical variables in scope (name, is_const) and the closures being parsed with
        # the scope length at their start, to compute closure captures.
        self.vars: list[tuple[str, bool]] = []
        self.closures: list[tuple[A.Closure, int]] = []

    # -- token helpers -------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def pos(self, tok: Token | None = None) -> Position:
        t = tok or self.tok
        return (self.path, t.line, t.col)

    def error(self, msg: str, tok: Token | None = None) -> RhaiParseError:
        return RhaiParseError(msg, self.pos(tok))

    def is_op(self, value: str) -> bool:
        t = self.tok
        return t.kind == "op" and t.value == value

    def is_kw(self, value: str) -> bool:
        t = self.tok
        return t.kind == "kw" and t.value == value

    def next(self) -> Token:
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def expect_op(self, value: str, what: str = "") -> Token:
        if not self.is_op(value):
            raise self.error(f"expecting '{value}'{what}, found {self.describe(self.tok)}")
        return self.next()

    def expect_ident(self, what: str) -> Token:
        t = self.tok
        if t.kind != "ident":
            if t.kind == "kw":
                raise self.error(f"'{t.value}' is a reserved keyword, expecting {what}")
            raise self.error(f"expecting {what}, found {self.describe(t)}")
        if t.value in _RESERVED:
            raise self.error(f"'{t.value}' is a reserved keyword, expecting {what}")
        return self.next()

    @staticmethod
    def describe(t: Token) -> str:
        if t.kind == "eof":
            return "end of script"
        if t.kind in ("str", "tstr"):
            return "string"
        return f"'{t.value}'"

    def enter(self) -> None:
        self.depth += 1
        limit = self.max_fn_depth if self.in_fn else self.max_depth
        if limit and self.depth > limit:
            raise self.error("expression exceeds maximum complexity (max_expr_depth)")

    # -- scopes ----------------------------------------------------------------------
    def declare(self, name: str, const: bool = False) -> None:
        self.vars.append((name, const))

    def lookup(self, name: str) -> None:
        """Record ``name`` as captured by every closure between its declaration and here."""
        for idx in range(len(self.vars) - 1, -1, -1):
            if self.vars[idx][0] == name:
                for closure, base in self.closures:
                    if idx < base and name not in closure.captures:
                        closure.captures.append(name)
                return

    def is_const(self, name: str) -> bool:
        for n, const in reversed(self.vars):
            if n == name:
                return const
        return False

    # -- statements ------------------------------------------------------------------

    # -- grammar entry points the construct parsers call (defined in _parser._Parser) --
    def expr(self) -> A.Node:
        raise NotImplementedError

    def statement(self, top: bool) -> A.Node:
        raise NotImplementedError

    def block(self) -> A.Block:
        raise NotImplementedError

    def unary(self) -> A.Node:
        raise NotImplementedError
