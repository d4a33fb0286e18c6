"""`bv`: the operator CLI of blockvisord, talking to it over its local Unix-socket gRPC API.

Output is a table (or plain text) by default and JSON with ``-o json``. Failures are one line on
stderr naming the bad input; exit code 1, or 2 for a malformed command line.

Scripts run `bv` in loops, so start-up is kept short: this entry module imports nothing heavy,
``bv --version`` answers before click is imported, the root group (`_root.py`) imports a command
module only when that command runs, and grpc and the protobuf messages load only when a call is
made (`_client.py`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._root import bv as bv

__all__ = ["bv", "main"]


def __getattr__(name: str) -> Any:
    # `bv` (the click group) stays importable from here without importing click for --version.
    if name == "bv":
        from ._root import bv

        return bv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code (click's usage errors give 2)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from .. import __version__

        # The text of the root group's click version option (_root.py), without importing click;
        # `bv -o json --version` still goes through click, and a test compares the two.
        sys.stdout.write(f"bv, version {__version__}\n")
        return 0
    import click

    from ._client import CliError
    from ._root import PROG, bv

    try:
        bv.main(args=argv, prog_name=PROG, standalone_mode=False)
    except CliError as err:
        click.echo(f"Error: {err}", err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except click.UsageError as err:
        # One line naming the bad input, plus where to look (click's default is a 4-line block).
        where = err.ctx.command_path if err.ctx is not None else "bv"
        click.echo(f"Error: {err.format_message()} (see '{where} --help')", err=True)
        return err.exit_code
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except click.exceptions.Exit as err:
        return int(err.exit_code)
    except BrokenPipeError:
        # `bv node logs -f | head`: the reader left; not an error.
        return 0
    except KeyboardInterrupt:
        return 130
    except SystemExit as err:
        # Multi-node commands exit 1 after reporting each failure themselves.
        return err.code if isinstance(err.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
