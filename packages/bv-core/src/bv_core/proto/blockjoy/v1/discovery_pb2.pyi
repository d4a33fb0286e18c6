from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class DiscoveryServiceServicesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DiscoveryServiceServicesResponse(_message.Message):
    __slots__ = ("notification_url",)
    NOTIFICATION_URL_FIELD_NUMBER: _ClassVar[int]
    notification_url: str
    def __init__(self, notification_url: _Optional[str] = ...) -> None: ...
