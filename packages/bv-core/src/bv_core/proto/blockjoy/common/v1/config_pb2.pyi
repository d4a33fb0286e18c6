from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FirewallProtocol(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FIREWALL_PROTOCOL_UNSPECIFIED: _ClassVar[FirewallProtocol]
    FIREWALL_PROTOCOL_TCP: _ClassVar[FirewallProtocol]
    FIREWALL_PROTOCOL_UDP: _ClassVar[FirewallProtocol]
    FIREWALL_PROTOCOL_BOTH: _ClassVar[FirewallProtocol]

class FirewallDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FIREWALL_DIRECTION_UNSPECIFIED: _ClassVar[FirewallDirection]
    FIREWALL_DIRECTION_INBOUND: _ClassVar[FirewallDirection]
    FIREWALL_DIRECTION_OUTBOUND: _ClassVar[FirewallDirection]

class FirewallAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FIREWALL_ACTION_UNSPECIFIED: _ClassVar[FirewallAction]
    FIREWALL_ACTION_ALLOW: _ClassVar[FirewallAction]
    FIREWALL_ACTION_DROP: _ClassVar[FirewallAction]
    FIREWALL_ACTION_REJECT: _ClassVar[FirewallAction]
FIREWALL_PROTOCOL_UNSPECIFIED: FirewallProtocol
FIREWALL_PROTOCOL_TCP: FirewallProtocol
FIREWALL_PROTOCOL_UDP: FirewallProtocol
FIREWALL_PROTOCOL_BOTH: FirewallProtocol
FIREWALL_DIRECTION_UNSPECIFIED: FirewallDirection
FIREWALL_DIRECTION_INBOUND: FirewallDirection
FIREWALL_DIRECTION_OUTBOUND: FirewallDirection
FIREWALL_ACTION_UNSPECIFIED: FirewallAction
FIREWALL_ACTION_ALLOW: FirewallAction
FIREWALL_ACTION_DROP: FirewallAction
FIREWALL_ACTION_REJECT: FirewallAction

class NodeConfig(_message.Message):
    __slots__ = ("vm", "image", "firewall")
    VM_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    FIREWALL_FIELD_NUMBER: _ClassVar[int]
    vm: VmConfig
    image: ImageConfig
    firewall: FirewallConfig
    def __init__(self, vm: _Optional[_Union[VmConfig, _Mapping]] = ..., image: _Optional[_Union[ImageConfig, _Mapping]] = ..., firewall: _Optional[_Union[FirewallConfig, _Mapping]] = ...) -> None: ...

class VmConfig(_message.Message):
    __slots__ = ("cpu_cores", "memory_bytes", "disk_bytes", "ramdisks")
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    RAMDISKS_FIELD_NUMBER: _ClassVar[int]
    cpu_cores: int
    memory_bytes: int
    disk_bytes: int
    ramdisks: _containers.RepeatedCompositeFieldContainer[RamdiskConfig]
    def __init__(self, cpu_cores: _Optional[int] = ..., memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ..., ramdisks: _Optional[_Iterable[_Union[RamdiskConfig, _Mapping]]] = ...) -> None: ...

class RamdiskConfig(_message.Message):
    __slots__ = ("mount", "size_bytes")
    MOUNT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    mount: str
    size_bytes: int
    def __init__(self, mount: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class ImageConfig(_message.Message):
    __slots__ = ("image_id", "image_uri", "archive_id", "store_key", "values", "min_babel_version")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_KEY_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    MIN_BABEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    image_uri: str
    archive_id: str
    store_key: str
    values: _containers.RepeatedCompositeFieldContainer[PropertyValueConfig]
    min_babel_version: str
    def __init__(self, image_id: _Optional[str] = ..., image_uri: _Optional[str] = ..., archive_id: _Optional[str] = ..., store_key: _Optional[str] = ..., values: _Optional[_Iterable[_Union[PropertyValueConfig, _Mapping]]] = ..., min_babel_version: _Optional[str] = ...) -> None: ...

class PropertyValueConfig(_message.Message):
    __slots__ = ("key", "key_group", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_GROUP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    key_group: str
    value: str
    def __init__(self, key: _Optional[str] = ..., key_group: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class FirewallConfig(_message.Message):
    __slots__ = ("default_in", "default_out", "rules")
    DEFAULT_IN_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_OUT_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    default_in: FirewallAction
    default_out: FirewallAction
    rules: _containers.RepeatedCompositeFieldContainer[FirewallRule]
    def __init__(self, default_in: _Optional[_Union[FirewallAction, str]] = ..., default_out: _Optional[_Union[FirewallAction, str]] = ..., rules: _Optional[_Iterable[_Union[FirewallRule, _Mapping]]] = ...) -> None: ...

class FirewallRule(_message.Message):
    __slots__ = ("key", "description", "protocol", "direction", "action", "ips", "ports")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    IPS_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    key: str
    description: str
    protocol: FirewallProtocol
    direction: FirewallDirection
    action: FirewallAction
    ips: _containers.RepeatedCompositeFieldContainer[IpName]
    ports: _containers.RepeatedCompositeFieldContainer[PortName]
    def __init__(self, key: _Optional[str] = ..., description: _Optional[str] = ..., protocol: _Optional[_Union[FirewallProtocol, str]] = ..., direction: _Optional[_Union[FirewallDirection, str]] = ..., action: _Optional[_Union[FirewallAction, str]] = ..., ips: _Optional[_Iterable[_Union[IpName, _Mapping]]] = ..., ports: _Optional[_Iterable[_Union[PortName, _Mapping]]] = ...) -> None: ...

class IpName(_message.Message):
    __slots__ = ("ip", "name")
    IP_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ip: str
    name: str
    def __init__(self, ip: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class PortName(_message.Message):
    __slots__ = ("port", "name")
    PORT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    port: int
    name: str
    def __init__(self, port: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...
