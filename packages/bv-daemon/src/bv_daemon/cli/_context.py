"""What every `bv` command shares: the output format, the daemon client, and alias-aware groups."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

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
    """A group whose commands may have short aliases (``bv node ls``, ``bv n c``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases: dict[str, str] = {}

    def alias(self, name: str, *aliases: str) -> None:
        for a in aliases:
            self.aliases[a] = name

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        # Report the canonical name, so help and errors speak of `list`, not `ls`.
        _name, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd else None), cmd, rest

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        by_target: dict[str, list[str]] = {}
        for a, target in self.aliases.items():
            by_target.setdefault(target, []).append(a)
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name)
            if cmd is None or cmd.hidden:
                continue
            label = name + (f" ({', '.join(by_target[name])})" if name in by_target else "")
            rows.append((label, cmd.get_short_help_str(limit=90)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
