import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NodeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_STATUS_UNSPECIFIED: _ClassVar[NodeStatus]
    NODE_STATUS_RUNNING: _ClassVar[NodeStatus]
    NODE_STATUS_STOPPED: _ClassVar[NodeStatus]
    NODE_STATUS_BUSY: _ClassVar[NodeStatus]
    NODE_STATUS_FAILED: _ClassVar[NodeStatus]

class ProtocolHealth(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTOCOL_HEALTH_UNSPECIFIED: _ClassVar[ProtocolHealth]
    PROTOCOL_HEALTH_HEALTHY: _ClassVar[ProtocolHealth]
    PROTOCOL_HEALTH_NEUTRAL: _ClassVar[ProtocolHealth]
    PROTOCOL_HEALTH_UNHEALTHY: _ClassVar[ProtocolHealth]
NODE_STATUS_UNSPECIFIED: NodeStatus
NODE_STATUS_RUNNING: NodeStatus
NODE_STATUS_STOPPED: NodeStatus
NODE_STATUS_BUSY: NodeStatus
NODE_STATUS_FAILED: NodeStatus
PROTOCOL_HEALTH_UNSPECIFIED: ProtocolHealth
PROTOCOL_HEALTH_HEALTHY: ProtocolHealth
PROTOCOL_HEALTH_NEUTRAL: ProtocolHealth
PROTOCOL_HEALTH_UNHEALTHY: ProtocolHealth

class ImageKey(_message.Message):
    __slots__ = ("protocol_key", "variant_key")
    PROTOCOL_KEY_FIELD_NUMBER: _ClassVar[int]
    VARIANT_KEY_FIELD_NUMBER: _ClassVar[int]
    protocol_key: str
    variant_key: str
    def __init__(self, protocol_key: _Optional[str] = ..., variant_key: _Optional[str] = ...) -> None: ...

class NodeImage(_message.Message):
    __slots__ = ("id", "version", "config_id", "archive_id", "store_key", "uri", "min_babel_version", "build_version")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_KEY_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    MIN_BABEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    BUILD_VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: str
    config_id: str
    archive_id: str
    store_key: str
    uri: str
    min_babel_version: str
    build_version: int
    def __init__(self, id: _Optional[str] = ..., version: _Optional[str] = ..., config_id: _Optional[str] = ..., archive_id: _Optional[str] = ..., store_key: _Optional[str] = ..., uri: _Optional[str] = ..., min_babel_version: _Optional[str] = ..., build_version: _Optional[int] = ...) -> None: ...

class VmConfig(_message.Message):
    __slots__ = ("vcpu_count", "mem_size_mb", "disk_size_gb", "ramdisks")
    VCPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEM_SIZE_MB_FIELD_NUMBER: _ClassVar[int]
    DISK_SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    RAMDISKS_FIELD_NUMBER: _ClassVar[int]
    vcpu_count: int
    mem_size_mb: int
    disk_size_gb: int
    ramdisks: _containers.RepeatedCompositeFieldContainer[RamdiskConfig]
    def __init__(self, vcpu_count: _Optional[int] = ..., mem_size_mb: _Optional[int] = ..., disk_size_gb: _Optional[int] = ..., ramdisks: _Optional[_Iterable[_Union[RamdiskConfig, _Mapping]]] = ...) -> None: ...

class RamdiskConfig(_message.Message):
    __slots__ = ("mount", "size_mb")
    MOUNT_FIELD_NUMBER: _ClassVar[int]
    SIZE_MB_FIELD_NUMBER: _ClassVar[int]
    mount: str
    size_mb: int
    def __init__(self, mount: _Optional[str] = ..., size_mb: _Optional[int] = ...) -> None: ...

class NodeInfo(_message.Message):
    __slots__ = ("id", "name", "display_name", "status", "expected_status", "image_key", "image", "protocol_id", "protocol_name", "dev_mode", "ip", "gateway", "properties", "vm", "org_id", "org_name", "dns_name", "tags", "started_at", "initialized", "remote", "state_json", "status_reason")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_STATUS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_KEY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_NAME_FIELD_NUMBER: _ClassVar[int]
    DEV_MODE_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    VM_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_NAME_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    INITIALIZED_FIELD_NUMBER: _ClassVar[int]
    REMOTE_FIELD_NUMBER: _ClassVar[int]
    STATE_JSON_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    display_name: str
    status: NodeStatus
    expected_status: NodeStatus
    image_key: ImageKey
    image: NodeImage
    protocol_id: str
    protocol_name: str
    dev_mode: bool
    ip: str
    gateway: str
    properties: _containers.ScalarMap[str, str]
    vm: VmConfig
    org_id: str
    org_name: str
    dns_name: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    started_at: _timestamp_pb2.Timestamp
    initialized: bool
    remote: bool
    state_json: bytes
    status_reason: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., display_name: _Optional[str] = ..., status: _Optional[_Union[NodeStatus, str]] = ..., expected_status: _Optional[_Union[NodeStatus, str]] = ..., image_key: _Optional[_Union[ImageKey, _Mapping]] = ..., image: _Optional[_Union[NodeImage, _Mapping]] = ..., protocol_id: _Optional[str] = ..., protocol_name: _Optional[str] = ..., dev_mode: _Optional[bool] = ..., ip: _Optional[str] = ..., gateway: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ..., vm: _Optional[_Union[VmConfig, _Mapping]] = ..., org_id: _Optional[str] = ..., org_name: _Optional[str] = ..., dns_name: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., initialized: _Optional[bool] = ..., remote: _Optional[bool] = ..., state_json: _Optional[bytes] = ..., status_reason: _Optional[str] = ...) -> None: ...

class NodeActionResult(_message.Message):
    __slots__ = ("node", "forwarded_to_api")
    NODE_FIELD_NUMBER: _ClassVar[int]
    FORWARDED_TO_API_FIELD_NUMBER: _ClassVar[int]
    node: NodeInfo
    forwarded_to_api: bool
    def __init__(self, node: _Optional[_Union[NodeInfo, _Mapping]] = ..., forwarded_to_api: _Optional[bool] = ...) -> None: ...

class NodeProgress(_message.Message):
    __slots__ = ("step", "result")
    STEP_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    step: ProgressStep
    result: NodeActionResult
    def __init__(self, step: _Optional[_Union[ProgressStep, _Mapping]] = ..., result: _Optional[_Union[NodeActionResult, _Mapping]] = ...) -> None: ...

class ProgressStep(_message.Message):
    __slots__ = ("name", "index", "count", "message", "current", "total", "unit", "at")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    name: str
    index: int
    count: int
    message: str
    current: int
    total: int
    unit: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., index: _Optional[int] = ..., count: _Optional[int] = ..., message: _Optional[str] = ..., current: _Optional[int] = ..., total: _Optional[int] = ..., unit: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListNodesRequest(_message.Message):
    __slots__ = ("local", "tags")
    LOCAL_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    local: bool
    tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, local: _Optional[bool] = ..., tags: _Optional[_Iterable[str]] = ...) -> None: ...

class ListNodesResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[NodeInfo]
    def __init__(self, nodes: _Optional[_Iterable[_Union[NodeInfo, _Mapping]]] = ...) -> None: ...

class GetNodeRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class CreateNodeRequest(_message.Message):
    __slots__ = ("image_key", "image_version", "build_version", "properties", "tags", "image_path", "display_name")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IMAGE_KEY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    BUILD_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_PATH_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    image_key: ImageKey
    image_version: str
    build_version: int
    properties: _containers.ScalarMap[str, str]
    tags: _containers.RepeatedScalarFieldContainer[str]
    image_path: str
    display_name: str
    def __init__(self, image_key: _Optional[_Union[ImageKey, _Mapping]] = ..., image_version: _Optional[str] = ..., build_version: _Optional[int] = ..., properties: _Optional[_Mapping[str, str]] = ..., tags: _Optional[_Iterable[str]] = ..., image_path: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class CreateDevNodeRequest(_message.Message):
    __slots__ = ("state_json",)
    STATE_JSON_FIELD_NUMBER: _ClassVar[int]
    state_json: bytes
    def __init__(self, state_json: _Optional[bytes] = ...) -> None: ...

class StartNodeRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class StopNodeRequest(_message.Message):
    __slots__ = ("node", "force")
    NODE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    node: str
    force: bool
    def __init__(self, node: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class RestartNodeRequest(_message.Message):
    __slots__ = ("node", "force")
    NODE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    node: str
    force: bool
    def __init__(self, node: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class UpgradeNodeRequest(_message.Message):
    __slots__ = ("node", "image_version", "build_version")
    NODE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    BUILD_VERSION_FIELD_NUMBER: _ClassVar[int]
    node: str
    image_version: str
    build_version: int
    def __init__(self, node: _Optional[str] = ..., image_version: _Optional[str] = ..., build_version: _Optional[int] = ...) -> None: ...

class UpgradeDevNodeRequest(_message.Message):
    __slots__ = ("state_json",)
    STATE_JSON_FIELD_NUMBER: _ClassVar[int]
    state_json: bytes
    def __init__(self, state_json: _Optional[bytes] = ...) -> None: ...

class DeleteNodeRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class UpdateNodeRequest(_message.Message):
    __slots__ = ("node", "display_name", "set_properties", "firewall_json", "org_id", "org_name")
    class SetPropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NODE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SET_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    FIREWALL_JSON_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_NAME_FIELD_NUMBER: _ClassVar[int]
    node: str
    display_name: str
    set_properties: _containers.ScalarMap[str, str]
    firewall_json: bytes
    org_id: str
    org_name: str
    def __init__(self, node: _Optional[str] = ..., display_name: _Optional[str] = ..., set_properties: _Optional[_Mapping[str, str]] = ..., firewall_json: _Optional[bytes] = ..., org_id: _Optional[str] = ..., org_name: _Optional[str] = ...) -> None: ...

class ReloadPluginRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class ReloadPluginResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetNodeStatusRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class GetNodeStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: NodeStatus
    def __init__(self, status: _Optional[_Union[NodeStatus, str]] = ...) -> None: ...

class ListCapabilitiesRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class ListCapabilitiesResponse(_message.Message):
    __slots__ = ("capabilities",)
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class RunPluginMethodRequest(_message.Message):
    __slots__ = ("node", "method", "param")
    NODE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PARAM_FIELD_NUMBER: _ClassVar[int]
    node: str
    method: str
    param: str
    def __init__(self, node: _Optional[str] = ..., method: _Optional[str] = ..., param: _Optional[str] = ...) -> None: ...

class RunPluginMethodResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: str
    def __init__(self, result: _Optional[str] = ...) -> None: ...

class GetNodeMetricsRequest(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class NodeMetrics(_message.Message):
    __slots__ = ("height", "block_age", "consensus", "protocol_state", "protocol_health", "address")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BLOCK_AGE_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_STATE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_HEALTH_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    height: int
    block_age: int
    consensus: bool
    protocol_state: str
    protocol_health: ProtocolHealth
    address: str
    def __init__(self, height: _Optional[int] = ..., block_age: _Optional[int] = ..., consensus: _Optional[bool] = ..., protocol_state: _Optional[str] = ..., protocol_health: _Optional[_Union[ProtocolHealth, str]] = ..., address: _Optional[str] = ...) -> None: ...
