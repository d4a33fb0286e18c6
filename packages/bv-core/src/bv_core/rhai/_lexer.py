"""Tokenizer for Rhai source text.

Produces ``Token``s with 1-based line/column. Three string forms follow Rhai's rules:

* ``"..."`` normal strings: escapes (``\\n \\t \\r \\0 \\\\ \\" \\' \\xHH \\uHHHH \\UHHHHHHHH``)
  and line continuation: a backslash before a newline drops the newline, then leading
  whitespace of the next line is skipped while its column is <= the opening quote's column.
  ``${`` is literal text here.
* back-tick strings: verbatim (no escapes), ``````  stands for one back-tick, a newline right
  after the opening back-tick is dropped; ``${ expr }`` is interpolation, tokenized recursively
  (``tstr`` token whose value is a list of ``str`` and ``list[Token]`` parts).
* raw strings ``#"..."#`` (any number of ``#``): verbatim, no interpolation.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from ._errors import RhaiParseError
from ._values import INT_MAX, Char

__all__ = ["KEYWORDS", "Token", "tokenize"]

KEYWORDS = frozenset(
    "let const fn private import export as if else switch while loop do until for in break "
    "continue return throw try catch true false this global".split()
)

# Longest first, so that the first match is the right one.
_OPS = sorted(
    "..= .. :: => == != <= >= && || += -= *= /= %= **= ** <<= >>= << >> &= |= ^= ?. ?[ ?? #{ "
    "+ - * / % = < > ! & | ^ ( ) [ ] { } , ; : . ? @ $".split(),
    key=len,
    reverse=True,
)
_OPS_BY_CHAR: dict[str, list[str]] = {}
for _op in _OPS:
    _OPS_BY_CHAR.setdefault(_op[0], []).append(_op)

# Symbols Rhai reserves (a parse error rather than two operators).
_RESERVED_OPS = ("===", "!==", "++", "--", ":=", "->", "<-", "::<")

_NEWLINE = re.compile("\n")
_SPACE = re.compile(r"(?:[ \t\r\n]+|//[^\n]*)+")
_IDENT = re.compile(r"\w+")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


class Token:
    """One token: ``kind`` is int/float/str/char/tstr/ident/kw/op/eof."""

    __slots__ = ("kind", "value", "line", "col")

    def __init__(self, kind: str, value: Any, line: int, col: int) -> None:
        self.kind = kind
        self.value = value
        self.line = line
        self.col = col

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.value!r}, {self.line}:{self.col})"


class _Lexer:
    def __init__(self, src: str, path: str) -> None:
        self.src = src
        self.path = path
        self.i = 0
        # Line/column are computed from the offset on demand (advancing is then just
        # ``i += n``, which keeps tokenizing fast).
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(src)]

    @property
    def line(self) -> int:
        return bisect.bisect_right(self.line_starts, self.i)

    @property
    def col(self) -> int:
        return self.i - self.line_starts[bisect.bisect_right(self.line_starts, self.i) - 1] + 1

    def error(self, msg: str, line: int | None = None, col: int | None = None) -> RhaiParseError:
        return RhaiParseError(msg, (self.path, line or self.line, col or self.col))

    def advance(self, n: int = 1) -> None:
        self.i += n

    def skip_space(self) -> None:
        src, n = self.src, len(self.src)
        while self.i < n:
            m = _SPACE.match(src, self.i)
            if m is not None:
                self.i = m.end()
                continue
            if src.startswith("/*", self.i):
                line, col = self.line, self.col
                depth = 0
                while True:
                    if self.i >= n:
                        raise self.error("unterminated block comment", line, col)
                    if src.startswith("/*", self.i):
                        depth += 1
                        self.advance(2)
                    elif src.startswith("*/", self.i):
                        depth -= 1
                        self.advance(2)
                        if depth == 0:
                            break
                    else:
                        self.advance()
            else:
                return
        return

    def tokens(self, until_brace: bool = False) -> list[Token]:
        """Tokenize to the end, or (for ``${``) to the unmatched ``}``, which is consumed."""
        out: list[Token] = []
        depth = 0
        src, n = self.src, len(self.src)
        while True:
            self.skip_space()
            if self.i >= n:
                if until_brace:
                    raise self.error("unterminated string interpolation")
                out.append(Token("eof", None, self.line, self.col))
                return out
            c = src[self.i]
            line, col = self.line, self.col
            if until_brace and c == "}" and depth == 0:
                self.advance()
                out.append(Token("eof", None, line, col))
                return out
            if c.isdigit():
                out.append(self.number())
            elif c.isalpha() or c == "_":
                m = _IDENT.match(src, self.i)
                j = m.end() if m is not None else self.i + 1
                word = src[self.i : j]
                self.advance(j - self.i)
                out.append(Token("kw" if word in KEYWORDS else "ident", word, line, col))
            elif c == '"':
                out.append(Token("str", self.normal_string(), line, col))
            elif c == "`":
                out.append(self.backtick_string())
            elif c == "'":
                out.append(self.char_literal())
            elif c == "#" and self.raw_string_start():
                out.append(Token("str", self.raw_string(), line, col))
            else:
                for bad in _RESERVED_OPS:
                    if src.startswith(bad, self.i):
                        raise self.error(f"'{bad}' is a reserved symbol, not a Rhai operator")
                for op in _OPS_BY_CHAR.get(c, ()):
                    if src.startswith(op, self.i):
                        break
                else:
                    raise self.error(f"unexpected character {c!r}")
                self.advance(len(op))
                if op in ("{", "#{"):
                    depth += 1
                elif op == "}":
                    depth -= 1
                out.append(Token("op", op, line, col))

    def number(self) -> Token:
        src, n, start = self.src, len(self.src), self.i
        line, col = self.line, self.col
        j = self.i
        if src.startswith(("0x", "0X", "0o", "0O", "0b", "0B"), j):
            base = {"x": 16, "o": 8, "b": 2}[src[j + 1].lower()]
            j += 2
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            text = src[start + 2 : j].replace("_", "")
            self.advance(j - start)
            try:
                value = int(text, base)
            except ValueError:
                raise self.error(f"invalid number literal: {src[start:j]}", line, col) from None
            if value > 2**64 - 1:
                raise self.error(f"integer literal too large: {src[start:j]}", line, col)
            if value > INT_MAX:  # Rhai reads radix literals as u64 bits: 0xff..ff is -1
                value -= 2**64
            return Token("int", value, line, col)
        while j < n and (src[j].isdigit() or src[j] == "_"):
            j += 1
        is_float = False
        if j + 1 < n and src[j] == "." and src[j + 1].isdigit():
            is_float = True
            j += 1
            while j < n and (src[j].isdigit() or src[j] == "_"):
                j += 1
        if j < n and src[j] in "eE":
            k = j + 1
            if k < n and src[k] in "+-":
                k += 1
            if k < n and src[k].isdigit():
                is_float = True
                j = k
                while j < n and src[j].isdigit():
                    j += 1
        text = src[start:j].replace("_", "")
        self.advance(j - start)
        if j < n and (src[j].isalpha() or src[j] == "_"):
            raise self.error(f"invalid number literal: {src[start : j + 1]}", line, col)
        if is_float:
            return Token("float", float(text), line, col)
        value = int(text)
        # 9223372036854775808 is allowed only to be negated; the parser checks that.
        if value > INT_MAX + 1:
            raise self.error(f"integer literal too large: {text}", line, col)
        return Token("int", value, line, col)

    def escape(self) -> str:
        """Read the escape after a backslash (the backslash already consumed)."""
        src = self.src
        if self.i >= len(src):
            raise self.error("unterminated string")
        c = src[self.i]
        if c in _ESCAPES:
            self.advance()
            return _ESCAPES[c]
        digits = {"x": 2, "u": 4, "U": 8}.get(c)
        if digits is None:
            raise self.error(f"invalid escape sequence: \\{c}")
        hexa = src[self.i + 1 : self.i + 1 + digits]
        try:
            ch = chr(int(hexa, 16))
        except ValueError:
            raise self.error(f"invalid escape sequence: \\{c}{hexa}") from None
        if len(hexa) != digits:
            raise self.error(f"invalid escape sequence: \\{c}{hexa}")
        self.advance(1 + digits)
        return ch

    def normal_string(self) -> str:
        quote_col = self.col
        line, col = self.line, self.col
        self.advance()
        src, n = self.src, len(self.src)
        parts: list[str] = []
        skipping = False
        while True:
            if self.i >= n:
                raise self.error("unterminated string literal", line, col)
            c = src[self.i]
            if skipping:
                if c in " \t" and self.col <= quote_col:
                    self.advance()
                    continue
                skipping = False
            if c == '"':
                if src.startswith('""', self.i):  # a doubled quote stands for one quote
                    parts.append('"')
                    self.advance(2)
                    continue
                self.advance()
                return "".join(parts)
            if c == "\n":
                raise self.error("unterminated string literal (newline in string)", line, col)
            if c == "\\":
                self.advance()
                if self.i < n and src[self.i] == "\n":
                    self.advance()
                    skipping = True
                    continue
                if src.startswith("\r\n", self.i):
                    self.advance(2)
                    skipping = True
                    continue
                parts.append(self.escape())
                continue
            parts.append(c)
            self.advance()

    def char_literal(self) -> Token:
        line, col = self.line, self.col
        self.advance()
        src = self.src
        if self.i >= len(src) or src[self.i] in "'\n":
            raise self.error("invalid character literal", line, col)
        if src[self.i] == "\\":
            self.advance()
            ch = self.escape()
        else:
            ch = src[self.i]
            self.advance()
        if self.i >= len(src) or src[self.i] != "'":
            raise self.error("invalid character literal", line, col)
        self.advance()
        return Token("char", Char(ch), line, col)

    def raw_string_start(self) -> bool:
        j = self.i
        while j < len(self.src) and self.src[j] == "#":
            j += 1
        return j < len(self.src) and self.src[j] == '"'

    def raw_string(self) -> str:
        line, col = self.line, self.col
        hashes = 0
        while self.src[self.i] == "#":
            hashes += 1
            self.advance()
        self.advance()  # the opening quote
        end = '"' + "#" * hashes
        k = self.src.find(end, self.i)
        if k < 0:
            raise self.error("unterminated raw string literal", line, col)
        text = self.src[self.i : k]
        self.advance(k + len(end) - self.i)
        return text

    def backtick_string(self) -> Token:
        line, col = self.line, self.col
        self.advance()
        src, n = self.src, len(self.src)
        if src.startswith("\n", self.i):
            self.advance()
        elif src.startswith("\r\n", self.i):
            self.advance(2)
        parts: list[Any] = []
        buf: list[str] = []
        while True:
            if self.i >= n:
                raise self.error("unterminated back-tick string", line, col)
            c = src[self.i]
            if c == "`":
                if src.startswith("``", self.i):
                    buf.append("`")
                    self.advance(2)
                    continue
                self.advance()
                break
            if c == "$" and src.startswith("${", self.i):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                self.advance(2)
                inner = self.tokens(until_brace=True)
                if len(inner) > 1:  # an empty ${} inserts nothing
                    parts.append(inner)
                continue
            buf.append(c)
            self.advance()
        if buf or not parts:
            parts.append("".join(buf))
        if len(parts) == 1 and isinstance(parts[0], str):
            return Token("str", parts[0], line, col)
        return Token("tstr", parts, line, col)


def tokenize(src: str, path: str = "<script>") -> list[Token]:
    """Tokenize ``src``; raises RhaiParseError with the position of the bad text."""
    return _Lexer(src, path).tokens()
