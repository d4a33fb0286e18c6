"""Connected-mode test support: `ConnectedDaemon` (a Daemon joined to the fake fleet API),
`UfwSandbox` (ufw confined to a test netns with private config) and small helpers.
Fixtures that build them are in ``tests/connected/conftest.py``.
"""

from __future__ import annotations

import asyncio
import shlex
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomqtt

from bv_core.proto.blockjoy.common.v1 import host_pb2 as common_host_pb2
from bv_core.proto.blockjoy.v1 import command_pb2
from tests.e2e.daemon_support import Daemon
from tests.fakes.fleet_api import ORG_ID, FakeFleetApi
from tests.fakes.mqtt_broker import Mosquitto

__all__ = ["ConnectedDaemon", "UfwSandbox", "start_unknown_node"]

# in a fresh mount namespace: private /etc/ufw + /etc/default/ufw, then ufw inside the netns
_WRAPPER = ('mount --bind "$0/etc-ufw" /etc/ufw && mount --bind "$0/default-ufw" /etc/default/ufw'
            ' && ns="$1" && shift && exec ip netns exec "$ns" ufw "$@"')


def _publish(url: str, topic: str, payload: bytes) -> None:
    host, port = url.removeprefix("mqtt://").rsplit(":", 1)

    async def go() -> None:
        async with aiomqtt.Client(host, int(port), identifier=f"test-{uuid.uuid4().hex[:8]}") as c:
            await c.publish(topic, payload, qos=1)

    asyncio.run(go())


@dataclass
class UfwSandbox:
    ns: str
    state: Path

    @property
    def command(self) -> str:
        return shlex.join(["unshare", "--mount", "--propagation", "private", "sh", "-c", _WRAPPER,
                           str(self.state), self.ns])

    def rules(self) -> str:
        """ufw's stored rule tuples, comments decoded (ufw keeps them hex-encoded)."""
        out = []
        for line in (self.state / "etc-ufw/user.rules").read_text().splitlines():
            if line.startswith("### tuple ###"):
                head, _, comment = line.partition(" comment=")
                out.append(f"{head} comment={bytes.fromhex(comment).decode()}" if comment else head)
        return "\n".join(out)


class ConnectedDaemon(Daemon):
    """A Daemon in connected mode: host config names the fake API, tokens and the broker."""

    def __init__(self, root: Path, bundle: Path, image_store: Path, api: FakeFleetApi,
                 broker: Mosquitto, ufw: UfwSandbox) -> None:
        host_id, (token, refresh) = api.add_host()
        super().__init__(root, bundle, image_store, config={
            "id": host_id, "org_id": ORG_ID, "token": token, "refresh_token": refresh,
            "blockjoy_api_url": api.url, "blockjoy_mqtt_url": broker.url})
        # the API allocates node IPs (NodeService.Create) from the host's pool, as the real one
        host = api.hosts[host_id]
        host.ip_gateway = self.gateway
        host.ip_addresses.extend(common_host_pb2.HostIpAddress(ip=ip) for ip in self.pool)
        self.api = api
        self.broker = broker
        self.ufw = ufw
        self.host_id = host_id
        self.mqtt_protocol = "5"  # BV_MQTT_PROTOCOL of the next start()

    def env(self) -> dict[str, str]:
        return {**super().env(), "BV_UFW_COMMAND": self.ufw.command, "BV_FLEET_REPORT_PERIOD": "2",
                "BV_FLEET_POLL_INTERVAL": "1", "BV_MQTT_PROTOCOL": self.mqtt_protocol}

    @property
    def pool(self) -> list[str]:
        return [str(h) for h in list(self.net.hosts())[1:20]]

    @property
    def gateway(self) -> str:
        return str(next(self.net.hosts()))

    def publish(self, payload: bytes = b"") -> None:
        """Ring the host's doorbell: any message on its command topic."""
        _publish(self.broker.url, f"/hosts/{self.host_id}/commands", payload)

    def wait_command(self, command_id: str, timeout: float = 90.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            command = self.api.command(command_id)
            if command.HasField("exit_code"):
                return command
            time.sleep(0.2)
        raise AssertionError(f"command {command_id} got no Update within {timeout:g} s; "
                             f"daemon log:\n{self.log_tail(40)}")

    def delete_all_nodes(self) -> None:
        """Delete this host's nodes the connected way: a NodeDelete command each."""
        ids = [c.command_id for c in (self.api.node_command(n, "delete")
                                      for n, node in list(self.api.nodes.items())
                                      if node.host_id == self.host_id)]
        if not ids:
            return
        self.publish()
        for command_id in ids:
            self.wait_command(command_id, timeout=60)


# a quick command for tests that only need the loop: NodeStart of a node the host never had
def start_unknown_node(api: FakeFleetApi, host_id: str) -> Any:
    return api.add_command(host_id, node_id=str(uuid.uuid4()), start=command_pb2.NodeStart())
