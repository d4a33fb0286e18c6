"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.babel.v1.babel_pb2 as _m0


class BabelStub:
    def __init__(self, channel: Any) -> None: ...
    GetVersion: Any
    SetupBabel: Any
    GetBabelShutdownTimeout: Any
    ShutdownBabel: Any
    CheckJobRunner: Any
    UploadJobRunner: Any
    CreateJob: Any
    StartJob: Any
    StopJob: Any
    SkipJob: Any
    CleanupJob: Any
    StopAllJobs: Any
    JobInfo: Any
    GetJobs: Any
    GetJobShutdownTimeout: Any
    GetActiveJobsShutdownTimeout: Any
    JobLogs: Any
    RunSh: Any
    RunRest: Any
    RunJrpc: Any
    RenderTemplate: Any
    FileWrite: Any
    FileRead: Any
    ProtocolDataStamp: Any
    IsDownloadCompleted: Any


class BabelServicer:
    def GetVersion(self, request: _m0.GetVersionRequest, context: Any) -> Any: ...
    def SetupBabel(self, request: _m0.SetupBabelRequest, context: Any) -> Any: ...
    def GetBabelShutdownTimeout(self, request: _m0.Empty, context: Any) -> Any: ...
    def ShutdownBabel(self, request: _m0.ShutdownBabelRequest, context: Any) -> Any: ...
    def CheckJobRunner(self, request: _m0.CheckJobRunnerRequest, context: Any) -> Any: ...
    def UploadJobRunner(self, request_iterator: Any, context: Any) -> Any: ...
    def CreateJob(self, request: _m0.CreateJobRequest, context: Any) -> Any: ...
    def StartJob(self, request: _m0.JobName, context: Any) -> Any: ...
    def StopJob(self, request: _m0.JobName, context: Any) -> Any: ...
    def SkipJob(self, request: _m0.JobName, context: Any) -> Any: ...
    def CleanupJob(self, request: _m0.JobName, context: Any) -> Any: ...
    def StopAllJobs(self, request: _m0.Empty, context: Any) -> Any: ...
    def JobInfo(self, request: _m0.JobName, context: Any) -> Any: ...
    def GetJobs(self, request: _m0.Empty, context: Any) -> Any: ...
    def GetJobShutdownTimeout(self, request: _m0.JobName, context: Any) -> Any: ...
    def GetActiveJobsShutdownTimeout(self, request: _m0.Empty, context: Any) -> Any: ...
    def JobLogs(self, request: _m0.JobLogsRequest, context: Any) -> Any: ...
    def RunSh(self, request: _m0.RunShRequest, context: Any) -> Any: ...
    def RunRest(self, request: _m0.RestRequest, context: Any) -> Any: ...
    def RunJrpc(self, request: _m0.JrpcRequest, context: Any) -> Any: ...
    def RenderTemplate(self, request: _m0.RenderTemplateRequest, context: Any) -> Any: ...
    def FileWrite(self, request_iterator: Any, context: Any) -> Any: ...
    def FileRead(self, request: _m0.FileReadRequest, context: Any) -> Any: ...
    def ProtocolDataStamp(self, request: _m0.Empty, context: Any) -> Any: ...
    def IsDownloadCompleted(self, request: _m0.Empty, context: Any) -> Any: ...


def add_BabelServicer_to_server(servicer: BabelServicer, server: Any) -> None: ...


class Babel:
    GetVersion: Any
    SetupBabel: Any
    GetBabelShutdownTimeout: Any
    ShutdownBabel: Any
    CheckJobRunner: Any
    UploadJobRunner: Any
    CreateJob: Any
    StartJob: Any
    StopJob: Any
    SkipJob: Any
    CleanupJob: Any
    StopAllJobs: Any
    JobInfo: Any
    GetJobs: Any
    GetJobShutdownTimeout: Any
    GetActiveJobsShutdownTimeout: Any
    JobLogs: Any
    RunSh: Any
    RunRest: Any
    RunJrpc: Any
    RenderTemplate: Any
    FileWrite: Any
    FileRead: Any
    ProtocolDataStamp: Any
    IsDownloadCompleted: Any


class JobsMonitorStub:
    def __init__(self, channel: Any) -> None: ...
    PushLog: Any
    RegisterRestart: Any


class JobsMonitorServicer:
    def PushLog(self, request: _m0.PushLogRequest, context: Any) -> Any: ...
    def RegisterRestart(self, request: _m0.JobName, context: Any) -> Any: ...


def add_JobsMonitorServicer_to_server(servicer: JobsMonitorServicer, server: Any) -> None: ...


class JobsMonitor:
    PushLog: Any
    RegisterRestart: Any


class BabelEngineStub:
    def __init__(self, channel: Any) -> None: ...
    PutDownloadManifest: Any
    GetDownloadMetadata: Any
    GetDownloadChunks: Any
    GetUploadSlots: Any
    UpgradeBlockingJobsFinished: Any
    BvError: Any


class BabelEngineServicer:
    def PutDownloadManifest(self, request: _m0.PutDownloadManifestRequest, context: Any) -> Any: ...
    def GetDownloadMetadata(self, request: _m0.Empty, context: Any) -> Any: ...
    def GetDownloadChunks(self, request: _m0.GetDownloadChunksRequest, context: Any) -> Any: ...
    def GetUploadSlots(self, request: _m0.GetUploadSlotsRequest, context: Any) -> Any: ...
    def UpgradeBlockingJobsFinished(self, request: _m0.Empty, context: Any) -> Any: ...
    def BvError(self, request: _m0.BvErrorRequest, context: Any) -> Any: ...


def add_BabelEngineServicer_to_server(servicer: BabelEngineServicer, server: Any) -> None: ...


class BabelEngine:
    PutDownloadManifest: Any
    GetDownloadMetadata: Any
    GetDownloadChunks: Any
    GetUploadSlots: Any
    UpgradeBlockingJobsFinished: Any
    BvError: Any
