"""The internal gRPC servicer (``blockvisor.internal.v1.BlockvisorService``): a thin facade.

Each RPC validates its request, calls the nodes manager and maps domain errors to status codes
through `api.errors` (one table). Node RPCs are refused (UNAVAILABLE) unless the daemon is OK:
while starting, updating or shutting down. Create and upgrade stream progress steps and end
with one result; a client that goes away does not cancel the operation.

Standalone mode runs every node operation locally. Connected mode (issue 8) plugs in here:
``forwarded_to_api`` results come from a fleet-API forwarder instead of the manager.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import os
import platform as _platform
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import psutil

from bv_core.errors import BvError, InvalidInput, NotFound
from bv_core.models import NodeState
from bv_core.plugin import MethodNotFound
from bv_core.proto.blockvisor.internal.v1 import (
    daemon_pb2,
    host_pb2,
    image_pb2,
    job_pb2,
    node_pb2,
    service_pb2_grpc,
)
from bv_daemon._states import NodeStatus
from bv_daemon.api.convert import job_message, metrics_message, node_info, status_message
from bv_daemon.api.errors import ServiceUnavailable, status_of
from bv_daemon.connected_glue import (
    ConnectedHandle,
    forward_create,
    forward_node_command,
    forward_upgrade,
)
from bv_daemon.node import Node
from bv_daemon.nodes_manager import NodesManager
from bv_daemon.self_updater import running_bundle_version

# The bundle version this daemon runs from (the package version outside a bundle).
_BV_VERSION = running_bundle_version()
__all__ = ["InternalService", "ServiceState"]

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
G = TypeVar("G", bound=Callable[..., AsyncIterator[Any]])


class ServiceState:
    """The daemon's readiness, shared with the daemon's lifetime code."""

    def __init__(self) -> None:
        self.status = daemon_pb2.SERVICE_STATUS_UNDEFINED
        self.shutting_down = False
        self.started_at = time.time()

    def check(self) -> None:
        if self.shutting_down:
            raise ServiceUnavailable("daemon is shutting down, try again later")
        if self.status == daemon_pb2.SERVICE_STATUS_UNDEFINED:
            raise ServiceUnavailable("service not ready, try again later")
        if self.status == daemon_pb2.SERVICE_STATUS_UPDATING:
            raise ServiceUnavailable("pending update, try again later")


def _unary(*, ready: bool = True) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        async def call(self: InternalService, request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                if ready:
                    self.state.check()
                return await fn(self, request, context)
            except BvError as err:
                await context.abort(status_of(err), str(err))

        return call  # type: ignore[return-value]

    return wrap


def _stream(fn: G) -> G:
    @functools.wraps(fn)
    async def call(self: InternalService, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            self.state.check()
            async for item in fn(self, request, context):
                yield item
        except BvError as err:
            await context.abort(status_of(err), str(err))

    return call  # type: ignore[return-value]


def _ts() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


class InternalService(service_pb2_grpc.BlockvisorServiceServicer):
    def __init__(self, manager: NodesManager, state: ServiceState, *, config_text: str = "") -> None:
        self.manager = manager
        self.state = state
        self.config_text = config_text
        self._ops: set[asyncio.Task[Node]] = set()
        self.connected: ConnectedHandle | None = None  # connected mode: non-dev node commands go to the fleet API

    # -- helpers ----------------------------------------------------------------------------------
    async def _info(self, node: Node) -> node_pb2.NodeInfo:
        info = node_info(node.state, await node.status())
        if info.status == node_pb2.NODE_STATUS_FAILED:
            info.status_reason = await node.failure_reason()
        return info

    async def _result(self, node: Node) -> node_pb2.NodeActionResult:
        return node_pb2.NodeActionResult(node=await self._info(node))

    async def _progress(self, op: Callable[[Callable[[str, str], None]], Awaitable[Node]],
                        count: int) -> AsyncIterator[node_pb2.NodeProgress]:
        queue: asyncio.Queue[node_pb2.ProgressStep] = asyncio.Queue()
        index = 0

        def say(name: str, message: str) -> None:
            nonlocal index
            index += 1
            step = node_pb2.ProgressStep(name=name, index=index, count=max(count, index), message=message)
            step.at.FromDatetime(_ts())
            queue.put_nowait(step)

        task = asyncio.ensure_future(op(say))
        self._ops.add(task)  # keeps running if the client goes away
        task.add_done_callback(self._ops.discard)
        while not task.done() or not queue.empty():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield node_pb2.NodeProgress(step=getter.result())
            else:
                getter.cancel()
        node = task.result()
        yield node_pb2.NodeProgress(result=await self._result(node))

    # -- daemon -----------------------------------------------------------------------------------
    @_unary(ready=False)
    async def GetDaemonInfo(self, request: daemon_pb2.GetDaemonInfoRequest, context: Any) -> daemon_pb2.DaemonInfo:
        rt = self.manager.rt
        info = daemon_pb2.DaemonInfo(
            api_version=daemon_pb2.API_VERSION_1, bv_version=_BV_VERSION, status=self.state.status,
            mode=daemon_pb2.DAEMON_MODE_CONNECTED if rt.api_url else daemon_pb2.DAEMON_MODE_STANDALONE,
            bv_path=str(rt.paths.var), babel_path=str(rt.bundle.babel),
            job_runner_path=str(rt.bundle.job_runner), config_redacted=self.config_text, host_id=rt.host_id,
        )  # fmt: skip
        info.started_at.FromDatetime(datetime.datetime.fromtimestamp(self.state.started_at, tz=datetime.UTC))
        return info

    @_unary(ready=False)
    async def GetHealth(self, request: daemon_pb2.GetHealthRequest, context: Any) -> daemon_pb2.GetHealthResponse:
        return daemon_pb2.GetHealthResponse(status=self.state.status)

    @_unary(ready=False)
    async def StartUpdate(self, request: daemon_pb2.StartUpdateRequest, context: Any) -> daemon_pb2.StartUpdateResponse:
        self.state.status = daemon_pb2.SERVICE_STATUS_UPDATING
        return daemon_pb2.StartUpdateResponse(status=self.state.status)

    # -- host -------------------------------------------------------------------------------------
    @_unary(ready=False)
    async def GetHostInfo(self, request: host_pb2.GetHostInfoRequest, context: Any) -> host_pb2.HostInfo:
        rt = self.manager.rt
        disk = psutil.disk_usage(str(rt.paths.var if rt.paths.var.exists() else rt.paths.root))
        return host_pb2.HostInfo(
            host_id=rt.host_id, name=rt.host_name, bv_version=_BV_VERSION, os=_platform.system(),
            os_version=_platform.release(), cpu_cores=psutil.cpu_count() or 0,
            memory_bytes=psutil.virtual_memory().total, disk_bytes=disk.total, host_ip=rt.net.bridge_ip,
            gateway_ip=rt.net.node_gateway, net_prefix=rt.net.prefix, bridge_iface=rt.net.bridge,
            available_ips=list(rt.net.pool), used_ips=[n.state.ip for n in self.manager.nodes.values()],
            platform=rt.platform.name,
        )  # fmt: skip

    @_unary(ready=False)
    async def GetHostMetrics(self, request: host_pb2.GetHostMetricsRequest, context: Any) -> host_pb2.HostMetrics:
        rt = self.manager.rt
        mem = psutil.virtual_memory()
        disk = psutil.disk_usage(str(rt.paths.var if rt.paths.var.exists() else rt.paths.root))
        net = psutil.net_io_counters()
        load = os.getloadavg()
        return host_pb2.HostMetrics(
            used_cpu_percent=psutil.cpu_percent(interval=None), used_memory_bytes=mem.total - mem.available,
            used_disk_bytes=disk.used, load_one=load[0], load_five=load[1], load_fifteen=load[2],
            network_received_bytes=net.bytes_recv, network_sent_bytes=net.bytes_sent,
            uptime_seconds=int(time.time() - psutil.boot_time()),
            used_ips=[n.state.ip for n in self.manager.nodes.values()], total_memory_bytes=mem.total,
            total_disk_bytes=disk.total,
        )  # fmt: skip

    # -- images -----------------------------------------------------------------------------------
    @_unary()
    async def ListImages(self, request: image_pb2.ListImagesRequest, context: Any) -> image_pb2.ListImagesResponse:
        out = []
        store = self.manager.images
        for meta in store.all_images():
            if request.HasField("protocol_key") and meta.protocol_key != request.protocol_key:
                continue
            for v in meta.variants:
                out.append(image_pb2.ImageSummary(
                    image_key=node_pb2.ImageKey(protocol_key=meta.protocol_key, variant_key=v.key),
                    version=meta.version, uri=meta.container_uri,
                    path=str(store.root / meta.protocol_key / meta.version),
                    description=meta.description or "", min_cpu_cores=v.min_cpu,
                    min_memory_bytes=v.min_memory_mb * 1_000_000, min_disk_bytes=v.min_disk_gb * 1_000_000_000,
                ))  # fmt: skip
        return image_pb2.ListImagesResponse(images=out)

    # -- nodes ------------------------------------------------------------------------------------
    @_unary()
    async def ListNodes(self, request: node_pb2.ListNodesRequest, context: Any) -> node_pb2.ListNodesResponse:
        tags = set(request.tags)
        out = []
        for node in list(self.manager.nodes.values()):
            if tags and not tags & set(node.state.tags):
                continue
            out.append(await self._info(node))
        for broken in self.manager.broken.values():
            if broken.state is not None:
                out.append(_broken_info(broken.id, broken.reason, broken.state))
            elif not tags:
                out.append(_broken_info(broken.id, broken.reason, None))
        return node_pb2.ListNodesResponse(nodes=out)

    @_unary()
    async def GetNode(self, request: node_pb2.GetNodeRequest, context: Any) -> node_pb2.NodeInfo:
        broken = self.manager.find_broken(request.node)
        if broken is not None:
            info = _broken_info(broken.id, broken.reason, broken.state)
        else:
            info = await self._info(self.manager.find(request.node))
        if info.status_reason:
            # The trailer predates NodeInfo.status_reason; kept for older clients.
            context.set_trailing_metadata((("bv-status-reason", info.status_reason),))
        return info

    @_unary()
    async def GetNodeStatus(self, request: node_pb2.GetNodeStatusRequest, context: Any) -> node_pb2.GetNodeStatusResponse:
        node = self.manager.find(request.node)
        return node_pb2.GetNodeStatusResponse(status=status_message(await node.status()))  # type: ignore[arg-type]

    @_stream
    async def CreateNode(self, request: node_pb2.CreateNodeRequest, context: Any) -> AsyncIterator[node_pb2.NodeProgress]:
        key = request.image_key
        if not key.protocol_key and not request.HasField("image_path"):
            raise InvalidInput("image_key.protocol_key is required (e.g. demochain)")
        image = self.manager.resolve_image(
            key.protocol_key, key.variant_key or None,
            request.image_version if request.HasField("image_version") else None,
            request.image_path if request.HasField("image_path") else None,
        )
        name = request.display_name if request.HasField("display_name") else None
        handle = self.connected

        async def op(say: Callable[[str, str], None]) -> Node:
            if handle is not None and not request.HasField("image_path"):
                say("fleet-api", "creating the node through the fleet API")
                return await forward_create(handle, self.manager, protocol=image.protocol_key,
                                            variant=image.variant.variant_key, version=image.version,
                                            properties=dict(request.properties))
            return await self.manager.create(image, name=name, properties=dict(request.properties),
                                             tags=list(request.tags), progress=say)

        async for item in self._progress(op, 2):
            yield item

    @_stream
    async def CreateDevNode(self, request: node_pb2.CreateDevNodeRequest, context: Any) -> AsyncIterator[node_pb2.NodeProgress]:
        async def op(say: Callable[[str, str], None]) -> Node:
            return await self.manager.create_dev(request.state_json, say)

        async for item in self._progress(op, 2):
            yield item

    @_unary()
    async def StartNode(self, request: node_pb2.StartNodeRequest, context: Any) -> node_pb2.NodeActionResult:
        if await forward_node_command(self.connected, "start", self.manager.find(request.node)):
            return await self._result(self.manager.find(request.node))
        return await self._result(await self.manager.start(request.node))

    @_unary()
    async def StopNode(self, request: node_pb2.StopNodeRequest, context: Any) -> node_pb2.NodeActionResult:
        if await forward_node_command(self.connected, "stop", self.manager.find(request.node)):
            return await self._result(self.manager.find(request.node))
        return await self._result(await self.manager.stop(request.node, request.force))

    @_unary()
    async def RestartNode(self, request: node_pb2.RestartNodeRequest, context: Any) -> node_pb2.NodeActionResult:
        return await self._result(await self.manager.restart(request.node, request.force))

    @_stream
    async def UpgradeNode(self, request: node_pb2.UpgradeNodeRequest, context: Any) -> AsyncIterator[node_pb2.NodeProgress]:
        node = self.manager.find(request.node)
        key = node.state.image_key
        image = self.manager.resolve_image(
            key.protocol_key, key.variant_key,
            request.image_version if request.HasField("image_version") else None)

        handle = self.connected

        async def op(say: Callable[[str, str], None]) -> Node:
            if handle is not None and not node.state.dev_mode:
                say("fleet-api", "upgrading the node through the fleet API")
                await forward_upgrade(handle, node, image.version)
                return node
            return await self.manager.upgrade(request.node, image, say)

        async for item in self._progress(op, 5):
            yield item

    @_stream
    async def UpgradeDevNode(self, request: node_pb2.UpgradeDevNodeRequest, context: Any) -> AsyncIterator[node_pb2.NodeProgress]:
        async def op(say: Callable[[str, str], None]) -> Node:
            return await self.manager.upgrade_dev(request.state_json, say)

        async for item in self._progress(op, 5):
            yield item

    @_unary()
    async def UpdateNode(self, request: node_pb2.UpdateNodeRequest, context: Any) -> node_pb2.NodeActionResult:
        if request.HasField("firewall_json"):
            raise InvalidInput("firewall updates are not supported by the bwrap backend yet")
        node = await self.manager.update(
            request.node,
            display_name=request.display_name if request.HasField("display_name") else None,
            properties=dict(request.set_properties),
            org_id=request.org_id if request.HasField("org_id") else None,
            org_name=request.org_name if request.HasField("org_name") else None,
        )
        return await self._result(node)

    @_unary()
    async def DeleteNode(self, request: node_pb2.DeleteNodeRequest, context: Any) -> node_pb2.NodeActionResult:
        found: Node | None = None
        try:
            found = self.manager.find(request.node)
            info = node_pb2.NodeActionResult(node=node_info(found.state, await found.computed_status()))
        except BvError:
            info = node_pb2.NodeActionResult(node=node_pb2.NodeInfo(id=request.node))
        if found is not None and await forward_node_command(self.connected, "delete", found):
            return info
        await self.manager.delete(request.node)
        return info

    @_unary()
    async def ReloadPlugin(self, request: node_pb2.ReloadPluginRequest, context: Any) -> node_pb2.ReloadPluginResponse:
        node = self.manager.find(request.node)
        async with node.plugin_lock:
            node.plugin = None
        await node.plugin_call(lambda p: None)
        return node_pb2.ReloadPluginResponse()

    # -- plugin -----------------------------------------------------------------------------------
    @_unary()
    async def ListCapabilities(self, request: node_pb2.ListCapabilitiesRequest, context: Any) -> node_pb2.ListCapabilitiesResponse:
        node = self.manager.find(request.node)
        caps = await node.plugin_call(lambda p: p.capabilities())
        return node_pb2.ListCapabilitiesResponse(capabilities=caps)

    @_unary()
    async def RunPluginMethod(self, request: node_pb2.RunPluginMethodRequest, context: Any) -> node_pb2.RunPluginMethodResponse:
        node = self.manager.find(request.node)
        builtins = {"init", "height", "block_age", "name", "address", "consensus", "protocol_status", "upload"}
        caps = set(await node.plugin_call(lambda p: p.capabilities()))
        if request.method not in caps and request.method not in builtins:
            raise MethodNotFound(f"protocol method not found: {request.method}")
        result = await node.plugin_call(lambda p: p.call_method(request.method, request.param))
        return node_pb2.RunPluginMethodResponse(result=result)

    @_unary()
    async def GetNodeMetrics(self, request: node_pb2.GetNodeMetricsRequest, context: Any) -> node_pb2.NodeMetrics:
        node = self.manager.find(request.node)
        return metrics_message(await node.metrics())

    # -- jobs -------------------------------------------------------------------------------------
    @_unary()
    async def ListJobs(self, request: job_pb2.ListJobsRequest, context: Any) -> job_pb2.ListJobsResponse:
        node = self.manager.find(request.node)
        jobs = await node.babel.get_jobs()
        return job_pb2.ListJobsResponse(jobs=[job_message(n, j) for n, j in sorted(jobs.items())])

    @_unary()
    async def GetJobInfo(self, request: job_pb2.NodeJobRequest, context: Any) -> job_pb2.JobInfo:
        node = self.manager.find(request.node)
        return job_message(request.job, await node.babel.job_info(request.job), with_logs=True)

    @_unary()
    async def StartJob(self, request: job_pb2.NodeJobRequest, context: Any) -> job_pb2.NodeJobResponse:
        await self.manager.find(request.node).babel.start_job(request.job)
        return job_pb2.NodeJobResponse()

    @_unary()
    async def StopJob(self, request: job_pb2.NodeJobRequest, context: Any) -> job_pb2.NodeJobResponse:
        await self.manager.find(request.node).babel.stop_job(request.job)
        return job_pb2.NodeJobResponse()

    @_unary()
    async def SkipJob(self, request: job_pb2.NodeJobRequest, context: Any) -> job_pb2.NodeJobResponse:
        await self.manager.find(request.node).babel.skip_job(request.job)
        return job_pb2.NodeJobResponse()

    @_unary()
    async def CleanupJob(self, request: job_pb2.NodeJobRequest, context: Any) -> job_pb2.NodeJobResponse:
        await self.manager.find(request.node).babel.cleanup_job(request.job)
        return job_pb2.NodeJobResponse()

    @_stream
    async def StreamLogs(self, request: job_pb2.StreamLogsRequest, context: Any) -> AsyncIterator[job_pb2.LogEntry]:
        node = self.manager.find(request.node)
        if request.HasField("job"):
            async for line in node.babel.job_logs(request.job, request.tail_lines, request.follow):
                yield job_pb2.LogEntry(source=request.job, line=line)
            return
        if request.follow:
            raise InvalidInput("follow needs a job (--job NAME): babel's own log is not streamed")
        log_path = node.machine.log_path() or node.paths.dir / "machine.log"
        for line in _tail(log_path, request.tail_lines):
            yield job_pb2.LogEntry(source="babel", line=line)
        for name in sorted(await node.babel.get_jobs()):
            async for line in node.babel.job_logs(name, request.tail_lines, False):
                yield job_pb2.LogEntry(source=name, line=line)


def _broken_info(node_id: str, reason: str, state: NodeState | None) -> node_pb2.NodeInfo:
    """A node the daemon could not load or attach: Failed, with why."""
    if state is not None:
        info = node_info(state, NodeStatus.FAILED)
    else:
        info = node_pb2.NodeInfo(id=node_id, name=node_id, status=node_pb2.NODE_STATUS_FAILED)
    info.status_reason = reason
    return info


def _tail(path: Path, lines: int) -> list[str]:
    if lines == 0:
        return []
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        raise NotFound(f"no log at {path}") from None
    return text[-lines:]
