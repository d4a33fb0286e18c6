import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApiVersion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_VERSION_UNSPECIFIED: _ClassVar[ApiVersion]
    API_VERSION_1: _ClassVar[ApiVersion]

class ServiceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_STATUS_UNSPECIFIED: _ClassVar[ServiceStatus]
    SERVICE_STATUS_UNDEFINED: _ClassVar[ServiceStatus]
    SERVICE_STATUS_OK: _ClassVar[ServiceStatus]
    SERVICE_STATUS_UPDATING: _ClassVar[ServiceStatus]
    SERVICE_STATUS_BROKEN: _ClassVar[ServiceStatus]

class DaemonMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DAEMON_MODE_UNSPECIFIED: _ClassVar[DaemonMode]
    DAEMON_MODE_STANDALONE: _ClassVar[DaemonMode]
    DAEMON_MODE_CONNECTED: _ClassVar[DaemonMode]
API_VERSION_UNSPECIFIED: ApiVersion
API_VERSION_1: ApiVersion
SERVICE_STATUS_UNSPECIFIED: ServiceStatus
SERVICE_STATUS_UNDEFINED: ServiceStatus
SERVICE_STATUS_OK: ServiceStatus
SERVICE_STATUS_UPDATING: ServiceStatus
SERVICE_STATUS_BROKEN: ServiceStatus
DAEMON_MODE_UNSPECIFIED: DaemonMode
DAEMON_MODE_STANDALONE: DaemonMode
DAEMON_MODE_CONNECTED: DaemonMode

class GetDaemonInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DaemonInfo(_message.Message):
    __slots__ = ("api_version", "bv_version", "status", "mode", "dev_mode", "bv_path", "babel_path", "job_runner_path", "config_redacted", "started_at", "host_id", "api_url")
    API_VERSION_FIELD_NUMBER: _ClassVar[int]
    BV_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    DEV_MODE_FIELD_NUMBER: _ClassVar[int]
    BV_PATH_FIELD_NUMBER: _ClassVar[int]
    BABEL_PATH_FIELD_NUMBER: _ClassVar[int]
    JOB_RUNNER_PATH_FIELD_NUMBER: _ClassVar[int]
    CONFIG_REDACTED_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    API_URL_FIELD_NUMBER: _ClassVar[int]
    api_version: int
    bv_version: str
    status: ServiceStatus
    mode: DaemonMode
    dev_mode: bool
    bv_path: str
    babel_path: str
    job_runner_path: str
    config_redacted: str
    started_at: _timestamp_pb2.Timestamp
    host_id: str
    api_url: str
    def __init__(self, api_version: _Optional[int] = ..., bv_version: _Optional[str] = ..., status: _Optional[_Union[ServiceStatus, str]] = ..., mode: _Optional[_Union[DaemonMode, str]] = ..., dev_mode: _Optional[bool] = ..., bv_path: _Optional[str] = ..., babel_path: _Optional[str] = ..., job_runner_path: _Optional[str] = ..., config_redacted: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., host_id: _Optional[str] = ..., api_url: _Optional[str] = ...) -> None: ...

class GetHealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetHealthResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ServiceStatus
    def __init__(self, status: _Optional[_Union[ServiceStatus, str]] = ...) -> None: ...

class StartUpdateRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StartUpdateResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ServiceStatus
    def __init__(self, status: _Optional[_Union[ServiceStatus, str]] = ...) -> None: ...
