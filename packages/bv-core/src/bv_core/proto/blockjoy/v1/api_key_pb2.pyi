import datetime

from bv_core.proto.blockjoy.common.v1 import resource_pb2 as _resource_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApiKeyServiceCreateRequest(_message.Message):
    __slots__ = ("label", "resource")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    label: str
    resource: _resource_pb2.Resource
    def __init__(self, label: _Optional[str] = ..., resource: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ...) -> None: ...

class ApiKeyServiceCreateResponse(_message.Message):
    __slots__ = ("api_key", "created_at")
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    api_key: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, api_key: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
