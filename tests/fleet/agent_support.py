"""A connected-mode agent assembled from the fleet pieces, plus a recording node handler.

``running_agent`` wires FleetClient + CommandLoop + MqttDoorbell the way the daemon does, so the
command-loop tests exercise the real pieces over real gRPC and a real broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt

from bv_core.errors import NotFound
from bv_core.models import NodeState
from bv_daemon.fleet.client import FleetClient, RetryPolicy, Tokens
from bv_daemon.fleet.commands import (
    Bell,
    BlockingJobRunning,
    CommandLoop,
    ServiceStatus,
    UpgradeFailed,
    UpgradeRolledBack,
)
from bv_daemon.fleet.mqtt import MqttDoorbell, MqttProtocol, commands_topic
from tests.fakes.fleet_api import FakeFleetApi


@dataclass
class RecordingHandler:
    """Idempotent in effect (``nodes``), every invocation recorded in ``calls``."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    nodes: dict[str, str] = field(default_factory=dict)  # node id -> "running" / "stopped"
    states: dict[str, NodeState] = field(default_factory=dict)
    upgrade_outcome: str = "ok"  # ok / blocking / rollback / failure
    gate: asyncio.Event | None = None  # when set, start() waits on it (to crash mid-command)
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    def _known(self, node_id: str) -> None:
        if node_id not in self.nodes:
            raise NotFound(f"node {node_id} not found")

    async def create(self, node: Any, state: NodeState) -> None:
        self.calls.append(("create", str(state.id)))
        self.nodes.setdefault(str(state.id), "stopped")
        self.states[str(state.id)] = state

    async def delete(self, node_id: str) -> None:
        self.calls.append(("delete", node_id))
        self._known(node_id)
        del self.nodes[node_id]

    async def start(self, node_id: str) -> None:
        self.calls.append(("start", node_id))
        self._known(node_id)
        if self.gate is not None:
            self.entered.set()
            await self.gate.wait()
        self.nodes[node_id] = "running"

    async def stop(self, node_id: str) -> None:
        self.calls.append(("stop", node_id))
        self._known(node_id)
        self.nodes[node_id] = "stopped"

    async def restart(self, node_id: str) -> None:
        self.calls.append(("restart", node_id))
        self._known(node_id)
        self.nodes[node_id] = "running"

    async def upgrade(self, node: Any, state: NodeState) -> None:
        self.calls.append(("upgrade", str(state.id)))
        self._known(str(state.id))
        if self.upgrade_outcome == "blocking":
            raise BlockingJobRunning()
        if self.upgrade_outcome == "rollback":
            raise UpgradeRolledBack("disk full")
        if self.upgrade_outcome == "failure":
            raise UpgradeFailed("disk full", "rootfs gone")
        self.states[str(state.id)] = state

    async def update(self, update: Any) -> None:
        self.calls.append(("update", update.node_id))
        self._known(update.node_id)


@dataclass
class Agent:
    client: FleetClient
    loop: CommandLoop
    doorbell: MqttDoorbell
    bell: Bell


@contextlib.asynccontextmanager
async def running_agent(
    api: FakeFleetApi, host_id: str, tokens: tuple[str, str], cache: Path,
    handler: RecordingHandler, broker_url: str, *, protocol: MqttProtocol = MqttProtocol.V5,
    poll: float = 0.2, retry_delay: float = 0.2, attempts: int = 4,
    status: Callable[[], ServiceStatus] = lambda: ServiceStatus.OK,
) -> AsyncIterator[Agent]:
    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    client = FleetClient(api.url, Tokens(*tokens), retry=RetryPolicy(attempts=attempts),
                         sleep=no_sleep)
    bell = Bell()
    loop = CommandLoop(client, host_id, handler, cache, retry_delay=retry_delay,
                       max_retry_delay=retry_delay * 4, service_status=status)

    async def url() -> str:
        return broker_url

    doorbell = MqttDoorbell(host_id, bell.ring, broker_url=url, token=client.valid_token,
                            protocol=protocol, retry_interval=poll)
    async with client:
        tasks = [asyncio.create_task(loop.run(bell)), asyncio.create_task(doorbell.run())]
        try:
            yield Agent(client, loop, doorbell, bell)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def mqtt_notifier(api: FakeFleetApi, broker_url: str) -> AsyncIterator[aiomqtt.Client]:
    """Make the fake API publish on the host's command topic like the real server."""
    host, port = broker_url.removeprefix("mqtt://").split(":")
    async with aiomqtt.Client(host, int(port), identifier=f"fake-api-{id(api)}") as pub:
        async def notify(host_id: str, payload: bytes) -> None:
            await pub.publish(commands_topic(host_id), payload, qos=1)

        api.notifier = notify
        try:
            yield pub
        finally:
            api.notifier = None


async def wait_until(predicate: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.02)
