"""`bv node info/status/capabilities/run/check/reload-plugin`: looking into one node."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ._client import LONG_TIMEOUT, CliError, UsageError
from ._context import Ctx, pass_ctx
from ._format import (
    job_progress_text,
    job_status_text,
    message_dict,
    node_image,
    node_json,
    node_uptime,
    status_name,
    timestamp_text,
)
from ._output import format_duration

# The `node` group loads these lazily (_node_commands.NODE_COMMANDS).
__all__ = ["STATUS_METHODS", "capabilities", "check", "info", "reload_plugin", "run", "status"]

# The plugin's status functions, as the fleet's status reports call them (plugin API).
STATUS_METHODS = ("protocol_status", "height", "block_age", "name", "address", "consensus")
# Trailing metadata of GetNode explaining a Failed status (recovery gave up, broken state file...).
STATUS_REASON = "bv-status-reason"
# `bv node info` shows this many log lines per job (bv-host-2.16 §2.1).
INFO_LOG_LINES = 3


def _kv(label: str, value: Any, width: int = 17) -> str:
    return f"{label + ':':<{width}}{'-' if value is None or value == '' else value}"


def _get_node(ctx: Ctx, node: str) -> tuple[Any, str | None]:
    """The node and, for a Failed one, why: ``NodeInfo.status_reason``, or from an older daemon
    the ``bv-status-reason`` trailer."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    info, trailers = ctx.client.call_with_trailers("GetNode", node_pb2.GetNodeRequest(node=node),
                                                   subject=node)
    return info, info.status_reason or trailers.get(STATUS_REASON) or None


def _try(ctx: Ctx, method: str, request: Any, node: str) -> tuple[Any, str | None]:
    """A best-effort call for `node info`: (response, None) or (None, error text)."""
    try:
        return ctx.client.call(method, request, subject=node), None
    except CliError as err:
        return None, str(err)


def _metrics_lines(metrics: Any) -> list[str]:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    lines = []
    if metrics.HasField("protocol_state") or metrics.HasField("protocol_health"):
        health = (status_name(node_pb2.ProtocolHealth.Name(metrics.protocol_health))
                  if metrics.HasField("protocol_health") else "-")
        state = metrics.protocol_state if metrics.HasField("protocol_state") else "-"
        lines.append(_kv("Protocol Status", f"{state} ({health})"))
    lines.append(_kv("Block height", metrics.height if metrics.HasField("height") else None))
    lines.append(_kv("Block age", metrics.block_age if metrics.HasField("block_age") else None))
    lines.append(_kv("In consensus", str(metrics.consensus).lower()
                     if metrics.HasField("consensus") else None))
    if metrics.HasField("address"):
        lines.append(_kv("Address", metrics.address))
    return lines


def _job_lines(job: Any, node: str) -> list[str]:
    since = f"{timestamp_text(job.timestamp)}| " if job.HasField("timestamp") else ""
    lines = [f"  {job.name}", f"    {'Status:':<13}{since}{job_status_text(job)}",
             f"    {'Restarts:':<13}{job.restart_count}"]
    progress = job_progress_text(job)
    if progress:
        lines.append(f"    {'Progress:':<13}{progress}")
    if job.logs:
        lines.append("    Logs:")
        lines.extend(f"      {line}" for line in job.logs[:INFO_LOG_LINES])
        if len(job.logs) > INFO_LOG_LINES:
            lines.append(f"      ... use `bv node job {node} info {job.name}` to get more")
    return lines


@click.command("info")
@click.argument("node", metavar="ID_OR_NAME")
@pass_ctx
def info(ctx: Ctx, node: str) -> None:
    """Show a node: identity, image, state, protocol metrics, jobs, resources."""
    from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2

    n, reason = _get_node(ctx, node)
    running = n.status == node_pb2.NODE_STATUS_RUNNING
    metrics, metrics_err = (None, None)
    jobs: list[Any] = []
    jobs_err = None
    if running:
        metrics, metrics_err = _try(ctx, "GetNodeMetrics", node_pb2.GetNodeMetricsRequest(node=n.id), node)
        listed, jobs_err = _try(ctx, "ListJobs", job_pb2.ListJobsRequest(node=n.id), node)
        for job in listed.jobs if listed is not None else []:
            detail, _ = _try(ctx, "GetJobInfo", job_pb2.NodeJobRequest(node=n.id, job=job.name), node)
            jobs.append(detail if detail is not None else job)
    import orjson

    state = orjson.loads(n.state_json) if n.state_json else {}
    if ctx.json:
        doc = node_json(n, full=True)
        doc["status_reason"] = reason
        doc["metrics"] = message_dict(metrics) if metrics is not None else None
        doc["metrics_error"] = metrics_err
        doc["jobs"] = [message_dict(j) for j in jobs]
        doc["jobs_error"] = jobs_err
        ctx.emit(doc, "")
        return
    uptime = node_uptime(n)
    lines = [
        _kv("Name", n.name), _kv("Id", n.id), _kv("Image", node_image(n)),
        _kv("Status", status_name(node_pb2.NodeStatus.Name(n.status)) + (f" ({reason})" if reason else "")),
        _kv("Expected", status_name(node_pb2.NodeStatus.Name(n.expected_status))),
        _kv("Ip", n.ip), _kv("Gateway", n.gateway),
        _kv("Uptime [h:m:s]", format_duration(uptime) if uptime is not None else None),
    ]
    if n.display_name and n.display_name != n.name:
        lines.insert(1, _kv("Display name", n.display_name))
    if n.properties:
        lines.append("Properties:")
        lines.extend(f"  {k}: {v}" for k, v in sorted(n.properties.items()))
    if running:
        if metrics is not None:
            lines.extend(_metrics_lines(metrics))
        else:
            lines.append(_kv("Metrics", f"unavailable ({metrics_err})"))
        if jobs_err:
            lines.append(_kv("Jobs", f"unavailable ({jobs_err})"))
        else:
            lines.append("Jobs:" if jobs else _kv("Jobs", "none"))
            for job in jobs:
                lines.extend(_job_lines(job, n.name or n.id))
    vm = n.vm
    lines.append(_kv("Requirements", f"cpu: {vm.vcpu_count}, memory: {vm.mem_size_mb}MB, "
                                     f"disk: {vm.disk_size_gb}GB"))
    lines.append(_kv("Assigned CPUs", ", ".join(str(c) for c in state.get("assigned_cpus", []))))
    lines.append(_kv("Tags", ", ".join(n.tags)))
    upgrade = state.get("upgrade_state") or {}
    if upgrade.get("need_rollback"):
        lines.append(_kv("Upgrade", f"rolling back: {upgrade['need_rollback']}"))
    click.echo("\n".join(lines))


@click.command("status")
@click.argument("nodes", nargs=-1, required=True, metavar="ID_OR_NAMES...")
@pass_ctx
def status(ctx: Ctx, nodes: tuple[str, ...]) -> None:
    """Print the status word of each node (Running, Stopped, Busy, Failed)."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    results = []
    for node in nodes:
        resp = ctx.client.call("GetNodeStatus", node_pb2.GetNodeStatusRequest(node=node), subject=node)
        word = status_name(node_pb2.NodeStatus.Name(resp.status))
        results.append({"node": node, "status": word})
        if not ctx.json:
            click.echo(word if len(nodes) == 1 else f"{node}: {word}")
    if ctx.json:
        ctx.emit(results, "")


def _capabilities(ctx: Ctx, node: str) -> list[str]:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    resp = ctx.client.call("ListCapabilities", node_pb2.ListCapabilitiesRequest(node=node), subject=node)
    return list(resp.capabilities)


@click.command("capabilities")
@click.argument("node", metavar="ID_OR_NAME")
@pass_ctx
def capabilities(ctx: Ctx, node: str) -> None:
    """List the plugin methods `bv node run` can call."""
    caps = _capabilities(ctx, node)
    ctx.emit(caps, "\n".join(caps) if caps else "No capabilities found.")


@click.command("reload-plugin")
@click.argument("node", metavar="ID_OR_NAME")
@pass_ctx
def reload_plugin(ctx: Ctx, node: str) -> None:
    """Re-read the node's plugin from disk (and its config if the node should run)."""
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    ctx.client.call("ReloadPlugin", node_pb2.ReloadPluginRequest(node=node), subject=node)
    ctx.emit({"node": node, "reloaded": True}, f"Reloaded plugin of node `{node}`")


def _run_method(ctx: Ctx, node: str, method: str, param: str) -> str:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    request = node_pb2.RunPluginMethodRequest(node=node, method=method, param=param)
    try:
        return str(ctx.client.call("RunPluginMethod", request, subject=node, timeout=LONG_TIMEOUT).result)
    except CliError as err:
        # NOT_FOUND is either the node or the method: if capabilities answer, it was the method.
        if "not found" not in str(err).lower():
            raise
        try:
            caps = _capabilities(ctx, node)
        except CliError:
            raise err from None
        if method in caps:
            raise
        raise CliError("Method not found. Options are:\n" + "\n".join(caps)) from None


@click.command("run")
@click.argument("method")
@click.argument("node", metavar="ID_OR_NAME")
@click.option("--param", metavar="S", help="Parameter passed to the method as a string.")
@click.option("--param-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the parameter from this file.")
@pass_ctx
def run(ctx: Ctx, method: str, node: str, param: str | None, param_file: Path | None) -> None:
    """Call plugin METHOD on a node and print what it returns."""
    if param is not None and param_file is not None:
        raise UsageError("give either --param or --param-file, not both")
    if param_file is not None:
        try:
            param = param_file.read_text()
        except OSError as err:
            raise CliError(f"cannot read --param-file {param_file}: {err.strerror}") from None
    result = _run_method(ctx, node, method, param or "")
    ctx.emit({"node": node, "method": method, "result": result}, result)


@click.command("check")
@click.argument("node", metavar="ID_OR_NAME")
@pass_ctx
def check(ctx: Ctx, node: str) -> None:
    """Run the node's status methods (height, protocol_status, ...) and report each result."""
    caps = set(_capabilities(ctx, node))
    methods = [m for m in STATUS_METHODS if m in caps]
    if not methods:
        raise CliError(f"node `{node}` has no status methods (capabilities: "
                       f"{', '.join(sorted(caps)) or 'none'})")
    rows = []
    for method in methods:
        try:
            rows.append({"Method": method, "Result": _run_method(ctx, node, method, ""), "OK": "ok"})
        except CliError as err:
            rows.append({"Method": method, "Result": str(err).splitlines()[0], "OK": "FAILED"})
    ctx.table(rows, ("Method", "OK", "Result"), empty="",
              json_rows=[{"method": r["Method"], "ok": r["OK"] == "ok", "result": r["Result"]}
                         for r in rows])
    if any(r["OK"] != "ok" for r in rows):
        sys.exit(1)

