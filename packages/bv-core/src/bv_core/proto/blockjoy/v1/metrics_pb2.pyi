from bv_core.proto.blockjoy.common.v1 import node_pb2 as _node_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MetricsServiceHostRequest(_message.Message):
    __slots__ = ("metrics",)
    METRICS_FIELD_NUMBER: _ClassVar[int]
    metrics: HostMetrics
    def __init__(self, metrics: _Optional[_Union[HostMetrics, _Mapping]] = ...) -> None: ...

class MetricsServiceHostResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MetricsServiceNodeRequest(_message.Message):
    __slots__ = ("metrics",)
    METRICS_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedCompositeFieldContainer[NodeMetrics]
    def __init__(self, metrics: _Optional[_Iterable[_Union[NodeMetrics, _Mapping]]] = ...) -> None: ...

class MetricsServiceNodeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HostMetrics(_message.Message):
    __slots__ = ("host_id", "used_cpu_hundreths", "used_memory_bytes", "used_disk_bytes", "load_one_percent", "load_five_percent", "load_fifteen_percent", "network_received_bytes", "network_sent_bytes", "uptime_seconds", "used_ips")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    USED_CPU_HUNDRETHS_FIELD_NUMBER: _ClassVar[int]
    USED_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    USED_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    LOAD_ONE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIVE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIFTEEN_PERCENT_FIELD_NUMBER: _ClassVar[int]
    NETWORK_RECEIVED_BYTES_FIELD_NUMBER: _ClassVar[int]
    NETWORK_SENT_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    USED_IPS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    used_cpu_hundreths: int
    used_memory_bytes: int
    used_disk_bytes: int
    load_one_percent: float
    load_five_percent: float
    load_fifteen_percent: float
    network_received_bytes: int
    network_sent_bytes: int
    uptime_seconds: int
    used_ips: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, host_id: _Optional[str] = ..., used_cpu_hundreths: _Optional[int] = ..., used_memory_bytes: _Optional[int] = ..., used_disk_bytes: _Optional[int] = ..., load_one_percent: _Optional[float] = ..., load_five_percent: _Optional[float] = ..., load_fifteen_percent: _Optional[float] = ..., network_received_bytes: _Optional[int] = ..., network_sent_bytes: _Optional[int] = ..., uptime_seconds: _Optional[int] = ..., used_ips: _Optional[_Iterable[str]] = ...) -> None: ...

class NodeMetrics(_message.Message):
    __slots__ = ("node_id", "node_status", "height", "block_age", "consensus", "jobs")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_STATUS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BLOCK_AGE_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    node_status: _node_pb2.NodeStatus
    height: int
    block_age: int
    consensus: bool
    jobs: _containers.RepeatedCompositeFieldContainer[_node_pb2.NodeJob]
    def __init__(self, node_id: _Optional[str] = ..., node_status: _Optional[_Union[_node_pb2.NodeStatus, _Mapping]] = ..., height: _Optional[int] = ..., block_age: _Optional[int] = ..., consensus: _Optional[bool] = ..., jobs: _Optional[_Iterable[_Union[_node_pb2.NodeJob, _Mapping]]] = ...) -> None: ...
