"""The daemon's client of the fleet API (``blockjoy.v1`` over gRPC).

One channel per client (TLS for ``https://`` URLs, plain for ``http://``, meant for loopback
tests and dev APIs), the host's bearer token on every call, and the token kept fresh:

* before a call, a JWT whose ``exp`` is within ``refresh_margin`` seconds of *now* is refreshed
  through ``AuthService.Refresh`` (the original compared against ``now - 60 s``, so it kept
  sending a dead token for a minute; we refresh early, not late). The payload is decoded with
  the URL-safe base64 alphabet, tolerating missing padding (JWTs drop it).
* a call answered ``UNAUTHENTICATED`` with ``TOKEN_EXPIRED`` (clock skew, a server-side revoke)
  forces one refresh and one more round of attempts.
* a refresh that fails is not retried before a backoff (``RetryPolicy.refresh_backoff_*``)
  has passed; calls made in between fail fast with ``TokenRefreshFailed``, so a daemon with a
  revoked refresh token keeps trying at a bounded rate instead of in a tight loop.

Transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL,
UNKNOWN) are retried with exponential backoff (1 s, 2 s, 4 s as the original). Every call has a
deadline (5 s by default, per call overridable). grpc errors never leave this module: they are
translated into ``bv_daemon.fleet.errors`` (families of ``bv_core.errors``).

The clock and sleep are injectable so tests can check retry counts and spacing exactly.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import ipaddress
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

import grpc
import grpc.aio

from bv_core.errors import InvalidInput
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as common_protocol_pb2
from bv_core.proto.blockjoy.common.v1 import resource_pb2
from bv_core.proto.blockjoy.v1 import (
    archive_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    bundle_pb2_grpc,
    command_pb2,
    command_pb2_grpc,
    crypt_pb2,
    crypt_pb2_grpc,
    discovery_pb2,
    discovery_pb2_grpc,
    host_pb2,
    host_pb2_grpc,
    image_pb2,
    image_pb2_grpc,
    metrics_pb2,
    metrics_pb2_grpc,
    node_pb2,
    node_pb2_grpc,
    protocol_pb2_grpc,
)

from .errors import (
    FleetAuthError,
    FleetConflict,
    FleetNotFound,
    FleetRejected,
    FleetUnavailable,
    TokenRefreshFailed,
)

__all__ = [
    "TRANSIENT_CODES",
    "FleetClient",
    "RetryPolicy",
    "Tokens",
    "token_expiry",
    "translate_rpc_error",
]

log = logging.getLogger(__name__)

TRANSIENT_CODES = frozenset({
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
})

_GZIP_SERVICES = frozenset({"ArchiveService", "CryptService"})

_STUBS: dict[str, Callable[[grpc.aio.Channel], Any]] = {
    "ArchiveService": archive_pb2_grpc.ArchiveServiceStub,
    "AuthService": auth_pb2_grpc.AuthServiceStub,
    "BundleService": bundle_pb2_grpc.BundleServiceStub,
    "CommandService": command_pb2_grpc.CommandServiceStub,
    "CryptService": crypt_pb2_grpc.CryptServiceStub,
    "DiscoveryService": discovery_pb2_grpc.DiscoveryServiceStub,
    "HostService": host_pb2_grpc.HostServiceStub,
    "ImageService": image_pb2_grpc.ImageServiceStub,
    "MetricsService": metrics_pb2_grpc.MetricsServiceStub,
    "NodeService": node_pb2_grpc.NodeServiceStub,
    "ProtocolService": protocol_pb2_grpc.ProtocolServiceStub,
}


@dataclass(frozen=True)
class Tokens:
    """The host's credentials as stored in ``/etc/blockvisor.json`` (``token``, ``refresh_token``)."""

    token: str
    refresh: str


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # first try + 3 retries, as the original's retry(3, 500 ms)
    base_delay: float = 1.0  # seconds before the first retry; doubled for each next one
    max_delay: float = 30.0
    refresh_margin: float = 60.0  # refresh when the JWT expires within this many seconds
    refresh_backoff_min: float = 5.0  # after a failed refresh, wait this long before the next
    refresh_backoff_max: float = 300.0

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        return float(min(self.max_delay, self.base_delay * (2**retry)))


class _State(enum.Enum):
    UNOPENED = "unopened"  # built, no channel yet
    OPENED = "opened"  # channel up, calls allowed
    CLOSED = "closed"  # channel closed; the client cannot be reopened


def token_expiry(token: str) -> float | None:
    """The JWT's ``exp`` (unix seconds); None for tokens that are not JWTs (``api_`` keys).

    A three-part token whose payload cannot be read counts as already expired (0.0), so the
    client refreshes it rather than sending something the server will refuse.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
        exp = claims["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            return 0.0
        return float(exp)
    except (ValueError, KeyError, TypeError, UnicodeEncodeError):
        return 0.0


def translate_rpc_error(rpc: str, err: grpc.aio.AioRpcError) -> Exception:
    """Map a grpc failure of ``rpc`` to the bv_core family that says whose fault it is."""
    code = err.code()
    details = err.details() or ""
    name = code.name if code is not None else "UNKNOWN"
    if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.OUT_OF_RANGE):
        return FleetRejected(rpc, name, details)
    if code == grpc.StatusCode.NOT_FOUND:
        return FleetNotFound(rpc, name, details)
    if code in (grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.FAILED_PRECONDITION):
        return FleetConflict(rpc, name, details)
    if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        return FleetAuthError(rpc, name, details)
    return FleetUnavailable(rpc, name, details)


def _is_token_expired(err: grpc.aio.AioRpcError) -> bool:
    return err.code() == grpc.StatusCode.UNAUTHENTICATED and "TOKEN_EXPIRED" in (err.details() or "")


def _target(url: str) -> tuple[str, bool]:
    """``(host:port, tls)`` from ``http(s)://host[:port]``; refuses anything else by name."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"blockjoy_api_url: expected http(s)://host[:port], got {url!r}")
    tls = parts.scheme == "https"
    try:
        port = parts.port or (443 if tls else 80)
    except ValueError:
        raise InvalidInput(f"blockjoy_api_url: bad port in {url!r}") from None
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if not tls and not _is_loopback(parts.hostname):
        log.warning("fleet API %s is plain-text gRPC: the host token travels unencrypted", url)
    return f"{host}:{port}", tls


def _node_resource(node_id: str) -> Any:
    return resource_pb2.Resource(resource_type=resource_pb2.RESOURCE_TYPE_NODE, resource_id=node_id)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FleetClient:
    """Async client of the fleet API; use as ``async with FleetClient(...) as client``.

    ``on_tokens`` is called with the new tokens after every successful refresh so the daemon
    can persist them (the refresh token slides, so losing it locks the host out).
    """

    def __init__(
        self,
        url: str,
        tokens: Tokens,
        *,
        on_tokens: Callable[[Tokens], None] | None = None,
        root_certificates: bytes | None = None,
        timeout: float = 5.0,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.url = url
        self._target, self._tls = _target(url)
        self._tokens = tokens
        self._on_tokens = on_tokens
        self._root_certificates = root_certificates
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._state = _State.UNOPENED
        self._channel: grpc.aio.Channel | None = None
        self._stubs: dict[str, Any] = {}
        self._refresh_lock = asyncio.Lock()
        self._refresh_failure: TokenRefreshFailed | None = None
        self._refresh_backoff = self.retry.refresh_backoff_min

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> FleetClient:
        if self._state is not _State.UNOPENED:
            raise RuntimeError(f"fleet client is {self._state.value}; it can be opened only once")
        # our own retry loop is the only one: grpc's built-in retries would multiply attempts
        options = [("grpc.enable_retries", 0), ("grpc.keepalive_time_ms", 30_000)]
        if self._tls:
            creds = grpc.ssl_channel_credentials(root_certificates=self._root_certificates)
            self._channel = grpc.aio.secure_channel(self._target, creds, options=options)
        else:
            self._channel = grpc.aio.insecure_channel(self._target, options=options)
        self._state = _State.OPENED
        return self

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._state = _State.CLOSED

    async def __aenter__(self) -> FleetClient:
        return await self.open()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def tokens(self) -> Tokens:
        return self._tokens

    # -- the generic call --------------------------------------------------------------------

    async def call(
        self, service: str, method: str, request: Any, *, timeout: float | None = None,
        auth: bool = True,
    ) -> Any:
        """Call ``/blockjoy.v1.<service>/<method>`` with auth, retries and a deadline.

        Archive and Crypt calls are gzip-compressed, as the original's clients.
        """
        compression = grpc.Compression.Gzip if service in _GZIP_SERVICES else None
        rpc = f"{service}.{method}"
        stub_method = getattr(self._stub(service), method)
        deadline = self.timeout if timeout is None else timeout
        refreshed = False
        while True:
            metadata: Sequence[tuple[str, str]] = ()
            if auth:
                token = await self._valid_token()
                metadata = (("authorization", f"Bearer {token}"),)
            def invoke(metadata: Sequence[tuple[str, str]] = metadata) -> Awaitable[Any]:
                return stub_method(  # type: ignore[no-any-return]
                    request, metadata=metadata, timeout=deadline, compression=compression)

            try:
                return await self._attempts(rpc, invoke)
            except grpc.aio.AioRpcError as err:
                if auth and not refreshed and _is_token_expired(err):
                    refreshed = True
                    log.info("fleet API %s: token expired on the server side; refreshing", rpc)
                    await self._refresh(force=True)
                    continue
                raise translate_rpc_error(rpc, err) from err

    async def _attempts(self, rpc: str, invoke: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``invoke``, retrying transient failures; the last grpc error propagates."""
        for attempt in range(self.retry.attempts):
            try:
                return await invoke()
            except grpc.aio.AioRpcError as err:
                if err.code() not in TRANSIENT_CODES or attempt + 1 >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt)
                log.warning("fleet API %s: %s (%s); retry %d in %.1f s", rpc, err.code().name,
                            err.details(), attempt + 1, delay)
                await self._sleep(delay)
        raise AssertionError("unreachable: attempts >= 1")  # pragma: no cover

    def _stub(self, service: str) -> Any:
        if self._state is not _State.OPENED or self._channel is None:
            raise RuntimeError(f"fleet client is {self._state.value}; open it before calling")
        stub = self._stubs.get(service)
        if stub is None:
            factory = _STUBS.get(service)
            if factory is None:
                raise InvalidInput(f"unknown fleet API service {service!r}")
            stub = self._stubs[service] = factory(self._channel)
        return stub

    # -- tokens ------------------------------------------------------------------------------

    def _needs_refresh(self, token: str) -> bool:
        exp = token_expiry(token)
        return exp is not None and exp < self._clock() + self.retry.refresh_margin

    async def valid_token(self) -> str:
        """The current token, refreshed first if it is (about to be) expired (MQTT username)."""
        return await self._valid_token()

    async def _valid_token(self) -> str:
        if self._needs_refresh(self._tokens.token):
            await self._refresh(force=False)
        return self._tokens.token

    async def _refresh(self, *, force: bool) -> None:
        before = self._tokens
        async with self._refresh_lock:
            if self._tokens is not before:
                return  # another task refreshed while we waited for the lock
            if not force and not self._needs_refresh(self._tokens.token):
                return
            failure = self._refresh_failure
            if failure is not None and self._clock() < failure.retry_at:
                raise failure  # fail fast: the backoff after the last failed refresh is running
            request = auth_pb2.AuthServiceRefreshRequest(
                token=self._tokens.token, refresh=self._tokens.refresh)
            rpc = "AuthService.Refresh"
            stub_method = self._stub("AuthService").Refresh
            try:
                reply = await self._attempts(rpc, lambda: stub_method(request, timeout=self.timeout))
            except grpc.aio.AioRpcError as err:
                retry_at = self._clock() + self._refresh_backoff
                details = (f"{err.details() or 'no details'}; next refresh attempt in "
                           f"{self._refresh_backoff:.0f} s")
                self._refresh_backoff = min(self._refresh_backoff * 2, self.retry.refresh_backoff_max)
                code = err.code().name if err.code() is not None else "UNKNOWN"
                self._refresh_failure = TokenRefreshFailed(rpc, code, details, retry_at)
                log.error("%s", self._refresh_failure)
                raise self._refresh_failure from err
            if not reply.token or not reply.refresh:
                raise FleetAuthError(rpc, "OK", "reply holds no token or no refresh token")
            self._tokens = Tokens(token=reply.token, refresh=reply.refresh)
            self._refresh_failure = None
            self._refresh_backoff = self.retry.refresh_backoff_min
            log.info("fleet API token refreshed")
            if self._on_tokens is not None:
                self._on_tokens(self._tokens)

    # -- the RPCs the daemon makes on its own ------------------------------------------------

    async def pending_commands(self, host_id: str) -> list[Any]:
        reply = await self.call("CommandService", "Pending",
                                command_pb2.CommandServicePendingRequest(host_id=host_id))
        return list(reply.commands)

    async def ack_command(self, command_id: str) -> None:
        await self.call("CommandService", "Ack",
                        command_pb2.CommandServiceAckRequest(command_id=command_id))

    async def update_command(
        self, command_id: str, exit_code: int, exit_message: str | None,
        retry_hint_seconds: int | None,
    ) -> None:
        request = command_pb2.CommandServiceUpdateRequest(
            command_id=command_id, exit_code=cast(Any, exit_code))
        if exit_message is not None:
            request.exit_message = exit_message
        if retry_hint_seconds is not None:
            request.retry_hint_seconds = retry_hint_seconds
        await self.call("CommandService", "Update", request)

    async def report_status(self, request: Any) -> None:
        """``NodeService.ReportStatus`` with a ready ``NodeServiceReportStatusRequest``."""
        await self.call("NodeService", "ReportStatus", request)

    async def host_metrics(self, metrics: Any) -> None:
        await self.call("MetricsService", "Host", metrics_pb2.MetricsServiceHostRequest(metrics=metrics))

    async def node_metrics(self, metrics: Sequence[Any]) -> None:
        await self.call("MetricsService", "Node", metrics_pb2.MetricsServiceNodeRequest(metrics=metrics))

    async def update_host(self, request: Any) -> Any:
        """``HostService.UpdateHost`` with a ready ``HostServiceUpdateHostRequest``; the Host."""
        reply = await self.call("HostService", "UpdateHost", request)
        return reply.host

    async def notification_url(self) -> str:
        """``DiscoveryService.Services``: the MQTT broker URL the host should use."""
        reply = await self.call("DiscoveryService", "Services",
                                discovery_pb2.DiscoveryServiceServicesRequest())
        return str(reply.notification_url)

    # -- calls forwarded for the CLI (non-dev nodes go through the API) ----------------------

    async def node_start(self, node_id: str) -> None:
        await self.call("NodeService", "Start", node_pb2.NodeServiceStartRequest(node_id=node_id))

    async def node_stop(self, node_id: str) -> None:
        await self.call("NodeService", "Stop", node_pb2.NodeServiceStopRequest(node_id=node_id))

    async def node_delete(self, node_id: str) -> None:
        await self.call("NodeService", "Delete", node_pb2.NodeServiceDeleteRequest(node_id=node_id))

    async def node_create(self, org_id: str, host_id: str, image_id: str,
                          values: dict[str, str]) -> Any:
        """``NodeService.Create`` on this host (``bv node create`` on a private host): the Node."""
        request = node_pb2.NodeServiceCreateRequest(
            org_id=org_id, image_id=image_id,
            launcher=common_node_pb2.NodeLauncher(by_host=common_node_pb2.ByHost(
                host_counts=[common_node_pb2.HostCount(host_id=host_id, node_count=1)])),
            new_values=[node_pb2.NewImagePropertyValue(key=k, value=v) for k, v in values.items()])
        reply = await self.call("NodeService", "Create", request)
        if len(reply.nodes) != 1:
            raise FleetUnavailable("NodeService.Create", "OK",
                                   f"expected exactly one node in the reply, got {len(reply.nodes)}")
        return reply.nodes[0]

    async def node_upgrade(self, node_ids: Sequence[str], image_id: str) -> None:
        await self.call("NodeService", "UpgradeImage", node_pb2.NodeServiceUpgradeImageRequest(
            node_ids=list(node_ids), image_id=image_id))

    async def get_image(self, protocol_key: str, variant_key: str, *,
                        semantic_version: str | None = None, build_version: int | None = None) -> Any:
        """``ImageService.GetImage``: the latest build of the latest version unless pinned."""
        request = image_pb2.ImageServiceGetImageRequest(
            version_key=common_protocol_pb2.ProtocolVersionKey(
                protocol_key=protocol_key, variant_key=variant_key))
        if semantic_version is not None:
            request.semantic_version = semantic_version
        if build_version is not None:
            request.build_version = build_version
        return (await self.call("ImageService", "GetImage", request)).image

    # -- calls proxied for babel and plugins (engine socket) ---------------------------------

    async def get_secret(self, node_id: str, key: str) -> bytes | None:
        """``CryptService.GetSecret`` for a node; None when the node has no such secret."""
        request = crypt_pb2.CryptServiceGetSecretRequest(resource=_node_resource(node_id), key=key)
        try:
            reply = await self.call("CryptService", "GetSecret", request)
        except FleetNotFound:
            return None
        return bytes(reply.value)

    async def put_secret(self, node_id: str, key: str, value: bytes) -> None:
        await self.call("CryptService", "PutSecret", crypt_pb2.CryptServicePutSecretRequest(
            resource=_node_resource(node_id), key=key, value=value))

    async def archive_download_metadata(self, request: Any) -> Any:
        """``ArchiveService.GetDownloadMetadata`` (60 s deadline; NOT_FOUND = no archive)."""
        return await self.call("ArchiveService", "GetDownloadMetadata", request, timeout=60.0)

    async def archive_download_chunks(self, request: Any) -> Any:
        return await self.call("ArchiveService", "GetDownloadChunks", request, timeout=60.0)

    async def archive_upload_slots(self, request: Any) -> Any:
        """Deadline 5 s + 1 s per 200 slots, as the original."""
        timeout = 5.0 + len(request.slot_indexes) / 200
        return await self.call("ArchiveService", "GetUploadSlots", request, timeout=timeout)

    async def archive_put_manifest(self, request: Any) -> Any:
        """Deadline 10 s + 1 s per 100 chunks, as the original."""
        timeout = 10.0 + len(request.chunks) / 100
        return await self.call("ArchiveService", "PutDownloadManifest", request, timeout=timeout)

    async def get_region(self, region_key: str) -> Any:
        reply = await self.call("HostService", "GetRegion",
                                host_pb2.HostServiceGetRegionRequest(region_key=region_key),
                                auth=False)
        return reply.region
