"""The utility functions BlockVisor registers in its Rhai engine (``rhai_plugin.rs``
``new_rhai_engine``) and the response objects its host functions return.

* ``parse_hex(s)``: strips one ``0x`` prefix, reads base 16 into i64; no trimming.
* ``parse_json(s)``: the text must be a JSON object; ``null`` becomes ``()``, numbers
  become i64 or f64.
* ``to_json(v)``: Rhai's JSON text of a map (also accepted for any other value).
* ``system_time()``, ``parse_rfc3339(s)``, ``parse_time(s, fmt)``: Unix seconds.
* ``sanitize_sh_param(s)``: the string double-quoted for a shell, or an error.
* ``HttpResponse`` (``run_jrpc``/``run_rest``) with ``.status_code``, ``.body``,
  ``.expect(code)`` and ``.expect(|code| bool)``; ``ShResponse`` (``run_sh``) with
  ``.exit_code``, ``.stdout``, ``.stderr`` and ``.unwrap()``. Their error texts are the
  original's ("unexpected status_code: 500", "unexpected exit_code: 1").
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

from .._format import format_json, rust_str_debug
from .._registry import CallContext, FunctionRegistry, NoMatch, RuntimeFault
from .._values import INT_MAX, INT_MIN, FnPtr, type_name
from ._common import as_int, as_str, reg
from .numbers import parse_int_text
from .timeparse import TimeParseError, parse_rfc3339, parse_time

__all__ = [
    "HttpResponse",
    "ShResponse",
    "install",
    "json_to_value",
    "parse_json_object",
    "sanitize_sh_param",
]


# --- JSON ---------------------------------------------------------------------------------


def json_to_value(value: Any) -> Any:
    """A decoded JSON value as Rhai values: objects to maps, null to (), ints checked to
    fit in i64 (Rhai's lexer rejects bigger literals)."""
    t = type(value)
    if t is dict:
        return {k: json_to_value(v) for k, v in value.items()}
    if t is list:
        return [json_to_value(v) for v in value]
    if t is int and not INT_MIN <= value <= INT_MAX:
        raise RuntimeFault(f"Syntax error: integer literal out of range: {value}")
    return value


# orjson turns integers beyond 64 bits into floats; Rhai's lexer rejects such literals, so
# texts with a long digit run are decoded by the stdlib parser, which reports every int.
_LONG_INT = re.compile(r"\d{19,}")


def _checked_int(text: str) -> int:
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise RuntimeFault(f"Syntax error: integer literal out of range: {text}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def parse_json_object(text: str) -> dict[str, Any]:
    """Parse ``text`` as BlockVisor's ``parse_json`` does (a JSON object only)."""
    if not text.strip():
        raise RuntimeFault("Output type incorrect: () (expecting map)")
    try:
        if _LONG_INT.search(text):
            decoded = json.loads(text, parse_int=_checked_int, parse_constant=_no_constant)
        else:
            decoded = orjson.loads(text)
    except (orjson.JSONDecodeError, ValueError) as err:
        raise RuntimeFault(f"Syntax error: invalid JSON: {err}") from None
    value = json_to_value(decoded)
    if type(value) is not dict:
        raise RuntimeFault(f"Output type incorrect: {type_name(value)} (expecting map)")
    return value


def _parse_json(ctx: CallContext, text: Any) -> dict[str, Any]:
    return parse_json_object(as_str(text))


def _to_json(ctx: CallContext, value: Any) -> str:
    return format_json(value)


# --- numbers and time ---------------------------------------------------------------------


def _parse_hex(ctx: CallContext, text: Any) -> int:
    text = as_str(text)
    digits = text[2:] if text.startswith("0x") else text
    try:
        return parse_int_text(digits, 16)
    except ValueError as err:
        raise RuntimeFault(str(err)) from None


def _system_time(ctx: CallContext) -> int:
    return int(time.time())


def _parse_rfc3339(ctx: CallContext, text: Any) -> int:
    try:
        return parse_rfc3339(as_str(text))
    except TimeParseError as err:
        raise RuntimeFault(str(err)) from None


def _parse_time(ctx: CallContext, text: Any, fmt: Any) -> int:
    try:
        return parse_time(as_str(text), as_str(fmt))
    except TimeParseError as err:
        raise RuntimeFault(str(err)) from None


# --- shell quoting ------------------------------------------------------------------------

_SH_PLAIN = frozenset("/:{},-_. ")


def sanitize_sh_param(param: str) -> str:
    """Double-quote ``param`` for ``sh``: alphanumerics and ``/:{},-_.`` and space pass,
    ``"`` and newline are escaped, a single quote or anything else is refused."""
    out = []
    for c in param:
        if c == "'":
            raise RuntimeFault(f"Very unsafe subsitution >:( {c}")
        if c.isalnum() or c in _SH_PLAIN:
            out.append(c)
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        else:
            raise RuntimeFault(f"Shell unsafe character detected: {c}")
    return '"' + "".join(out) + '"'


def _sanitize(ctx: CallContext, param: Any) -> str:
    return sanitize_sh_param(as_str(param))


# --- response objects ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What ``run_jrpc``/``run_rest`` return to a script."""

    rhai_type_name: ClassVar[str] = "DressedHttpResponse"

    status_code: int
    body: str

    def rhai_json(self) -> str:
        return format_json(self.to_json_value())

    def to_json_value(self) -> dict[str, Any]:
        return {"body": self.body, "status_code": self.status_code}

    def rust_debug(self) -> str:
        return (
            f"HttpResponse {{ status_code: {self.status_code}, body: {rust_str_debug(self.body)} }}"
        )


@dataclass(frozen=True, slots=True)
class ShResponse:
    """What ``run_sh`` returns to a script."""

    rhai_type_name: ClassVar[str] = "DressedShResponse"

    exit_code: int
    stdout: str
    stderr: str

    def rhai_json(self) -> str:
        return format_json(self.to_json_value())

    def to_json_value(self) -> dict[str, Any]:
        return {"exit_code": self.exit_code, "stderr": self.stderr, "stdout": self.stdout}

    def rust_debug(self) -> str:
        return (
            f"ShResponse {{ exit_code: {self.exit_code}, stdout: {rust_str_debug(self.stdout)}, "
            f"stderr: {rust_str_debug(self.stderr)} }}"
        )


def _http(v: Any) -> HttpResponse:
    if type(v) is HttpResponse:
        return v
    raise NoMatch


def _sh(v: Any) -> ShResponse:
    if type(v) is ShResponse:
        return v
    raise NoMatch


def _status_code(ctx: CallContext, r: Any) -> int:
    return _http(r).status_code


def _body(ctx: CallContext, r: Any) -> str:
    return _http(r).body


def _expect_code(ctx: CallContext, r: Any, expected: Any) -> dict[str, Any]:
    r, expected = _http(r), as_int(expected)
    if r.status_code != expected:
        raise RuntimeFault(f"unexpected status_code: {r.status_code}")
    return parse_json_object(r.body)


def _expect_check(ctx: CallContext, r: Any, check: Any) -> dict[str, Any]:
    r = _http(r)
    if type(check) is not FnPtr:
        raise NoMatch
    verdict = ctx.call_fn_ptr(check, [r.status_code])
    if type(verdict) is not bool:
        raise RuntimeFault(f"Output type incorrect: {type_name(verdict)} (expecting bool)")
    if not verdict:
        raise RuntimeFault(f"unexpected status_code: {r.status_code}")
    return parse_json_object(r.body)


def _exit_code(ctx: CallContext, r: Any) -> int:
    return _sh(r).exit_code


def _stdout(ctx: CallContext, r: Any) -> str:
    return _sh(r).stdout


def _stderr(ctx: CallContext, r: Any) -> str:
    return _sh(r).stderr


def _unwrap(ctx: CallContext, r: Any) -> str:
    resp = _sh(r)
    if resp.exit_code != 0:
        raise RuntimeFault(f"unexpected exit_code: {resp.exit_code}")
    return resp.stdout


def install(registry: FunctionRegistry) -> None:
    """Register the BlockVisor utility functions and the response-object methods."""
    reg(registry, "parse_json", 1, _parse_json)
    reg(registry, "to_json", 1, _to_json)
    reg(registry, "parse_hex", 1, _parse_hex)
    reg(registry, "system_time", 0, _system_time)
    reg(registry, "parse_rfc3339", 1, _parse_rfc3339)
    reg(registry, "parse_time", 2, _parse_time)
    reg(registry, "sanitize_sh_param", 1, _sanitize)
    reg(registry, "get$status_code", 1, _status_code)
    reg(registry, "get$body", 1, _body)
    reg(registry, "expect", 2, _expect_code)
    reg(registry, "expect", 2, _expect_check)
    reg(registry, "get$exit_code", 1, _exit_code)
    reg(registry, "get$stdout", 1, _stdout)
    reg(registry, "get$stderr", 1, _stderr)
    reg(registry, "unwrap", 1, _unwrap)
