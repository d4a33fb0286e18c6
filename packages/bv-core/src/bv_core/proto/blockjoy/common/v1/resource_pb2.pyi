from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResourceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOURCE_TYPE_UNSPECIFIED: _ClassVar[ResourceType]
    RESOURCE_TYPE_USER: _ClassVar[ResourceType]
    RESOURCE_TYPE_ORG: _ClassVar[ResourceType]
    RESOURCE_TYPE_HOST: _ClassVar[ResourceType]
    RESOURCE_TYPE_NODE: _ClassVar[ResourceType]
RESOURCE_TYPE_UNSPECIFIED: ResourceType
RESOURCE_TYPE_USER: ResourceType
RESOURCE_TYPE_ORG: ResourceType
RESOURCE_TYPE_HOST: ResourceType
RESOURCE_TYPE_NODE: ResourceType

class Resource(_message.Message):
    __slots__ = ("resource_type", "resource_id")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    resource_type: ResourceType
    resource_id: str
    def __init__(self, resource_type: _Optional[_Union[ResourceType, str]] = ..., resource_id: _Optional[str] = ...) -> None: ...
