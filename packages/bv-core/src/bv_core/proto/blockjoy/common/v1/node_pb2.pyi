from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NodeState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_STATE_UNSPECIFIED: _ClassVar[NodeState]
    NODE_STATE_STARTING: _ClassVar[NodeState]
    NODE_STATE_RUNNING: _ClassVar[NodeState]
    NODE_STATE_STOPPED: _ClassVar[NodeState]
    NODE_STATE_FAILED: _ClassVar[NodeState]
    NODE_STATE_UPGRADING: _ClassVar[NodeState]
    NODE_STATE_DELETING: _ClassVar[NodeState]
    NODE_STATE_DELETED: _ClassVar[NodeState]

class NextState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NEXT_STATE_UNSPECIFIED: _ClassVar[NextState]
    NEXT_STATE_STOPPING: _ClassVar[NextState]
    NEXT_STATE_DELETING: _ClassVar[NextState]
    NEXT_STATE_UPGRADING: _ClassVar[NextState]

class NodeHealth(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_HEALTH_UNSPECIFIED: _ClassVar[NodeHealth]
    NODE_HEALTH_HEALTHY: _ClassVar[NodeHealth]
    NODE_HEALTH_NEUTRAL: _ClassVar[NodeHealth]
    NODE_HEALTH_UNHEALTHY: _ClassVar[NodeHealth]

class NodeJobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_JOB_STATUS_UNSPECIFIED: _ClassVar[NodeJobStatus]
    NODE_JOB_STATUS_PENDING: _ClassVar[NodeJobStatus]
    NODE_JOB_STATUS_RUNNING: _ClassVar[NodeJobStatus]
    NODE_JOB_STATUS_FINISHED: _ClassVar[NodeJobStatus]
    NODE_JOB_STATUS_FAILED: _ClassVar[NodeJobStatus]
    NODE_JOB_STATUS_STOPPED: _ClassVar[NodeJobStatus]
NODE_STATE_UNSPECIFIED: NodeState
NODE_STATE_STARTING: NodeState
NODE_STATE_RUNNING: NodeState
NODE_STATE_STOPPED: NodeState
NODE_STATE_FAILED: NodeState
NODE_STATE_UPGRADING: NodeState
NODE_STATE_DELETING: NodeState
NODE_STATE_DELETED: NodeState
NEXT_STATE_UNSPECIFIED: NextState
NEXT_STATE_STOPPING: NextState
NEXT_STATE_DELETING: NextState
NEXT_STATE_UPGRADING: NextState
NODE_HEALTH_UNSPECIFIED: NodeHealth
NODE_HEALTH_HEALTHY: NodeHealth
NODE_HEALTH_NEUTRAL: NodeHealth
NODE_HEALTH_UNHEALTHY: NodeHealth
NODE_JOB_STATUS_UNSPECIFIED: NodeJobStatus
NODE_JOB_STATUS_PENDING: NodeJobStatus
NODE_JOB_STATUS_RUNNING: NodeJobStatus
NODE_JOB_STATUS_FINISHED: NodeJobStatus
NODE_JOB_STATUS_FAILED: NodeJobStatus
NODE_JOB_STATUS_STOPPED: NodeJobStatus

class NodeStatus(_message.Message):
    __slots__ = ("state", "next", "protocol")
    STATE_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    state: NodeState
    next: NextState
    protocol: ProtocolStatus
    def __init__(self, state: _Optional[_Union[NodeState, str]] = ..., next: _Optional[_Union[NextState, str]] = ..., protocol: _Optional[_Union[ProtocolStatus, _Mapping]] = ...) -> None: ...

class ProtocolStatus(_message.Message):
    __slots__ = ("state", "health")
    STATE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    state: str
    health: NodeHealth
    def __init__(self, state: _Optional[str] = ..., health: _Optional[_Union[NodeHealth, str]] = ...) -> None: ...

class NodeLauncher(_message.Message):
    __slots__ = ("by_host", "by_region")
    BY_HOST_FIELD_NUMBER: _ClassVar[int]
    BY_REGION_FIELD_NUMBER: _ClassVar[int]
    by_host: ByHost
    by_region: ByRegion
    def __init__(self, by_host: _Optional[_Union[ByHost, _Mapping]] = ..., by_region: _Optional[_Union[ByRegion, _Mapping]] = ...) -> None: ...

class ByHost(_message.Message):
    __slots__ = ("host_counts",)
    HOST_COUNTS_FIELD_NUMBER: _ClassVar[int]
    host_counts: _containers.RepeatedCompositeFieldContainer[HostCount]
    def __init__(self, host_counts: _Optional[_Iterable[_Union[HostCount, _Mapping]]] = ...) -> None: ...

class HostCount(_message.Message):
    __slots__ = ("host_id", "node_count")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    node_count: int
    def __init__(self, host_id: _Optional[str] = ..., node_count: _Optional[int] = ...) -> None: ...

class ByRegion(_message.Message):
    __slots__ = ("region_counts",)
    REGION_COUNTS_FIELD_NUMBER: _ClassVar[int]
    region_counts: _containers.RepeatedCompositeFieldContainer[RegionCount]
    def __init__(self, region_counts: _Optional[_Iterable[_Union[RegionCount, _Mapping]]] = ...) -> None: ...

class RegionCount(_message.Message):
    __slots__ = ("region_id", "node_count")
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    region_id: str
    node_count: int
    def __init__(self, region_id: _Optional[str] = ..., node_count: _Optional[int] = ...) -> None: ...

class NodeJob(_message.Message):
    __slots__ = ("name", "status", "exit_code", "message", "logs", "restarts", "progress")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LOGS_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: NodeJobStatus
    exit_code: int
    message: str
    logs: _containers.RepeatedScalarFieldContainer[str]
    restarts: int
    progress: NodeJobProgress
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[NodeJobStatus, str]] = ..., exit_code: _Optional[int] = ..., message: _Optional[str] = ..., logs: _Optional[_Iterable[str]] = ..., restarts: _Optional[int] = ..., progress: _Optional[_Union[NodeJobProgress, _Mapping]] = ...) -> None: ...

class NodeJobProgress(_message.Message):
    __slots__ = ("total", "current", "message")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    total: int
    current: int
    message: str
    def __init__(self, total: _Optional[int] = ..., current: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...
