"""`bv node create/start/stop/restart/upgrade/delete/list`: node lifecycle through the daemon.

Every node argument is an id or a name; the daemon resolves it. Commands over several nodes go
on after a failure (each failure is one stderr line) and exit 1 at the end if any failed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ._client import LONG_TIMEOUT, CliError, DaemonUnreachable, UsageError
from ._context import AliasedGroup, Ctx, pass_ctx
from ._format import NODE_COLUMNS, node_json, node_row
from ._progress import ProgressPrinter, follow_progress

__all__ = ["NODE_COMMANDS", "node_group", "parse_properties"]

# `node` subcommands defined elsewhere, imported only when run (or listed by --help).
_INSPECT = "bv_daemon.cli._node_inspect_commands"
_JOBS = "bv_daemon.cli._job_commands"
NODE_COMMANDS = {
    "info": f"{_INSPECT}:info",
    "status": f"{_INSPECT}:status",
    "capabilities": f"{_INSPECT}:capabilities",
    "reload-plugin": f"{_INSPECT}:reload_plugin",
    "run": f"{_INSPECT}:run",
    "check": f"{_INSPECT}:check",
    "job": f"{_JOBS}:job_group",
    "jobs": f"{_JOBS}:jobs",
    "logs": f"{_JOBS}:logs",
}

node_group = AliasedGroup("node", lazy=NODE_COMMANDS,
                          help="Create, run and inspect nodes (ids or names accepted everywhere).")


def parse_properties(props_json: str | None, props: Sequence[str]) -> dict[str, str]:
    """``--props '{"k": "v"}'`` or repeated ``--prop k=v`` into a property map (values as text)."""
    if props_json is not None and props:
        raise UsageError("give either --props JSON or --prop key=value, not both")
    result: dict[str, str] = {}
    if props_json is not None:
        import orjson

        try:
            parsed = orjson.loads(props_json)
        except orjson.JSONDecodeError as err:
            raise UsageError(f"--props is not valid JSON ({err.msg}): {props_json!r}") from None
        if not isinstance(parsed, dict):
            raise UsageError(f"--props must be a JSON object of key: value, got {props_json!r}")
        for key, value in parsed.items():
            if isinstance(value, dict | list) or value is None:
                raise UsageError(f"--props value of `{key}` must be a string, number or bool")
            result[key] = (("true" if value else "false") if isinstance(value, bool)
                           else str(value))
    for item in props:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--prop wants key=value, got {item!r}")
        result[key.strip()] = value
    return result


def _list_nodes(ctx: Ctx, *, tags: Sequence[str] = (), local: bool = True) -> list[Any]:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    resp = ctx.client.call("ListNodes", node_pb2.ListNodesRequest(local=local, tags=list(tags)))
    return list(resp.nodes)


def _select(ctx: Ctx, nodes: Sequence[str], all_: bool, tags: Sequence[str] = ()) -> list[str]:
    """The node arguments of a multi-node command: explicit ones, --tag matches, or --all."""
    chosen = sum(bool(x) for x in (nodes, all_, tags))
    if chosen == 0:
        raise UsageError("<ID_OR_NAMES> can't be empty list (name nodes, or use --all)")
    if chosen > 1:
        raise UsageError("give node ids/names, --tag or --all, not several of them")
    if nodes:
        return list(dict.fromkeys(nodes))
    return [n.id for n in _list_nodes(ctx, tags=tags)]


def _for_each(ctx: Ctx, targets: Sequence[str], verb: str,
              action: Callable[[str], Any], done: Callable[[str, Any], str]) -> None:
    """Run ``action`` per node; print ``done`` lines (or JSON), failures on stderr, exit 1 if any."""
    results: list[dict[str, Any]] = []
    failed = 0
    for target in targets:
        try:
            result = action(target)
        except DaemonUnreachable:
            raise  # the same for every node: say it once
        except CliError as err:
            failed += 1
            click.echo(f"Failed to {verb} node `{target}`: {err}", err=True)
            results.append({"node": target, "ok": False, "error": str(err)})
            continue
        if ctx.json:
            entry = {"node": target, "ok": True}
            if result is not None and result.HasField("node"):
                entry["result"] = node_json(result.node)
                entry["forwarded_to_api"] = result.forwarded_to_api
            results.append(entry)
        else:
            click.echo(done(target, result))
    if ctx.json:
        ctx.emit(results, "")
    if failed:
        sys.exit(1)


def _node_id(target: str, result: Any) -> str:
    return result.node.id if result is not None and result.HasField("node") and result.node.id else target


def _progress_printer(ctx: Ctx) -> ProgressPrinter:
    # With -o json stdout carries only the JSON document, so steps go to stderr.
    return ProgressPrinter(sys.stderr if ctx.json else sys.stdout)


@node_group.command("list")
@click.option("-r", "--running", is_flag=True, help="Only nodes that are running.")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Only nodes with any of these tags (repeatable).")
@click.option("--local/--all-known", default=True, show_default=True,
              help="Only nodes on this host, or also those the fleet API knows for it.")
@pass_ctx
def list_nodes(ctx: Ctx, running: bool, tags: tuple[str, ...], local: bool) -> None:
    """List nodes: ID, Name, Image, State, IP Address, Uptime."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    nodes = _list_nodes(ctx, tags=tags, local=local)
    if running:
        nodes = [n for n in nodes if n.status == node_pb2.NODE_STATUS_RUNNING]
    ctx.table([node_row(n) for n in nodes], NODE_COLUMNS, empty="No nodes found.",
              json_rows=[node_json(n) for n in nodes])


@node_group.command("create")
@click.argument("protocol")
@click.argument("variant", required=False, default="")
@click.option("--version", "version", metavar="V", help="Image version (default: the latest).")
@click.option("--build", type=click.IntRange(min=0), metavar="N",
              help="Image build (default: the latest of that version).")
@click.option("--name", metavar="NAME", help="Node name (default: generated).")
@click.option("--props", "props_json", metavar="JSON",
              help='Property values as a JSON object, e.g. \'{"network": "main"}\'.')
@click.option("--prop", "props", multiple=True, metavar="KEY=VALUE",
              help="One property value (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag the node (repeatable).")
@click.option("--image-path", type=click.Path(file_okay=False, path_type=Path),
              help="Take the image from this directory instead of the local image store.")
@pass_ctx
def create(ctx: Ctx, protocol: str, variant: str, version: str | None, build: int | None,
           name: str | None, props_json: str | None, props: tuple[str, ...],
           tags: tuple[str, ...], image_path: Path | None) -> None:
    """Create a node from image PROTOCOL/VARIANT, showing each step.

    VARIANT may be left out when the image has a single variant.
    """
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    request = node_pb2.CreateNodeRequest(
        image_key=node_pb2.ImageKey(protocol_key=protocol, variant_key=variant),
        properties=parse_properties(props_json, props),
        tags=list(tags),
    )
    if version is not None:
        request.image_version = version
    if build is not None:
        request.build_version = build
    if name is not None:
        request.display_name = name
    if image_path is not None:
        request.image_path = str(image_path.resolve())
    stream = ctx.client.stream("CreateNode", request, subject=f"{protocol}/{variant}".rstrip("/"))
    result = follow_progress(stream, _progress_printer(ctx))
    node = result.node
    ctx.emit({**node_json(node), "forwarded_to_api": result.forwarded_to_api},
             f"Created new node with ID `{node.id}` and name `{node.name}`")


@node_group.command("start")
@click.argument("nodes", nargs=-1, metavar="[ID_OR_NAMES]...")
@click.option("-a", "--all", "all_", is_flag=True, help="Start every local node.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Nodes with any of these tags.")
@pass_ctx
def start(ctx: Ctx, nodes: tuple[str, ...], all_: bool, tags: tuple[str, ...]) -> None:
    """Start nodes (and keep them running)."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    targets = _select(ctx, nodes, all_, tags)
    _for_each(ctx, targets, "start",
              lambda n: ctx.client.call("StartNode", node_pb2.StartNodeRequest(node=n), subject=n,
                                        timeout=LONG_TIMEOUT),
              lambda n, r: f"Started node `{_node_id(n, r)}`")


@node_group.command("stop")
@click.argument("nodes", nargs=-1, metavar="[ID_OR_NAMES]...")
@click.option("-a", "--all", "all_", is_flag=True, help="Stop every local node.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Nodes with any of these tags.")
@click.option("--force", is_flag=True, help="Kill at once instead of stopping gracefully.")
@pass_ctx
def stop(ctx: Ctx, nodes: tuple[str, ...], all_: bool, tags: tuple[str, ...], force: bool) -> None:
    """Stop nodes (they stay stopped until started)."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    targets = _select(ctx, nodes, all_, tags)
    _for_each(ctx, targets, "stop",
              lambda n: ctx.client.call("StopNode", node_pb2.StopNodeRequest(node=n, force=force),
                                        subject=n, timeout=LONG_TIMEOUT),
              lambda n, r: f"Stopped node `{_node_id(n, r)}`")


@node_group.command("restart")
@click.argument("nodes", nargs=-1, metavar="[ID_OR_NAMES]...")
@click.option("-a", "--all", "all_", is_flag=True, help="Restart every local node.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Nodes with any of these tags.")
@click.option("--force", is_flag=True, help="Kill at once instead of stopping gracefully.")
@pass_ctx
def restart(ctx: Ctx, nodes: tuple[str, ...], all_: bool, tags: tuple[str, ...],
            force: bool) -> None:
    """Stop then start nodes."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    targets = _select(ctx, nodes, all_, tags)
    _for_each(ctx, targets, "restart",
              lambda n: ctx.client.call("RestartNode",
                                        node_pb2.RestartNodeRequest(node=n, force=force),
                                        subject=n, timeout=LONG_TIMEOUT),
              lambda n, r: f"Restarted node `{_node_id(n, r)}`")


@node_group.command("upgrade")
@click.argument("nodes", nargs=-1, metavar="[ID_OR_NAMES]...")
@click.option("-a", "--all", "all_", is_flag=True, help="Upgrade every local node.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Nodes with any of these tags.")
@click.option("--version", "version", metavar="V", help="Target image version (default: latest).")
@click.option("--build", type=click.IntRange(min=0), metavar="N", help="Target image build.")
@pass_ctx
def upgrade(ctx: Ctx, nodes: tuple[str, ...], all_: bool, tags: tuple[str, ...],
            version: str | None, build: int | None) -> None:
    """Upgrade nodes to another image version (protocol data is kept)."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    targets = _select(ctx, nodes, all_, tags)

    def action(n: str) -> Any:
        request = node_pb2.UpgradeNodeRequest(node=n)
        if version is not None:
            request.image_version = version
        if build is not None:
            request.build_version = build
        return follow_progress(ctx.client.stream("UpgradeNode", request, subject=n),
                               _progress_printer(ctx))

    def done(n: str, r: Any) -> str:
        if r.forwarded_to_api:
            return f"Node `{_node_id(n, r)}` upgrade triggered"
        return f"Upgraded node `{_node_id(n, r)}` to {r.node.image.version}"

    _for_each(ctx, targets, "upgrade", action, done)


@node_group.command("delete")
@click.argument("nodes", nargs=-1, metavar="[ID_OR_NAMES]...")
@click.option("-a", "--all", "all_", is_flag=True, help="Delete every local node.")
@click.option("--tag", "--tags", "tags", multiple=True, metavar="TAG",
              help="Nodes with any of these tags.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def delete(ctx: Ctx, nodes: tuple[str, ...], all_: bool, tags: tuple[str, ...], yes: bool) -> None:
    """Delete nodes and all their data (asks first unless -y)."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    targets = _select(ctx, nodes, all_, tags)
    if not targets:
        ctx.emit([], "No nodes found.")
        return
    if not yes:
        question = ("Are you sure you want to delete all nodes?" if all_ else
                    "Are you sure you want to delete following node(s)?\n"
                    + "\n".join(f"  {t}" for t in targets) + "\n")
        if not click.confirm(question, default=False, err=ctx.json):
            raise CliError("Aborted: nothing deleted")
    _for_each(ctx, targets, "delete",
              lambda n: ctx.client.call("DeleteNode", node_pb2.DeleteNodeRequest(node=n),
                                        subject=n, timeout=LONG_TIMEOUT),
              lambda n, r: f"Deleted node `{n}`")


@node_group.command("update")
@click.argument("node", metavar="ID_OR_NAME")
@click.option("--display-name", metavar="NAME", help="New display name.")
@click.option("--props", "props_json", metavar="JSON", help="Property values to set, as a JSON object.")
@click.option("--prop", "props", multiple=True, metavar="KEY=VALUE",
              help="One property value to set (repeatable).")
@click.option("--firewall-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Replace the firewall with this JSON file (default_in, default_out, rules).")
@pass_ctx
def update(ctx: Ctx, node: str, display_name: str | None, props_json: str | None,
           props: tuple[str, ...], firewall_file: Path | None) -> None:
    """Change a node's display name, property values or firewall; unset parts stay as they are."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    request = node_pb2.UpdateNodeRequest(node=node, set_properties=parse_properties(props_json, props))
    if display_name is not None:
        request.display_name = display_name
    if firewall_file is not None:
        import orjson

        try:
            raw = firewall_file.read_bytes()
            orjson.loads(raw)
        except OSError as err:
            raise CliError(f"cannot read --firewall-file {firewall_file}: {err.strerror}") from None
        except orjson.JSONDecodeError as err:
            raise CliError(f"--firewall-file {firewall_file} is not valid JSON: {err.msg}") from None
        request.firewall_json = raw
    if not (display_name is not None or request.set_properties or firewall_file is not None):
        raise UsageError("nothing to update: give --display-name, --prop/--props or --firewall-file")
    result = ctx.client.call("UpdateNode", request, subject=node, timeout=LONG_TIMEOUT)
    ctx.emit(node_json(result.node), f"Updated node `{_node_id(node, result)}`")


node_group.alias("list", "ls")
node_group.alias("create", "c")
node_group.alias("delete", "d", "rm")
node_group.alias("capabilities", "caps")
node_group.alias("job", "j")
