"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockvisor.internal.v1.daemon_pb2 as _m0
import bv_core.proto.blockvisor.internal.v1.host_pb2 as _m1
import bv_core.proto.blockvisor.internal.v1.image_pb2 as _m2
import bv_core.proto.blockvisor.internal.v1.job_pb2 as _m3
import bv_core.proto.blockvisor.internal.v1.node_pb2 as _m4


class BlockvisorServiceStub:
    def __init__(self, channel: Any) -> None: ...
    GetDaemonInfo: Any
    GetHealth: Any
    StartUpdate: Any
    GetHostInfo: Any
    GetHostMetrics: Any
    ListImages: Any
    ListNodes: Any
    GetNode: Any
    GetNodeStatus: Any
    CreateNode: Any
    CreateDevNode: Any
    StartNode: Any
    StopNode: Any
    RestartNode: Any
    UpgradeNode: Any
    UpgradeDevNode: Any
    UpdateNode: Any
    DeleteNode: Any
    ReloadPlugin: Any
    ListCapabilities: Any
    RunPluginMethod: Any
    GetNodeMetrics: Any
    ListJobs: Any
    GetJobInfo: Any
    StartJob: Any
    StopJob: Any
    SkipJob: Any
    CleanupJob: Any
    StreamLogs: Any


class BlockvisorServiceServicer:
    def GetDaemonInfo(self, request: _m0.GetDaemonInfoRequest, context: Any) -> Any: ...
    def GetHealth(self, request: _m0.GetHealthRequest, context: Any) -> Any: ...
    def StartUpdate(self, request: _m0.StartUpdateRequest, context: Any) -> Any: ...
    def GetHostInfo(self, request: _m1.GetHostInfoRequest, context: Any) -> Any: ...
    def GetHostMetrics(self, request: _m1.GetHostMetricsRequest, context: Any) -> Any: ...
    def ListImages(self, request: _m2.ListImagesRequest, context: Any) -> Any: ...
    def ListNodes(self, request: _m4.ListNodesRequest, context: Any) -> Any: ...
    def GetNode(self, request: _m4.GetNodeRequest, context: Any) -> Any: ...
    def GetNodeStatus(self, request: _m4.GetNodeStatusRequest, context: Any) -> Any: ...
    def CreateNode(self, request: _m4.CreateNodeRequest, context: Any) -> Any: ...
    def CreateDevNode(self, request: _m4.CreateDevNodeRequest, context: Any) -> Any: ...
    def StartNode(self, request: _m4.StartNodeRequest, context: Any) -> Any: ...
    def StopNode(self, request: _m4.StopNodeRequest, context: Any) -> Any: ...
    def RestartNode(self, request: _m4.RestartNodeRequest, context: Any) -> Any: ...
    def UpgradeNode(self, request: _m4.UpgradeNodeRequest, context: Any) -> Any: ...
    def UpgradeDevNode(self, request: _m4.UpgradeDevNodeRequest, context: Any) -> Any: ...
    def UpdateNode(self, request: _m4.UpdateNodeRequest, context: Any) -> Any: ...
    def DeleteNode(self, request: _m4.DeleteNodeRequest, context: Any) -> Any: ...
    def ReloadPlugin(self, request: _m4.ReloadPluginRequest, context: Any) -> Any: ...
    def ListCapabilities(self, request: _m4.ListCapabilitiesRequest, context: Any) -> Any: ...
    def RunPluginMethod(self, request: _m4.RunPluginMethodRequest, context: Any) -> Any: ...
    def GetNodeMetrics(self, request: _m4.GetNodeMetricsRequest, context: Any) -> Any: ...
    def ListJobs(self, request: _m3.ListJobsRequest, context: Any) -> Any: ...
    def GetJobInfo(self, request: _m3.NodeJobRequest, context: Any) -> Any: ...
    def StartJob(self, request: _m3.NodeJobRequest, context: Any) -> Any: ...
    def StopJob(self, request: _m3.NodeJobRequest, context: Any) -> Any: ...
    def SkipJob(self, request: _m3.NodeJobRequest, context: Any) -> Any: ...
    def CleanupJob(self, request: _m3.NodeJobRequest, context: Any) -> Any: ...
    def StreamLogs(self, request: _m3.StreamLogsRequest, context: Any) -> Any: ...


def add_BlockvisorServiceServicer_to_server(servicer: BlockvisorServiceServicer, server: Any) -> None: ...


class BlockvisorService:
    GetDaemonInfo: Any
    GetHealth: Any
    StartUpdate: Any
    GetHostInfo: Any
    GetHostMetrics: Any
    ListImages: Any
    ListNodes: Any
    GetNode: Any
    GetNodeStatus: Any
    CreateNode: Any
    CreateDevNode: Any
    StartNode: Any
    StopNode: Any
    RestartNode: Any
    UpgradeNode: Any
    UpgradeDevNode: Any
    UpdateNode: Any
    DeleteNode: Any
    ReloadPlugin: Any
    ListCapabilities: Any
    RunPluginMethod: Any
    GetNodeMetrics: Any
    ListJobs: Any
    GetJobInfo: Any
    StartJob: Any
    StopJob: Any
    SkipJob: Any
    CleanupJob: Any
    StreamLogs: Any
