"""`bv host info|metrics`, `bv image list`, `bv cluster status`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bv_core.errors import BvError

from ..paths import HostPaths
from ._client import CliError
from ._context import AliasedGroup, Ctx, pass_ctx
from ._format import message_dict
from ._output import format_duration

__all__ = ["cluster_group", "host_group", "image_group"]


def _gb(value: int) -> str:
    # Decimal gigabytes with 3 decimals, as the original prints host figures.
    return f"{value / 1e9:.3f} GB"


def _kv_lines(pairs: list[tuple[str, Any]]) -> str:
    width = max(len(k) for k, _ in pairs) + 2
    return "\n".join(f"{k + ':':<{width}}{v}" for k, v in pairs)


host_group = AliasedGroup("host", help="This host: facts and current resource use.")


@host_group.command("info")
@pass_ctx
def host_info(ctx: Ctx) -> None:
    """Hostname, OS, CPUs, memory, disk, network and the node IP pool."""
    from bv_core.proto.blockvisor.internal.v1 import host_pb2

    h = ctx.client.call("GetHostInfo", host_pb2.GetHostInfoRequest())
    pairs: list[tuple[str, Any]] = [
        ("Hostname", h.name), ("Host id", h.host_id or "-"), ("BV version", h.bv_version),
        ("OS name", h.os), ("OS version", h.os_version), ("CPU count", h.cpu_cores),
        ("Total mem", _gb(h.memory_bytes)), ("Total disk", _gb(h.disk_bytes)),
        ("Platform", h.platform), ("Host IP", h.host_ip or "-"),
        ("Gateway IP", h.gateway_ip or "-"),
        ("Bridge", h.bridge_iface or "-"),
        ("Node IPs", f"{len(h.used_ips)} used of {len(h.available_ips) + len(h.used_ips)}"
                     if h.available_ips or h.used_ips else "-"),
    ]
    if h.HasField("org_id") or h.HasField("private_org_id"):
        pairs.append(("Org", h.private_org_id if h.HasField("private_org_id") else h.org_id))
    ctx.emit(message_dict(h), _kv_lines(pairs))


@host_group.command("metrics")
@pass_ctx
def host_metrics(ctx: Ctx) -> None:
    """CPU, memory, disk and network use, load averages and uptime."""
    from bv_core.proto.blockvisor.internal.v1 import host_pb2

    m = ctx.client.call("GetHostMetrics", host_pb2.GetHostMetricsRequest())
    pairs: list[tuple[str, Any]] = [
        ("Used cpu", f"{m.used_cpu_percent:.2f} %"),
        ("Used mem", _gb(m.used_memory_bytes) + (f" of {_gb(m.total_memory_bytes)}"
                                                 if m.total_memory_bytes else "")),
        ("Used disk", _gb(m.used_disk_bytes) + (f" of {_gb(m.total_disk_bytes)}"
                                                if m.total_disk_bytes else "")),
        ("Used IPs", ", ".join(m.used_ips) or "-"),
        ("Load (1/5/15 min)", f"{m.load_one:.2f}, {m.load_five:.2f}, {m.load_fifteen:.2f}"),
        ("Network in", _gb(m.network_received_bytes)),
        ("Network out", _gb(m.network_sent_bytes)),
        ("Uptime [h:m:s]", format_duration(m.uptime_seconds)),
    ]
    ctx.emit(message_dict(m), _kv_lines(pairs))


host_group.alias("info", "i")
host_group.alias("metrics", "m")

image_group = AliasedGroup("image", help="Node images in the local image store.")


@image_group.command("list")
@click.option("--protocol", metavar="KEY", help="Only images of this protocol.")
@pass_ctx
def image_list(ctx: Ctx, protocol: str | None) -> None:
    """List the images nodes can be created from."""
    from bv_core.proto.blockvisor.internal.v1 import image_pb2

    request = image_pb2.ListImagesRequest()
    if protocol is not None:
        request.protocol_key = protocol
    images = list(ctx.client.call("ListImages", request).images)
    rows = [{
        "Protocol": i.image_key.protocol_key,
        "Variant": i.image_key.variant_key,
        "Version": i.version,
        "Build": i.build_version,
        "Requirements": f"cpu: {i.min_cpu_cores}, memory: {i.min_memory_bytes // 1_000_000}MB, "
                        f"disk: {i.min_disk_bytes // 1_000_000_000}GB",
        "Description": i.description if i.HasField("description") else None,
    } for i in images]
    ctx.table(rows, ("Protocol", "Variant", "Version", "Build", "Requirements", "Description"),
              empty="No images found.", json_rows=[message_dict(i) for i in images])


@image_group.command("import")
@click.argument("sources", nargs=-1, required=True, metavar="IMAGE_DIR...",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-rootfs", type=click.Path(file_okay=False, path_type=Path),
              help="Root filesystem to build the image's rootfs from (hard-linked, never changed); "
                   "default: IMAGE_DIR/rootfs.")
@click.option("--overlay", "overlays", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory laid over the rootfs, in order (repeatable).")
@click.option("--prewarm", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A shiv zipapp (babel, job runner) to unpack inside the image once (repeatable).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Image store directory [default: $BV_ROOT/var/lib/blockvisor/images].")
@pass_ctx
def image_import(ctx: Ctx, sources: tuple[Path, ...], base_rootfs: Path | None,
                 overlays: tuple[Path, ...], prewarm: tuple[Path, ...], store: Path | None) -> None:
    """Add image versions (babel.yaml + plugin/) to the local image store; no daemon needed.

    Importing a version that is already complete in the store changes nothing.
    """
    from ..images import import_image

    store = store or HostPaths.from_env().images
    for path, what in ([(base_rootfs, "--base-rootfs")] if base_rootfs else []) + \
            [(o, "--overlay") for o in overlays] + [(p, "--prewarm") for p in prewarm]:
        if not path.exists():
            raise CliError(f"{what} {path} does not exist")
    done = []
    for source in sources:
        try:
            dest = import_image(source, store, base_rootfs=base_rootfs, overlays=overlays,
                                prewarm=prewarm)
        except BvError as err:
            raise CliError(f"cannot import image {source}: {err}") from None
        done.append({"source": str(source), "path": str(dest)})
        if not ctx.json:
            click.echo(f"Imported {source} as {dest.parent.name}/{dest.name} into {store}")
    if ctx.json:
        ctx.emit(done, "")


image_group.alias("list", "ls")

cluster_group = AliasedGroup("cluster", help="Cluster membership of this host.")


@cluster_group.command("status")
@pass_ctx
def cluster_status(ctx: Ctx) -> None:
    """Say whether this host is part of a cluster."""
    from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

    info = ctx.client.call("GetDaemonInfo", daemon_pb2.GetDaemonInfoRequest(), timeout=5.0)
    standalone = info.mode != daemon_pb2.DAEMON_MODE_CONNECTED
    # Gossip clustering was a proof of concept nothing consumed (bv-host §6.2); not built.
    text = ("Not clustered: this host runs standalone (no fleet API, no cluster)." if standalone
            else "Not clustered: this host is connected to a fleet API but belongs to no cluster.")
    ctx.emit({"clustered": False, "mode": "standalone" if standalone else "connected"}, text)


cluster_group.alias("status", "s")
