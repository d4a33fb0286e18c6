import datetime

from bv_core.proto.blockjoy.common.v1 import config_pb2 as _config_pb2
from bv_core.proto.blockjoy.v1 import node_pb2 as _node_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CommandExitCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMAND_EXIT_CODE_UNSPECIFIED: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_OK: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_INTERNAL_ERROR: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_NODE_NOT_FOUND: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_BLOCKING_JOB_RUNNING: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_SERVICE_NOT_READY: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_SERVICE_BROKEN: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_NOT_SUPPORTED: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_NODE_UPGRADE_ROLLBACK: _ClassVar[CommandExitCode]
    COMMAND_EXIT_CODE_NODE_UPGRADE_FAILURE: _ClassVar[CommandExitCode]
COMMAND_EXIT_CODE_UNSPECIFIED: CommandExitCode
COMMAND_EXIT_CODE_OK: CommandExitCode
COMMAND_EXIT_CODE_INTERNAL_ERROR: CommandExitCode
COMMAND_EXIT_CODE_NODE_NOT_FOUND: CommandExitCode
COMMAND_EXIT_CODE_BLOCKING_JOB_RUNNING: CommandExitCode
COMMAND_EXIT_CODE_SERVICE_NOT_READY: CommandExitCode
COMMAND_EXIT_CODE_SERVICE_BROKEN: CommandExitCode
COMMAND_EXIT_CODE_NOT_SUPPORTED: CommandExitCode
COMMAND_EXIT_CODE_NODE_UPGRADE_ROLLBACK: CommandExitCode
COMMAND_EXIT_CODE_NODE_UPGRADE_FAILURE: CommandExitCode

class Command(_message.Message):
    __slots__ = ("command_id", "exit_code", "exit_message", "retry_hint_seconds", "created_at", "acked_at", "node", "host")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    EXIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RETRY_HINT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKED_AT_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    exit_code: CommandExitCode
    exit_message: str
    retry_hint_seconds: int
    created_at: _timestamp_pb2.Timestamp
    acked_at: _timestamp_pb2.Timestamp
    node: NodeCommand
    host: HostCommand
    def __init__(self, command_id: _Optional[str] = ..., exit_code: _Optional[_Union[CommandExitCode, str]] = ..., exit_message: _Optional[str] = ..., retry_hint_seconds: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., node: _Optional[_Union[NodeCommand, _Mapping]] = ..., host: _Optional[_Union[HostCommand, _Mapping]] = ...) -> None: ...

class HostCommand(_message.Message):
    __slots__ = ("host_id", "start", "stop", "restart", "pending")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    RESTART_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    start: HostStart
    stop: HostStop
    restart: HostRestart
    pending: HostPending
    def __init__(self, host_id: _Optional[str] = ..., start: _Optional[_Union[HostStart, _Mapping]] = ..., stop: _Optional[_Union[HostStop, _Mapping]] = ..., restart: _Optional[_Union[HostRestart, _Mapping]] = ..., pending: _Optional[_Union[HostPending, _Mapping]] = ...) -> None: ...

class HostStart(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HostStop(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HostRestart(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HostPending(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeCommand(_message.Message):
    __slots__ = ("host_id", "node_id", "node_name", "create", "start", "stop", "restart", "update", "upgrade", "delete")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    RESTART_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    UPGRADE_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    node_id: str
    node_name: str
    create: NodeCreate
    start: NodeStart
    stop: NodeStop
    restart: NodeRestart
    update: NodeUpdate
    upgrade: NodeUpgrade
    delete: NodeDelete
    def __init__(self, host_id: _Optional[str] = ..., node_id: _Optional[str] = ..., node_name: _Optional[str] = ..., create: _Optional[_Union[NodeCreate, _Mapping]] = ..., start: _Optional[_Union[NodeStart, _Mapping]] = ..., stop: _Optional[_Union[NodeStop, _Mapping]] = ..., restart: _Optional[_Union[NodeRestart, _Mapping]] = ..., update: _Optional[_Union[NodeUpdate, _Mapping]] = ..., upgrade: _Optional[_Union[NodeUpgrade, _Mapping]] = ..., delete: _Optional[_Union[NodeDelete, _Mapping]] = ...) -> None: ...

class NodeCreate(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: _node_pb2.Node
    def __init__(self, node: _Optional[_Union[_node_pb2.Node, _Mapping]] = ...) -> None: ...

class NodeStart(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeStop(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeRestart(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeUpdate(_message.Message):
    __slots__ = ("node_id", "config_id", "auto_upgrade", "new_org_id", "new_org_name", "new_display_name", "new_note", "new_values", "new_firewall")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    AUTO_UPGRADE_FIELD_NUMBER: _ClassVar[int]
    NEW_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_ORG_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_NOTE_FIELD_NUMBER: _ClassVar[int]
    NEW_VALUES_FIELD_NUMBER: _ClassVar[int]
    NEW_FIREWALL_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    config_id: str
    auto_upgrade: bool
    new_org_id: str
    new_org_name: str
    new_display_name: str
    new_note: str
    new_values: _containers.RepeatedCompositeFieldContainer[_config_pb2.PropertyValueConfig]
    new_firewall: _config_pb2.FirewallConfig
    def __init__(self, node_id: _Optional[str] = ..., config_id: _Optional[str] = ..., auto_upgrade: _Optional[bool] = ..., new_org_id: _Optional[str] = ..., new_org_name: _Optional[str] = ..., new_display_name: _Optional[str] = ..., new_note: _Optional[str] = ..., new_values: _Optional[_Iterable[_Union[_config_pb2.PropertyValueConfig, _Mapping]]] = ..., new_firewall: _Optional[_Union[_config_pb2.FirewallConfig, _Mapping]] = ...) -> None: ...

class NodeUpgrade(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: _node_pb2.Node
    def __init__(self, node: _Optional[_Union[_node_pb2.Node, _Mapping]] = ...) -> None: ...

class NodeDelete(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CommandServicePendingRequest(_message.Message):
    __slots__ = ("host_id", "filter_type")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_TYPE_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    filter_type: str
    def __init__(self, host_id: _Optional[str] = ..., filter_type: _Optional[str] = ...) -> None: ...

class CommandServicePendingResponse(_message.Message):
    __slots__ = ("commands",)
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    commands: _containers.RepeatedCompositeFieldContainer[Command]
    def __init__(self, commands: _Optional[_Iterable[_Union[Command, _Mapping]]] = ...) -> None: ...

class CommandServiceAckRequest(_message.Message):
    __slots__ = ("command_id",)
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    def __init__(self, command_id: _Optional[str] = ...) -> None: ...

class CommandServiceAckResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CommandServiceUpdateRequest(_message.Message):
    __slots__ = ("command_id", "exit_code", "exit_message", "retry_hint_seconds")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    EXIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RETRY_HINT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    exit_code: CommandExitCode
    exit_message: str
    retry_hint_seconds: int
    def __init__(self, command_id: _Optional[str] = ..., exit_code: _Optional[_Union[CommandExitCode, str]] = ..., exit_message: _Optional[str] = ..., retry_hint_seconds: _Optional[int] = ...) -> None: ...

class CommandServiceUpdateResponse(_message.Message):
    __slots__ = ("command",)
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: Command
    def __init__(self, command: _Optional[_Union[Command, _Mapping]] = ...) -> None: ...
