from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class UiType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UI_TYPE_UNSPECIFIED: _ClassVar[UiType]
    UI_TYPE_SWITCH: _ClassVar[UiType]
    UI_TYPE_TEXT: _ClassVar[UiType]
    UI_TYPE_PASSWORD: _ClassVar[UiType]
    UI_TYPE_ENUM: _ClassVar[UiType]

class Visibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISIBILITY_UNSPECIFIED: _ClassVar[Visibility]
    VISIBILITY_PUBLIC: _ClassVar[Visibility]
    VISIBILITY_PRIVATE: _ClassVar[Visibility]
    VISIBILITY_DEVELOPMENT: _ClassVar[Visibility]
UI_TYPE_UNSPECIFIED: UiType
UI_TYPE_SWITCH: UiType
UI_TYPE_TEXT: UiType
UI_TYPE_PASSWORD: UiType
UI_TYPE_ENUM: UiType
VISIBILITY_UNSPECIFIED: Visibility
VISIBILITY_PUBLIC: Visibility
VISIBILITY_PRIVATE: Visibility
VISIBILITY_DEVELOPMENT: Visibility

class ProtocolVersionKey(_message.Message):
    __slots__ = ("protocol_key", "variant_key")
    PROTOCOL_KEY_FIELD_NUMBER: _ClassVar[int]
    VARIANT_KEY_FIELD_NUMBER: _ClassVar[int]
    protocol_key: str
    variant_key: str
    def __init__(self, protocol_key: _Optional[str] = ..., variant_key: _Optional[str] = ...) -> None: ...

class VersionMetadata(_message.Message):
    __slots__ = ("metadata_key", "value", "description")
    METADATA_KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    metadata_key: str
    value: str
    description: str
    def __init__(self, metadata_key: _Optional[str] = ..., value: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...
