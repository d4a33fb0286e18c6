"""`nib`: the node image builder — scaffold, check, play and publish node images.

    nib image create PROTOCOL VARIANT    new image directory with commented templates
    nib image check                      babel.yaml, plugin lint, jobs, rootfs python, a dev node
    nib image play / upgrade NODE        run / upgrade a dev node from the image via blockvisord
    nib login USER_ID                    store an API key for the fleet API (~/.nib.json, 0600)
    nib protocol push / nib image push   publish protocols / image versions, idempotently
    nib protocol list                    what the fleet API has

Image commands take ``--path`` = the image directory (babel.yaml, plugin/, rootfs/), default the
current directory. Failures are one line on stderr; exit 1 (2 for a malformed command line).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bv_core.errors import BvError, InvalidInput
from bv_core.models import load_image_metadata
from bv_core.models._yaml import load_yaml

from .. import __version__
from ..logging_setup import configure_logging, parse_level
from ..paths import HostPaths
from ._client import CliError, DaemonClient
from ._context import AliasedGroup
from ._nib_config import DEFAULT_API_URL, NibConfig, load_config, save_config
from ._nib_dev import (
    create_dev_node,
    delete_node,
    dev_node_checks,
    start_and_wait,
    upgrade_dev_node,
    wait_for_jobs,
)
from ._nib_report import CheckResult
from ._progress import ProgressPrinter

__all__ = ["main", "nib"]

T = TypeVar("T")


def _image_dir(path: Path | None) -> Path:
    """``--path``: the image directory, or its babel.yaml."""
    p = (path or Path.cwd()).resolve()
    if p.is_file() or p.name.endswith((".yaml", ".yml")):
        p = p.parent
    if not (p / "babel.yaml").is_file():
        raise CliError(f"no babel.yaml in {p} (use --path IMAGE_DIR)")
    return p


def _parse_props(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    doc = load_yaml(text, "--props")  # JSON is YAML: both forms work
    if not isinstance(doc, dict):
        raise InvalidInput("--props: expected a JSON/YAML map of property key to value")
    return {str(k): v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in doc.items()}


def _socket(cctx: click.Context) -> Path:
    obj = cctx.find_root().obj
    assert isinstance(obj, dict)
    return obj["socket"] or HostPaths.from_env().socket


def _fleet(fn: Callable[[Any], Awaitable[T]]) -> T:
    from ..fleet.client import FleetClient, Tokens

    cfg = load_config()

    async def run() -> T:
        async with FleetClient(cfg.blockjoy_api_url, Tokens(cfg.token, "")) as client:
            return await fn(client)

    return asyncio.run(run())


path_option = click.option("--path", type=click.Path(path_type=Path),
                           help="Image directory (or its babel.yaml) [default: current directory].")
props_option = click.option("--props", help="Property values as a JSON or YAML map (override defaults).")
variant_option = click.option("--variant", help="Variant key (needed when the image has several).")
tag_option = click.option("--tag", "tags", multiple=True, help="Tag for the dev node (repeatable).")
ip_option = click.option("--ip", help="Dev node IP [default: the first free one of the host's pool].")
gateway_option = click.option("--gateway", help="Dev node gateway [default: the host's].")


def _check_level(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        parse_level(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    return value


@click.group(cls=AliasedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, path_type=Path),
              help="blockvisord's API socket [default: $BV_ROOT/var/lib/blockvisor/blockvisor.sock].")
@click.option("--log-level", default="warn", metavar="LEVEL", callback=_check_level,
              help="error, warn, info, debug or trace.")
@click.version_option(package_name="bv-daemon", prog_name="nib")
@click.pass_context
def nib(cctx: click.Context, socket_path: Path | None, log_level: str) -> None:
    """Build, check, run and publish node images."""
    configure_logging(log_level, identifier="nib")
    cctx.obj = {"socket": socket_path}


# -- login --------------------------------------------------------------------------------------

@nib.command("login")
@click.argument("user_id")
@click.option("--api", "api_url", default=DEFAULT_API_URL, show_default=True, help="Fleet API URL.")
@click.option("--email", help="Account e-mail (prompted when missing).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of prompting.")
def login_cmd(user_id: str, api_url: str, email: str | None, password_stdin: bool) -> None:
    """Log in, create an API key for USER_ID and save it for the push commands."""
    from ._nib_login import create_api_key

    email = email or click.prompt("email")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("password", hide_input=True)
    key = asyncio.run(create_api_key(api_url, email, password, user_id))
    path = save_config(NibConfig(key, api_url))
    click.echo(f"Logged in; API key saved to {path}")


# -- image --------------------------------------------------------------------------------------

@nib.group("image", cls=AliasedGroup)
def image_group() -> None:
    """Create, check, play and push node images."""


@image_group.command("create")
@click.argument("protocol")
@click.argument("variant")
@click.option("--path", type=click.Path(path_type=Path),
              help="Directory to write the image into [default: ./PROTOCOL_VARIANT].")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def create_cmd(protocol: str, variant: str, path: Path | None, force: bool) -> None:
    """Scaffold a new image: babel.yaml, plugin/main.rhai, Dockerfile, rootfs.sh."""
    from ._nib_scaffold import scaffold

    target = path or Path.cwd() / f"{protocol}_{variant}"
    for written in scaffold(protocol, variant, target, force=force):
        click.echo(f"Render {written.name} file at `{written}`")


@image_group.command("container-uri")
@path_option
def container_uri_cmd(path: Path | None) -> None:
    """Print the image's container_uri."""
    click.echo(load_image_metadata(_image_dir(path) / "babel.yaml").container_uri)


def _print(result: CheckResult) -> None:
    for line in result.lines():
        click.echo(line)


@image_group.command("check")
@path_option
@variant_option
@props_option
@tag_option
@ip_option
@gateway_option
@click.option("--skip-play", is_flag=True, help="Only the local checks: no dev node.")
@click.option("--cleanup", is_flag=True, help="Delete the dev node when every check passed.")
@click.option("--force-cleanup", is_flag=True, help="Delete the dev node whatever the result.")
@click.option("--start-timeout", type=float, default=30.0, show_default=True,
              help="Seconds for the dev node to reach Running.")
@click.option("--jobs-wait", type=float, default=5.0, show_default=True,
              help="Seconds jobs and status functions get to settle before they count as failed.")
@click.pass_context
def check_cmd(cctx: click.Context, path: Path | None, variant: str | None, props: str | None,
              tags: tuple[str, ...], ip: str | None, gateway: str | None, skip_play: bool, cleanup: bool, force_cleanup: bool,
              start_timeout: float, jobs_wait: float) -> None:
    """Validate the image and its plugin, then run it as a dev node and call its status functions."""
    # The linter pulls in the Rhai engine: import it only for the command that needs it.
    from ._nib_check import check_babel, check_jobs, check_plugin, check_rootfs

    image_dir = _image_dir(path)
    params = _parse_props(props)
    results: list[CheckResult] = []

    def add(result: CheckResult) -> bool:
        results.append(result)
        _print(result)
        return result.ok

    click.echo("Read and validate babel.yaml")
    babel, _meta = check_babel(image_dir, variant)
    if add(babel):
        click.echo("Checking plugin")
        if add(check_plugin(image_dir, params, variant)):
            add(check_jobs(image_dir, params, variant))
    add(check_rootfs(image_dir))
    if not skip_play and all(r.ok for r in results):
        _play_checks(cctx, image_dir, variant, params, list(tags), ip, gateway, add,
                     cleanup=cleanup, force_cleanup=force_cleanup,
                     start_timeout=start_timeout, jobs_wait=jobs_wait)
    failed = [r for r in results if not r.ok]
    if failed:
        raise CliError(f"{len(failed)} check(s) failed: {', '.join(r.name for r in failed)}")
    click.echo("All checks passed!")


def _play_checks(cctx: click.Context, image_dir: Path, variant: str | None, params: dict[str, str],
                 tags: list[str], ip: str | None, gateway: str | None,
                 add: Callable[[CheckResult], bool], *, cleanup: bool,
                 force_cleanup: bool, start_timeout: float, jobs_wait: float) -> None:
    client = DaemonClient(_socket(cctx))
    try:
        try:
            node = create_dev_node(client, image_dir, variant=variant, props=params, tags=tags,
                                   ip=ip, gateway=gateway, printer=None)
        except CliError as err:
            add(CheckResult("play", False, f"dev node not created: {err}"))
            return
        click.echo(f"Created '{node.name}' dev_node with ID `{node.id}`")
        try:
            start_and_wait(client, node.id, start_timeout)
            ok = add(CheckResult("play", True, f"node {node.name} is Running"))
        except CliError as err:
            ok = add(CheckResult("play", False, str(err)))
        if ok:
            # Jobs and status settle after start: retry until all pass or --jobs-wait is over,
            # then report the last round.
            deadline = time.monotonic() + jobs_wait
            wait_for_jobs(client, node.id, deadline)
            while True:
                checks = dev_node_checks(client, node.id)
                if all(c.ok for c in checks) or time.monotonic() >= deadline:
                    break
                time.sleep(1.0)
            for result in checks:
                ok = add(result) and ok
        if force_cleanup or (cleanup and ok):
            click.echo(delete_node(client, node.id))
    finally:
        client.close()


@image_group.command("play")
@path_option
@variant_option
@props_option
@tag_option
@ip_option
@gateway_option
@click.option("--no-start", is_flag=True, help="Create the node but leave it Stopped.")
@click.option("--start-timeout", type=float, default=30.0, show_default=True)
@click.pass_context
def play_cmd(cctx: click.Context, path: Path | None, variant: str | None, props: str | None,
             tags: tuple[str, ...], ip: str | None, gateway: str | None, no_start: bool,
             start_timeout: float) -> None:
    """Create (and start) a dev node from the image directory through blockvisord."""
    image_dir = _image_dir(path)
    client = DaemonClient(_socket(cctx))
    try:
        node = create_dev_node(client, image_dir, variant=variant, props=_parse_props(props),
                               tags=list(tags), ip=ip, gateway=gateway, printer=ProgressPrinter(sys.stderr))
        click.echo(f"Created new dev_node with ID `{node.id}` and name `{node.name}`")
        if not no_start:
            start_and_wait(client, node.id, start_timeout)
            click.echo(f"Dev node `{node.name}` is Running")
    finally:
        client.close()


@image_group.command("upgrade")
@click.argument("node")
@path_option
@click.pass_context
def upgrade_cmd(cctx: click.Context, node: str, path: Path | None) -> None:
    """Upgrade dev node NODE (id or name) to the image directory's version."""
    client = DaemonClient(_socket(cctx))
    try:
        info = upgrade_dev_node(client, node, _image_dir(path), ProgressPrinter(sys.stderr))
        click.echo(f"Upgraded dev_node with ID `{info.id}` to {info.image.version}")
    finally:
        client.close()


@image_group.command("push")
@path_option
@click.option("--min-babel-version", default=__version__, show_default=True,
              help="Oldest BlockVisor version that may run the image.")
def push_cmd(path: Path | None, min_babel_version: str) -> None:
    """Publish every variant of the image: protocol version + image (only what changed)."""
    from ._nib_push import push_image

    meta = load_image_metadata(_image_dir(path) / "babel.yaml")
    _fleet(lambda client: push_image(client, meta, min_babel_version, click.echo))


# -- protocol -----------------------------------------------------------------------------------

@nib.group("protocol", cls=AliasedGroup)
def protocol_group() -> None:
    """Publish protocols."""


@protocol_group.command("push")
@click.option("--path", type=click.Path(path_type=Path), default=Path("protocols.yaml"),
              show_default=True, help="YAML list of {key, name, visibility, org_id?, ticker?, description?}.")
def protocol_push_cmd(path: Path) -> None:
    """Add or update the protocols of a protocols.yaml file."""
    from ._nib_push import load_protocols, push_protocols

    protocols = load_protocols(path)
    _fleet(lambda client: push_protocols(client, protocols, click.echo))


@protocol_group.command("list")
@click.option("--name", help="Only protocols whose name contains this text.")
@click.option("-n", "--number", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many protocols to show.")
def protocol_list_cmd(name: str | None, number: int) -> None:
    """List the protocols the fleet API shows this account, with their versions."""
    from bv_core.proto.blockjoy.common.v1 import search_pb2
    from bv_core.proto.blockjoy.v1 import protocol_pb2

    from ._output import print_table

    req = protocol_pb2.ProtocolServiceListProtocolsRequest(offset=0, limit=number)
    if name:
        req.search.CopyFrom(protocol_pb2.ProtocolSearch(operator=search_pb2.SEARCH_OPERATOR_OR,
                                                        name=f"%{name}%"))

    async def call(client: Any) -> Any:
        return await client.call("ProtocolService", "ListProtocols", req)

    resp = _fleet(call)
    rows = [{"key": p.key, "name": p.name,
             "versions": ", ".join(sorted({f"{v.version_key.variant_key}/{v.semantic_version}"
                                           for v in p.versions}))}
            for p in resp.protocols]
    print_table(rows, ["key", "name", "versions"], empty="No protocols found.")


assert isinstance(nib, AliasedGroup) and isinstance(protocol_group, AliasedGroup)
nib.alias("image", "i")
nib.alias("protocol", "p")
protocol_group.alias("list", "ls")


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code (click's usage errors give 2)."""
    try:
        nib.main(args=argv, prog_name="nib", standalone_mode=False)
    except BvError as err:
        click.echo(f"Error: {err}", err=True)
        return err.exit_code if isinstance(err, CliError) else 1
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except click.UsageError as err:
        where = err.ctx.command_path if err.ctx is not None else "nib"
        click.echo(f"Error: {err.format_message()} (see '{where} --help')", err=True)
        return err.exit_code
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except click.exceptions.Exit as err:
        return int(err.exit_code)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
