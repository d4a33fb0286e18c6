import datetime

from bv_core.proto.blockjoy.common.v1 import config_pb2 as _config_pb2
from bv_core.proto.blockjoy.common.v1 import node_pb2 as _node_pb2
from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as _protocol_pb2
from bv_core.proto.blockjoy.common.v1 import resource_pb2 as _resource_pb2
from bv_core.proto.blockjoy.common.v1 import tag_pb2 as _tag_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Node(_message.Message):
    __slots__ = ("node_id", "node_name", "display_name", "old_node_id", "image_id", "config_id", "config", "org_id", "org_name", "host_id", "host_org_id", "host_network_name", "host_display_name", "region_id", "region_key", "region_name", "protocol_id", "protocol_name", "protocol_version_id", "version_key", "semantic_version", "auto_upgrade", "ip_address", "ip_gateway", "dns_name", "p2p_address", "dns_url", "block_height", "block_age", "note", "node_status", "jobs", "tags", "created_by", "created_at", "updated_at", "version_metadata")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    OLD_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_NAME_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_NETWORK_NAME_FIELD_NUMBER: _ClassVar[int]
    HOST_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_KEY_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_NAME_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_KEY_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_VERSION_FIELD_NUMBER: _ClassVar[int]
    AUTO_UPGRADE_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IP_GATEWAY_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    P2P_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DNS_URL_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BLOCK_AGE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    NODE_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_METADATA_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    node_name: str
    display_name: str
    old_node_id: str
    image_id: str
    config_id: str
    config: _config_pb2.NodeConfig
    org_id: str
    org_name: str
    host_id: str
    host_org_id: str
    host_network_name: str
    host_display_name: str
    region_id: str
    region_key: str
    region_name: str
    protocol_id: str
    protocol_name: str
    protocol_version_id: str
    version_key: _protocol_pb2.ProtocolVersionKey
    semantic_version: str
    auto_upgrade: bool
    ip_address: str
    ip_gateway: str
    dns_name: str
    p2p_address: str
    dns_url: str
    block_height: int
    block_age: int
    note: str
    node_status: _node_pb2.NodeStatus
    jobs: _containers.RepeatedCompositeFieldContainer[_node_pb2.NodeJob]
    tags: _tag_pb2.Tags
    created_by: _resource_pb2.Resource
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    version_metadata: _containers.RepeatedCompositeFieldContainer[_protocol_pb2.VersionMetadata]
    def __init__(self, node_id: _Optional[str] = ..., node_name: _Optional[str] = ..., display_name: _Optional[str] = ..., old_node_id: _Optional[str] = ..., image_id: _Optional[str] = ..., config_id: _Optional[str] = ..., config: _Optional[_Union[_config_pb2.NodeConfig, _Mapping]] = ..., org_id: _Optional[str] = ..., org_name: _Optional[str] = ..., host_id: _Optional[str] = ..., host_org_id: _Optional[str] = ..., host_network_name: _Optional[str] = ..., host_display_name: _Optional[str] = ..., region_id: _Optional[str] = ..., region_key: _Optional[str] = ..., region_name: _Optional[str] = ..., protocol_id: _Optional[str] = ..., protocol_name: _Optional[str] = ..., protocol_version_id: _Optional[str] = ..., version_key: _Optional[_Union[_protocol_pb2.ProtocolVersionKey, _Mapping]] = ..., semantic_version: _Optional[str] = ..., auto_upgrade: _Optional[bool] = ..., ip_address: _Optional[str] = ..., ip_gateway: _Optional[str] = ..., dns_name: _Optional[str] = ..., p2p_address: _Optional[str] = ..., dns_url: _Optional[str] = ..., block_height: _Optional[int] = ..., block_age: _Optional[int] = ..., note: _Optional[str] = ..., node_status: _Optional[_Union[_node_pb2.NodeStatus, _Mapping]] = ..., jobs: _Optional[_Iterable[_Union[_node_pb2.NodeJob, _Mapping]]] = ..., tags: _Optional[_Union[_tag_pb2.Tags, _Mapping]] = ..., created_by: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version_metadata: _Optional[_Iterable[_Union[_protocol_pb2.VersionMetadata, _Mapping]]] = ...) -> None: ...

class NewImagePropertyValue(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class NodeServiceCreateRequest(_message.Message):
    __slots__ = ("org_id", "image_id", "old_node_id", "launcher", "new_values", "add_rules", "tags")
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    LAUNCHER_FIELD_NUMBER: _ClassVar[int]
    NEW_VALUES_FIELD_NUMBER: _ClassVar[int]
    ADD_RULES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    org_id: str
    image_id: str
    old_node_id: str
    launcher: _node_pb2.NodeLauncher
    new_values: _containers.RepeatedCompositeFieldContainer[NewImagePropertyValue]
    add_rules: _containers.RepeatedCompositeFieldContainer[_config_pb2.FirewallRule]
    tags: _tag_pb2.Tags
    def __init__(self, org_id: _Optional[str] = ..., image_id: _Optional[str] = ..., old_node_id: _Optional[str] = ..., launcher: _Optional[_Union[_node_pb2.NodeLauncher, _Mapping]] = ..., new_values: _Optional[_Iterable[_Union[NewImagePropertyValue, _Mapping]]] = ..., add_rules: _Optional[_Iterable[_Union[_config_pb2.FirewallRule, _Mapping]]] = ..., tags: _Optional[_Union[_tag_pb2.Tags, _Mapping]] = ...) -> None: ...

class NodeServiceCreateResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ...) -> None: ...

class NodeServiceListRequest(_message.Message):
    __slots__ = ("org_ids", "offset", "limit", "host_ids", "node_states")
    ORG_IDS_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    HOST_IDS_FIELD_NUMBER: _ClassVar[int]
    NODE_STATES_FIELD_NUMBER: _ClassVar[int]
    org_ids: _containers.RepeatedScalarFieldContainer[str]
    offset: int
    limit: int
    host_ids: _containers.RepeatedScalarFieldContainer[str]
    node_states: _containers.RepeatedScalarFieldContainer[_node_pb2.NodeState]
    def __init__(self, org_ids: _Optional[_Iterable[str]] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., host_ids: _Optional[_Iterable[str]] = ..., node_states: _Optional[_Iterable[_Union[_node_pb2.NodeState, str]]] = ...) -> None: ...

class NodeServiceListResponse(_message.Message):
    __slots__ = ("nodes", "total")
    NODES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    total: int
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class NodeServiceUpgradeImageRequest(_message.Message):
    __slots__ = ("node_ids", "image_id", "org_id")
    NODE_IDS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    node_ids: _containers.RepeatedScalarFieldContainer[str]
    image_id: str
    org_id: str
    def __init__(self, node_ids: _Optional[_Iterable[str]] = ..., image_id: _Optional[str] = ..., org_id: _Optional[str] = ...) -> None: ...

class NodeServiceUpgradeImageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeServiceReportStatusRequest(_message.Message):
    __slots__ = ("node_id", "config_id", "status", "p2p_address")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    P2P_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    config_id: str
    status: _node_pb2.NodeStatus
    p2p_address: str
    def __init__(self, node_id: _Optional[str] = ..., config_id: _Optional[str] = ..., status: _Optional[_Union[_node_pb2.NodeStatus, _Mapping]] = ..., p2p_address: _Optional[str] = ...) -> None: ...

class NodeServiceReportStatusResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeServiceStartRequest(_message.Message):
    __slots__ = ("node_id",)
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    def __init__(self, node_id: _Optional[str] = ...) -> None: ...

class NodeServiceStartResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeServiceStopRequest(_message.Message):
    __slots__ = ("node_id",)
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    def __init__(self, node_id: _Optional[str] = ...) -> None: ...

class NodeServiceStopResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeServiceDeleteRequest(_message.Message):
    __slots__ = ("node_id",)
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    def __init__(self, node_id: _Optional[str] = ...) -> None: ...

class NodeServiceDeleteResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
