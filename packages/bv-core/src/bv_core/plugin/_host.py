"""The host-function interface a plugin runs against, and the linter's stand-in hosts.

``PluginHost`` is the one typed protocol the daemon implements against babel (one per node).
Every method may raise; the Rhai binding turns the exception into a catchable script error
whose message is ``str(err)``, like the original's ``format!("{err:#}")``.

``LinterHost`` answers every call the way the original's linter stub does (plugin-api-2.16.md
§6); ``StaticHost`` is the same with a real node environment and parameters, used by the
``config`` command to render a plugin's configuration outside a node.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import msgspec

from ..errors import InvalidInput
from ..jobs import JobConfig, JobInfo, Pending

if TYPE_CHECKING:
    from ._config import PluginConfig

__all__ = [
    "DEFAULT_REQUEST_TIMEOUT",
    "HttpResult",
    "JrpcRequest",
    "LinterHost",
    "LogLevel",
    "NodeEnv",
    "PluginHost",
    "RestRequest",
    "ShResult",
    "StaticHost",
    "linter_node_env",
    "node_env_from_obj",
]

# The original's NODE_REQUEST_TIMEOUT: used when a script gives no timeout.
DEFAULT_REQUEST_TIMEOUT = 15.0


class LogLevel(enum.Enum):
    DEBUG = "debug"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"


class NodeEnv(msgspec.Struct, frozen=True, kw_only=True):
    """What ``node_env()`` returns: the 14 fields of the original's NodeEnv."""

    node_id: str
    node_name: str
    node_org_id: str
    node_version: str
    node_protocol: str
    node_variant: str
    node_ip: str
    node_gateway: str
    dev_mode: bool
    bv_host_id: str
    bv_host_name: str
    bv_api_url: str
    data_mount_point: str
    protocol_data_path: str

    def to_value(self) -> dict[str, Any]:
        value = msgspec.to_builtins(self)
        assert isinstance(value, dict)
        return value


@dataclass(frozen=True)
class ShResult:
    """Result of ``run_sh``: what the script sees as a ShResponse."""

    exit_code: int
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class HttpResult:
    """Result of ``run_rest``/``run_jrpc``: what the script sees as an HttpResponse."""

    status_code: int
    body: str = ""


@dataclass(frozen=True)
class JrpcRequest:
    """A JSON-RPC call: POST ``{"jsonrpc": "2.0", "id": 0, "method", "params"?}`` to ``host``."""

    host: str
    method: str
    params: dict[str, Any] | list[Any] | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RestRequest:
    """A REST call: HTTP GET ``url``."""

    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)


@runtime_checkable
class PluginHost(Protocol):
    """Everything a plugin may ask of BlockVisor; one instance serves one node.

    Timeouts are seconds; ``None`` means the host's default (``DEFAULT_REQUEST_TIMEOUT``).
    """

    # -- jobs (run by babel inside the node) ------------------------------------------------
    def create_job(self, name: str, config: JobConfig) -> None:
        """Create (or replace) a job; a running job of that name is stopped first."""
        ...

    def start_job(self, name: str) -> None: ...

    def stop_job(self, name: str) -> None: ...

    def stop_all_jobs(self) -> None:
        """Stop every job of the node (default ``init`` starts with this)."""
        ...

    def job_info(self, name: str) -> JobInfo: ...

    def get_jobs(self) -> dict[str, JobInfo]: ...

    # -- commands and requests inside the node ------------------------------------------------
    def run_sh(self, body: str, timeout: float | None) -> ShResult: ...

    def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult: ...

    def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult: ...

    def render_template(self, template: str, destination: str, params_json: str) -> None:
        """Render the Tera template file ``template`` to ``destination`` with JSON params."""
        ...

    def file_read(self, path: str) -> bytes: ...

    def file_write(self, path: str, content: bytes) -> None: ...

    # -- node facts -------------------------------------------------------------------------
    def node_env(self) -> NodeEnv: ...

    def node_params(self) -> dict[str, str]: ...

    # -- plugin state and secrets -----------------------------------------------------------
    def save_data(self, value: str) -> None: ...

    def load_data(self) -> str:
        """The last saved data; raise when nothing was saved (scripts catch that)."""
        ...

    def put_secret(self, name: str, value: bytes) -> None: ...

    def get_secret(self, name: str) -> bytes | None:
        """The secret, or None when it does not exist (the script then gets "not_found")."""
        ...

    # -- scheduler --------------------------------------------------------------------------
    def add_task(self, name: str, schedule: str, function: str, param: str) -> None:
        """Schedule ``function(param)`` by cron ``schedule``; replaces a task of the same name."""
        ...

    def delete_task(self, name: str) -> None: ...

    # -- protocol data ----------------------------------------------------------------------
    def has_protocol_archive(self) -> bool:
        """Whether an archive exists to download for this node's image and variant."""
        ...

    def protocol_data_stamp(self) -> float | None:
        """Mtime (unix seconds) of ``<data_mount_point>/.protocol_data.lock``; None if absent."""
        ...

    # -- plugin config persistence (``<node_dir>/plugin_config.json``) ----------------------
    def save_config(self, config: PluginConfig) -> None: ...

    def load_config(self) -> PluginConfig | None: ...

    # -- logging ----------------------------------------------------------------------------
    def log(self, level: LogLevel, message: str) -> None:
        """A line from the plugin (info/warn/error/debug/print)."""
        ...


def linter_node_env(
    *, node_version: str = "0.0.1", node_protocol: str = "protocol", node_variant: str = "variant"
) -> NodeEnv:
    """The stand-in node environment ``nib image check`` passes to the linter."""
    return NodeEnv(
        node_id="node-id",
        node_name="node_name",
        node_org_id="org-id",
        node_version=node_version,
        node_protocol=node_protocol,
        node_variant=node_variant,
        node_ip="1.2.3.4",
        node_gateway="4.3.2.1",
        dev_mode=True,
        bv_host_id="host-id",
        bv_host_name="hostname",
        bv_api_url="none.com",
        data_mount_point="/blockjoy",
        protocol_data_path="/blockjoy/protocol_data",
    )


class LinterHost:
    """The original linter's stub host: every call succeeds with a neutral answer.

    Log lines are kept in ``logs`` (level, message) so a caller may show them.
    """

    def __init__(self, node_env: NodeEnv | None = None, node_params: dict[str, str] | None = None) -> None:
        self._node_env = node_env or linter_node_env()
        self._node_params = dict(node_params or {})
        self.logs: list[tuple[LogLevel, str]] = []

    def create_job(self, name: str, config: JobConfig) -> None:
        return None

    def start_job(self, name: str) -> None:
        return None

    def stop_job(self, name: str) -> None:
        return None

    def stop_all_jobs(self) -> None:
        return None

    def job_info(self, name: str) -> JobInfo:
        return _pending_info()

    def get_jobs(self) -> dict[str, JobInfo]:
        return {"dummy_job": _pending_info()}

    def run_sh(self, body: str, timeout: float | None) -> ShResult:
        return ShResult(exit_code=0)

    def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult:
        return HttpResult(status_code=0)

    def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult:
        return HttpResult(status_code=0)

    def render_template(self, template: str, destination: str, params_json: str) -> None:
        return None

    def file_read(self, path: str) -> bytes:
        return b""

    def file_write(self, path: str, content: bytes) -> None:
        return None

    def node_env(self) -> NodeEnv:
        return self._node_env

    def node_params(self) -> dict[str, str]:
        return dict(self._node_params)

    def save_data(self, value: str) -> None:
        return None

    def load_data(self) -> str:
        return ""

    def put_secret(self, name: str, value: bytes) -> None:
        return None

    def get_secret(self, name: str) -> bytes | None:
        # 2.16 returns a placeholder so plugin_config() can render secrets-based files.
        return b"secret value"

    def add_task(self, name: str, schedule: str, function: str, param: str) -> None:
        return None

    def delete_task(self, name: str) -> None:
        return None

    def has_protocol_archive(self) -> bool:
        return True

    def protocol_data_stamp(self) -> float | None:
        return None

    def save_config(self, config: PluginConfig) -> None:
        return None

    def load_config(self) -> PluginConfig | None:
        return None

    def log(self, level: LogLevel, message: str) -> None:
        self.logs.append((level, message))


class StaticHost(LinterHost):
    """The linter's answers, with a given node environment and parameters (for ``config``).

    ``node_env`` may be a NodeEnv or a (possibly partial) mapping of its fields; missing
    fields keep the linter's stand-in values.
    """

    def __init__(
        self, node_env: NodeEnv | Mapping[str, Any], node_params: Mapping[str, str] | None = None
    ) -> None:
        env = node_env if isinstance(node_env, NodeEnv) else node_env_from_obj(node_env, "node env")
        super().__init__(env, dict(node_params or {}))


def node_env_from_obj(obj: Any, source: str, base: NodeEnv | None = None) -> NodeEnv:
    """A NodeEnv from a JSON-like mapping; missing fields come from ``base`` (or the stand-in)."""
    if not isinstance(obj, Mapping):
        raise InvalidInput(f"{source}: expected a JSON object with node_env fields")
    merged = (base or linter_node_env()).to_value() | dict(obj)
    try:
        return msgspec.convert(merged, NodeEnv)
    except msgspec.ValidationError as err:
        raise InvalidInput(f"{source}: invalid node env: {err}") from err


def _pending_info() -> JobInfo:
    return JobInfo(
        status=Pending(),
        progress=None,
        restart_count=0,
        logs=(),
        upgrade_blocking=False,
        timestamp=time.time(),
    )
