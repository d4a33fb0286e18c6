"""Binding of a ``PluginHost`` into a Rhai engine: the engine functions plugins call.

Names, arities and Rhai argument types are the original's (plugin-api-2.16.md §4). The pure
helpers (parse_json, parse_hex, sanitize_sh_param, the response objects...) are the engine's
standard library (``bv_core.rhai._stdlib.blockvisor``); this module binds what needs a host. A call
with arguments of other types is "function not found" (``NoMatch``), as in Rhai. Anything a
host method raises becomes a catchable Rhai error carrying ``str(err)`` (``RuntimeFault``),
except engine errors (limits), which pass through untouched.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from ..jobs import JobInfo, job_config_from_obj, job_info_to_obj
from ..rhai._errors import RhaiError
from ..rhai._registry import NoMatch, RuntimeFault
from ..rhai._stdlib.blockvisor import HttpResponse, ShResponse
from ..rhai._values import Char
from ._errors import PluginError
from ._host import HttpResult, JrpcRequest, LogLevel, PluginHost, RestRequest, ShResult

if TYPE_CHECKING:
    from ..rhai import Engine

__all__ = ["bind_host", "job_info_value", "params_json", "to_plain"]


def to_plain(value: Any) -> Any:
    """A Rhai value as plain JSON-like Python (chars -> str, blobs -> byte lists)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, Char):
        return str(value)
    if isinstance(value, bytearray | bytes):
        return list(value)
    return value


def params_json(params: dict[str, Any]) -> str:
    """Template params as JSON, keys sorted like Rhai's ``format_map_as_json`` (BTreeMap)."""
    return orjson.dumps(params, option=orjson.OPT_SORT_KEYS).decode()


def job_info_value(info: JobInfo) -> dict[str, Any]:
    """JobInfo as the Rhai map the original gives (timestamp as a SystemTime map)."""
    value = job_info_to_obj(info)
    frac, secs = math.modf(info.timestamp)
    value["timestamp"] = {"secs_since_epoch": int(secs), "nanos_since_epoch": int(frac * 1e9)}
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):  # Char is a str subclass, as Rhai accepts &str from char
        raise NoMatch()
    return str(value)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise NoMatch()
    return value


def _map(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NoMatch()
    return value


def _blob(value: Any) -> bytes:
    if not isinstance(value, bytearray | bytes):
        raise NoMatch()
    return bytes(value)


def _timeout(value: Any) -> float:
    secs = _int(value)
    if secs < 0:
        raise RuntimeFault(f"invalid timeout: {secs}")
    return float(secs)


def _headers(req: dict[str, Any]) -> list[tuple[str, str]]:
    """Headers as an array of [name, value] pairs, or as a map (both forms are accepted)."""
    raw = req.get("headers")
    if raw is None:
        return []
    if isinstance(raw, dict):
        return [(str(k), _header_value(v)) for k, v in raw.items()]
    if isinstance(raw, list):
        pairs = []
        for item in raw:
            if not (isinstance(item, list) and len(item) == 2):
                raise RuntimeFault("invalid headers: expected [name, value] pairs or a map")
            pairs.append((_header_value(item[0]), _header_value(item[1])))
        return pairs
    raise RuntimeFault("invalid headers: expected [name, value] pairs or a map")


def _header_value(value: Any) -> str:
    if not isinstance(value, str):
        raise RuntimeFault(f"invalid header value: {value!r}")
    return str(value)


def _jrpc_request(req: dict[str, Any]) -> JrpcRequest:
    host, method = req.get("host"), req.get("method")
    if not isinstance(host, str):
        raise RuntimeFault("invalid jrpc request: missing field `host`")
    if not isinstance(method, str):
        raise RuntimeFault("invalid jrpc request: missing field `method`")
    params = req.get("params")
    if params is not None and not isinstance(params, dict | list):
        raise RuntimeFault("unsupported jrpc params type")
    return JrpcRequest(
        host=str(host),
        method=str(method),
        params=None if params is None else to_plain(params),
        headers=_headers(req),
    )


def _rest_request(req: dict[str, Any]) -> RestRequest:
    url = req.get("url")
    if not isinstance(url, str):
        raise RuntimeFault("invalid rest request: missing field `url`")
    return RestRequest(url=str(url), headers=_headers(req))


def _http_response(result: HttpResult) -> HttpResponse:
    return HttpResponse(result.status_code, result.body)


def _sh_response(result: ShResult) -> ShResponse:
    return ShResponse(result.exit_code, result.stdout, result.stderr)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Host failures become catchable script errors; engine errors pass through."""

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except (RhaiError, NoMatch, RuntimeFault):
            raise
        except Exception as err:  # any host failure is the script's to handle, like anyhow
            raise RuntimeFault(str(err) or type(err).__name__) from err

    return call


def bind_host(
    engine: Engine,
    host: PluginHost,
    default_init: Callable[[], None],
    default_upload: Callable[[], None],
) -> None:
    """Register every engine function of ``host`` into ``engine``."""

    def reg(name: str, arity: int, fn: Callable[..., Any]) -> None:
        engine.register_fn(name, _guard(fn), arity)

    # -- jobs -------------------------------------------------------------------------------
    def create_job(name: Any, config: Any) -> None:
        job_name = _str(name).strip()
        obj = to_plain(_map(config))
        if not job_name:
            raise RuntimeFault("empty job name is not allowed")
        host.create_job(job_name, job_config_from_obj(obj, f"job '{job_name}' config"))

    def start_job(name: Any) -> None:
        host.start_job(_str(name).strip())

    def create_and_start_job(name: Any, config: Any) -> None:
        create_job(name, config)
        host.start_job(_str(name).strip())

    reg("create_job", 2, create_job)
    reg("start_job", 1, start_job)
    reg("start_job", 2, create_and_start_job)
    reg("stop_job", 1, lambda name: host.stop_job(_str(name).strip()))
    reg("job_info", 1, lambda name: job_info_value(host.job_info(_str(name).strip())))
    reg("get_jobs", 0, lambda: {n: job_info_value(i) for n, i in host.get_jobs().items()})

    # -- requests and commands inside the node -----------------------------------------------
    reg("run_jrpc", 1, lambda req: _http_response(host.run_jrpc(_jrpc_request(_map(req)), None)))
    reg(
        "run_jrpc",
        2,
        lambda req, t: _http_response(host.run_jrpc(_jrpc_request(_map(req)), _timeout(t))),
    )
    reg("run_rest", 1, lambda req: _http_response(host.run_rest(_rest_request(_map(req)), None)))
    reg(
        "run_rest",
        2,
        lambda req, t: _http_response(host.run_rest(_rest_request(_map(req)), _timeout(t))),
    )
    reg("run_sh", 1, lambda body: _sh_response(host.run_sh(_str(body), None)))
    reg("run_sh", 2, lambda body, t: _sh_response(host.run_sh(_str(body), _timeout(t))))
    reg(
        "render_template",
        3,
        lambda tpl, dst, params: host.render_template(
            _str(tpl), _str(dst), params_json(to_plain(_map(params)))
        ),
    )
    reg("file_write", 2, lambda path, content: host.file_write(_str(path), _blob(content)))
    reg("file_read", 1, lambda path: bytearray(host.file_read(_str(path))))

    # -- node facts, state, secrets ------------------------------------------------------------
    reg("node_env", 0, lambda: host.node_env().to_value())
    reg("node_params", 0, lambda: dict(host.node_params()))
    reg("save_data", 1, lambda value: host.save_data(_str(value)))
    reg("load_data", 0, host.load_data)
    reg("put_secret", 2, lambda name, value: host.put_secret(_str(name), _blob(value)))

    def get_secret(name: Any) -> bytearray:
        secret = host.get_secret(_str(name))
        if secret is None:
            raise RuntimeFault("not_found")
        return bytearray(secret)

    reg("get_secret", 1, get_secret)

    # -- scheduler ----------------------------------------------------------------------------
    reg("add_task", 3, lambda n, s, f: host.add_task(_str(n), _str(s), _str(f), ""))
    reg("add_task", 4, lambda n, s, f, p: host.add_task(_str(n), _str(s), _str(f), _str(p)))
    reg("delete_task", 1, lambda name: host.delete_task(_str(name)))

    # -- logging --------------------------------------------------------------------------------
    # debug() is the engine's own (routed through Engine.on_debug by RhaiPlugin).
    for level in (LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR):
        reg(level.value, 1, functools.partial(_log, host, level))

    # -- built-in algorithms ----------------------------------------------------------------
    reg("default_init", 0, _plugin_errors(default_init))
    reg("default_upload", 0, _plugin_errors(default_upload))


def _log(host: PluginHost, level: LogLevel, message: Any) -> None:
    host.log(level, message if isinstance(message, str) else str(message))


def _plugin_errors(fn: Callable[[], None]) -> Callable[[], None]:
    """default_init()/default_upload() failures are catchable script errors too."""

    def call() -> None:
        try:
            fn()
        except PluginError as err:
            raise RuntimeFault(str(err)) from err

    return call
