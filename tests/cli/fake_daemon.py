"""A fake blockvisord: the internal BlockvisorService over a real Unix socket, nodes in memory.

Deterministic (fixed clock for uptimes and timestamps) so `bv` output can be compared exactly.
Run as a program (``python fake_daemon.py``) it serves ``$BV_ROOT/var/lib/blockvisor/blockvisor.sock``
until SIGTERM, which is how `bv start`/`bv stop` are tested without the real daemon.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import orjson

from bv_core.proto.blockvisor.internal.v1 import (
    daemon_pb2,
    host_pb2,
    image_pb2,
    job_pb2,
    node_pb2,
    service_pb2_grpc,
)

# A node the fake starts shows as started 1 h 2 min 3 s before the start call (uptime 01:02:03+).
UPTIME_AT_START = 3723
NOW = 1_764_000_000

CAPABILITIES = ["address", "block_age", "height", "init", "name", "protocol_status", "upload"]


@dataclass
class FakeNode:
    info: Any
    jobs: dict[str, Any] = field(default_factory=dict)
    logs: list[tuple[str, str]] = field(default_factory=list)
    height: int = 100
    failure: str = ""  # set with status FAILED: the reason the daemon reports


class FakeDaemon(service_pb2_grpc.BlockvisorServiceServicer):
    """In-memory BlockvisorService; ``calls`` records (rpc, request) for assertions."""

    def __init__(self) -> None:
        self.nodes: dict[str, FakeNode] = {}
        self.calls: list[tuple[str, Any]] = []
        self.status = daemon_pb2.SERVICE_STATUS_OK
        self.mode = daemon_pb2.DAEMON_MODE_STANDALONE
        self.fail_next: dict[str, tuple[grpc.StatusCode, str]] = {}
        self.images = [image_pb2.ImageSummary(
            image_key=node_pb2.ImageKey(protocol_key="demochain", variant_key="devnet"),
            version=v, build_version=1, uri=f"file:///images/demochain/{v}",
            path=f"/var/lib/blockvisor/images/demochain/{v}", description="Demo chain",
            min_cpu_cores=1, min_memory_bytes=512_000_000, min_disk_bytes=1_000_000_000,
        ) for v in ("1.0.0", "2.0.0")]
        self._lock = threading.Lock()

    # -- helpers -------------------------------------------------------------------------------

    def _record(self, rpc: str, request: Any, context: Any) -> None:
        self.calls.append((rpc, request))
        failure = self.fail_next.pop(rpc, None)
        if failure is not None:
            context.abort(*failure)
        if self.status != daemon_pb2.SERVICE_STATUS_OK and rpc not in ("GetDaemonInfo", "GetHealth"):
            context.abort(grpc.StatusCode.UNAVAILABLE, "blockvisord is starting up")

    def _find(self, key: str, context: Any) -> FakeNode:
        node = self.nodes.get(key)
        if node is None:
            node = next((n for n in self.nodes.values() if n.info.name == key), None)
        if node is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"node `{key}` not found")
        assert node is not None
        return node

    def add_node(self, name: str, *, version: str = "1.0.0", running: bool = False,
                 ip: str = "10.0.0.10", tags: tuple[str, ...] = (),
                 properties: dict[str, str] | None = None, node_id: str | None = None) -> FakeNode:
        node_id = node_id or str(uuid.UUID(int=len(self.nodes) + 1))
        info = node_pb2.NodeInfo(
            id=node_id, name=name, display_name=name,
            status=node_pb2.NODE_STATUS_STOPPED, expected_status=node_pb2.NODE_STATUS_STOPPED,
            image_key=node_pb2.ImageKey(protocol_key="demochain", variant_key="devnet"),
            image=node_pb2.NodeImage(id="img-1", version=version),
            ip=ip, gateway="10.0.0.1", properties=properties or {},
            vm=node_pb2.VmConfig(vcpu_count=1, mem_size_mb=512, disk_size_gb=1), tags=list(tags),
        )
        node = FakeNode(info=info)
        node.jobs["demochain"] = job_pb2.JobInfo(
            name="demochain", status=job_pb2.JOB_STATUS_PENDING, restart_count=0)
        node.jobs["init_data"] = job_pb2.JobInfo(
            name="init_data", status=job_pb2.JOB_STATUS_FINISHED, exit_code=0, restart_count=0,
            upgrade_blocking=True, logs=["a", "b", "c", "d", "e"])
        node.logs = [("babel", "babel started"), ("demochain", "block 1"), ("demochain", "block 2"),
                     ("init_data", "init done")]
        self.nodes[node_id] = node
        self._refresh_state(node)
        if running:
            self._set_running(node, True)
        return node

    def _set_running(self, node: FakeNode, running: bool) -> None:
        info = node.info
        status = node_pb2.NODE_STATUS_RUNNING if running else node_pb2.NODE_STATUS_STOPPED
        info.status = status
        info.expected_status = status
        if running:
            info.started_at.seconds = int(time.time()) - UPTIME_AT_START
            node.jobs["demochain"].status = job_pb2.JOB_STATUS_RUNNING
            node.jobs["demochain"].timestamp.seconds = NOW
        else:
            info.ClearField("started_at")
            node.jobs["demochain"].status = job_pb2.JOB_STATUS_STOPPED
        self._refresh_state(node)

    @staticmethod
    def _refresh_state(node: FakeNode) -> None:
        info = node.info
        node.info.state_json = orjson.dumps({
            "id": info.id, "name": info.name, "assigned_cpus": [0],
            "image": {"version": info.image.version}, "firewall": {"rules": []},
        })

    def _result(self, node: FakeNode) -> Any:
        return node_pb2.NodeActionResult(node=node.info)

    # -- daemon / host / images ----------------------------------------------------------------

    def GetDaemonInfo(self, request: Any, context: Any) -> Any:
        self._record("GetDaemonInfo", request, context)
        info = daemon_pb2.DaemonInfo(
            api_version=1, bv_version="0.1.0", status=self.status, mode=self.mode,
            bv_path="/var/lib/blockvisor", babel_path="/opt/blockvisor/current/babel",
            job_runner_path="/opt/blockvisor/current/babel_job_runner", host_id="",
        )
        info.started_at.seconds = NOW
        return info

    def GetHealth(self, request: Any, context: Any) -> Any:
        return daemon_pb2.GetHealthResponse(status=self.status)

    def GetHostInfo(self, request: Any, context: Any) -> Any:
        self._record("GetHostInfo", request, context)
        return host_pb2.HostInfo(
            host_id="", name="testhost", bv_version="0.1.0", os="Debian GNU/Linux", os_version="12",
            cpu_cores=2, memory_bytes=4_000_000_000, disk_bytes=100_000_000_000,
            host_ip="10.0.0.1", gateway_ip="10.0.0.1", net_prefix=24, bridge_iface="bvbr0",
            available_ips=["10.0.0.11", "10.0.0.12"], used_ips=["10.0.0.10"], platform="bwrap",
        )

    def GetHostMetrics(self, request: Any, context: Any) -> Any:
        self._record("GetHostMetrics", request, context)
        return host_pb2.HostMetrics(
            used_cpu_percent=12.5, used_memory_bytes=1_500_000_000, used_disk_bytes=20_000_000_000,
            load_one=0.5, load_five=0.25, load_fifteen=0.125, network_received_bytes=3_000_000_000,
            network_sent_bytes=1_000_000_000, uptime_seconds=90061, used_ips=["10.0.0.10"],
            total_memory_bytes=4_000_000_000, total_disk_bytes=100_000_000_000,
        )

    def ListImages(self, request: Any, context: Any) -> Any:
        self._record("ListImages", request, context)
        images = [i for i in self.images
                  if not request.HasField("protocol_key") or i.image_key.protocol_key == request.protocol_key]
        return image_pb2.ListImagesResponse(images=images)

    # -- nodes ---------------------------------------------------------------------------------

    def ListNodes(self, request: Any, context: Any) -> Any:
        self._record("ListNodes", request, context)
        nodes = [n.info for n in self.nodes.values()
                 if not request.tags or set(request.tags) & set(n.info.tags)]
        return node_pb2.ListNodesResponse(nodes=nodes)

    def GetNode(self, request: Any, context: Any) -> Any:
        self._record("GetNode", request, context)
        node = self._find(request.node, context)
        if node.failure:
            context.set_trailing_metadata((("bv-status-reason", node.failure),))
        return node.info

    def GetNodeStatus(self, request: Any, context: Any) -> Any:
        self._record("GetNodeStatus", request, context)
        return node_pb2.GetNodeStatusResponse(status=self._find(request.node, context).info.status)

    def CreateNode(self, request: Any, context: Any) -> Iterator[Any]:
        self._record("CreateNode", request, context)
        key = request.image_key
        if key.protocol_key != "demochain":
            context.abort(grpc.StatusCode.NOT_FOUND,
                          f"image `{key.protocol_key}/{key.variant_key}` not found in the local image store")
        for prop, value in request.properties.items():
            if prop == "network" and value not in ("main", "test"):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                              f"property `network`: `{value}` is not one of main, test")
        name = request.display_name if request.HasField("display_name") else f"node-{len(self.nodes) + 1}"
        if any(n.info.name == name for n in self.nodes.values()):
            context.abort(grpc.StatusCode.ALREADY_EXISTS, f"node name `{name}` is already used")
        steps = [("resolve-image", "Resolving image"), ("create-rootfs", "Creating rootfs"),
                 ("init-plugin", "Loading plugin")]
        for i, (step, text) in enumerate(steps, 1):
            msg = node_pb2.ProgressStep(name=step, index=i, count=len(steps), message=text)
            if step == "create-rootfs":
                for done in (0, 50, 100):
                    msg.current, msg.total, msg.unit = done, 100, "bytes"
                    yield node_pb2.NodeProgress(step=msg)
            else:
                yield node_pb2.NodeProgress(step=msg)
        node = self.add_node(name, version=request.image_version or "1.0.0", tags=tuple(request.tags),
                             properties=dict(request.properties),
                             ip=f"10.0.0.{10 + len(self.nodes)}")
        yield node_pb2.NodeProgress(result=self._result(node))

    def StartNode(self, request: Any, context: Any) -> Any:
        self._record("StartNode", request, context)
        node = self._find(request.node, context)
        self._set_running(node, True)
        return self._result(node)

    def StopNode(self, request: Any, context: Any) -> Any:
        self._record("StopNode", request, context)
        node = self._find(request.node, context)
        self._set_running(node, False)
        return self._result(node)

    def RestartNode(self, request: Any, context: Any) -> Any:
        self._record("RestartNode", request, context)
        node = self._find(request.node, context)
        self._set_running(node, True)
        return self._result(node)

    def UpgradeNode(self, request: Any, context: Any) -> Iterator[Any]:
        self._record("UpgradeNode", request, context)
        node = self._find(request.node, context)
        version = request.image_version if request.HasField("image_version") else "2.0.0"
        if version not in ("1.0.0", "2.0.0"):
            context.abort(grpc.StatusCode.NOT_FOUND, f"image `demochain/devnet` version `{version}` not found")
        for i, step in enumerate(("stop", "swap-image", "start"), 1):
            yield node_pb2.NodeProgress(step=node_pb2.ProgressStep(name=step, index=i, count=3,
                                                                   message=f"Upgrade: {step}"))
        node.info.image.version = version
        self._refresh_state(node)
        yield node_pb2.NodeProgress(result=self._result(node))

    def UpdateNode(self, request: Any, context: Any) -> Any:
        self._record("UpdateNode", request, context)
        node = self._find(request.node, context)
        if request.HasField("display_name"):
            node.info.display_name = request.display_name
        for key, value in request.set_properties.items():
            node.info.properties[key] = value
        return self._result(node)

    def DeleteNode(self, request: Any, context: Any) -> Any:
        self._record("DeleteNode", request, context)
        node = self._find(request.node, context)
        del self.nodes[node.info.id]
        return node_pb2.NodeActionResult()

    def ReloadPlugin(self, request: Any, context: Any) -> Any:
        self._record("ReloadPlugin", request, context)
        self._find(request.node, context)
        return node_pb2.ReloadPluginResponse()

    def ListCapabilities(self, request: Any, context: Any) -> Any:
        self._record("ListCapabilities", request, context)
        self._find(request.node, context)
        return node_pb2.ListCapabilitiesResponse(capabilities=CAPABILITIES)

    def RunPluginMethod(self, request: Any, context: Any) -> Any:
        self._record("RunPluginMethod", request, context)
        node = self._find(request.node, context)
        if request.method not in CAPABILITIES:
            context.abort(grpc.StatusCode.NOT_FOUND, f"protocol method `{request.method}` not found")
        if request.method == "height":
            with self._lock:
                node.height += 1
                return node_pb2.RunPluginMethodResponse(result=str(node.height))
        if request.method == "address":
            context.abort(grpc.StatusCode.UNKNOWN, "plugin error: address: no key yet")
        if request.method == "upload":
            return node_pb2.RunPluginMethodResponse(result=f"param={request.param}")
        return node_pb2.RunPluginMethodResponse(result={"name": node.info.name, "block_age": "3",
                                                        "protocol_status": '{"state":"broadcasting","health":"healthy"}',
                                                        "init": ""}[request.method])

    def GetNodeMetrics(self, request: Any, context: Any) -> Any:
        self._record("GetNodeMetrics", request, context)
        node = self._find(request.node, context)
        return node_pb2.NodeMetrics(height=node.height, block_age=3, consensus=False,
                                    protocol_state="broadcasting",
                                    protocol_health=node_pb2.PROTOCOL_HEALTH_HEALTHY)

    # -- jobs and logs -------------------------------------------------------------------------

    def _job(self, request: Any, context: Any) -> tuple[FakeNode, Any]:
        node = self._find(request.node, context)
        job = node.jobs.get(request.job)
        if job is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"job `{request.job}` not found on node `{request.node}`")
        return node, job

    def ListJobs(self, request: Any, context: Any) -> Any:
        self._record("ListJobs", request, context)
        node = self._find(request.node, context)
        jobs = []
        for job in node.jobs.values():
            brief = job_pb2.JobInfo()
            brief.CopyFrom(job)
            del brief.logs[:]
            jobs.append(brief)
        return job_pb2.ListJobsResponse(jobs=jobs)

    def GetJobInfo(self, request: Any, context: Any) -> Any:
        self._record("GetJobInfo", request, context)
        return self._job(request, context)[1]

    def StartJob(self, request: Any, context: Any) -> Any:
        self._record("StartJob", request, context)
        self._job(request, context)[1].status = job_pb2.JOB_STATUS_RUNNING
        return job_pb2.NodeJobResponse()

    def StopJob(self, request: Any, context: Any) -> Any:
        self._record("StopJob", request, context)
        self._job(request, context)[1].status = job_pb2.JOB_STATUS_STOPPED
        return job_pb2.NodeJobResponse()

    def SkipJob(self, request: Any, context: Any) -> Any:
        self._record("SkipJob", request, context)
        job = self._job(request, context)[1]
        job.status, job.exit_code = job_pb2.JOB_STATUS_FINISHED, 0
        return job_pb2.NodeJobResponse()

    def CleanupJob(self, request: Any, context: Any) -> Any:
        self._record("CleanupJob", request, context)
        self._job(request, context)
        return job_pb2.NodeJobResponse()

    def StreamLogs(self, request: Any, context: Any) -> Iterator[Any]:
        self._record("StreamLogs", request, context)
        node = self._find(request.node, context)
        entries = [(s, line) for s, line in node.logs
                   if not request.HasField("job") or s == request.job]
        if request.tail_lines:
            entries = entries[-request.tail_lines:]
        else:
            entries = []
        for source, line in entries:
            yield job_pb2.LogEntry(source=source, line=line)
        if request.follow:
            for i in range(3, 6):
                yield job_pb2.LogEntry(source="demochain", line=f"block {i}")


class FakeServer:
    """The fake on a real gRPC server bound to ``socket_path``."""

    def __init__(self, socket_path: Path, daemon: FakeDaemon | None = None) -> None:
        self.socket_path = socket_path
        self.daemon = daemon or FakeDaemon()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        service_pb2_grpc.add_BlockvisorServiceServicer_to_server(self.daemon, self.server)
        socket_path.parent.mkdir(parents=True, exist_ok=True)
        self.server.add_insecure_port(f"unix://{socket_path}")

    def __enter__(self) -> FakeServer:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop(grace=None).wait()


def _serve_forever() -> None:
    root = Path(os.environ.get("BV_ROOT", "/"))
    sock = root / "var/lib/blockvisor/blockvisor.sock"
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    daemon = FakeDaemon()
    daemon.add_node("alpha", running=True)
    with FakeServer(sock, daemon):
        print(f"fake blockvisord serving {sock}", flush=True)
        done.wait()
    print("fake blockvisord stopped", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    _serve_forever()
