"""The root click group of `bv` (-o/--output, --socket, --log-level, --version).

Its commands are loaded lazily from `COMMANDS`: running one command imports only the module
that defines it (see `AliasedGroup`).
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ._context import AliasedGroup, Ctx

__all__ = ["COMMANDS", "PROG", "bv"]

# Top-level command -> where its click command lives (imported on first use).
COMMANDS = {
    "start": "bv_daemon.cli._daemon_commands:start_command",
    "stop": "bv_daemon.cli._daemon_commands:stop_command",
    "status": "bv_daemon.cli._daemon_commands:status_command",
    "node": "bv_daemon.cli._node_commands:node_group",
    "host": "bv_daemon.cli._host_commands:host_group",
    "image": "bv_daemon.cli._host_commands:image_group",
    "cluster": "bv_daemon.cli._host_commands:cluster_group",
}
PROG = "bv"


def _check_level(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from ..logging_setup import parse_level

    try:
        parse_level(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    return value


@click.group(cls=AliasedGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Tables/text for people, or JSON for scripts.")
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, readable=False, path_type=Path),
              help="The daemon's API socket [default: $BV_ROOT/var/lib/blockvisor/blockvisor.sock].")
@click.option("--log-level", callback=_check_level, metavar="LEVEL",
              help="error, warn, info, debug or trace (default: $BV_LOG or warn).")
# The version of this package (bv_daemon.__version__ is the project version): reading it from
# the installed distribution's metadata would cost an importlib.metadata scan per call.
@click.version_option(__version__, prog_name=PROG)
@click.pass_context
def bv(cctx: click.Context, output: str, socket_path: Path | None, log_level: str | None) -> None:
    """Run and inspect blockchain nodes on this host through blockvisord."""
    from ..logging_setup import configure_logging
    from ..paths import HostPaths

    configure_logging(log_level or "warn", identifier="bv")
    ctx = Ctx(socket_path=socket_path or HostPaths.from_env().socket, output=output)
    cctx.obj = ctx
    cctx.call_on_close(ctx.close)


assert isinstance(bv, AliasedGroup)
bv.alias("node", "n")
bv.alias("host", "h")
bv.alias("image", "i")
bv.alias("cluster", "p2p")
