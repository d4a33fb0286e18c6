from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetHostInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HostInfo(_message.Message):
    __slots__ = ("host_id", "name", "bv_version", "os", "os_version", "cpu_cores", "memory_bytes", "disk_bytes", "host_ip", "gateway_ip", "net_prefix", "bridge_iface", "available_ips", "used_ips", "private_org_id", "org_id", "platform")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BV_VERSION_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    HOST_IP_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_IP_FIELD_NUMBER: _ClassVar[int]
    NET_PREFIX_FIELD_NUMBER: _ClassVar[int]
    BRIDGE_IFACE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_IPS_FIELD_NUMBER: _ClassVar[int]
    USED_IPS_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    name: str
    bv_version: str
    os: str
    os_version: str
    cpu_cores: int
    memory_bytes: int
    disk_bytes: int
    host_ip: str
    gateway_ip: str
    net_prefix: int
    bridge_iface: str
    available_ips: _containers.RepeatedScalarFieldContainer[str]
    used_ips: _containers.RepeatedScalarFieldContainer[str]
    private_org_id: str
    org_id: str
    platform: str
    def __init__(self, host_id: _Optional[str] = ..., name: _Optional[str] = ..., bv_version: _Optional[str] = ..., os: _Optional[str] = ..., os_version: _Optional[str] = ..., cpu_cores: _Optional[int] = ..., memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ..., host_ip: _Optional[str] = ..., gateway_ip: _Optional[str] = ..., net_prefix: _Optional[int] = ..., bridge_iface: _Optional[str] = ..., available_ips: _Optional[_Iterable[str]] = ..., used_ips: _Optional[_Iterable[str]] = ..., private_org_id: _Optional[str] = ..., org_id: _Optional[str] = ..., platform: _Optional[str] = ...) -> None: ...

class GetHostMetricsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HostMetrics(_message.Message):
    __slots__ = ("used_cpu_percent", "used_memory_bytes", "used_disk_bytes", "load_one", "load_five", "load_fifteen", "network_received_bytes", "network_sent_bytes", "uptime_seconds", "used_ips", "total_memory_bytes", "total_disk_bytes")
    USED_CPU_PERCENT_FIELD_NUMBER: _ClassVar[int]
    USED_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    USED_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    LOAD_ONE_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIVE_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIFTEEN_FIELD_NUMBER: _ClassVar[int]
    NETWORK_RECEIVED_BYTES_FIELD_NUMBER: _ClassVar[int]
    NETWORK_SENT_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    USED_IPS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    used_cpu_percent: float
    used_memory_bytes: int
    used_disk_bytes: int
    load_one: float
    load_five: float
    load_fifteen: float
    network_received_bytes: int
    network_sent_bytes: int
    uptime_seconds: int
    used_ips: _containers.RepeatedScalarFieldContainer[str]
    total_memory_bytes: int
    total_disk_bytes: int
    def __init__(self, used_cpu_percent: _Optional[float] = ..., used_memory_bytes: _Optional[int] = ..., used_disk_bytes: _Optional[int] = ..., load_one: _Optional[float] = ..., load_five: _Optional[float] = ..., load_fifteen: _Optional[float] = ..., network_received_bytes: _Optional[int] = ..., network_sent_bytes: _Optional[int] = ..., uptime_seconds: _Optional[int] = ..., used_ips: _Optional[_Iterable[str]] = ..., total_memory_bytes: _Optional[int] = ..., total_disk_bytes: _Optional[int] = ...) -> None: ...
