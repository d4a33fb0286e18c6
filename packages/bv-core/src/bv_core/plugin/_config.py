"""PluginConfig: the declarative configuration a plugin returns from ``plugin_config()``.

The shape is the original's (plugin API 2.16): serde without ``deny_unknown_fields``, so
unknown keys are ignored, but types are strict and ``services`` is required. The older
``PLUGIN_CONFIG``/``BASE_CONFIG`` constants deserialize into the same model; ``BaseConfig``
is merged by ``merge_base_config`` (plugin files first, base services become aux services).

``plugin_config_from_value`` is the one entry point: Rhai value -> validated PluginConfig,
raising ``PluginConfigError`` with the original's wording plus the offending field path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from ._errors import PluginConfigError

__all__ = [
    "Actions",
    "AlternativeDownload",
    "AuxService",
    "BaseConfig",
    "ColdInit",
    "ConfigFile",
    "Download",
    "Job",
    "OnFailure",
    "PluginConfig",
    "RestartConfig",
    "Service",
    "Task",
    "Upload",
    "Zstd",
    "base_config_from_value",
    "merge_base_config",
    "plugin_config_from_json",
    "plugin_config_from_value",
    "plugin_config_to_json",
    "plugin_config_to_value",
]

# Rust integer widths of the original fields; negative or oversized values fail to deserialize.
U32 = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
# i64 is the widest a Rhai int can be, so u64 fields only need a lower bound.
U64 = Annotated[int, msgspec.Meta(ge=0)]
I32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]

# The PosixSignal names the original accepts for shutdown_signal.
PosixSignal = Literal[
    "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCLD", "SIGCONT", "SIGEMT", "SIGFPE", "SIGHUP",
    "SIGILL", "SIGINFO", "SIGINT", "SIGIO", "SIGIOT", "SIGKILL", "SIGPIPE", "SIGPOLL", "SIGPROF",
    "SIGPWR", "SIGQUIT", "SIGSEGV", "SIGSTOP", "SIGTSTP", "SIGSYS", "SIGTERM", "SIGTRAP", "SIGTTIN",
    "SIGTTOU", "SIGUNUSED", "SIGURG", "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGXCPU", "SIGXFSZ",
    "SIGWINCH",
]  # fmt: skip

# Reserved job names: the built-in archive jobs (also the name of alternative_download/cold_init).
DOWNLOAD_JOB = "download"
UPLOAD_JOB = "upload"


class _Model(msgspec.Struct, frozen=True, omit_defaults=True):
    """Frozen, unknown keys ignored (serde without deny_unknown_fields)."""


class RestartConfig(_Model, frozen=True):
    backoff_timeout_ms: U64
    backoff_base_ms: U64
    max_retries: U32 | None = None


class OnFailure(_Model, frozen=True):
    """``#{on_failure: RestartConfig}``: the only non-"never" restart policy a Job may use."""

    on_failure: RestartConfig


class ConfigFile(_Model, frozen=True):
    template: str
    destination: str
    params: dict[str, Any]


class Job(_Model, frozen=True):
    name: str
    run_sh: str
    restart: Literal["never"] | OnFailure = "never"
    shutdown_timeout_secs: U64 | None = None
    shutdown_signal: PosixSignal | None = None
    needs: list[str] | None = None
    run_as: str | None = None
    log_buffer_capacity_mb: U64 | None = None
    log_timestamp: bool | None = None
    use_protocol_data: bool | None = None
    one_time: bool | None = None


class Actions(_Model, frozen=True):
    # Both keys are required inside `init`/`pre_upload`, as in the original.
    commands: list[str]
    jobs: list[Job]


class Service(_Model, frozen=True):
    name: str
    run_sh: str
    restart_config: RestartConfig | None = None
    shutdown_timeout_secs: U64 | None = None
    shutdown_signal: PosixSignal | None = None
    run_as: str | None = None
    use_protocol_data: bool = True
    log_buffer_capacity_mb: U64 | None = None
    log_timestamp: bool | None = None


class AuxService(_Model, frozen=True):
    name: str
    run_sh: str
    restart_config: RestartConfig | None = None
    shutdown_timeout_secs: U64 | None = None
    shutdown_signal: PosixSignal | None = None
    run_as: str | None = None
    log_buffer_capacity_mb: U64 | None = None
    log_timestamp: bool | None = None


class Download(_Model, frozen=True):
    restart_config: RestartConfig | None = None
    max_connections: U64 | None = None
    max_runners: U64 | None = None


class AlternativeDownload(_Model, frozen=True):
    run_sh: str
    restart_config: RestartConfig | None = None
    run_as: str | None = None
    log_buffer_capacity_mb: U64 | None = None
    log_timestamp: bool | None = None


class ColdInit(_Model, frozen=True):
    run_sh: str
    restart_config: RestartConfig | None = None
    run_as: str | None = None
    log_buffer_capacity_mb: U64 | None = None
    log_timestamp: bool | None = None
    one_time: bool | None = None


class Zstd(_Model, frozen=True, forbid_unknown_fields=True):
    """``#{ZSTD: level}``."""

    ZSTD: I32


class Upload(_Model, frozen=True):
    restart_config: RestartConfig | None = None
    exclude: list[str] | None = None
    # "NONE" = no compression; missing = ZSTD(3) (applied when the upload job is built).
    compression: Literal["NONE"] | Zstd | None = None
    max_connections: U64 | None = None
    max_runners: U64 | None = None
    number_of_chunks: U64 | None = None
    url_expires_secs: U64 | None = None
    data_version: U64 | None = None


class Task(_Model, frozen=True):
    name: str
    schedule: str
    function: str
    param: str | None = None


class PluginConfig(_Model, frozen=True):
    services: list[Service]
    config_files: list[ConfigFile] | None = None
    aux_services: list[AuxService] | None = None
    init: Actions | None = None
    download: Download | None = None
    alternative_download: AlternativeDownload | None = None
    post_download: list[Job] | None = None
    cold_init: ColdInit | None = None
    pre_upload: Actions | None = None
    upload: Upload | None = None
    post_upload: list[Job] | None = None
    scheduled: list[Task] | None = None

    def validate(self) -> None:
        """The original's checks: unique task names, unique job names across every list."""
        if self.scheduled is not None:
            _unique([t.name for t in self.scheduled], set(), "Scheduled tasks names are not unique")
        # One shared set, seeded with the reserved archive job names, filled in this order.
        seen = {DOWNLOAD_JOB, UPLOAD_JOB}
        groups: list[tuple[list[str], str]] = [
            ([s.name for s in self.aux_services or []], "Auxiliary services"),
            ([j.name for j in (self.init.jobs if self.init else [])], "Init jobs"),
            ([j.name for j in self.post_download or []], "Post-download jobs"),
            ([s.name for s in self.services], "Services"),
            ([j.name for j in (self.pre_upload.jobs if self.pre_upload else [])], "Pre-upload jobs"),
            ([j.name for j in self.post_upload or []], "Post-upload jobs"),
        ]
        for names, what in groups:
            _unique(names, seen, f"{what} names are not unique")


class BaseConfig(_Model, frozen=True):
    """The older ``BASE_CONFIG`` constant / ``base_config()`` function."""

    config_files: list[ConfigFile] | None = None
    services: list[AuxService] | None = None


def _unique(names: list[str], seen: set[str], message: str) -> None:
    for name in names:
        if name in seen:
            raise PluginConfigError(f"{message}: '{name}'")
        seen.add(name)


def _plain(value: Any) -> Any:
    """Rhai value -> plain JSON-like Python (chars are strings, blobs are byte lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytearray | bytes):
        return list(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    raise PluginConfigError(f"unsupported value of type {type(value).__name__} in plugin config")


def plugin_config_from_value(value: Any, what: str = "plugin_config") -> PluginConfig:
    """Deserialize a Rhai map into a validated PluginConfig.

    ``what`` names the source in the message (the original says ``plugin_config`` even when
    the value came from the legacy ``PLUGIN_CONFIG`` constant).
    """
    try:
        config = msgspec.convert(_plain(value), PluginConfig)
    except msgspec.ValidationError as err:
        raise PluginConfigError(
            f"Invalid Rhai script - failed to deserialize {what}: {err}"
        ) from err
    config.validate()
    return config


def base_config_from_value(value: Any) -> BaseConfig:
    try:
        return msgspec.convert(_plain(value), BaseConfig)
    except msgspec.ValidationError as err:
        raise PluginConfigError(
            f"Invalid Rhai script - failed to deserialize BASE_CONFIG: {err}"
        ) from err


def merge_base_config(config: PluginConfig, base: BaseConfig | None) -> PluginConfig:
    """Apply a legacy base config the way 2.16.4 does.

    Files: the plugin's first, then the base's. Aux services are *replaced* by the base
    services (even when the base has none), so A-era plugins keep their default services.
    """
    if base is None:
        return config
    files = (config.config_files or []) + (base.config_files or [])
    merged = msgspec.structs.replace(
        config, config_files=files or None, aux_services=base.services
    )
    merged.validate()
    return merged


def plugin_config_to_value(config: PluginConfig) -> dict[str, Any]:
    """The config as a JSON-like map (what ``config`` prints and ``plugin_config.json`` holds)."""
    value = msgspec.to_builtins(config)
    assert isinstance(value, dict)
    return value


def plugin_config_to_json(config: PluginConfig) -> bytes:
    return msgspec.json.encode(config)


def plugin_config_from_json(data: bytes, source: str) -> PluginConfig:
    """Load a persisted ``plugin_config.json``; errors name ``source``."""
    try:
        config = msgspec.json.decode(data, type=PluginConfig)
    except (msgspec.ValidationError, msgspec.DecodeError) as err:
        raise PluginConfigError(f"{source}: invalid plugin config: {err}") from err
    config.validate()
    return config
