"""A small, safe subset of Tera (the original's template engine) for ``render_template``.

Supported: ``{{ expr }}`` with filters (``lower``, ``upper``, ``trim``, ``replace(from=, to=)``,
``default(value=)``, ``json_encode``), ``{% if expr %}...{% elif %}...{% else %}...{% endif %}``
(truthiness, ``not``, ``==``/``!=`` against a literal or variable, ``and``/``or``),
``{% for x in list %}...{% endfor %}``, ``{% raw %}...{% endraw %}`` and ``{# comments #}``.
Variables are dotted paths into the JSON params. Nothing can call code or touch files, and an
unknown variable or filter is an error naming it (Tera fails the same way).
"""

from __future__ import annotations

import re
from typing import Final, cast

import orjson

from ._exceptions import BadRequest

__all__ = ["render"]

_TOKEN: Final = re.compile(r"({{.*?}}|{%-?.*?-?%}|{#.*?#})", re.S)
_STRING: Final = re.compile(r'^"(.*)"$|^\'(.*)\'$|^`(.*)`$', re.S)
_FILTER_ARG: Final = re.compile(r"\s*(\w+)\s*=\s*(\"[^\"]*\"|'[^']*'|`[^`]*`|[\w.\-]+)\s*")

Node = tuple[str, object]


class _Missing:
    pass


_MISSING: Final = _Missing()


def _lookup(path: str, ctx: dict[str, object]) -> object:
    value: object = ctx
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _literal(text: str, ctx: dict[str, object], *, strict: bool = True) -> object:
    text = text.strip()
    m = _STRING.match(text)
    if m:
        return next(g for g in m.groups() if g is not None)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    value = _lookup(text, ctx)
    if value is _MISSING and strict:
        raise BadRequest(f"template variable '{text}' not found in params")
    return value


def _to_str(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def _apply_filter(value: object, spec: str, ctx: dict[str, object]) -> object:
    name, _, rest = spec.strip().partition("(")
    name = name.strip()
    args: dict[str, object] = {}
    if rest:
        for m in _FILTER_ARG.finditer(rest.rstrip().removesuffix(")")):
            args[m.group(1)] = _literal(m.group(2), ctx)
    if name == "default":
        return args.get("value", "") if value is _MISSING or value is None else value
    if value is _MISSING:
        raise BadRequest("template variable not found in params")
    if name == "lower":
        return _to_str(value).lower()
    if name == "upper":
        return _to_str(value).upper()
    if name == "trim":
        return _to_str(value).strip()
    if name == "replace":
        return _to_str(value).replace(_to_str(args.get("from", "")), _to_str(args.get("to", "")))
    if name == "json_encode":
        return orjson.dumps(value).decode()
    raise BadRequest(f"template filter '{name}' is not supported")


def _expr(text: str, ctx: dict[str, object]) -> object:
    head, *filters = text.split("|")
    has_default = any(f.strip().startswith("default") for f in filters)
    value = _literal(head, ctx, strict=not has_default)
    for spec in filters:
        value = _apply_filter(value, spec, ctx)
    return value


def _truthy(value: object) -> bool:
    return value is not _MISSING and bool(value)


def _condition(text: str, ctx: dict[str, object]) -> bool:
    for op in (" or ", " and "):
        if op in text:
            parts = [_condition(p, ctx) for p in text.split(op)]
            return any(parts) if op == " or " else all(parts)
    text = text.strip()
    if text.startswith("not "):
        return not _condition(text[4:], ctx)
    for op in ("==", "!="):
        if op in text:
            left, right = text.split(op, 1)
            equal = _literal(left, ctx, strict=False) == _literal(right, ctx, strict=False)
            return equal if op == "==" else not equal
    return _truthy(_literal(text, ctx, strict=False))


def _parse(tokens: list[str], pos: int, ends: tuple[str, ...]) -> tuple[list[Node], int, str]:
    nodes: list[Node] = []
    while pos < len(tokens):
        tok = tokens[pos]
        pos += 1
        if tok.startswith("{#"):
            continue
        if tok.startswith("{{"):
            nodes.append(("expr", tok[2:-2]))
            continue
        if not tok.startswith("{%"):
            nodes.append(("text", tok))
            continue
        tag = tok[2:-2].strip("-").strip()
        word = tag.split(" ", 1)[0]
        if word in ends:
            return nodes, pos, tag
        if word == "raw":
            raw = []
            while pos < len(tokens) and not (tokens[pos].startswith("{%") and tokens[pos][2:-2].strip("-").strip() == "endraw"):
                raw.append(tokens[pos])
                pos += 1
            nodes.append(("text", "".join(raw)))
            pos += 1
        elif word == "if":
            branches: list[tuple[str | None, list[Node]]] = []
            cond: str | None = tag[3:]
            while True:
                body, pos, end = _parse(tokens, pos, ("elif", "else", "endif"))
                branches.append((cond, body))
                if end == "endif":
                    break
                cond = end[5:] if end.startswith("elif") else None
            nodes.append(("if", branches))
        elif word == "for":
            m = re.fullmatch(r"for\s+(\w+)\s+in\s+(.+)", tag, re.S)
            if not m:
                raise BadRequest(f"template: bad for tag '{tag}'")
            body, pos, _ = _parse(tokens, pos, ("endfor",))
            nodes.append(("for", (m.group(1), m.group(2), body)))
        else:
            raise BadRequest(f"template: tag '{word}' is not supported")
    if ends:
        raise BadRequest(f"template: missing {{% {ends[-1]} %}}")
    return nodes, pos, ""


def _render(nodes: list[Node], ctx: dict[str, object], out: list[str]) -> None:
    for kind, payload in nodes:
        if kind == "text":
            out.append(str(payload))
        elif kind == "expr":
            out.append(_to_str(_expr(str(payload), ctx)))
        elif kind == "if":
            for cond, body in cast(list[tuple[str | None, list[Node]]], payload):
                if cond is None or _condition(cond, ctx):
                    _render(body, ctx, out)
                    break
        elif kind == "for":
            var, source, body = cast(tuple[str, str, list[Node]], payload)
            items = _expr(source, ctx)
            if isinstance(items, dict):
                items = list(items.values())
            if not isinstance(items, list):
                raise BadRequest(f"template: '{source}' is not a list")
            for item in items:
                _render(body, {**ctx, var: item}, out)


def render(template: str, params: dict[str, object]) -> str:
    """Render ``template`` with ``params``; BadRequest names what is wrong."""
    tokens = [t for t in _TOKEN.split(template) if t]
    nodes, _, _ = _parse(tokens, 0, ())
    out: list[str] = []
    _render(nodes, params, out)
    return "".join(out)
