"""The edge where documents become models: every foreign parse error becomes a ModelError.

msgspec, JSON and YAML errors never reach callers. A ModelError names the document (file path
or payload name), the JSONPath of the bad field (``$.variants[0].min_cpu``) and what was
expected, e.g. ``babel.yaml: $.variants[0].min_cpu: expected `int` >= 0``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import msgspec.inspect as mi

from ..errors import ExternalError, ModelError, NotFound
from ..persistence import atomic_write
from ._base import _MARK, KEBAB_PATTERN, FieldError

__all__ = [
    "FieldError",
    "PATTERN_HINTS",
    "convert",
    "decode_json",
    "encode_json",
    "load_json",
    "read_document",
    "save_json",
    "to_model_error",
]

T = TypeVar("T")

# Regexes used in Meta(pattern=...) shown to operators as words, not as regex soup.
PATTERN_HINTS: dict[str, str] = {
    KEBAB_PATTERN: "a lower-kebab-case string (only a-z, 0-9 and '-')",
}

_AT = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<path>\$[^`]*)`)?$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(?P<f>[^`]*)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<f>[^`]*)`$")
_ENUM = re.compile(r"^Invalid enum value (?P<v>.*)$")
_REGEX = re.compile(r"^Expected `str` matching regex '(?P<re>.*)'$")
_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def to_model_error(source: str, exc: msgspec.ValidationError, type_: Any) -> ModelError:
    """Translate one msgspec validation error into a ModelError with a precise path."""
    m = _AT.match(str(exc))
    assert m is not None  # the pattern matches any string
    msg, path = m.group("msg"), m.group("path") or "$"
    if msg.startswith(_MARK):
        _, field, text = msg.split(_MARK, 2)
        sep = "" if field.startswith("[") else "."
        return ModelError(source, f"{path}{sep}{field}", text)
    if mm := _MISSING.match(msg):
        return ModelError(source, f"{path}.{mm['f']}", "required field is missing")
    if mm := _UNKNOWN.match(msg):
        allowed = sorted(_field_names(_types_at(type_, path)))
        hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return ModelError(source, f"{path}.{mm['f']}", f"unknown field{hint}")
    if mm := _ENUM.match(msg):
        values = _enum_values(_types_at(type_, path))
        wanted = f"one of {', '.join(values)}" if values else "a known value"
        return ModelError(source, path, f"expected {wanted}, got {mm['v']}")
    if mm := _REGEX.match(msg):
        raw = mm["re"]  # msgspec shows the pattern with backslashes doubled
        hints = {k: v for p, v in PATTERN_HINTS.items() for k in (p, p.replace("\\", "\\\\"))}
        hint = hints.get(raw, f"a string matching {raw.replace(chr(92) * 2, chr(92))!r}")
        return ModelError(source, path, f"expected {hint}")
    if msg.startswith("Invalid value ") and "." in path:  # unknown tag of a tagged union
        parent = path.rsplit(".", 1)[0]
        tags = [str(t.tag) for t in _types_at(type_, parent)
                if isinstance(t, mi.StructType) and t.tag is not None]
        wanted = f"one of {', '.join(tags)}" if tags else "a known value"
        return ModelError(source, path, f"expected {wanted}, got {msg[len('Invalid value '):]}")
    if msg.startswith("Invalid "):  # e.g. "Invalid UUID", "Invalid RFC3339 encoded datetime"
        return ModelError(source, path, f"expected a valid {msg[len('Invalid '):]}")
    if msg.startswith("Expected "):
        msg = "expected " + msg[len("Expected ") :]
    return ModelError(source, path, msg)


def _types_at(type_: Any, path: str) -> list[mi.Type]:
    """The candidate types at a JSONPath inside ``type_`` (several when a union branches)."""
    current: list[mi.Type] = [mi.type_info(type_)]
    for name, index in _PATH_TOKEN.findall(path[1:]):
        nxt: list[mi.Type] = []
        for t in _flatten(current):
            if name and isinstance(t, mi.StructType):
                nxt.extend(f.type for f in t.fields if f.encode_name == name)
            elif index and isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
                nxt.append(t.item_type)
            elif index == "..." and isinstance(t, mi.DictType):
                nxt.append(t.value_type)
        current = nxt
    return list(_flatten(current))


def _flatten(types: Iterable[mi.Type]) -> Iterable[mi.Type]:
    for t in types:
        if isinstance(t, mi.Metadata):
            yield from _flatten([t.type])
        elif isinstance(t, mi.UnionType):
            yield from _flatten(t.types)
        else:
            yield t


def _field_names(types: list[mi.Type]) -> set[str]:
    return {f.encode_name for t in types if isinstance(t, mi.StructType) for f in t.fields}


def _enum_values(types: list[mi.Type]) -> list[str]:
    values: list[str] = []
    for t in types:
        if isinstance(t, mi.EnumType):
            values.extend(str(member.value) for member in t.cls)
        elif isinstance(t, mi.LiteralType):
            values.extend(str(v) for v in t.values)
    return values


def convert(obj: object, type_: type[T], source: str, *, strict: bool = True) -> T:
    """``msgspec.convert`` with errors translated (``strict=False`` for YAML's untyped scalars)."""
    try:
        return msgspec.convert(obj, type_, strict=strict)
    except msgspec.ValidationError as exc:
        raise to_model_error(source, exc, type_) from exc


def decode_json(data: bytes | str, type_: type[T], source: str) -> T:
    try:
        return msgspec.json.decode(data, type=type_)
    except msgspec.ValidationError as exc:
        raise to_model_error(source, exc, type_) from exc
    except msgspec.DecodeError as exc:
        raise ModelError(source, "$", f"expected valid JSON ({exc})") from exc


def encode_json(obj: object) -> bytes:
    """Indented JSON in field order, newline-terminated: state files stay diff- and human-friendly."""
    return msgspec.json.format(msgspec.json.encode(obj), indent=2) + b"\n"


def read_document(path: str | os.PathLike[str]) -> bytes:
    """Read a whole file; NotFound when absent, ExternalError for any other OS failure."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(f"{os.fspath(path)}: no such file") from exc
    except OSError as exc:
        raise ExternalError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from exc


def load_json(path: str | os.PathLike[str], type_: type[T]) -> T:
    return decode_json(read_document(path), type_, os.fspath(path))


def save_json(path: str | os.PathLike[str], obj: object, *, mode: int = 0o644) -> None:
    atomic_write(path, encode_json(obj), mode=mode)
