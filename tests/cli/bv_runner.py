"""An in-process `bv` runner for tests: real argv, real exit codes, stdio captured.

It calls ``bv_daemon.cli.bv.main`` with stdout/stderr/stdin redirected into buffers, so exit
codes and the stdout/stderr split are exactly what the console script gives.
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from bv_daemon.cli.bv import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


class Bv:
    """Runs `bv --socket <fake> ARGS...` in process."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path

    def __call__(self, *args: str, input: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(input)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["--socket", str(self.socket_path), *args])
        finally:
            sys.stdin = old_stdin
        return Result(code, out.getvalue(), err.getvalue())
