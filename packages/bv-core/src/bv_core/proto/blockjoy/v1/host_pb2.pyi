import datetime

from bv_core.proto.blockjoy.common.v1 import host_pb2 as _host_pb2
from bv_core.proto.blockjoy.common.v1 import resource_pb2 as _resource_pb2
from bv_core.proto.blockjoy.common.v1 import tag_pb2 as _tag_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Host(_message.Message):
    __slots__ = ("host_id", "org_id", "org_name", "region", "network_name", "display_name", "schedule_type", "os", "os_version", "bv_version", "ip_address", "ip_gateway", "ip_addresses", "cpu_cores", "memory_bytes", "disk_bytes", "node_count", "tags", "created_by", "created_at", "updated_at")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    NETWORK_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    BV_VERSION_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IP_GATEWAY_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    org_id: str
    org_name: str
    region: Region
    network_name: str
    display_name: str
    schedule_type: _host_pb2.ScheduleType
    os: str
    os_version: str
    bv_version: str
    ip_address: str
    ip_gateway: str
    ip_addresses: _containers.RepeatedCompositeFieldContainer[_host_pb2.HostIpAddress]
    cpu_cores: int
    memory_bytes: int
    disk_bytes: int
    node_count: int
    tags: _tag_pb2.Tags
    created_by: _resource_pb2.Resource
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, host_id: _Optional[str] = ..., org_id: _Optional[str] = ..., org_name: _Optional[str] = ..., region: _Optional[_Union[Region, _Mapping]] = ..., network_name: _Optional[str] = ..., display_name: _Optional[str] = ..., schedule_type: _Optional[_Union[_host_pb2.ScheduleType, str]] = ..., os: _Optional[str] = ..., os_version: _Optional[str] = ..., bv_version: _Optional[str] = ..., ip_address: _Optional[str] = ..., ip_gateway: _Optional[str] = ..., ip_addresses: _Optional[_Iterable[_Union[_host_pb2.HostIpAddress, _Mapping]]] = ..., cpu_cores: _Optional[int] = ..., memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ..., node_count: _Optional[int] = ..., tags: _Optional[_Union[_tag_pb2.Tags, _Mapping]] = ..., created_by: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Region(_message.Message):
    __slots__ = ("region_id", "region_key", "display_name", "sku_code")
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_KEY_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SKU_CODE_FIELD_NUMBER: _ClassVar[int]
    region_id: str
    region_key: str
    display_name: str
    sku_code: str
    def __init__(self, region_id: _Optional[str] = ..., region_key: _Optional[str] = ..., display_name: _Optional[str] = ..., sku_code: _Optional[str] = ...) -> None: ...

class HostServiceCreateHostRequest(_message.Message):
    __slots__ = ("provision_token", "is_private", "network_name", "display_name", "region_id", "schedule_type", "os", "os_version", "bv_version", "ip_address", "ip_gateway", "ips", "cpu_cores", "memory_bytes", "disk_bytes", "tags")
    PROVISION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    IS_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    NETWORK_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    BV_VERSION_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IP_GATEWAY_FIELD_NUMBER: _ClassVar[int]
    IPS_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    provision_token: str
    is_private: bool
    network_name: str
    display_name: str
    region_id: str
    schedule_type: _host_pb2.ScheduleType
    os: str
    os_version: str
    bv_version: str
    ip_address: str
    ip_gateway: str
    ips: _containers.RepeatedScalarFieldContainer[str]
    cpu_cores: int
    memory_bytes: int
    disk_bytes: int
    tags: _tag_pb2.Tags
    def __init__(self, provision_token: _Optional[str] = ..., is_private: _Optional[bool] = ..., network_name: _Optional[str] = ..., display_name: _Optional[str] = ..., region_id: _Optional[str] = ..., schedule_type: _Optional[_Union[_host_pb2.ScheduleType, str]] = ..., os: _Optional[str] = ..., os_version: _Optional[str] = ..., bv_version: _Optional[str] = ..., ip_address: _Optional[str] = ..., ip_gateway: _Optional[str] = ..., ips: _Optional[_Iterable[str]] = ..., cpu_cores: _Optional[int] = ..., memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ..., tags: _Optional[_Union[_tag_pb2.Tags, _Mapping]] = ...) -> None: ...

class HostServiceCreateHostResponse(_message.Message):
    __slots__ = ("host", "token", "refresh", "provision_org_id")
    HOST_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    PROVISION_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    host: Host
    token: str
    refresh: str
    provision_org_id: str
    def __init__(self, host: _Optional[_Union[Host, _Mapping]] = ..., token: _Optional[str] = ..., refresh: _Optional[str] = ..., provision_org_id: _Optional[str] = ...) -> None: ...

class HostServiceUpdateHostRequest(_message.Message):
    __slots__ = ("host_id", "network_name", "display_name", "region_id", "os", "os_version", "bv_version", "cpu_cores", "memory_bytes", "disk_bytes", "schedule_type")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    NETWORK_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    BV_VERSION_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_TYPE_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    network_name: str
    display_name: str
    region_id: str
    os: str
    os_version: str
    bv_version: str
    cpu_cores: int
    memory_bytes: int
    disk_bytes: int
    schedule_type: _host_pb2.ScheduleType
    def __init__(self, host_id: _Optional[str] = ..., network_name: _Optional[str] = ..., display_name: _Optional[str] = ..., region_id: _Optional[str] = ..., os: _Optional[str] = ..., os_version: _Optional[str] = ..., bv_version: _Optional[str] = ..., cpu_cores: _Optional[int] = ..., memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ..., schedule_type: _Optional[_Union[_host_pb2.ScheduleType, str]] = ...) -> None: ...

class HostServiceUpdateHostResponse(_message.Message):
    __slots__ = ("host",)
    HOST_FIELD_NUMBER: _ClassVar[int]
    host: Host
    def __init__(self, host: _Optional[_Union[Host, _Mapping]] = ...) -> None: ...

class HostServiceGetRegionRequest(_message.Message):
    __slots__ = ("region_id", "region_key")
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_KEY_FIELD_NUMBER: _ClassVar[int]
    region_id: str
    region_key: str
    def __init__(self, region_id: _Optional[str] = ..., region_key: _Optional[str] = ...) -> None: ...

class HostServiceGetRegionResponse(_message.Message):
    __slots__ = ("region",)
    REGION_FIELD_NUMBER: _ClassVar[int]
    region: Region
    def __init__(self, region: _Optional[_Union[Region, _Mapping]] = ...) -> None: ...
