"""The MQTT doorbell (api-contract.md §2.2, bv-host.md §3.7).

The broker never carries commands to us, only the news that there are some: the daemon
subscribes to ``/hosts/<host_id>/commands`` and, without reading the payload, rings the bell on

* every message on that topic,
* every successful (re)connect,
* every ``retry_interval`` (5 s) while the broker cannot be reached, so commands still
  arrive by polling ``CommandService.Pending``.

Connection: client id = host id, username = the current host JWT, password empty, keep-alive
30 s, MQTT 5 (the original's) or 3.1.1 (configurable, for brokers such as amqtt). TLS when the
URL says ``mqtts://`` or the port is 8883 (the original's rule). On connect a retained
``blockjoy.common.v1.HostStatus{ONLINE}`` is published (QoS 1) to ``/bv/hosts/<id>/status``,
where the broker also holds our retained OFFLINE last will. On an orderly stop we publish
OFFLINE ourselves, since brokers do not send the will after a clean disconnect.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiomqtt

from bv_core.errors import BvError, InvalidInput
from bv_core.proto.blockjoy.common.v1 import host_pb2

__all__ = [
    "BrokerAddress",
    "MqttDoorbell",
    "MqttProtocol",
    "commands_topic",
    "host_status_payload",
    "status_topic",
]

log = logging.getLogger(__name__)


class MqttProtocol(enum.Enum):
    V5 = "5"
    V311 = "3.1.1"


_AIOMQTT_PROTOCOL = {MqttProtocol.V5: aiomqtt.ProtocolVersion.V5,
                     MqttProtocol.V311: aiomqtt.ProtocolVersion.V311}


def commands_topic(host_id: str) -> str:
    return f"/hosts/{host_id}/commands"


def status_topic(host_id: str) -> str:
    return f"/bv/hosts/{host_id}/status"


def host_status_payload(host_id: str, online: bool) -> bytes:
    status = (host_pb2.HOST_CONNECTION_STATUS_ONLINE if online
              else host_pb2.HOST_CONNECTION_STATUS_OFFLINE)
    message = host_pb2.HostStatus(host_id=host_id, connection_status=status)
    return bytes(message.SerializeToString())


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """``mqtt://host:port`` / ``mqtts://host:port`` (port defaults 1883 / 8883)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
            raise InvalidInput(f"blockjoy_mqtt_url: expected mqtt(s)://host[:port], got {url!r}")
        secure_scheme = parts.scheme in ("mqtts", "ssl")
        try:
            port = parts.port or (8883 if secure_scheme else 1883)
        except ValueError:
            raise InvalidInput(f"blockjoy_mqtt_url: bad port in {url!r}") from None
        return cls(parts.hostname, port, secure_scheme or port == 8883)


class MqttDoorbell:
    """Keeps a broker connection up and rings ``ring`` as described in the module docstring.

    ``broker_url`` returns the URL to use (the daemon's discovery: config or
    DiscoveryService); ``token`` the current, valid host JWT; ``on_failure`` is called after
    each failed or lost connection (the daemon forgets the URL there, forcing rediscovery).
    """

    def __init__(
        self,
        host_id: str,
        ring: Callable[[], None],
        *,
        broker_url: Callable[[], Awaitable[str]],
        token: Callable[[], Awaitable[str]],
        on_failure: Callable[[], None] | None = None,
        protocol: MqttProtocol = MqttProtocol.V5,
        retry_interval: float = 5.0,
        keepalive: int = 30,
        tls_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.host_id = host_id
        self._ring = ring
        self._broker_url = broker_url
        self._token = token
        self._on_failure = on_failure
        self.protocol = protocol
        self.retry_interval = retry_interval
        self.keepalive = keepalive
        self._tls_context = tls_context
        self._sleep = sleep
        self.connected = False
        self.connects = 0  # successful connections so far
        self.polls = 0  # rings made because the broker was unreachable

    async def run(self) -> None:
        outage_logged = False
        while True:
            try:
                await self._session()
            except (aiomqtt.MqttError, OSError, TimeoutError, BvError) as exc:
                self.connected = False
                if not outage_logged:
                    log.warning("MQTT broker unreachable (%s); polling for commands every %.0f s",
                                exc, self.retry_interval)
                    outage_logged = True
                else:
                    log.debug("MQTT still unreachable: %s", exc)
                if self._on_failure is not None:
                    self._on_failure()
            except Exception:  # never let a surprise end the doorbell: polling must go on
                self.connected = False
                log.exception("MQTT session failed unexpectedly")
                if self._on_failure is not None:
                    self._on_failure()
            else:
                outage_logged = False
            await self._sleep(self.retry_interval)
            self.polls += 1
            self._ring()

    async def _session(self) -> None:
        address = BrokerAddress.parse(await self._broker_url())
        tls = None
        if address.tls:
            tls = self._tls_context or ssl.create_default_context()
        client = aiomqtt.Client(
            address.host, address.port,
            identifier=self.host_id,
            username=await self._token(), password="",
            keepalive=self.keepalive,
            protocol=_AIOMQTT_PROTOCOL[self.protocol],
            will=aiomqtt.Will(status_topic(self.host_id),
                              host_status_payload(self.host_id, online=False), qos=1, retain=True),
            tls_context=tls,
            timeout=max(self.retry_interval, 1.0),
        )
        async with client:
            await client.publish(status_topic(self.host_id),
                                 host_status_payload(self.host_id, online=True), qos=1, retain=True)
            await client.subscribe(commands_topic(self.host_id), qos=1)
            self.connected = True
            self.connects += 1
            log.info("MQTT connected to %s:%d, waiting for command notifications",
                     address.host, address.port)
            self._ring()
            try:
                async for _message in client.messages:
                    self._ring()  # the payload is not read: Pending is the source of truth
            except asyncio.CancelledError:
                await self._say_offline(client)
                raise
        raise aiomqtt.MqttError("connection closed by the broker")

    async def _say_offline(self, client: aiomqtt.Client) -> None:
        try:
            async with asyncio.timeout(2.0):
                await client.publish(status_topic(self.host_id),
                                     host_status_payload(self.host_id, online=False),
                                     qos=1, retain=True)
        except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
            log.debug("could not publish OFFLINE on shutdown: %s", exc)
        self.connected = False
