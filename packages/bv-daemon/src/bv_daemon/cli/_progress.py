"""Showing the steps a long node operation streams (create, upgrade).

On a terminal one line is redrawn in place; anywhere else (pipes, logs, CI) each step is printed
once, on its own line, so the output reads as a log of what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from ._client import CliError

__all__ = ["ProgressPrinter", "follow_progress"]


def _human(value: int, unit: str | None) -> str:
    if unit in ("bytes", "B", "b"):
        size = float(value)
        for suffix in ("B", "KB", "MB", "GB", "TB"):
            if size < 1000 or suffix == "TB":
                return f"{size:.0f} {suffix}" if suffix == "B" else f"{size:.1f} {suffix}"
            size /= 1000
    return f"{value} {unit}" if unit else str(value)


class ProgressPrinter:
    """Renders `ProgressStep` messages to ``out``; ``tty`` selects the in-place form."""

    def __init__(self, out: TextIO, *, tty: bool | None = None) -> None:
        self.out = out
        self.tty = out.isatty() if tty is None else tty
        self._last_key: tuple[str, int] | None = None
        self._line_open = False
        self.steps_seen: list[str] = []

    def step(self, step: Any) -> None:
        prefix = f"[{step.index}/{step.count}] " if step.count else ""
        text = step.message or step.name
        key = (step.name, step.index)
        if key != self._last_key:
            self.steps_seen.append(step.name)
        if self.tty:
            detail = ""
            if step.HasField("current"):
                unit = step.unit if step.HasField("unit") else None
                if step.HasField("total") and step.total:
                    pct = 100 * step.current // step.total
                    detail = f" {_human(step.current, unit)}/{_human(step.total, unit)} ({pct}%)"
                else:
                    detail = f" {_human(step.current, unit)}"
            self.out.write(f"\r\x1b[K{prefix}{text}{detail}")
            self._line_open = True
        elif key != self._last_key:
            # Without a terminal only new steps are printed: byte counters would flood a log.
            self.out.write(f"{prefix}{text}\n")
        self._last_key = key
        self.out.flush()

    def finish(self) -> None:
        if self._line_open:
            self.out.write("\n")
            self.out.flush()
            self._line_open = False


def follow_progress(events: Iterable[Any], printer: ProgressPrinter | None) -> Any:
    """Consume a NodeProgress stream, show its steps, return its final NodeActionResult."""
    result = None
    try:
        for event in events:
            kind = event.WhichOneof("event")
            if kind == "step":
                if printer is not None:
                    printer.step(event.step)
            elif kind == "result":
                result = event.result
    finally:
        if printer is not None:
            printer.finish()
    if result is None:
        raise CliError("blockvisord ended the operation without a result")
    return result
