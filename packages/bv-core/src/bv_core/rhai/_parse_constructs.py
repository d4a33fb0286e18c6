"""Parsers of the compound constructs: if, for, try, switch, array/map literals, closures."""

from __future__ import annotations

from typing import Any

from . import _ast as A
from ._errors import RhaiParseError
from ._parse_base import ParserBase

__all__ = ["ConstructParser"]


class ConstructParser(ParserBase):
    def if_expr(self) -> A.If:
        t = self.next()
        cond = self.expr()
        then = self.block()
        otherwise: A.Node | None = None
        if self.is_kw("else"):
            self.next()
            otherwise = self.if_expr() if self.is_kw("if") else self.block()
        return A.If(self.pos(t), cond, then, otherwise)

    def for_expr(self) -> A.For:
        t = self.next()
        counter = None
        if self.is_op("("):
            self.next()
            var = self.expect_ident("a loop variable").value
            self.expect_op(",", " between the loop variable and counter")
            counter = self.expect_ident("a counter variable").value
            self.expect_op(")", " after the loop variables")
        else:
            var = self.expect_ident("a loop variable").value
        if not self.is_kw("in"):
            raise self.error("expecting 'in' after the loop variable")
        self.next()
        iterable = self.expr()
        mark = len(self.vars)
        self.declare(var)
        if counter:
            self.declare(counter)
        body = self.block()
        del self.vars[mark:]
        return A.For(self.pos(t), var, counter, iterable, body)

    def try_expr(self) -> A.Try:
        t = self.next()
        body = self.block()
        if not self.is_kw("catch"):
            raise self.error("expecting 'catch' after a try block")
        self.next()
        var = None
        mark = len(self.vars)
        if self.is_op("("):
            self.next()
            var = self.expect_ident("a variable for the caught error").value
            self.expect_op(")")
            self.declare(var)
        catch = self.block()
        del self.vars[mark:]
        return A.Try(self.pos(t), body, var, catch)

    def switch_expr(self) -> A.Switch:
        t = self.next()
        subject = self.expr()
        self.expect_op("{", " to start the switch cases")
        cases: list[A.SwitchCase] = []
        has_default = False
        ranges: list[range] = []
        while not self.is_op("}"):
            if has_default:
                raise self.error("the default case '_' must be the last case of a switch")
            values: list[Any] = []
            is_default = False
            case_tok = self.tok
            if self.tok.kind == "ident" and self.tok.value == "_":
                self.next()
                is_default = has_default = True
            else:
                while True:
                    values.append(self.case_value())
                    if self.is_op("|"):
                        self.next()
                        continue
                    break
            for v in values:
                if isinstance(v, tuple):
                    ranges.append(range(v[1], v[2] + 1 if v[3] else v[2]))
                elif type(v) is int and any(v in r for r in ranges):
                    raise self.error("integer switch case cannot follow a range case that "
                                     "includes it", case_tok)
            cond = None
            if self.is_kw("if"):
                if is_default:
                    raise self.error("the default case '_' of a switch cannot have a condition")
                self.next()
                cond = self.expr()
            self.expect_op("=>", " after the switch case")
            body = self.block() if self.is_op("{") else self.statement(top=False)
            cases.append(A.SwitchCase(values, cond, body, is_default))
            if self.is_op(","):
                self.next()
            elif not self.is_op("}") and not isinstance(body, A.Block):
                raise self.error("expecting ',' between switch cases")
        self.next()
        return A.Switch(self.pos(t), subject, cases)

    def case_value(self) -> Any:
        node = self.unary()
        value = self.const_value(node)
        if self.is_op("..") or self.is_op("..="):
            inclusive = self.next().value == "..="
            end = self.const_value(self.unary())
            if type(end) is not int or type(value) is not int:
                raise self.error("switch ranges must be integer literals")
            return ("range", value, end, inclusive)
        return value

    def const_value(self, node: A.Node) -> Any:
        """The value of a constant case expression (literal, or array/map of literals)."""
        if isinstance(node, A.Lit):
            return node.value
        if isinstance(node, A.ArrayLit):
            return [self.const_value(item) for item in node.items]
        if isinstance(node, A.MapLit):
            return {k: self.const_value(v) for k, v in node.items}
        raise RhaiParseError("switch case must be a constant literal", node.pos)

    def array_lit(self) -> A.ArrayLit:
        t = self.next()
        self.enter()
        items: list[A.Node] = []
        while not self.is_op("]"):
            items.append(self.expr())
            if not self.is_op("]"):
                self.expect_op(",", " between array items")
        self.next()
        self.depth -= 1
        return A.ArrayLit(self.pos(t), items)

    def map_lit(self) -> A.MapLit:
        t = self.next()
        self.enter()
        items: list[tuple[str, A.Node]] = []
        keys: set[str] = set()
        while not self.is_op("}"):
            kt = self.tok
            if kt.kind not in ("ident", "str", "kw"):
                raise self.error(f"expecting a property name in the object map, found {self.describe(kt)}")
            self.next()
            key = str(kt.value)
            if key in keys:
                raise self.error(f"duplicated property '{key}' in object map literal", kt)
            keys.add(key)
            self.expect_op(":", " after the property name")
            items.append((key, self.expr()))
            if not self.is_op("}"):
                self.expect_op(",", " between object map properties")
        self.next()
        self.depth -= 1
        return A.MapLit(self.pos(t), items)

    def closure(self) -> A.Closure:
        t = self.next()
        params: list[str] = []
        if t.value == "|":
            while not self.is_op("|"):
                params.append(self.expect_ident("a closure parameter").value)
                if not self.is_op("|"):
                    self.expect_op(",", " between closure parameters")
            self.next()
        node = A.Closure(self.pos(t), params, A.Lit(self.pos(t), None))
        base = len(self.vars)
        self.closures.append((node, base))
        for p in params:
            self.declare(p)
        try:
            # Rhai parses the body as a statement, so ``|| x += 1`` is allowed.
            node.body = self.statement(top=False)
        finally:
            self.closures.pop()
            del self.vars[base:]
        return node
