"""Dev nodes for ``nib image play/upgrade/check``: nodes run from an image directory via blockvisord.

The daemon's ``CreateNode`` takes the image straight from the directory (``image_path``), so the
node runs exactly the babel.yaml, plugin and rootfs being edited; nib tags it ``dev`` (plus the
user's ``--tag``s) so it is easy to find and remove. ``upgrade`` sends the node's state with the
new image to ``UpgradeDevNode`` (bv-host.md §2.15).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from bv_core.models import decode_json, encode_json
from bv_core.models._node_state import NodeState
from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2

from .. import __version__
from ..images import ImageStore
from ..node_factory import firewall_from_image, node_image, vm_config
from ._client import CliError, DaemonClient
from ._nib_check import CheckResult
from ._progress import ProgressPrinter, follow_progress

__all__ = ["DEV_TAG", "STATUS_FUNCTIONS", "create_dev_node", "delete_node", "dev_node_checks",
           "start_and_wait", "upgrade_dev_node"]

DEV_TAG = "dev"
# The functions blockvisord polls for status (plugin-api-2.16.md §8.2); check calls each present one.
STATUS_FUNCTIONS = ("protocol_status", "height", "block_age", "sync_status", "consensus", "name",
                    "version", "address")


def create_dev_node(client: DaemonClient, image_dir: Path, *, variant: str | None,
                    props: Mapping[str, str], tags: list[str], printer: ProgressPrinter | None) -> Any:
    """Create (not start) a node from ``image_dir``; returns its NodeInfo."""
    req = node_pb2.CreateNodeRequest(
        image_key=node_pb2.ImageKey(variant_key=variant or ""), properties=dict(props),
        tags=[DEV_TAG, *[t for t in tags if t != DEV_TAG]], image_path=str(image_dir.resolve()),
    )
    result = follow_progress(client.stream("CreateNode", req), printer)
    return result.node


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
    """Upgrade ``node`` to the image in ``image_dir`` (its variant is the node's)."""
    info = client.call("GetNode", node_pb2.GetNodeRequest(node=node), subject=node)
    if not info.state_json:
        raise CliError(f"node {node} has no local state on this host")
    state = decode_json(info.state_json, NodeState, f"state of node {node}")
    image = ImageStore(image_dir.parent).load(image_dir, state.image_key.variant_key)
    if image.protocol_key != state.image_key.protocol_key:
        raise CliError(f"cannot upgrade a {state.image_key.protocol_key} node to image {image.protocol_key}")
    new_image = msgspec.structs.replace(node_image(image, __version__),
                                        id=f"dev-node-image-id-{image.version}")
    state = msgspec.structs.replace(state, image=new_image, vm_config=vm_config(image),
                                    firewall=firewall_from_image(image.variant.firewall_config))
    req = node_pb2.UpgradeDevNodeRequest(state_json=encode_json(state))
    return follow_progress(client.stream("UpgradeDevNode", req, subject=node), printer).node
