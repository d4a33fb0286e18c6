"""Errors raised by the Rhai engine.

    BvError
    └── RhaiError                 anything the engine reports about a script
        ├── RhaiParseError        the source does not compile (also an InvalidInput)
        ├── RhaiRuntimeError      evaluation failed (unknown function, bad index, thrown value...)
        │   └── RhaiLimitError    a sandbox limit stopped the script (operations, depth, size, time)

``str(err)`` is one line: ``file:line:col: message`` followed, for runtime errors inside
script functions, by `` (in fn 'f' at file:line:col <- ...)``. ``err.thrown`` holds the value
given to ``throw`` (or the message string for other runtime errors) so try/catch can bind it.
"""

from __future__ import annotations

from typing import Any

from ..errors import BvError, InvalidInput

__all__ = [
    "Position",
    "RhaiError",
    "RhaiLimitError",
    "RhaiParseError",
    "RhaiRuntimeError",
    "RhaiThrow",
]

# (path, line, column); line and column start at 1. A tuple keeps AST nodes small.
Position = tuple[str, int, int]


class RhaiError(BvError):
    """Base of every script error; carries the position and a short call trace."""

    def __init__(self, message: str, pos: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pos: Position | None = pos
        self.trace: list[str] = []

    @property
    def path(self) -> str:
        return self.pos[0] if self.pos else "<script>"

    @property
    def line(self) -> int:
        return self.pos[1] if self.pos else 0

    @property
    def column(self) -> int:
        return self.pos[2] if self.pos else 0

    def __str__(self) -> str:
        head = f"{self.pos[0]}:{self.pos[1]}:{self.pos[2]}: " if self.pos else "<script>:0:0: "
        text = head + self.message.replace("\n", " ")
        if self.trace:
            # Collapse recursion: "in fn 'f' called at x (x63)".
            groups: list[list[Any]] = []
            for entry in self.trace:
                if groups and groups[-1][0] == entry:
                    groups[-1][1] += 1
                else:
                    groups.append([entry, 1])
            parts = [e if n == 1 else f"{e} (x{n})" for e, n in groups[:6]]
            text += " (" + " <- ".join(parts) + ")"
        return text


class RhaiParseError(RhaiError, InvalidInput):
    """The script has a syntax error (or breaks a parse-time limit such as expression depth)."""


class RhaiRuntimeError(RhaiError):
    """Evaluation failed. ``thrown`` is the Rhai value a ``catch (e)`` block receives."""

    def __init__(self, message: str, pos: Position | None = None, thrown: Any = None,
                 is_value: bool = False) -> None:
        super().__init__(message, pos)
        # is_value: ``thrown`` is a script value (throw, or a host error) rather than an
        # engine error, which ``catch`` presents as a map like Rhai does.
        self.thrown: Any = message if thrown is None and not is_value else thrown
        self.is_value = is_value
        self.catchable = True


class RhaiLimitError(RhaiRuntimeError):
    """A sandbox limit was reached; never catchable by the script's try/catch."""

    def __init__(self, message: str, pos: Position | None = None) -> None:
        super().__init__(message, pos)
        self.catchable = False


class RhaiThrow(RhaiRuntimeError):
    """A value thrown by the script's ``throw`` statement."""
