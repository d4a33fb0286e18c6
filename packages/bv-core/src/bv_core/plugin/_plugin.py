"""``RhaiPlugin``: one node's plugin script bound to its host, with both API generations.

Lifecycle (plugin-api-2.16.md §1-§3, §8.2):

* Construction compiles ``main.rhai`` (modules are imported when the top level runs) and
  loads the persisted config from the host; it never evaluates the config.
* ``init()`` reloads the config (``plugin_config()``, else the legacy ``PLUGIN_CONFIG`` with
  ``BASE_CONFIG``/``base_config()`` merged), saves it, then calls the script's ``init`` or
  runs the built-in one. ``upload()`` is the same without the reload.
* Every call runs the script's top level again in a fresh scope (the engine does that in
  ``call_fn``), so plugin state only lives through ``save_data``/``load_data``.
* Calls are serialised per plugin (one engine, one lock); the engine's limits stop runaway
  scripts with ``PluginLimitError``.
"""

from __future__ import annotations

import enum
import threading
from pathlib import Path
from typing import Any, Literal, final

import msgspec
import orjson

from ..jobs import Pending, Running
from ..rhai import Engine
from ..rhai._errors import RhaiError, RhaiLimitError
from ..rhai._limits import Limits
from ..rhai._values import type_name
from ._binding import bind_host
from ._config import (
    DOWNLOAD_JOB,
    UPLOAD_JOB,
    BaseConfig,
    PluginConfig,
    base_config_from_value,
    merge_base_config,
    plugin_config_from_value,
)
from ._defaults import run_default_init, run_default_upload
from ._errors import (
    MethodNotFound,
    PluginCallError,
    PluginConfigError,
    PluginLimitError,
    PluginLoadError,
)
from ._host import LogLevel, PluginHost
from ._scan import reads_variable, top_level_constants

__all__ = ["MAIN_FILE", "ApiGeneration", "ProtocolStatus", "RhaiPlugin"]

MAIN_FILE = "main.rhai"
# Name of the helper function appended to legacy scripts to read their top-level constants.
_LEGACY_FN = "__bv_legacy_constants__"
_LEGACY_DATA_PATH = "BLOCKCHAIN_DATA_PATH"


class ApiGeneration(enum.Enum):
    PLUGIN_CONFIG_FN = "plugin_config"  # fn plugin_config() (images for 2.16)
    LEGACY_CONSTANTS = "legacy"  # const PLUGIN_CONFIG / BASE_CONFIG (images for 2.5)
    NONE = "none"  # no config: the script must define init() itself


class ProtocolStatus(msgspec.Struct, frozen=True):
    state: str
    health: Literal["healthy", "neutral", "unhealthy"]

    def to_json(self) -> str:
        return msgspec.json.encode(self).decode()


_UPLOADING = ProtocolStatus("uploading", "neutral")
_DOWNLOADING = ProtocolStatus("downloading", "neutral")
_STARTING = ProtocolStatus("starting", "neutral")


@final
class RhaiPlugin:
    """The plugin of one node: ``plugin_dir`` holds ``main.rhai`` and the modules it imports."""

    def __init__(self, plugin_dir: Path, host: PluginHost, *, limits: Limits | None = None) -> None:
        self.plugin_dir = Path(plugin_dir)
        self.host = host
        self.main_path = self.plugin_dir / MAIN_FILE
        self._lock = threading.RLock()
        self._engine = Engine(limits=limits, module_dir=self.plugin_dir)
        bind_host(self._engine, host, self.default_init, self.default_upload)
        # print and debug go to the plugin log (the original logs debug, prints to stdout).
        self._engine.on_print = lambda text: host.log(LogLevel.INFO, text)
        self._engine.on_debug = lambda text: host.log(LogLevel.DEBUG, text)
        try:
            source = self.main_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise PluginLoadError(f"cannot read plugin {self.main_path}: {err}") from err
        self._ast = self._compile(source)
        constants = top_level_constants(self._ast)
        self._legacy_names = [n for n in ("PLUGIN_CONFIG", "BASE_CONFIG") if n in constants]
        if reads_variable(self._ast, _LEGACY_DATA_PATH) or self._legacy_names:
            self._ast = self._compile(self._legacy_source(source))
        # The persisted config makes capabilities and status overrides work before init.
        try:
            self.config: PluginConfig | None = host.load_config()
        except Exception as err:  # unreadable means "no config yet" (the original's .ok())
            host.log(LogLevel.WARN, f"saved plugin config ignored: {err}")
            self.config = None

    # -- loading ----------------------------------------------------------------------------
    def _compile(self, source: str) -> Any:
        try:
            return self._engine.compile(source, str(self.main_path))
        except RhaiError as err:
            raise PluginLoadError(f"Rhai syntax error: {err}") from err

    def _legacy_source(self, source: str) -> str:
        """Shims for plugins of the older API, added without moving any line.

        * ``BLOCKCHAIN_DATA_PATH`` is defined before the script's first statement, on line 1
          (so only columns of line 1 shift, and only in scripts that read that variable).
        * A helper function appended at the end returns the legacy constants, which
          ``global::`` makes visible from functions after the top level has run.
        """
        prefix = ""
        if reads_variable(self._ast, _LEGACY_DATA_PATH):
            path = self.host.node_env().protocol_data_path
            prefix = f"let {_LEGACY_DATA_PATH} = {orjson.dumps(path).decode()}; "
        fields = ", ".join(f"{n}: global::{n}" for n in self._legacy_names)
        suffix = f"\nfn {_LEGACY_FN}() {{ #{{{fields}}} }}\n" if self._legacy_names else ""
        return prefix + source + suffix

    # -- introspection ----------------------------------------------------------------------
    def has_fn(self, name: str, arity: int) -> bool:
        return bool(self._engine.has_fn(self._ast, name, arity))

    def _fn_names(self) -> set[str]:
        return {n for n, _ in self._engine.fn_names(self._ast) if n != _LEGACY_FN}

    @property
    def api_generation(self) -> ApiGeneration:
        if self.has_fn("plugin_config", 0):
            return ApiGeneration.PLUGIN_CONFIG_FN
        if "PLUGIN_CONFIG" in self._legacy_names:
            return ApiGeneration.LEGACY_CONSTANTS
        return ApiGeneration.NONE

    def capabilities(self) -> list[str]:
        """Callable methods: every script function, plus init/upload when there is a config."""
        names = self._fn_names()
        if self.config is not None:
            names |= {"init", "upload"}
        return sorted(names)

    # -- calling ----------------------------------------------------------------------------
    def _call(self, name: str, args: list[Any]) -> Any:
        with self._lock:
            try:
                return self._engine.call_fn(self._ast, name, args)
            except RhaiLimitError as err:
                raise PluginLimitError(f"Rhai function '{name}' was stopped: {err}") from err
            except RhaiError as err:
                raise PluginCallError(f"Rhai function '{name}' returned error: {err}") from err

    def _call_typed(self, name: str, kind: type, what: str) -> Any:
        value = self._call(name, [])
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise PluginCallError(
                f"Rhai function '{name}' returned {type_name(value)}, expected {what}"
            )
        return value

    # -- configuration ----------------------------------------------------------------------
    def evaluate_config(self) -> PluginConfig | None:
        """Run the script and build its config; None when it declares none. Nothing is saved."""
        if self.has_fn("plugin_config", 0):
            return plugin_config_from_value(self._call("plugin_config", []))
        if not self._legacy_names and not self.has_fn("base_config", 0):
            # Run the top level anyway: its errors are the script's errors (as run_ast).
            self._run_top_level()
            return None
        constants: dict[str, Any] = (
            self._call(_LEGACY_FN, []) if self._legacy_names else {}
        )
        if "PLUGIN_CONFIG" not in constants:
            return None
        config = plugin_config_from_value(constants["PLUGIN_CONFIG"])
        base: BaseConfig | None = None
        if self.has_fn("base_config", 0):
            base = base_config_from_value(self._call("base_config", []))
        elif "BASE_CONFIG" in constants:
            base = base_config_from_value(constants["BASE_CONFIG"])
        return merge_base_config(config, base)

    def _run_top_level(self) -> None:
        with self._lock:
            try:
                self._engine.run(self._ast)
            except RhaiLimitError as err:
                raise PluginLimitError(f"Rhai script was stopped: {err}") from err
            except RhaiError as err:
                raise PluginCallError(str(err)) from err

    def reload_plugin_config(self) -> PluginConfig | None:
        """Evaluate the config, persist it through the host and keep it in memory."""
        config = self.evaluate_config()
        if config is not None:
            self.host.save_config(config)
        self.config = config
        return config

    def _require_config(self) -> PluginConfig:
        if self.config is None:
            raise PluginConfigError("Missing plugin_config function")
        return self.config

    def default_init(self) -> None:
        run_default_init(self._require_config(), self.host)

    def default_upload(self) -> None:
        run_default_upload(self._require_config(), self.host)

    # -- the Plugin interface ---------------------------------------------------------------
    def _script_fn_arity(self, name: str) -> int | None:
        for arity in range(4):
            if self.has_fn(name, arity):
                return arity
        return None

    def init(self) -> None:
        self.reload_plugin_config()
        arity = self._script_fn_arity("init")
        if arity is None:
            self.default_init()
        else:
            # Legacy plugins declare init(param): they get one empty map.
            self._call("init", [] if arity == 0 else [{}])

    def upload(self) -> None:
        arity = self._script_fn_arity("upload")
        if arity is None:
            self.default_upload()
        elif arity == 0:
            self._call("upload", [])
        else:
            # Legacy upload(param) gets "" and returns a string that is ignored.
            self._call("upload", [""])

    def protocol_status(self) -> ProtocolStatus:
        jobs = self.host.get_jobs()
        if UPLOAD_JOB in jobs and isinstance(jobs[UPLOAD_JOB].status, Running):
            return _UPLOADING
        if DOWNLOAD_JOB in jobs and isinstance(jobs[DOWNLOAD_JOB].status, Running):
            return _DOWNLOADING
        if self.config is not None:
            for service in self.config.services:
                info = jobs.get(service.name)
                if info is not None and isinstance(info.status, Pending):
                    return _STARTING
        if not self.has_fn("protocol_status", 0) and self.has_fn("application_status", 0):
            state = self._call_typed("application_status", str, "a string")
            return ProtocolStatus(str(state), "neutral")
        value = self._call("protocol_status", [])
        try:
            return msgspec.convert(value, ProtocolStatus)
        except msgspec.ValidationError as err:
            raise PluginCallError(
                f"Rhai function 'protocol_status' returned an invalid status: {err}"
            ) from err

    def height(self) -> int:
        return self._unsigned("height")

    def block_age(self) -> int:
        return self._unsigned("block_age")

    def _unsigned(self, name: str) -> int:
        value: int = self._call_typed(name, int, "an integer")
        if value < 0:
            raise PluginCallError(f"Rhai function '{name}' returned a negative value: {value}")
        return value

    def name(self) -> str:
        return str(self._call_typed("name", str, "a string"))

    def address(self) -> str:
        return str(self._call_typed("address", str, "a string"))

    def consensus(self) -> bool:
        return bool(self._call_typed("consensus", bool, "a bool"))

    def call_custom_method(self, name: str, param: str) -> str:
        """A 1-parameter function gets ``param``; a 0-parameter one only an empty param."""
        if self.has_fn(name, 1):
            args: list[Any] = [param]
        elif param == "" and self.has_fn(name, 0):
            args = []
        else:
            raise MethodNotFound(f"no matching method '{name}' found")
        value = self._call(name, args)
        if not isinstance(value, str):
            raise PluginCallError(
                f"Rhai function '{name}' returned {type_name(value)}, expected a string"
            )
        return str(value)

    def call_method(self, name: str, param: str = "") -> str:
        """BlockVisor's dispatch by name (CLI ``bv node run``, scheduled tasks): text result."""
        if name == "init":
            self.init()
            return ""
        if name == "upload":
            self.upload()
            return "null"
        if name in ("height", "block_age"):
            return str(self.height() if name == "height" else self.block_age())
        if name == "consensus":
            return "true" if self.consensus() else "false"
        if name in ("protocol_status", "application_status"):
            return self.protocol_status().to_json()
        return self.call_custom_method(name, param)
