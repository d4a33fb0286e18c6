"""Dev nodes for ``nib image play/upgrade/check``, through blockvisord's dev-node RPCs.

``CreateDevNode`` / ``UpgradeDevNode`` take a (partial) node state as JSON; the image is the
local image directory named by ``image.uri`` (``file:///abs/dir``), so the node runs exactly
the babel.yaml, plugin and rootfs being edited. The daemon fills what nib leaves out (id,
petname, free IP, image key/vm/firewall), forces ``dev_mode`` and leaves the node Stopped
(``bv_daemon.dev_nodes``; bv-host.md §2.15).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2

from ._client import CliError, DaemonClient
from ._nib_report import CheckResult
from ._progress import ProgressPrinter, follow_progress

__all__ = ["STATUS_FUNCTIONS", "create_dev_node", "delete_node", "dev_node_checks", "start_and_wait",
           "upgrade_dev_node", "wait_for_jobs"]

# The functions blockvisord polls for status (plugin-api-2.16.md §8.2); check calls each present one.
STATUS_FUNCTIONS = ("protocol_status", "height", "block_age", "sync_status", "consensus", "name",
                    "version", "address")


def _image_uri(image_dir: Path) -> str:
    return f"file://{image_dir.resolve()}"


def create_dev_node(client: DaemonClient, image_dir: Path, *, variant: str | None,
                    props: Mapping[str, str], tags: list[str], ip: str | None = None,
                    gateway: str | None = None, printer: ProgressPrinter | None) -> Any:
    """Create (not start) a dev node from ``image_dir``; returns its NodeInfo."""
    doc: dict[str, Any] = {"image": {"uri": _image_uri(image_dir)}, "properties": dict(props),
                           "tags": list(tags)}
    if variant:
        doc["image_key"] = {"variant_key": variant}
    if ip:
        doc["ip"] = ip
    if gateway:
        doc["gateway"] = gateway
    req = node_pb2.CreateDevNodeRequest(state_json=orjson.dumps(doc))
    return follow_progress(client.stream("CreateDevNode", req), printer).node


def start_and_wait(client: DaemonClient, node: str, timeout: float,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    client.call("StartNode", node_pb2.StartNodeRequest(node=node), subject=node)
    deadline = time.monotonic() + timeout
    while True:
        status = client.call("GetNodeStatus", node_pb2.GetNodeStatusRequest(node=node), subject=node).status
        if status == node_pb2.NODE_STATUS_RUNNING:
            return
        if status == node_pb2.NODE_STATUS_FAILED or time.monotonic() >= deadline:
            name = node_pb2.NodeStatus.Name(status).removeprefix("NODE_STATUS_").lower()
            raise CliError(f"node {node} is not Running after {timeout:g} s (it is {name})")
        sleep(1.0)


def wait_for_jobs(client: DaemonClient, node: str, deadline: float,
                  sleep: Callable[[float], None] = time.sleep) -> None:
    """Until no job is Pending (init jobs done, services started) or ``deadline`` (monotonic)."""
    while time.monotonic() < deadline:
        jobs = client.call("ListJobs", job_pb2.ListJobsRequest(node=node), subject=node).jobs
        if jobs and not any(j.status == job_pb2.JOB_STATUS_PENDING for j in jobs):
            return
        sleep(0.5)


def delete_node(client: DaemonClient, node: str) -> str:
    try:
        client.call("DeleteNode", node_pb2.DeleteNodeRequest(node=node), subject=node)
    except CliError as err:
        return f"Failed to delete test node: {err}"
    return "Node deleted"


def _status_result(name: str, raw: str) -> tuple[bool, str]:
    if name != "protocol_status":
        return True, raw
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    health = value.get("health") if isinstance(value, dict) else None
    if health == "unhealthy":
        return False, f"Unhealthy protocol status: {raw}"
    return True, raw


def dev_node_checks(client: DaemonClient, node: str) -> list[CheckResult]:
    """Jobs (no failed exit, no restarts) and every status function of a Running node."""
    out = []
    jobs = client.call("ListJobs", job_pb2.ListJobsRequest(node=node), subject=node).jobs
    bad = []
    for job in jobs:
        if job.status == job_pb2.JOB_STATUS_FINISHED and job.HasField("exit_code") and job.exit_code != 0:
            bad.append(f"job '{job.name}' finished with {job.exit_code} exit code"
                       + (f": {job.message}" if job.HasField("message") and job.message else ""))
        if job.restart_count > 0:
            bad.append(f"job '{job.name}' has been restarted {job.restart_count} times")
    names = ", ".join(f"{j.name} ({job_pb2.JobStatus.Name(j.status).removeprefix('JOB_STATUS_').lower()})"
                      for j in jobs)
    out.append(CheckResult("jobs-status", not bad, f"{len(bad)} job problem(s)" if bad else names or "no jobs",
                           bad))
    caps = set(client.call("ListCapabilities", node_pb2.ListCapabilitiesRequest(node=node),
                           subject=node).capabilities)
    if "protocol_status" not in caps:
        out.append(CheckResult("status protocol_status", False, "No protocol status: the plugin has no "
                               "fn protocol_status()"))
    for fn in STATUS_FUNCTIONS:
        if fn not in caps:
            continue
        try:
            raw = client.call("RunPluginMethod", node_pb2.RunPluginMethodRequest(node=node, method=fn),
                              subject=node).result
        except CliError as err:
            out.append(CheckResult(f"status {fn}", False, str(err)))
            continue
        ok, message = _status_result(fn, raw)
        out.append(CheckResult(f"status {fn}", ok, message))
    return out


def upgrade_dev_node(client: DaemonClient, node: str, image_dir: Path,
                     printer: ProgressPrinter | None) -> Any:
    """Upgrade dev node ``node`` to the image in ``image_dir`` (the daemon keeps its variant)."""
    info = client.call("GetNode", node_pb2.GetNodeRequest(node=node), subject=node)
    doc = {"id": info.id, "name": info.name, "image": {"uri": _image_uri(image_dir)}}
    req = node_pb2.UpgradeDevNodeRequest(state_json=orjson.dumps(doc))
    return follow_progress(client.stream("UpgradeDevNode", req, subject=node), printer).node
