import datetime

from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as _protocol_pb2
from bv_core.proto.blockjoy.common.v1 import search_pb2 as _search_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProtocolSortField(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTOCOL_SORT_FIELD_UNSPECIFIED: _ClassVar[ProtocolSortField]
    PROTOCOL_SORT_FIELD_KEY: _ClassVar[ProtocolSortField]
    PROTOCOL_SORT_FIELD_NAME: _ClassVar[ProtocolSortField]
PROTOCOL_SORT_FIELD_UNSPECIFIED: ProtocolSortField
PROTOCOL_SORT_FIELD_KEY: ProtocolSortField
PROTOCOL_SORT_FIELD_NAME: ProtocolSortField

class Protocol(_message.Message):
    __slots__ = ("protocol_id", "org_id", "key", "name", "description", "ticker", "visibility", "created_at", "updated_at", "versions")
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TICKER_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    protocol_id: str
    org_id: str
    key: str
    name: str
    description: str
    ticker: str
    visibility: _protocol_pb2.Visibility
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    versions: _containers.RepeatedCompositeFieldContainer[ProtocolVersion]
    def __init__(self, protocol_id: _Optional[str] = ..., org_id: _Optional[str] = ..., key: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., ticker: _Optional[str] = ..., visibility: _Optional[_Union[_protocol_pb2.Visibility, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., versions: _Optional[_Iterable[_Union[ProtocolVersion, _Mapping]]] = ...) -> None: ...

class ProtocolVersion(_message.Message):
    __slots__ = ("protocol_version_id", "org_id", "protocol_id", "version_key", "metadata", "semantic_version", "sku_code", "description", "visibility", "created_at", "updated_at")
    PROTOCOL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_KEY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_VERSION_FIELD_NUMBER: _ClassVar[int]
    SKU_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    protocol_version_id: str
    org_id: str
    protocol_id: str
    version_key: _protocol_pb2.ProtocolVersionKey
    metadata: _containers.RepeatedCompositeFieldContainer[_protocol_pb2.VersionMetadata]
    semantic_version: str
    sku_code: str
    description: str
    visibility: _protocol_pb2.Visibility
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, protocol_version_id: _Optional[str] = ..., org_id: _Optional[str] = ..., protocol_id: _Optional[str] = ..., version_key: _Optional[_Union[_protocol_pb2.ProtocolVersionKey, _Mapping]] = ..., metadata: _Optional[_Iterable[_Union[_protocol_pb2.VersionMetadata, _Mapping]]] = ..., semantic_version: _Optional[str] = ..., sku_code: _Optional[str] = ..., description: _Optional[str] = ..., visibility: _Optional[_Union[_protocol_pb2.Visibility, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProtocolSearch(_message.Message):
    __slots__ = ("operator", "protocol_id", "name")
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    operator: _search_pb2.SearchOperator
    protocol_id: str
    name: str
    def __init__(self, operator: _Optional[_Union[_search_pb2.SearchOperator, str]] = ..., protocol_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ProtocolSort(_message.Message):
    __slots__ = ("field", "order")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    field: ProtocolSortField
    order: _search_pb2.SortOrder
    def __init__(self, field: _Optional[_Union[ProtocolSortField, str]] = ..., order: _Optional[_Union[_search_pb2.SortOrder, str]] = ...) -> None: ...

class ProtocolServiceListProtocolsRequest(_message.Message):
    __slots__ = ("org_ids", "offset", "limit", "search", "sort")
    ORG_IDS_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    org_ids: _containers.RepeatedScalarFieldContainer[str]
    offset: int
    limit: int
    search: ProtocolSearch
    sort: _containers.RepeatedCompositeFieldContainer[ProtocolSort]
    def __init__(self, org_ids: _Optional[_Iterable[str]] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., search: _Optional[_Union[ProtocolSearch, _Mapping]] = ..., sort: _Optional[_Iterable[_Union[ProtocolSort, _Mapping]]] = ...) -> None: ...

class ProtocolServiceListProtocolsResponse(_message.Message):
    __slots__ = ("protocols", "total")
    PROTOCOLS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    protocols: _containers.RepeatedCompositeFieldContainer[Protocol]
    total: int
    def __init__(self, protocols: _Optional[_Iterable[_Union[Protocol, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class ProtocolServiceGetProtocolRequest(_message.Message):
    __slots__ = ("protocol_id", "protocol_key", "org_id")
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_KEY_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    protocol_id: str
    protocol_key: str
    org_id: str
    def __init__(self, protocol_id: _Optional[str] = ..., protocol_key: _Optional[str] = ..., org_id: _Optional[str] = ...) -> None: ...

class ProtocolServiceGetProtocolResponse(_message.Message):
    __slots__ = ("protocol",)
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    protocol: Protocol
    def __init__(self, protocol: _Optional[_Union[Protocol, _Mapping]] = ...) -> None: ...

class ProtocolServiceAddProtocolRequest(_message.Message):
    __slots__ = ("org_id", "key", "name", "description", "ticker")
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TICKER_FIELD_NUMBER: _ClassVar[int]
    org_id: str
    key: str
    name: str
    description: str
    ticker: str
    def __init__(self, org_id: _Optional[str] = ..., key: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., ticker: _Optional[str] = ...) -> None: ...

class ProtocolServiceAddProtocolResponse(_message.Message):
    __slots__ = ("protocol",)
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    protocol: Protocol
    def __init__(self, protocol: _Optional[_Union[Protocol, _Mapping]] = ...) -> None: ...

class ProtocolServiceUpdateProtocolRequest(_message.Message):
    __slots__ = ("protocol_id", "name", "description", "visibility")
    PROTOCOL_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    protocol_id: str
    name: str
    description: str
    visibility: _protocol_pb2.Visibility
    def __init__(self, protocol_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., visibility: _Optional[_Union[_protocol_pb2.Visibility, str]] = ...) -> None: ...

class ProtocolServiceUpdateProtocolResponse(_message.Message):
    __slots__ = ("protocol",)
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    protocol: Protocol
    def __init__(self, protocol: _Optional[_Union[Protocol, _Mapping]] = ...) -> None: ...

class ProtocolServiceGetLatestRequest(_message.Message):
    __slots__ = ("version_key", "org_id")
    VERSION_KEY_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    version_key: _protocol_pb2.ProtocolVersionKey
    org_id: str
    def __init__(self, version_key: _Optional[_Union[_protocol_pb2.ProtocolVersionKey, _Mapping]] = ..., org_id: _Optional[str] = ...) -> None: ...

class ProtocolServiceGetLatestResponse(_message.Message):
    __slots__ = ("protocol_version",)
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    protocol_version: ProtocolVersion
    def __init__(self, protocol_version: _Optional[_Union[ProtocolVersion, _Mapping]] = ...) -> None: ...

class ProtocolServiceAddVersionRequest(_message.Message):
    __slots__ = ("org_id", "version_key", "metadata", "semantic_version", "sku_code", "description")
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_KEY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_VERSION_FIELD_NUMBER: _ClassVar[int]
    SKU_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    org_id: str
    version_key: _protocol_pb2.ProtocolVersionKey
    metadata: _containers.RepeatedCompositeFieldContainer[_protocol_pb2.VersionMetadata]
    semantic_version: str
    sku_code: str
    description: str
    def __init__(self, org_id: _Optional[str] = ..., version_key: _Optional[_Union[_protocol_pb2.ProtocolVersionKey, _Mapping]] = ..., metadata: _Optional[_Iterable[_Union[_protocol_pb2.VersionMetadata, _Mapping]]] = ..., semantic_version: _Optional[str] = ..., sku_code: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ProtocolServiceAddVersionResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: ProtocolVersion
    def __init__(self, version: _Optional[_Union[ProtocolVersion, _Mapping]] = ...) -> None: ...

class ProtocolServiceUpdateVersionRequest(_message.Message):
    __slots__ = ("protocol_version_id", "sku_code", "description", "visibility")
    PROTOCOL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    protocol_version_id: str
    sku_code: str
    description: str
    visibility: _protocol_pb2.Visibility
    def __init__(self, protocol_version_id: _Optional[str] = ..., sku_code: _Optional[str] = ..., description: _Optional[str] = ..., visibility: _Optional[_Union[_protocol_pb2.Visibility, str]] = ...) -> None: ...

class ProtocolServiceUpdateVersionResponse(_message.Message):
    __slots__ = ("protocol_version",)
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    protocol_version: ProtocolVersion
    def __init__(self, protocol_version: _Optional[_Union[ProtocolVersion, _Mapping]] = ...) -> None: ...
