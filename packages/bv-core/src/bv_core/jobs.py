"""Job models shared by the daemon's plugin runtime, babel and the job runner.

The JSON shape is the original's serde shape (babel-plugin.md §3.1, plugin-api-2.16.md §5):
externally tagged enums in snake_case, e.g. ``{"job_type": {"run_sh": "echo hi"},
"restart": {"on_failure": {"backoff_timeout_ms": 1000, "backoff_base_ms": 10}}}``. The same
shape is what a Rhai plugin passes to ``create_job``, so the plugin runtime builds a
``JobConfig`` with :func:`job_config_from_obj` and sends it to babel as
:func:`job_config_to_json`.

Every conversion validates at the edge: bad input raises :class:`bv_core.errors.ModelError`
naming the source, the field path and what was expected.
"""

from __future__ import annotations

import enum
import os
import signal
import zlib
from pathlib import Path
from typing import Any, Final

import msgspec
import orjson

from .errors import ModelError
from .persistence import atomic_write_json

__all__ = [
    "DEFAULT_LOG_BUFFER_CAPACITY_MB",
    "DEFAULT_SHUTDOWN_SIGNAL",
    "DEFAULT_SHUTDOWN_TIMEOUT_SECS",
    "MAX_JOB_NAME_LEN",
    "DownloadJob",
    "Finished",
    "JobConfig",
    "JOB_ENV_VAR",
    "JobInfo",
    "JobProgress",
    "JobStatus",
    "JobPaths",
    "JobType",
    "NodePaths",
    "Pending",
    "ProcessRef",
    "Restart",
    "RestartConfig",
    "RestartPolicy",
    "RunShJob",
    "Running",
    "Stopped",
    "UploadJob",
    "crc32_bzip2",
    "job_config_from_json",
    "job_config_from_obj",
    "job_config_to_json",
    "job_config_to_obj",
    "job_env_token",
    "job_info_from_obj",
    "job_info_to_obj",
    "job_progress_from_obj",
    "job_status_from_obj",
    "job_status_to_obj",
    "process_start_ticks",
    "processes_with_env",
    "shell_argv",
    "signal_number",
    "trim_body",
    "validate_job_name",
]

DEFAULT_SHUTDOWN_TIMEOUT_SECS: Final = 60
DEFAULT_SHUTDOWN_SIGNAL: Final = "SIGTERM"
DEFAULT_LOG_BUFFER_CAPACITY_MB: Final = 128
MAX_JOB_NAME_LEN: Final = 128


# --- job type -------------------------------------------------------------------------------


class RunShJob(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A shell script run with ``sh -c`` and supervised by the job runner."""

    body: str


class DownloadJob(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Download of the protocol-data archive (implemented by another issue)."""

    max_connections: int | None = None
    max_runners: int | None = None


class UploadJob(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Upload of the protocol-data archive (implemented by another issue).

    ``compression`` is the zstd level; the wire shape is ``{"ZSTD": level}`` or null.
    """

    exclude: tuple[str, ...] | None = None
    compression: dict[str, int] | None = None
    max_connections: int | None = None
    max_runners: int | None = None
    number_of_chunks: int | None = None
    url_expires_secs: int | None = None
    data_version: int | None = None


JobType = RunShJob | DownloadJob | UploadJob


# --- restart policy -------------------------------------------------------------------------


class RestartPolicy(enum.Enum):
    NEVER = "never"
    ALWAYS = "always"
    ON_FAILURE = "on_failure"


class RestartConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Backoff: the delay before retry n is ``backoff_base_ms * 2**n``; a run that lasted longer
    than ``backoff_timeout_ms`` resets n to 0 and restarts at once; ``max_retries`` limits n."""

    backoff_timeout_ms: int
    backoff_base_ms: int
    max_retries: int | None = None


class Restart(msgspec.Struct, frozen=True):
    policy: RestartPolicy
    config: RestartConfig | None = None  # None only for NEVER


# --- job config -----------------------------------------------------------------------------


class JobConfig(msgspec.Struct, frozen=True):
    job_type: JobType
    restart: Restart
    shutdown_timeout_secs: int = DEFAULT_SHUTDOWN_TIMEOUT_SECS
    shutdown_signal: str = DEFAULT_SHUTDOWN_SIGNAL
    needs: tuple[str, ...] = ()
    wait_for: tuple[str, ...] = ()
    run_as: str | None = None
    log_buffer_capacity_mb: int = DEFAULT_LOG_BUFFER_CAPACITY_MB
    # 2.16 changed the default to false (plugin-api-2.16.md §5).
    log_timestamp: bool = False
    use_protocol_data: bool = False
    one_time: bool = False

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return self.needs + self.wait_for

    @property
    def upgrade_blocking(self) -> bool:
        """False for `always` and for unbounded `on_failure`; true otherwise (§3.2)."""
        if self.restart.policy is RestartPolicy.ALWAYS:
            return False
        if self.restart.policy is RestartPolicy.ON_FAILURE:
            return self.restart.config is not None and self.restart.config.max_retries is not None
        return True


# --- statuses -------------------------------------------------------------------------------


class Pending(msgspec.Struct, frozen=True):
    waiting_for: tuple[str, ...] = ()


class Running(msgspec.Struct, frozen=True):
    pass


class Finished(msgspec.Struct, frozen=True):
    exit_code: int | None
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


class Stopped(msgspec.Struct, frozen=True):
    pass


JobStatus = Pending | Running | Finished | Stopped


class JobProgress(msgspec.Struct, frozen=True):
    total: int
    current: int
    message: str = ""


class JobInfo(msgspec.Struct, frozen=True):
    status: JobStatus
    progress: JobProgress | None
    restart_count: int
    logs: tuple[str, ...]
    upgrade_blocking: bool
    # Unix seconds of the last status change (2.16 JobInfo.timestamp).
    timestamp: float


# --- converters -----------------------------------------------------------------------------

_JOB_CONFIG_FIELDS: Final = frozenset(
    {
        "job_type", "restart", "shutdown_timeout_secs", "shutdown_signal", "needs", "wait_for",
        "run_as", "log_buffer_capacity_mb", "log_timestamp", "use_protocol_data", "one_time",
    }
)
_MAX_U32: Final = 2**32 - 1


def _tagged(obj: object, source: str, path: str, tags: tuple[str, ...]) -> tuple[str, object]:
    """Split an externally tagged enum value: ``"tag"`` or ``{"tag": payload}``."""
    if isinstance(obj, str) and obj in tags:
        return obj, None
    if isinstance(obj, dict) and len(obj) == 1:
        ((tag, payload),) = obj.items()
        if tag in tags:
            return str(tag), payload
    raise ModelError(source, path, f"expected one of {', '.join(tags)} (as \"tag\" or {{tag: ...}})")


def _convert(obj: object, typ: Any, source: str, path: str) -> Any:
    try:
        return msgspec.convert(obj, typ, strict=True)
    except msgspec.ValidationError as exc:
        text = str(exc)
        sub = ""
        if " - at `$" in text:
            text, _, rest = text.partition(" - at `$")
            sub = rest.rstrip("`")
        raise ModelError(source, path + sub, text.rstrip(".").lower()) from None


def _int(obj: dict[str, object], key: str, source: str, path: str, *, lo: int, hi: int) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ModelError(source, f"{path}.{key}", f"expected an integer in [{lo}, {hi}], got {value!r}")
    return value


def _bool(obj: dict[str, object], key: str, source: str, default: bool) -> bool:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ModelError(source, f"$.{key}", f"expected true or false, got {value!r}")
    return value


def _names(obj: dict[str, object], key: str, source: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ModelError(source, f"$.{key}", f"expected a list of job names, got {value!r}")
    names = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ModelError(source, f"$.{key}[{i}]", f"expected a job name, got {item!r}")
        validate_job_name(item, source, f"$.{key}[{i}]")
        names.append(item)
    return tuple(names)


def trim_body(body: str) -> str:
    """The original's bv_shell trim: whitespace, a trailing `\\`, whitespace, a trailing `&&`."""
    return body.strip().removesuffix("\\").strip().removesuffix("&&").strip()


def shell_argv(body: str, bv_user: str | None = None) -> list[str]:
    """``sh -c body``, or ``su - <bv_user> -c body`` when BV_USER is set (§3.3)."""
    if bv_user:
        return ["su", "-", bv_user, "-c", trim_body(body)]
    return ["sh", "-c", trim_body(body)]


def signal_number(name: str) -> int:
    """The number of a POSIX signal given by name (``SIGTERM``); ValueError if unknown here."""
    sig = getattr(signal.Signals, name, None) if name.startswith("SIG") else None
    if sig is None:
        raise ValueError(f"unknown signal {name!r}")
    return int(sig)


def validate_job_name(name: str, source: str = "job", path: str = "$.name") -> str:
    """A job name becomes a directory name: reject empty, `/`, `.`/`..`, NUL and control chars."""
    if not name or not name.strip():
        raise ModelError(source, path, "job name must not be empty")
    if "/" in name or name in (".", "..") or ".." in name:
        raise ModelError(source, path, f"job name {name!r} must not contain '/' or '..'")
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        raise ModelError(source, path, f"job name {name!r} must not contain control characters")
    if len(name) > MAX_JOB_NAME_LEN:
        raise ModelError(source, path, f"job name longer than {MAX_JOB_NAME_LEN} characters")
    return name


def _job_type_from_obj(obj: object, source: str) -> JobType:
    tag, payload = _tagged(obj, source, "$.job_type", ("run_sh", "download", "upload"))
    if tag == "run_sh":
        if not isinstance(payload, str):
            raise ModelError(source, "$.job_type.run_sh", f"expected a shell script string, got {payload!r}")
        if not payload.strip():
            raise ModelError(source, "$.job_type.run_sh", "command must not be empty")
        return RunShJob(payload)
    if payload is None:
        payload = {}
    if tag == "download":
        return _convert(payload, DownloadJob, source, "$.job_type.download")  # type: ignore[no-any-return]
    upload: UploadJob = _convert(payload, UploadJob, source, "$.job_type.upload")
    if upload.compression is not None and set(upload.compression) != {"ZSTD"}:
        raise ModelError(source, "$.job_type.upload.compression", "expected {ZSTD: level} or null")
    return upload


def _job_type_to_obj(job_type: JobType) -> object:
    if isinstance(job_type, RunShJob):
        return {"run_sh": job_type.body}
    tag = "download" if isinstance(job_type, DownloadJob) else "upload"
    return {tag: {k: v for k, v in msgspec.to_builtins(job_type).items() if v is not None}}


def _restart_from_obj(obj: object, source: str) -> Restart:
    tag, payload = _tagged(obj, source, "$.restart", ("never", "always", "on_failure"))
    if tag == "never":
        return Restart(RestartPolicy.NEVER)
    path = f"$.restart.{tag}"
    if payload is None:
        raise ModelError(source, path, "expected {backoff_timeout_ms, backoff_base_ms, max_retries?}")
    cfg: RestartConfig = _convert(payload, RestartConfig, source, path)
    for key in ("backoff_timeout_ms", "backoff_base_ms", "max_retries"):
        value = getattr(cfg, key)
        if value is not None and not 0 <= value <= 2**63 - 1:
            raise ModelError(source, f"{path}.{key}", f"expected a non-negative integer, got {value}")
    return Restart(RestartPolicy(tag), cfg)


def _restart_to_obj(restart: Restart) -> object:
    if restart.policy is RestartPolicy.NEVER or restart.config is None:
        return "never"
    cfg = {k: v for k, v in msgspec.to_builtins(restart.config).items() if v is not None}
    return {restart.policy.value: cfg}


def job_config_from_obj(obj: object, source: str) -> JobConfig:
    """Validate a JSON/Rhai-shaped map into a JobConfig; ModelError names the bad field."""
    if not isinstance(obj, dict):
        raise ModelError(source, "$", f"expected a job config map, got {type(obj).__name__}")
    unknown = sorted(str(k) for k in obj if k not in _JOB_CONFIG_FIELDS)
    if unknown:
        raise ModelError(source, f"$.{unknown[0]}", "unknown field")
    if "job_type" not in obj:
        raise ModelError(source, "$.job_type", "required field is missing")
    if "restart" not in obj:
        raise ModelError(source, "$.restart", "required field is missing")
    shutdown_signal = obj.get("shutdown_signal") or DEFAULT_SHUTDOWN_SIGNAL
    if not isinstance(shutdown_signal, str):
        raise ModelError(source, "$.shutdown_signal", f"expected a signal name, got {shutdown_signal!r}")
    try:
        signal_number(shutdown_signal)
    except ValueError:
        raise ModelError(source, "$.shutdown_signal", f"unknown signal {shutdown_signal!r}") from None
    run_as = obj.get("run_as")
    if run_as is not None and (not isinstance(run_as, str) or not run_as.strip()):
        raise ModelError(source, "$.run_as", f"expected a user name, got {run_as!r}")
    timeout = _int(obj, "shutdown_timeout_secs", source, "$", lo=0, hi=_MAX_U32)
    capacity = _int(obj, "log_buffer_capacity_mb", source, "$", lo=1, hi=1 << 20)
    return JobConfig(
        job_type=_job_type_from_obj(obj["job_type"], source),
        restart=_restart_from_obj(obj["restart"], source),
        shutdown_timeout_secs=DEFAULT_SHUTDOWN_TIMEOUT_SECS if timeout is None else timeout,
        shutdown_signal=shutdown_signal,
        needs=_names(obj, "needs", source),
        wait_for=_names(obj, "wait_for", source),
        run_as=run_as,
        log_buffer_capacity_mb=DEFAULT_LOG_BUFFER_CAPACITY_MB if capacity is None else capacity,
        log_timestamp=_bool(obj, "log_timestamp", source, False),
        use_protocol_data=_bool(obj, "use_protocol_data", source, False),
        one_time=_bool(obj, "one_time", source, False),
    )


def job_config_to_obj(cfg: JobConfig) -> dict[str, object]:
    out: dict[str, object] = {
        "job_type": _job_type_to_obj(cfg.job_type),
        "restart": _restart_to_obj(cfg.restart),
        "shutdown_timeout_secs": cfg.shutdown_timeout_secs,
        "shutdown_signal": cfg.shutdown_signal,
        "needs": list(cfg.needs),
        "wait_for": list(cfg.wait_for),
        "log_buffer_capacity_mb": cfg.log_buffer_capacity_mb,
        "log_timestamp": cfg.log_timestamp,
        "use_protocol_data": cfg.use_protocol_data,
        "one_time": cfg.one_time,
    }
    if cfg.run_as is not None:
        out["run_as"] = cfg.run_as
    return out


def job_config_from_json(data: bytes | str, source: str) -> JobConfig:
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ModelError(source, "", f"not valid JSON: {exc}") from None
    return job_config_from_obj(obj, source)


def job_config_to_json(cfg: JobConfig) -> bytes:
    return orjson.dumps(job_config_to_obj(cfg))


def job_status_to_obj(status: JobStatus) -> object:
    if isinstance(status, Pending):
        return {"pending": {"waiting_for": list(status.waiting_for)}}
    if isinstance(status, Finished):
        return {"finished": {"exit_code": status.exit_code, "message": status.message}}
    return "running" if isinstance(status, Running) else "stopped"


def job_status_from_obj(obj: object, source: str) -> JobStatus:
    tag, payload = _tagged(obj, source, "$", ("pending", "running", "finished", "stopped"))
    if tag == "running":
        return Running()
    if tag == "stopped":
        return Stopped()
    if tag == "pending":
        if payload is None:
            return Pending()
        return _convert(payload, Pending, source, "$.pending")  # type: ignore[no-any-return]
    return _convert(payload, Finished, source, "$.finished")  # type: ignore[no-any-return]


def job_progress_from_obj(obj: object, source: str) -> JobProgress:
    return _convert(obj, JobProgress, source, "$")  # type: ignore[no-any-return]


def job_info_to_obj(info: JobInfo) -> dict[str, object]:
    return {
        "status": job_status_to_obj(info.status),
        "progress": None if info.progress is None else msgspec.to_builtins(info.progress),
        "restart_count": info.restart_count,
        "logs": list(info.logs),
        "upgrade_blocking": info.upgrade_blocking,
        "timestamp": info.timestamp,
    }


def job_info_from_obj(obj: object, source: str) -> JobInfo:
    if not isinstance(obj, dict):
        raise ModelError(source, "$", "expected a job info map")
    progress = obj.get("progress")
    logs = obj.get("logs", [])
    if not isinstance(logs, list) or not all(isinstance(x, str) for x in logs):
        raise ModelError(source, "$.logs", "expected a list of strings")
    return JobInfo(
        status=job_status_from_obj(obj.get("status"), source),
        progress=None if progress is None else job_progress_from_obj(progress, source),
        restart_count=_int(obj, "restart_count", source, "$", lo=0, hi=2**63) or 0,
        logs=tuple(logs),
        upgrade_blocking=_bool(obj, "upgrade_blocking", source, False),
        timestamp=float(obj.get("timestamp") or 0.0),
    )


# --- checksum -------------------------------------------------------------------------------

# CRC-32/BZIP2 (poly 0x04C11DB7, not reflected) is the checksum of the original's binary
# streams (§5.1). It equals zlib's reflected CRC-32 computed over bit-reversed bytes, with the
# result bit-reversed: that keeps the per-byte work in C.
_REVERSED_BYTES: Final = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def _reverse32(value: int) -> int:
    return int(f"{value:032b}"[::-1], 2)


def crc32_bzip2(data: bytes, previous: int = 0) -> int:
    """CRC-32/BZIP2 of ``data``; pass the previous result to continue over several chunks."""
    state = zlib.crc32(data.translate(_REVERSED_BYTES), _reverse32(previous) if previous else 0)
    return _reverse32(state)


# --- in-node layout and process identity ------------------------------------------------------
# Shared by babel and the job runner (separate processes, separate zipapps). Every path is under
# ``root`` so tests can run both in a temp dir; inside a node ``root`` is ``/``.


class JobPaths:
    """Files of one job: ``<root>/var/lib/babel/jobs/<name>/``."""

    def __init__(self, jobs_dir: Path, name: str) -> None:
        self.name = name
        self.dir = jobs_dir / name
        self.config = self.dir / "config.json"
        self.status = self.dir / "status.json"
        self.progress = self.dir / "progress.json"
        self.logs = self.dir / "logs"
        # {"pid", "start"} of the job runner; lets a restarted babel re-attach to it.
        self.runner_pid = self.dir / "runner.pid"
        # {"pid", "start"} of the job's process-group leader; lets a new runner or babel kill
        # what a crashed runner left behind.
        self.child_pid = self.dir / "child.pid"


class NodePaths:
    """The in-node paths babel and the job runner use, all below ``root``."""

    def __init__(self, root: str | Path = "/") -> None:
        self.root = Path(root)
        self.babel_socket = self.root / "babel.socket"
        self.engine_socket = self.root / "engine.socket"
        self.babel_dir = self.root / "var/lib/babel"
        self.jobs_dir = self.babel_dir / "jobs"
        self.jobs_monitor_socket = self.babel_dir / "jobs_monitor.socket"
        self.job_runner = self.root / "usr/bin/babel_job_runner"
        self.post_setup = self.babel_dir / "post_setup.sh"
        self.babel_conf = self.root / "etc/babel.conf"

    def job(self, name: str) -> JobPaths:
        return JobPaths(self.jobs_dir, validate_job_name(name))

    def inside(self, node_path: str) -> Path:
        """Map an absolute in-node path (``/blockjoy/x``) to where it is under ``root``."""
        return self.root / node_path.lstrip("/")

    def data_mount_point(self) -> Path:
        """``node_env.data_mount_point`` from babel.conf, default ``/blockjoy``, under root."""
        mount = "/blockjoy"
        try:
            conf = orjson.loads(self.babel_conf.read_bytes())
            value = conf.get("node_env", {}).get("data_mount_point") if isinstance(conf, dict) else None
            if isinstance(value, str) and value:
                mount = value
        except (OSError, orjson.JSONDecodeError, AttributeError):
            pass
        return self.inside(mount)

    def protocol_data_lock(self) -> Path:
        return self.data_mount_point() / ".protocol_data.lock"

    def one_time_backup(self, name: str) -> Path:
        return self.data_mount_point() / ".babel_jobs" / validate_job_name(name)


# Every process of a job carries BABEL_JOB=<name>@<root> in its environment (children inherit it),
# so a job's processes are found even when the runner died before it recorded child.pid, or
# when a process left the job's group and was re-parented to init.
JOB_ENV_VAR: Final = "BABEL_JOB"


def job_env_token(paths: JobPaths) -> str:
    return f"{paths.name}@{paths.dir}"


def processes_with_env(token: str) -> list[int]:
    """Live processes whose environment holds ``BABEL_JOB=<token>`` (root sees all)."""
    needle = f"{JOB_ENV_VAR}={token}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            stat = _read_stat(int(entry.name))
            if stat is not None and stat[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


class ProcessRef(msgspec.Struct, frozen=True):
    """A pid plus its kernel start time, so a recycled pid is never mistaken for ours."""

    pid: int
    start: int

    @classmethod
    def of(cls, pid: int) -> ProcessRef | None:
        start = process_start_ticks(pid)
        return None if start is None else cls(pid, start)

    def alive(self) -> bool:
        """True while the process exists, is not a zombie and is the same process."""
        stat = _read_stat(self.pid)
        return stat is not None and stat[1] == self.start and stat[0] not in ("Z", "X")

    def write(self, path: Path) -> None:
        atomic_write_json(path, {"pid": self.pid, "start": self.start})

    @classmethod
    def read(cls, path: Path) -> ProcessRef | None:
        try:
            return msgspec.convert(orjson.loads(path.read_bytes()), cls)
        except (OSError, orjson.JSONDecodeError, msgspec.ValidationError):
            return None


def _read_stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm may contain spaces and parentheses: fields start after the last ')'.
    fields = text[text.rfind(")") + 2 :].split()
    return fields[0], int(fields[19])


def process_start_ticks(pid: int) -> int | None:
    stat = _read_stat(pid)
    return None if stat is None else stat[1]
