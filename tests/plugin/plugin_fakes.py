"""Hand-written hosts and a local JSON-RPC/REST server for the plugin tests."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bv_core
from bv_core.jobs import JobConfig, JobInfo, Pending, Running, job_config_to_json
from bv_core.plugin import (
    HttpPluginHost,
    HttpResult,
    JrpcRequest,
    LinterHost,
    NodeEnv,
    PluginConfig,
    RestRequest,
    ShResult,
    linter_node_env,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "plugins"
EXAMPLE_NAMES = ("ethereum", "op-stack", "cosmos", "legacy")


def cli_env() -> dict[str, str]:
    """Environment for `python -m bv_core.rhai` subprocesses (bv_core importable)."""
    src = str(Path(bv_core.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bv_core.rhai", *args]


def job_info(status: Any) -> JobInfo:
    return JobInfo(status=status, progress=None, restart_count=0, logs=(), upgrade_blocking=False,
                   timestamp=time.time())


class RecordingHost(LinterHost):
    """The linter's answers, with every call recorded in order as (method, args...)."""

    def __init__(self, node_env: NodeEnv | None = None, node_params: dict[str, str] | None = None,
                 *, archive: bool = True, stamp: float | None = None) -> None:
        super().__init__(node_env or linter_node_env(), node_params)
        self.calls: list[tuple[Any, ...]] = []
        self.jobs: dict[str, JobInfo] = {}
        self.archive = archive
        self.stamp = stamp
        self.saved: PluginConfig | None = None
        self.data: str | None = None
        self.secrets: dict[str, bytes] = {}
        self.sh: dict[str, ShResult] = {}

    def create_job(self, name: str, config: JobConfig) -> None:
        self.calls.append(("create_job", name, json.loads(job_config_to_json(config))))

    def start_job(self, name: str) -> None:
        self.calls.append(("start_job", name))

    def stop_job(self, name: str) -> None:
        self.calls.append(("stop_job", name))

    def stop_all_jobs(self) -> None:
        self.calls.append(("stop_all_jobs",))

    def get_jobs(self) -> dict[str, JobInfo]:
        self.calls.append(("get_jobs",))
        return dict(self.jobs)

    def run_sh(self, body: str, timeout: float | None) -> ShResult:
        self.calls.append(("run_sh", body, timeout))
        return self.sh.get(body, ShResult(0))

    def render_template(self, template: str, destination: str, params_json: str) -> None:
        self.calls.append(("render_template", template, destination, json.loads(params_json)))

    def add_task(self, name: str, schedule: str, function: str, param: str) -> None:
        self.calls.append(("add_task", name, schedule, function, param))

    def has_protocol_archive(self) -> bool:
        self.calls.append(("has_protocol_archive",))
        return self.archive

    def protocol_data_stamp(self) -> float | None:
        self.calls.append(("protocol_data_stamp",))
        return self.stamp

    def save_config(self, config: PluginConfig) -> None:
        self.calls.append(("save_config",))
        self.saved = config

    def load_config(self) -> PluginConfig | None:
        return self.saved

    def save_data(self, value: str) -> None:
        self.data = value

    def load_data(self) -> str:
        if self.data is None:
            raise FileNotFoundError("plugin.data: no data saved yet")
        return self.data

    def put_secret(self, name: str, value: bytes) -> None:
        self.secrets[name] = value

    def get_secret(self, name: str) -> bytes | None:
        return self.secrets.get(name)

    def names(self, method: str) -> list[str]:
        return [c[1] for c in self.calls if c[0] == method]

    def job_configs(self) -> dict[str, dict[str, Any]]:
        return {c[1]: c[2] for c in self.calls if c[0] == "create_job"}


class HttpHost(HttpPluginHost, RecordingHost):
    """Real HTTP for run_jrpc/run_rest; node ports are mapped onto local fake servers."""

    def __init__(self, port_map: dict[int, int], **kwargs: Any) -> None:
        RecordingHost.__init__(self, **kwargs)
        self.port_map = port_map

    def _remap(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        port = self.port_map.get(parts.port or 80)
        if port is None:
            return url
        return urllib.parse.urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))

    def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult:
        self.calls.append(("run_jrpc", request.method))
        remapped = JrpcRequest(self._remap(request.host), request.method, request.params,
                               request.headers)
        return HttpPluginHost.run_jrpc(self, remapped, timeout)

    def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult:
        self.calls.append(("run_rest", request.url))
        return HttpPluginHost.run_rest(self, RestRequest(self._remap(request.url), request.headers),
                                       timeout)


class FakeNodeServer:
    """A JSON-RPC (POST) and REST (GET) server on 127.0.0.1 with a random port.

    ``jrpc[method]`` is the ``result`` to answer (or ``(status, body_text)``);
    ``rest[path]`` is a JSON document to answer (or ``(status, body_text)``).
    """

    def __init__(self) -> None:
        self.jrpc: dict[str, Any] = {}
        self.rest: dict[str, Any] = {}
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, spec: Any) -> None:
                status, body = spec if isinstance(spec, tuple) else (200, json.dumps(spec))
                data = body.encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                doc = json.loads(self.rfile.read(int(self.headers["content-length"])))
                outer.requests.append({"doc": doc, "headers": {k.lower(): v for k, v in self.headers.items()}})
                method = doc["method"]
                if method not in outer.jrpc:
                    self._answer((200, json.dumps({"jsonrpc": "2.0", "id": doc.get("id"),
                                                   "error": {"code": -32601}})))
                    return
                spec = outer.jrpc[method]
                if isinstance(spec, tuple):
                    self._answer(spec)
                else:
                    self._answer({"jsonrpc": "2.0", "id": doc.get("id"), "result": spec})

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
                self._answer(outer.rest.get(self.path, (404, "{}")))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        # A short poll interval keeps shutdown (and so each test's teardown) fast.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> FakeNodeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


__all__ = [
    "EXAMPLES", "EXAMPLE_NAMES", "FakeNodeServer", "HttpHost", "Pending", "RecordingHost",
    "Running", "cli", "cli_env", "job_info",
]
