"""`bv`: the operator CLI of blockvisord, talking to it over its local Unix-socket gRPC API.

Output is a table (or plain text) by default and JSON with ``-o json``. Failures are one line on
stderr naming the bad input; exit code 1, or 2 for a malformed command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..logging_setup import configure_logging, parse_level
from ..paths import HostPaths
from . import _job_commands as _job_commands  # noqa: F401  (registers `node job/jobs/logs`)
from . import _node_inspect_commands as _node_inspect_commands  # noqa: F401  (registers `node info/...`)
from ._client import CliError
from ._context import AliasedGroup, Ctx
from ._daemon_commands import register as _register_daemon_commands
from ._host_commands import cluster_group, host_group, image_group
from ._node_commands import node_group

__all__ = ["bv", "main"]


def _check_level(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parse_level(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    return value


@click.group(cls=AliasedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Tables/text for people, or JSON for scripts.")
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, readable=False, path_type=Path),
              help="The daemon's API socket [default: $BV_ROOT/var/lib/blockvisor/blockvisor.sock].")
@click.option("--log-level", callback=_check_level, metavar="LEVEL",
              help="error, warn, info, debug or trace (default: $BV_LOG or warn).")
@click.version_option(package_name="bv-daemon", prog_name="bv")
@click.pass_context
def bv(cctx: click.Context, output: str, socket_path: Path | None, log_level: str | None) -> None:
    """Run and inspect blockchain nodes on this host through blockvisord."""
    configure_logging(log_level or "warn", identifier="bv")
    ctx = Ctx(socket_path=socket_path or HostPaths.from_env().socket, output=output)
    cctx.obj = ctx
    cctx.call_on_close(ctx.close)


_register_daemon_commands(bv)
bv.add_command(node_group)
bv.add_command(host_group)
bv.add_command(image_group)
bv.add_command(cluster_group)
assert isinstance(bv, AliasedGroup)
bv.alias("node", "n")
bv.alias("host", "h")
bv.alias("image", "i")
bv.alias("cluster", "p2p")


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code (click's usage errors give 2)."""
    try:
        bv.main(args=argv, prog_name="bv", standalone_mode=False)
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
