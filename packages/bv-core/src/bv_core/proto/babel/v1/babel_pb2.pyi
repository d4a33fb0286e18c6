from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BinaryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BINARY_STATUS_UNSPECIFIED: _ClassVar[BinaryStatus]
    BINARY_STATUS_OK: _ClassVar[BinaryStatus]
    BINARY_STATUS_CHECKSUM_MISMATCH: _ClassVar[BinaryStatus]
    BINARY_STATUS_MISSING: _ClassVar[BinaryStatus]
BINARY_STATUS_UNSPECIFIED: BinaryStatus
BINARY_STATUS_OK: BinaryStatus
BINARY_STATUS_CHECKSUM_MISMATCH: BinaryStatus
BINARY_STATUS_MISSING: BinaryStatus

class Empty(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetVersionResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    def __init__(self, version: _Optional[str] = ...) -> None: ...

class RamDisk(_message.Message):
    __slots__ = ("ram_disk_mount_point", "ram_disk_size_mb")
    RAM_DISK_MOUNT_POINT_FIELD_NUMBER: _ClassVar[int]
    RAM_DISK_SIZE_MB_FIELD_NUMBER: _ClassVar[int]
    ram_disk_mount_point: str
    ram_disk_size_mb: int
    def __init__(self, ram_disk_mount_point: _Optional[str] = ..., ram_disk_size_mb: _Optional[int] = ...) -> None: ...

class SetupBabelRequest(_message.Message):
    __slots__ = ("node_env_json", "ramdisks")
    NODE_ENV_JSON_FIELD_NUMBER: _ClassVar[int]
    RAMDISKS_FIELD_NUMBER: _ClassVar[int]
    node_env_json: str
    ramdisks: _containers.RepeatedCompositeFieldContainer[RamDisk]
    def __init__(self, node_env_json: _Optional[str] = ..., ramdisks: _Optional[_Iterable[_Union[RamDisk, _Mapping]]] = ...) -> None: ...

class DurationResponse(_message.Message):
    __slots__ = ("millis",)
    MILLIS_FIELD_NUMBER: _ClassVar[int]
    millis: int
    def __init__(self, millis: _Optional[int] = ...) -> None: ...

class ShutdownBabelRequest(_message.Message):
    __slots__ = ("force",)
    FORCE_FIELD_NUMBER: _ClassVar[int]
    force: bool
    def __init__(self, force: _Optional[bool] = ...) -> None: ...

class CheckJobRunnerRequest(_message.Message):
    __slots__ = ("checksum",)
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    checksum: int
    def __init__(self, checksum: _Optional[int] = ...) -> None: ...

class CheckJobRunnerResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: BinaryStatus
    def __init__(self, status: _Optional[_Union[BinaryStatus, str]] = ...) -> None: ...

class BinaryChunk(_message.Message):
    __slots__ = ("bin", "checksum")
    BIN_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    bin: bytes
    checksum: int
    def __init__(self, bin: _Optional[bytes] = ..., checksum: _Optional[int] = ...) -> None: ...

class FileWriteChunk(_message.Message):
    __slots__ = ("destination", "bin", "checksum")
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    BIN_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    destination: str
    bin: bytes
    checksum: int
    def __init__(self, destination: _Optional[str] = ..., bin: _Optional[bytes] = ..., checksum: _Optional[int] = ...) -> None: ...

class FileReadRequest(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class JobName(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateJobRequest(_message.Message):
    __slots__ = ("name", "config_json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    config_json: str
    def __init__(self, name: _Optional[str] = ..., config_json: _Optional[str] = ...) -> None: ...

class JobInfoResponse(_message.Message):
    __slots__ = ("info_json",)
    INFO_JSON_FIELD_NUMBER: _ClassVar[int]
    info_json: str
    def __init__(self, info_json: _Optional[str] = ...) -> None: ...

class GetJobsResponse(_message.Message):
    __slots__ = ("jobs_json",)
    class JobsJsonEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    JOBS_JSON_FIELD_NUMBER: _ClassVar[int]
    jobs_json: _containers.ScalarMap[str, str]
    def __init__(self, jobs_json: _Optional[_Mapping[str, str]] = ...) -> None: ...

class JobLogsRequest(_message.Message):
    __slots__ = ("name", "lines", "follow")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    name: str
    lines: int
    follow: bool
    def __init__(self, name: _Optional[str] = ..., lines: _Optional[int] = ..., follow: _Optional[bool] = ...) -> None: ...

class JobLogLine(_message.Message):
    __slots__ = ("line",)
    LINE_FIELD_NUMBER: _ClassVar[int]
    line: str
    def __init__(self, line: _Optional[str] = ...) -> None: ...

class RunShRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: str
    def __init__(self, body: _Optional[str] = ...) -> None: ...

class ShResponse(_message.Message):
    __slots__ = ("exit_code", "stdout", "stderr")
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    stdout: str
    stderr: str
    def __init__(self, exit_code: _Optional[int] = ..., stdout: _Optional[str] = ..., stderr: _Optional[str] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class RestRequest(_message.Message):
    __slots__ = ("url", "headers")
    URL_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    url: str
    headers: _containers.RepeatedCompositeFieldContainer[Header]
    def __init__(self, url: _Optional[str] = ..., headers: _Optional[_Iterable[_Union[Header, _Mapping]]] = ...) -> None: ...

class JrpcRequest(_message.Message):
    __slots__ = ("host", "method", "params_json", "headers")
    HOST_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    host: str
    method: str
    params_json: str
    headers: _containers.RepeatedCompositeFieldContainer[Header]
    def __init__(self, host: _Optional[str] = ..., method: _Optional[str] = ..., params_json: _Optional[str] = ..., headers: _Optional[_Iterable[_Union[Header, _Mapping]]] = ...) -> None: ...

class HttpResponse(_message.Message):
    __slots__ = ("status_code", "body")
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    status_code: int
    body: str
    def __init__(self, status_code: _Optional[int] = ..., body: _Optional[str] = ...) -> None: ...

class RenderTemplateRequest(_message.Message):
    __slots__ = ("template", "destination", "params_json")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    template: str
    destination: str
    params_json: str
    def __init__(self, template: _Optional[str] = ..., destination: _Optional[str] = ..., params_json: _Optional[str] = ...) -> None: ...

class ProtocolDataStampResponse(_message.Message):
    __slots__ = ("present", "unix_seconds")
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    UNIX_SECONDS_FIELD_NUMBER: _ClassVar[int]
    present: bool
    unix_seconds: float
    def __init__(self, present: _Optional[bool] = ..., unix_seconds: _Optional[float] = ...) -> None: ...

class BoolResponse(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: bool
    def __init__(self, value: _Optional[bool] = ...) -> None: ...

class PushLogRequest(_message.Message):
    __slots__ = ("name", "message")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    message: str
    def __init__(self, name: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class JsonPayload(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...

class PutDownloadManifestRequest(_message.Message):
    __slots__ = ("manifest_json", "data_version")
    MANIFEST_JSON_FIELD_NUMBER: _ClassVar[int]
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    manifest_json: str
    data_version: int
    def __init__(self, manifest_json: _Optional[str] = ..., data_version: _Optional[int] = ...) -> None: ...

class GetDownloadChunksRequest(_message.Message):
    __slots__ = ("data_version", "indexes")
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    INDEXES_FIELD_NUMBER: _ClassVar[int]
    data_version: int
    indexes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, data_version: _Optional[int] = ..., indexes: _Optional[_Iterable[int]] = ...) -> None: ...

class GetUploadSlotsRequest(_message.Message):
    __slots__ = ("data_version", "slots", "url_expires_secs")
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    URL_EXPIRES_SECS_FIELD_NUMBER: _ClassVar[int]
    data_version: int
    slots: _containers.RepeatedScalarFieldContainer[int]
    url_expires_secs: int
    def __init__(self, data_version: _Optional[int] = ..., slots: _Optional[_Iterable[int]] = ..., url_expires_secs: _Optional[int] = ...) -> None: ...

class BvErrorRequest(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...
