"""YAML reading/writing for babel.yaml, matching how the original (serde_yaml, YAML 1.2) reads it.

* Plain scalars stay strings (only ``null``/``~``/empty become None): the original reads
  ``default_value: off`` as the string "off" and a switch's ``on:`` key as "on", whereas PyYAML's
  YAML 1.1 rules would turn both into booleans. Numbers and booleans are converted later by
  msgspec's lax mode against the field's declared type.
* Enum tags (``!store_key x``, ``!combination_disallowed``, ``!switch {..}``, ``!text``,
  ``!password``, ``!enum [..]``) become ``{"type": <tag>, ...}`` maps, the form the tagged-union
  models decode.
* A key repeated in one mapping is an error (serde_yaml refuses it; PyYAML would keep the last).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from ..errors import ModelError

__all__ = ["Tagged", "dump_yaml", "load_yaml"]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) or key is None:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key!r}", key_node.start_mark,
                    )
                seen[key] = True
        return super().construct_mapping(node, deep=deep)


# Drop YAML 1.1 implicit typing (bool/int/float/timestamp); keep null and merge keys ("<<").
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


def _value(loader: _Loader, node: Any) -> Any:
    if isinstance(node, yaml.ScalarNode):
        text = loader.construct_scalar(node)
        return None if node.style is None and _NULL.match(text) else text
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _tag(kind: str, field: str | None) -> Callable[[_Loader, Any], dict[str, Any]]:
    def construct(loader: _Loader, node: Any) -> dict[str, Any]:
        value = _value(loader, node)
        if field is None:
            if isinstance(value, dict):  # !switch {on: .., off: ..}: the fields sit beside the tag
                return {**value, "type": kind}
            if value is None:
                return {"type": kind}
            return {"type": kind, "value": value}  # rejected later as an unknown field
        return {"type": kind, field: value}

    return construct


# tag -> (discriminator value, field that holds the tagged node's content; None = inline map)
TAGS: dict[str, tuple[str, str | None]] = {
    "!store_key": ("store_key", "key"),
    "!combination_disallowed": ("combination_disallowed", None),
    "!switch": ("switch", None),
    "!text": ("text", "impact"),
    "!password": ("password", "impact"),
    "!enum": ("enum", "values"),
}
for _t, (_kind, _field) in TAGS.items():
    _Loader.add_constructor(_t, _tag(_kind, _field))


def load_yaml(text: str | bytes, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ModelError(source, "$", f"expected valid YAML ({exc.problem}{where})") from exc
    except yaml.YAMLError as exc:
        raise ModelError(source, "$", f"expected valid YAML ({exc})") from exc


class Tagged:
    """A value to be written with a local YAML tag (``!store_key foo``)."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: object) -> None:
        self.tag = tag
        self.value = value


class _Dumper(yaml.SafeDumper):
    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        event: Any = self.event
        analysis: Any = self.analysis
        # PyYAML quotes every explicitly tagged scalar; `!store_key key` reads better, and a
        # plain scalar under our tags loads as a string unless it spells null.
        if (
            style == "'"
            and event.tag in TAGS
            and not self.flow_level
            and analysis.allow_block_plain
            and not analysis.empty
            and not analysis.multiline
            and not event.style
        ):
            return ""
        return style


def _represent_tagged(dumper: _Dumper, data: Tagged) -> Any:
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if data.value is None:  # an empty tagged scalar would be written quoted (''), i.e. a string
        return dumper.represent_scalar(data.tag, "null")
    text = str(data.value)
    # a string that spells null must stay a string: force quotes (see choose_scalar_style)
    return dumper.represent_scalar(data.tag, text, style="'" if _NULL.match(text) else None)


_Dumper.add_representer(Tagged, _represent_tagged)


def dump_yaml(tree: object) -> str:
    """Block-style YAML; strings that YAML 1.1 would retype are quoted by SafeDumper itself."""
    text: str = yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return text
