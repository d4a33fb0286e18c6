"""`PluginHost` for one node: the host functions a running plugin calls (bv-host.md §2.10a).

Plugin calls run in a worker thread (the Rhai engine is synchronous); each host function that
needs babel is bridged back to the daemon's event loop with ``run_coroutine_threadsafe`` and
waited for in the worker. Functions answered on the host (node facts, plugin data, scheduler,
logging) do not touch the loop except to hand a scheduler change over.

Secrets and archives (bv-host-2.16.md §3.6): in connected mode a non-dev node's
``get_secret``/``put_secret`` go to the fleet API's CryptService (``secrets`` returns the
daemon's `FleetClient`), and ``has_protocol_archive`` asks the runtime's archive gateway
(also in standalone mode when a local archive store is configured). Dev nodes, and standalone
mode for secrets, keep the original's dev-mode answers: ``get_secret`` answers ``dev-secret``,
``put_secret`` does nothing, ``has_protocol_archive`` is false. In connected mode while the fleet
client is not open (daemon start-up or shutdown) these calls raise ``ExternalError`` rather than
give a dev-mode answer to a production node.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bv_core.errors import ExternalError, InvalidInput, NotFound
from bv_core.jobs import JobConfig, JobInfo
from bv_core.models import NodeImage
from bv_core.persistence import atomic_write
from bv_core.plugin import (
    HttpResult,
    JrpcRequest,
    LogLevel,
    NodeEnv,
    PluginConfig,
    RestRequest,
    ShResult,
    plugin_config_from_json,
    plugin_config_to_json,
)
from bv_daemon.babel_client import BabelClient
from bv_daemon.scheduler import ScheduledTask, Scheduler

if TYPE_CHECKING:
    from bv_daemon.archive_gateway import ArchiveGateway

__all__ = ["DEV_SECRET", "NodeFacts", "NodePluginHost", "SecretStore"]

log = logging.getLogger("bv_daemon.plugin")

DEV_SECRET = b"dev-secret"
T = TypeVar("T")

_LEVELS = {
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.WARN: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
}


class SecretStore(Protocol):
    """Node secrets kept by the fleet API (``FleetClient`` implements it)."""

    async def get_secret(self, node_id: str, key: str) -> bytes | None: ...

    async def put_secret(self, node_id: str, key: str, value: bytes) -> None: ...


@dataclass
class NodeFacts:
    """What the plugin may read about its node; the node refreshes it on every state change."""

    env: NodeEnv
    params: dict[str, str]
    node_dir: Path
    data_dir: Path
    image: NodeImage | None = None  # the node's current image: its archive keys


def _none() -> None:
    return None


class NodePluginHost:
    """One node's host functions. Construct on the event loop; call from worker threads."""

    def __init__(
        self,
        facts: Callable[[], NodeFacts],
        babel: BabelClient,
        scheduler: Scheduler | None,
        loop: asyncio.AbstractEventLoop,
        *,
        secrets: Callable[[], SecretStore | None] = _none,
        archives: Callable[[], ArchiveGateway | None] = _none,
    ) -> None:
        self._facts = facts
        self._babel = babel
        self._scheduler = scheduler
        self._loop = loop
        self._secrets = secrets  # read per call: connected mode sets them after nodes attach
        self._archives = archives

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    @property
    def _node_id(self) -> str:
        return self._facts().env.node_id

    # -- jobs -----------------------------------------------------------------------------------
    def create_job(self, name: str, config: JobConfig) -> None:
        name = name.strip()
        if not name:
            raise InvalidInput("job name must not be empty")
        self._run(self._babel.create_job(name, config))

    def start_job(self, name: str) -> None:
        self._run(self._babel.start_job(name))

    def stop_job(self, name: str) -> None:
        self._run(self._babel.stop_job(name))

    def stop_all_jobs(self) -> None:
        self._run(self._babel.stop_all_jobs())

    def job_info(self, name: str) -> JobInfo:
        return self._run(self._babel.job_info(name))

    def get_jobs(self) -> dict[str, JobInfo]:
        return self._run(self._babel.get_jobs())

    # -- commands -------------------------------------------------------------------------------
    def run_sh(self, body: str, timeout: float | None) -> ShResult:
        return self._run(self._babel.run_sh(body, timeout))

    def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult:
        return self._run(self._babel.run_rest(request, timeout))

    def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult:
        return self._run(self._babel.run_jrpc(request, timeout))

    def render_template(self, template: str, destination: str, params_json: str) -> None:
        self._run(self._babel.render_template(template, destination, params_json))

    def file_read(self, path: str) -> bytes:
        return self._run(self._babel.file_read(path))

    def file_write(self, path: str, content: bytes) -> None:
        self._run(self._babel.file_write(path, content))

    # -- node facts -----------------------------------------------------------------------------
    def node_env(self) -> NodeEnv:
        return self._facts().env

    def node_params(self) -> dict[str, str]:
        return dict(self._facts().params)

    # -- plugin data and secrets ----------------------------------------------------------------
    def save_data(self, value: str) -> None:
        atomic_write(self._facts().node_dir / "plugin.data", value.encode())

    def load_data(self) -> str:
        path = self._facts().node_dir / "plugin.data"
        try:
            return path.read_text()
        except FileNotFoundError:
            raise NotFound(f"no plugin data saved for node {self._node_id}") from None

    def _secret_store(self) -> SecretStore | None:
        """The fleet API's secrets, or None for dev-mode answers (dev node or standalone)."""
        env = self._facts().env
        if env.dev_mode or not env.bv_api_url:
            return None
        store = self._secrets()
        if store is None:  # connected mode, but the fleet client is not open (start/shutdown)
            raise ExternalError(f"node {env.node_id}: the fleet API connection is not open; "
                                "secrets are unavailable right now")
        return store

    def put_secret(self, name: str, value: bytes) -> None:
        store = self._secret_store()
        if store is None:
            return None  # dev-mode rules: no secret store
        self._run(store.put_secret(self._node_id, name, value))

    def get_secret(self, name: str) -> bytes | None:
        store = self._secret_store()
        if store is None:
            return DEV_SECRET
        return self._run(store.get_secret(self._node_id, name))

    # -- scheduler ------------------------------------------------------------------------------
    def add_task(self, name: str, schedule: str, function: str, param: str) -> None:
        if self._scheduler is None:
            raise InvalidInput("scheduled tasks are not available here")
        task = ScheduledTask(self._node_id, name, schedule, function, param)
        scheduler = self._scheduler
        self._run(_on_loop(lambda: scheduler.add(task)))

    def delete_task(self, name: str) -> None:
        if self._scheduler is None:
            return
        scheduler, node_id = self._scheduler, self._node_id
        self._run(_on_loop(lambda: scheduler.delete(node_id, name)))

    # -- protocol data --------------------------------------------------------------------------
    def has_protocol_archive(self) -> bool:
        facts = self._facts()
        if facts.env.dev_mode or facts.image is None:
            return False  # dev-mode rules
        gateway = self._archives()
        if gateway is None:
            if facts.env.bv_api_url:  # connected, but the fleet client is not open
                raise ExternalError(f"node {facts.env.node_id}: the fleet API connection is not "
                                    "open; cannot tell whether an archive exists")
            return False  # standalone without an archive store
        return self._run(gateway.has_archive(facts.image))

    def protocol_data_stamp(self) -> float | None:
        try:
            return (self._facts().data_dir / ".protocol_data.lock").stat().st_mtime
        except FileNotFoundError:
            return None

    # -- plugin config --------------------------------------------------------------------------
    def save_config(self, config: PluginConfig) -> None:
        atomic_write(self._facts().node_dir / "plugin_config.json", plugin_config_to_json(config))

    def load_config(self) -> PluginConfig | None:
        path = self._facts().node_dir / "plugin_config.json"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        return plugin_config_from_json(data, str(path))

    # -- logging --------------------------------------------------------------------------------
    def log(self, level: LogLevel, message: str) -> None:
        log.log(_LEVELS.get(level, logging.INFO), "node_id: %s|%s", self._node_id, message)


async def _on_loop(fn: Callable[[], None]) -> None:
    # The scheduler's asyncio.Event must be touched on its own loop.
    fn()
