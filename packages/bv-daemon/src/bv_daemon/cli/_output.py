"""How the CLIs print: aligned tables by default, ``-o json`` for scripts.

A table is a list of rows (dicts keyed by column title); JSON output prints the same rows, so
both forms always carry the same facts.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["format_duration", "print_json", "print_table"]


def print_json(value: Any, out: TextIO = sys.stdout) -> None:
    import orjson  # only -o json needs it: tables and --help stay lighter

    out.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    out.write("\n")


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *,
                empty: str = "Nothing found.", out: TextIO = sys.stdout) -> None:
    if not rows:
        out.write(empty + "\n")
        return
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) for i, col in enumerate(columns)]
    out.write("  ".join(col.ljust(w) for col, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for r in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def format_duration(seconds: float | None) -> str:
    """``HH:MM:SS`` with ``Nd `` in front past a day, as `bv node list` shows uptime."""
    if seconds is None:
        return "-"
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02}:{minutes:02}:{secs:02}"
    return f"{days}d {text}" if days else text
