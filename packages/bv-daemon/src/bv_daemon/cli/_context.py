"""What every `bv` command shares: the output format, the daemon client, and alias-aware groups.

Groups load their commands lazily (`AliasedGroup(lazy=...)`): `bv node list` imports only the
module that defines `node list`, and no command module imports grpc or protobuf at import time,
so `bv --help` stays cheap even though it loads every command for its listing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from bv_core.errors import InternalError

from ._client import DaemonClient
from ._output import print_json, print_table

__all__ = ["AliasedGroup", "Ctx", "pass_ctx"]


@dataclass
class Ctx:
    """Per-invocation state, stored as click's ``obj``."""

    socket_path: Path
    output: str = "table"
    _client: DaemonClient | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return self.output == "json"

    @property
    def client(self) -> DaemonClient:
        if self._client is None:
            self._client = DaemonClient(self.socket_path)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def emit(self, value: Any, text: str | Callable[[], None]) -> None:
        """Print ``value`` as JSON with ``-o json``, else ``text`` (a string or a printer)."""
        if self.json:
            print_json(value, sys.stdout)
        elif callable(text):
            text()
        else:
            click.echo(text)

    def table(self, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, empty: str,
              json_rows: Sequence[dict[str, Any]] | None = None) -> None:
        if self.json:
            print_json(list(json_rows if json_rows is not None else rows), sys.stdout)
        else:
            print_table(rows, columns, empty=empty, out=sys.stdout)


F = TypeVar("F", bound=Callable[..., Any])


def pass_ctx(fn: F) -> F:
    """Like click.pass_obj, typed for `Ctx`."""
    return click.pass_obj(fn)  # type: ignore[return-value]


class AliasedGroup(click.Group):
    """A group whose commands may have short aliases (``bv node ls``, ``bv n c``) and may be
    loaded lazily: ``lazy`` maps a command name to ``"module:attribute"`` of its click command,
    imported the first time the command is looked up."""

    def __init__(self, *args: Any, lazy: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases: dict[str, str] = {}
        self.lazy: dict[str, str] = dict(lazy or {})

    def alias(self, name: str, *aliases: str) -> None:
        for a in aliases:
            self.aliases[a] = name

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = self.aliases.get(cmd_name, cmd_name)
        if name not in self.commands and name in self.lazy:
            self.add_command(_load_command(self.lazy[name]), name)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and self.get_command(ctx, args[0]) is None:
            # A typo: load every lazy command, so click's "Did you mean ...?" considers them all.
            for name in self.lazy:
                self.get_command(ctx, name)
        _name, cmd, rest = super().resolve_command(ctx, args)
        # Report the canonical name, so help and errors speak of `list`, not `ls`.
        return (cmd.name if cmd else None), cmd, rest

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        by_target: dict[str, list[str]] = {}
        for a, target in self.aliases.items():
            by_target.setdefault(target, []).append(a)
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            label = name + (f" ({', '.join(by_target[name])})" if name in by_target else "")
            rows.append((label, cmd.get_short_help_str(limit=90)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _load_command(target: str) -> click.Command:
    module_name, _, attr = target.partition(":")
    command = getattr(importlib.import_module(module_name), attr, None)
    if not isinstance(command, click.Command):
        # A wrong entry in a lazy table is our bug, not the operator's.
        raise InternalError(f"lazy command {target} is not a click command")
    return command
