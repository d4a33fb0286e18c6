from bv_core.proto.blockjoy.common.v1 import resource_pb2 as _resource_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CryptServiceGetSecretRequest(_message.Message):
    __slots__ = ("resource", "key")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    resource: _resource_pb2.Resource
    key: str
    def __init__(self, resource: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ..., key: _Optional[str] = ...) -> None: ...

class CryptServiceGetSecretResponse(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: bytes
    def __init__(self, value: _Optional[bytes] = ...) -> None: ...

class CryptServicePutSecretRequest(_message.Message):
    __slots__ = ("resource", "key", "value")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    resource: _resource_pb2.Resource
    key: str
    value: bytes
    def __init__(self, resource: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ..., key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...

class CryptServicePutSecretResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
