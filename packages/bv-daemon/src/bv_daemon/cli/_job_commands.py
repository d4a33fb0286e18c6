"""`bv node job <node> ls|info|start|stop|skip|cleanup|logs`, `bv node jobs`, `bv node logs`.

The daemon forwards job requests to the node's babel; logs come over the StreamLogs RPC (the
original tailed files on the host, which needs the CLI to know the node's directory layout).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ._client import LONG_TIMEOUT, UsageError
from ._context import AliasedGroup, Ctx, pass_ctx
from ._format import job_progress_text, job_row, job_status_text, message_dict, timestamp_text

# The `node` group loads these lazily (_node_commands.NODE_COMMANDS).
__all__ = ["job_group", "jobs", "logs"]

JOB_COLUMNS = ("Name", "Status", "Restarts", "Progress", "Since")


def _list_jobs(ctx: Ctx, node: str) -> list[Any]:
    from bv_core.proto.blockvisor.internal.v1 import job_pb2

    return list(ctx.client.call("ListJobs", job_pb2.ListJobsRequest(node=node), subject=node).jobs)


def _print_jobs(ctx: Ctx, node: str) -> None:
    jobs = _list_jobs(ctx, node)
    ctx.table([job_row(j) for j in jobs], JOB_COLUMNS, empty="No jobs found.",
              json_rows=[message_dict(j) for j in jobs])


def _stream_logs(ctx: Ctx, node: str, job: str | None, lines: int, follow: bool) -> None:
    import orjson

    from bv_core.proto.blockvisor.internal.v1 import job_pb2

    request = job_pb2.StreamLogsRequest(node=node, tail_lines=lines, follow=follow)
    if job is not None:
        request.job = job
    count = 0
    try:
        for entry in ctx.client.stream("StreamLogs", request, subject=node,
                                       timeout=None if follow else 60.0):
            count += 1
            if ctx.json:
                doc: dict[str, Any] = {"source": entry.source, "line": entry.line}
                if entry.HasField("at"):
                    doc["at"] = timestamp_text(entry.at)
                # One compact JSON object per line, so a followed stream stays parseable.
                sys.stdout.write(orjson.dumps(doc).decode() + "\n")
            elif job is not None:
                sys.stdout.write(entry.line + "\n")
            else:
                sys.stdout.write(f"{entry.source}| {entry.line}\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        sys.exit(130)
    if count == 0 and not follow and not ctx.json:
        click.echo(f"No logs for '{job}' job found!" if job else "No logs found.", err=True)


job_group = AliasedGroup("job", help="Babel jobs of a node: list, inspect, start, stop, logs.")
job_group.params.append(click.Argument(["node"], metavar="ID_OR_NAME"))


@job_group.command("list")
@pass_ctx
@click.pass_context
def job_list(cctx: click.Context, ctx: Ctx) -> None:
    """List the node's jobs and their status."""
    _print_jobs(ctx, _node_of(cctx))


def _node_of(cctx: click.Context) -> str:
    assert cctx.parent is not None
    node: str = cctx.parent.params["node"]
    return node


def _job_call(ctx: Ctx, method: str, node: str, job: str) -> Any:
    from bv_core.proto.blockvisor.internal.v1 import job_pb2

    return ctx.client.call(method, job_pb2.NodeJobRequest(node=node, job=job), subject=node,
                           timeout=LONG_TIMEOUT)


@job_group.command("info")
@click.argument("name")
@pass_ctx
@click.pass_context
def job_info(cctx: click.Context, ctx: Ctx, name: str) -> None:
    """Show one job: status, progress, restarts, recent logs."""
    job = _job_call(ctx, "GetJobInfo", _node_of(cctx), name)
    if ctx.json:
        ctx.emit(message_dict(job), "")
        return
    since = f"{timestamp_text(job.timestamp)}| " if job.HasField("timestamp") else ""
    lines = [f"{'status:':<18}{since}{job_status_text(job)}"]
    progress = job_progress_text(job)
    if progress:
        lines.append(f"{'progress:':<18}{progress}")
    lines.append(f"{'restart_count:':<18}{job.restart_count}")
    lines.append(f"{'upgrade_blocking:':<18}{str(job.upgrade_blocking).lower()}")
    if job.logs:
        lines.append("logs:")
        lines.extend(f"  {line}" for line in job.logs)
    else:
        lines.append(f"{'logs:':<18}<empty>")
    click.echo("\n".join(lines))


def _simple(verb: str, method: str, doc: str) -> None:
    @job_group.command(verb, help=doc)
    @click.argument("name")
    @pass_ctx
    @click.pass_context
    def command(cctx: click.Context, ctx: Ctx, name: str) -> None:
        node = _node_of(cctx)
        _job_call(ctx, method, node, name)
        past = {"start": "Started", "skip": "Skipped", "cleanup": "Cleaned up"}[verb]
        ctx.emit({"node": node, "job": name, "action": verb, "ok": True},
                 f"{past} job `{name}` of node `{node}`")


_simple("start", "StartJob", "Start (or restart) a job.")
_simple("skip", "SkipJob", "Stop a job if running and mark it finished with exit code 0.")
_simple("cleanup", "CleanupJob", "Remove a job's intermediate files.")


@job_group.command("stop")
@click.argument("name", required=False)
@click.option("-a", "--all", "all_", is_flag=True, help="Stop every running job.")
@pass_ctx
@click.pass_context
def job_stop(cctx: click.Context, ctx: Ctx, name: str | None, all_: bool) -> None:
    """Stop a job, or every running one with --all."""
    node = _node_of(cctx)
    if bool(name) == all_:
        raise UsageError("give a job NAME or --all")
    if name:
        names = [name]
    else:
        from bv_core.proto.blockvisor.internal.v1 import job_pb2

        names = [j.name for j in _list_jobs(ctx, node) if j.status == job_pb2.JOB_STATUS_RUNNING]
    stopped = []
    for job in names:
        _job_call(ctx, "StopJob", node, job)
        stopped.append(job)
        if not ctx.json:
            click.echo(f"Stopped job `{job}` of node `{node}`")
    if ctx.json:
        ctx.emit({"node": node, "stopped": stopped}, "")
    elif not stopped:
        click.echo("No running jobs.")


@job_group.command("logs")
@click.argument("name", required=False)
@click.option("-n", "--lines", default=50, show_default=True, type=click.IntRange(min=0),
              help="How many past lines to show.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C to stop).")
@pass_ctx
@click.pass_context
def job_logs(cctx: click.Context, ctx: Ctx, name: str | None, lines: int, follow: bool) -> None:
    """Show a job's log (all jobs when NAME is left out)."""
    _stream_logs(ctx, _node_of(cctx), name, lines, follow)


job_group.alias("list", "ls")


@click.command("jobs")
@click.argument("node", metavar="ID_OR_NAME")
@pass_ctx
def jobs(ctx: Ctx, node: str) -> None:
    """List a node's jobs (same as `bv node job NODE ls`)."""
    _print_jobs(ctx, node)


@click.command("logs")
@click.argument("node", metavar="ID_OR_NAME")
@click.argument("job", required=False)
@click.option("-n", "--lines", default=50, show_default=True, type=click.IntRange(min=0),
              help="How many past lines to show.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C to stop).")
@pass_ctx
def logs(ctx: Ctx, node: str, job: str | None, lines: int, follow: bool) -> None:
    """Show a node's logs: babel's and every job's, or one JOB's."""
    _stream_logs(ctx, node, job, lines, follow)

