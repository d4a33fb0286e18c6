from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HostConnectionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOST_CONNECTION_STATUS_UNSPECIFIED: _ClassVar[HostConnectionStatus]
    HOST_CONNECTION_STATUS_ONLINE: _ClassVar[HostConnectionStatus]
    HOST_CONNECTION_STATUS_OFFLINE: _ClassVar[HostConnectionStatus]

class ScheduleType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEDULE_TYPE_UNSPECIFIED: _ClassVar[ScheduleType]
    SCHEDULE_TYPE_AUTOMATIC: _ClassVar[ScheduleType]
    SCHEDULE_TYPE_MANUAL: _ClassVar[ScheduleType]
HOST_CONNECTION_STATUS_UNSPECIFIED: HostConnectionStatus
HOST_CONNECTION_STATUS_ONLINE: HostConnectionStatus
HOST_CONNECTION_STATUS_OFFLINE: HostConnectionStatus
SCHEDULE_TYPE_UNSPECIFIED: ScheduleType
SCHEDULE_TYPE_AUTOMATIC: ScheduleType
SCHEDULE_TYPE_MANUAL: ScheduleType

class HostIpAddress(_message.Message):
    __slots__ = ("ip", "assigned")
    IP_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    ip: str
    assigned: bool
    def __init__(self, ip: _Optional[str] = ..., assigned: _Optional[bool] = ...) -> None: ...

class HostStatus(_message.Message):
    __slots__ = ("host_id", "connection_status")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    connection_status: HostConnectionStatus
    def __init__(self, host_id: _Optional[str] = ..., connection_status: _Optional[_Union[HostConnectionStatus, str]] = ...) -> None: ...
