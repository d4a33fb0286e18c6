from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BundleIdentifier(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    def __init__(self, version: _Optional[str] = ...) -> None: ...

class BundleServiceListVersionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BundleServiceListVersionsResponse(_message.Message):
    __slots__ = ("bundle_ids",)
    BUNDLE_IDS_FIELD_NUMBER: _ClassVar[int]
    bundle_ids: _containers.RepeatedCompositeFieldContainer[BundleIdentifier]
    def __init__(self, bundle_ids: _Optional[_Iterable[_Union[BundleIdentifier, _Mapping]]] = ...) -> None: ...

class BundleServiceRetrieveRequest(_message.Message):
    __slots__ = ("bundle_id",)
    BUNDLE_ID_FIELD_NUMBER: _ClassVar[int]
    bundle_id: BundleIdentifier
    def __init__(self, bundle_id: _Optional[_Union[BundleIdentifier, _Mapping]] = ...) -> None: ...

class BundleServiceRetrieveResponse(_message.Message):
    __slots__ = ("url",)
    URL_FIELD_NUMBER: _ClassVar[int]
    url: str
    def __init__(self, url: _Optional[str] = ...) -> None: ...
