import datetime

from bv_core.proto.blockjoy.common.v1 import config_pb2 as _config_pb2
from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as _protocol_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Image(_message.Message):
    __slots__ = ("image_id", "protocol_version_id", "org_id", "build_version", "image_uri", "description", "properties", "firewall", "min_cpu_cores", "min_memory_bytes", "min_disk_bytes", "min_babel_version", "ramdisks", "visibility", "created_at", "updated_at", "dns_scheme")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    BUILD_VERSION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    FIREWALL_FIELD_NUMBER: _ClassVar[int]
    MIN_CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MIN_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MIN_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    MIN_BABEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    RAMDISKS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DNS_SCHEME_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    protocol_version_id: str
    org_id: str
    build_version: int
    image_uri: str
    description: str
    properties: _containers.RepeatedCompositeFieldContainer[ImageProperty]
    firewall: _config_pb2.FirewallConfig
    min_cpu_cores: int
    min_memory_bytes: int
    min_disk_bytes: int
    min_babel_version: str
    ramdisks: _containers.RepeatedCompositeFieldContainer[_config_pb2.RamdiskConfig]
    visibility: _protocol_pb2.Visibility
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    dns_scheme: str
    def __init__(self, image_id: _Optional[str] = ..., protocol_version_id: _Optional[str] = ..., org_id: _Optional[str] = ..., build_version: _Optional[int] = ..., image_uri: _Optional[str] = ..., description: _Optional[str] = ..., properties: _Optional[_Iterable[_Union[ImageProperty, _Mapping]]] = ..., firewall: _Optional[_Union[_config_pb2.FirewallConfig, _Mapping]] = ..., min_cpu_cores: _Optional[int] = ..., min_memory_bytes: _Optional[int] = ..., min_disk_bytes: _Optional[int] = ..., min_babel_version: _Optional[str] = ..., ramdisks: _Optional[_Iterable[_Union[_config_pb2.RamdiskConfig, _Mapping]]] = ..., visibility: _Optional[_Union[_protocol_pb2.Visibility, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dns_scheme: _Optional[str] = ...) -> None: ...

class ImageProperty(_message.Message):
    __slots__ = ("image_property_id", "image_id", "key", "key_group", "is_group_default", "new_archive", "default_value", "dynamic_value", "ui_type", "display_name", "display_group", "description", "add_cpu_cores", "add_memory_bytes", "add_disk_bytes")
    IMAGE_PROPERTY_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_GROUP_FIELD_NUMBER: _ClassVar[int]
    IS_GROUP_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    NEW_ARCHIVE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_VALUE_FIELD_NUMBER: _ClassVar[int]
    UI_TYPE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_GROUP_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ADD_CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    ADD_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    ADD_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    image_property_id: str
    image_id: str
    key: str
    key_group: str
    is_group_default: bool
    new_archive: bool
    default_value: str
    dynamic_value: bool
    ui_type: _protocol_pb2.UiType
    display_name: str
    display_group: str
    description: str
    add_cpu_cores: int
    add_memory_bytes: int
    add_disk_bytes: int
    def __init__(self, image_property_id: _Optional[str] = ..., image_id: _Optional[str] = ..., key: _Optional[str] = ..., key_group: _Optional[str] = ..., is_group_default: _Optional[bool] = ..., new_archive: _Optional[bool] = ..., default_value: _Optional[str] = ..., dynamic_value: _Optional[bool] = ..., ui_type: _Optional[_Union[_protocol_pb2.UiType, str]] = ..., display_name: _Optional[str] = ..., display_group: _Optional[str] = ..., description: _Optional[str] = ..., add_cpu_cores: _Optional[int] = ..., add_memory_bytes: _Optional[int] = ..., add_disk_bytes: _Optional[int] = ...) -> None: ...

class AddImageProperty(_message.Message):
    __slots__ = ("key", "key_group", "is_group_default", "new_archive", "default_value", "dynamic_value", "ui_type", "display_name", "display_group", "description", "add_cpu_cores", "add_memory_bytes", "add_disk_bytes")
    KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_GROUP_FIELD_NUMBER: _ClassVar[int]
    IS_GROUP_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    NEW_ARCHIVE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_VALUE_FIELD_NUMBER: _ClassVar[int]
    UI_TYPE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_GROUP_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ADD_CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    ADD_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    ADD_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    key: str
    key_group: str
    is_group_default: bool
    new_archive: bool
    default_value: str
    dynamic_value: bool
    ui_type: _protocol_pb2.UiType
    display_name: str
    display_group: str
    description: str
    add_cpu_cores: int
    add_memory_bytes: int
    add_disk_bytes: int
    def __init__(self, key: _Optional[str] = ..., key_group: _Optional[str] = ..., is_group_default: _Optional[bool] = ..., new_archive: _Optional[bool] = ..., default_value: _Optional[str] = ..., dynamic_value: _Optional[bool] = ..., ui_type: _Optional[_Union[_protocol_pb2.UiType, str]] = ..., display_name: _Optional[str] = ..., display_group: _Optional[str] = ..., description: _Optional[str] = ..., add_cpu_cores: _Optional[int] = ..., add_memory_bytes: _Optional[int] = ..., add_disk_bytes: _Optional[int] = ...) -> None: ...

class ArchivePointer(_message.Message):
    __slots__ = ("new_archive_keys", "store_key", "disallowed")
    NEW_ARCHIVE_KEYS_FIELD_NUMBER: _ClassVar[int]
    STORE_KEY_FIELD_NUMBER: _ClassVar[int]
    DISALLOWED_FIELD_NUMBER: _ClassVar[int]
    new_archive_keys: _containers.RepeatedScalarFieldContainer[str]
    store_key: str
    disallowed: _empty_pb2.Empty
    def __init__(self, new_archive_keys: _Optional[_Iterable[str]] = ..., store_key: _Optional[str] = ..., disallowed: _Optional[_Union[_empty_pb2.Empty, _Mapping]] = ...) -> None: ...

class Archive(_message.Message):
    __slots__ = ("archive_id", "image_id", "store_key", "image_property_ids")
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_KEY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_PROPERTY_IDS_FIELD_NUMBER: _ClassVar[int]
    archive_id: str
    image_id: str
    store_key: str
    image_property_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, archive_id: _Optional[str] = ..., image_id: _Optional[str] = ..., store_key: _Optional[str] = ..., image_property_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ImageServiceGetImageRequest(_message.Message):
    __slots__ = ("version_key", "org_id", "semantic_version", "build_version")
    VERSION_KEY_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_VERSION_FIELD_NUMBER: _ClassVar[int]
    BUILD_VERSION_FIELD_NUMBER: _ClassVar[int]
    version_key: _protocol_pb2.ProtocolVersionKey
    org_id: str
    semantic_version: str
    build_version: int
    def __init__(self, version_key: _Optional[_Union[_protocol_pb2.ProtocolVersionKey, _Mapping]] = ..., org_id: _Optional[str] = ..., semantic_version: _Optional[str] = ..., build_version: _Optional[int] = ...) -> None: ...

class ImageServiceGetImageResponse(_message.Message):
    __slots__ = ("image",)
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: Image
    def __init__(self, image: _Optional[_Union[Image, _Mapping]] = ...) -> None: ...

class ImageServiceAddImageRequest(_message.Message):
    __slots__ = ("protocol_version_id", "org_id", "image_uri", "description", "properties", "firewall", "min_cpu_cores", "min_memory_bytes", "min_disk_bytes", "min_babel_version", "ramdisks", "archive_pointers", "dns_scheme")
    PROTOCOL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    FIREWALL_FIELD_NUMBER: _ClassVar[int]
    MIN_CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MIN_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MIN_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    MIN_BABEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    RAMDISKS_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_POINTERS_FIELD_NUMBER: _ClassVar[int]
    DNS_SCHEME_FIELD_NUMBER: _ClassVar[int]
    protocol_version_id: str
    org_id: str
    image_uri: str
    description: str
    properties: _containers.RepeatedCompositeFieldContainer[AddImageProperty]
    firewall: _config_pb2.FirewallConfig
    min_cpu_cores: int
    min_memory_bytes: int
    min_disk_bytes: int
    min_babel_version: str
    ramdisks: _containers.RepeatedCompositeFieldContainer[_config_pb2.RamdiskConfig]
    archive_pointers: _containers.RepeatedCompositeFieldContainer[ArchivePointer]
    dns_scheme: str
    def __init__(self, protocol_version_id: _Optional[str] = ..., org_id: _Optional[str] = ..., image_uri: _Optional[str] = ..., description: _Optional[str] = ..., properties: _Optional[_Iterable[_Union[AddImageProperty, _Mapping]]] = ..., firewall: _Optional[_Union[_config_pb2.FirewallConfig, _Mapping]] = ..., min_cpu_cores: _Optional[int] = ..., min_memory_bytes: _Optional[int] = ..., min_disk_bytes: _Optional[int] = ..., min_babel_version: _Optional[str] = ..., ramdisks: _Optional[_Iterable[_Union[_config_pb2.RamdiskConfig, _Mapping]]] = ..., archive_pointers: _Optional[_Iterable[_Union[ArchivePointer, _Mapping]]] = ..., dns_scheme: _Optional[str] = ...) -> None: ...

class ImageServiceAddImageResponse(_message.Message):
    __slots__ = ("image", "archives")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    ARCHIVES_FIELD_NUMBER: _ClassVar[int]
    image: Image
    archives: _containers.RepeatedCompositeFieldContainer[Archive]
    def __init__(self, image: _Optional[_Union[Image, _Mapping]] = ..., archives: _Optional[_Iterable[_Union[Archive, _Mapping]]] = ...) -> None: ...

class ImageServiceUpdateImageRequest(_message.Message):
    __slots__ = ("image_id", "visibility")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    visibility: _protocol_pb2.Visibility
    def __init__(self, image_id: _Optional[str] = ..., visibility: _Optional[_Union[_protocol_pb2.Visibility, str]] = ...) -> None: ...

class ImageServiceUpdateImageResponse(_message.Message):
    __slots__ = ("image",)
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: Image
    def __init__(self, image: _Optional[_Union[Image, _Mapping]] = ...) -> None: ...
