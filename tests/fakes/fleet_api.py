"""A fake fleet API: a real grpc.aio server speaking ``blockjoy.v1`` with an in-memory model.

Use it from async tests::

    async with FakeFleetApi() as api:          # listens on 127.0.0.1:<free port>
        host_id, tokens = api.add_host()       # a provisioned host + its JWT and refresh token
        image = api.add_image("testing", "test", "1.0.0")
        node = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        ... point the agent at api.url ("http://127.0.0.1:<port>") ...
        assert api.command(cmd_id).exit_code == COMMAND_EXIT_CODE_OK

or from sync tests / tests that drive subprocesses (bvup, blockvisord)::

    with FakeFleetApi.in_thread() as api: ...  # server on its own loop in a thread

RPCs served: AuthService.Refresh; HostService.CreateHost/UpdateHost/GetRegion;
CommandService.Pending/Ack/Update; NodeService.Create/Start/Stop/Delete/UpgradeImage/
ReportStatus/List; MetricsService.Host/Node; DiscoveryService.Services; ImageService.GetImage;
BundleService.ListVersions; CryptService.GetSecret/PutSecret; ArchiveService.GetDownloadMetadata/
GetDownloadChunks/GetUploadSlots/PutDownloadManifest. Others answer UNIMPLEMENTED.

Model (all plain attributes, inspect and edit them freely between calls):
    ``regions`` key -> Region (``local`` seeded), ``provision_tokens`` token -> org id
    (``PROVISION_TOKEN`` -> ``ORG_ID`` seeded), ``hosts`` id -> Host, ``images`` id -> Image
    (+ ``image_keys`` id -> (protocol, variant), ``image_versions``, ``store_keys``),
    ``nodes`` id -> Node, ``commands`` (list, oldest first), ``statuses`` (ReportStatus
    requests), ``host_metrics`` / ``node_metrics`` / ``host_updates`` (requests), ``secrets``
    (resource_id, key) -> bytes, ``bundles`` (versions), ``notification_url`` (Discovery),
    ``archives`` archive_id -> {data_version -> ArchiveServicePutDownloadManifestRequest}
    (``archive_locks``: reserved (archive_id, data_version); chunk/slot urls are
    ``archive_url`` + "/" + key + "?fake-presigned=GET|PUT", not served by anything).

Helpers (sync, they do not notify): ``add_host(ttl=, ips=, org_id=) -> (host_id, (token,
refresh))``, ``issue_tokens(resource_id, ttl)``, ``add_image(protocol, variant, version, ...)``,
``node_config(image_id, values)``, ``create_node(host_id, image_id, ip=, gateway=)`` (Node +
NodeCreate), ``add_command(host_id, node_id=None, **kind)``, ``node_command(node_id, "stop")``,
``upgrade_node(node_id, image_id)``, ``command(id)``, ``finished()``.

Behaviour (as the real server, api-contract.md §2.6, §3.2, §8.5):
    * every RPC except AuthService.Refresh, HostService.CreateHost/GetRegion needs
      ``authorization: Bearer <token>``: missing -> UNAUTHENTICATED "Missing auth header.",
      unknown or badly signed -> "Bad auth header.", past ``exp`` -> "TOKEN_EXPIRED".
      Tokens are HS256 JWTs with ``exp`` = ``clock()`` + ``token_ttl`` (600 s).
    * Refresh accepts any well-signed token (expired or not) with a known refresh token for the
      same resource, and returns a new pair. ``reject_refresh = True`` makes it fail
      UNAUTHENTICATED (a revoked refresh token).
    * CreateHost checks the provision token and region id; a private host gets
      ``provision_org_id``.
    * CommandService.Pending = the host's commands without an exit code, oldest first; Ack sets
      acked_at; Update stores the result; then (``server_reactions=True``, the default) OK
      NodeCreate -> a NodeStart command, OK NodeDelete -> the node row removed; a failed
      NodeCreate -> node FAILED. After Update (and after any command an RPC creates)
      ``notifier(host_id, command_bytes)`` is awaited if set: point it at an MQTT publish to
      emulate the server's doorbell.
    * NodeService.Create (ByHost launcher, first free IP of the host) / Start / Stop / Delete /
      UpgradeImage create the matching commands; ReportStatus checks config_id like the server.

TLS: ``FakeFleetApi(tls=(key_pem, cert_pem))`` serves TLS and ``url`` becomes
``https://localhost:<port>`` (the certificate must name localhost).

Scripting and recording:
    ``fail(rpc, code, details="scripted failure", times=1)`` makes the next ``times`` calls of
    ``rpc`` ("CommandService.Pending") fail with ``code`` (times=None: until ``clear_failures``).
    ``calls`` records every call as ``Call(rpc, at, request)`` (``at`` = time.monotonic()),
    ``calls_of(rpc)`` filters them. ``clock`` (default time.time) drives token expiry.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import grpc.aio
from google.protobuf import timestamp_pb2

from bv_core.proto.blockjoy.common.v1 import config_pb2
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as common_protocol_pb2
from bv_core.proto.blockjoy.v1 import (
    archive_pb2,
    archive_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    bundle_pb2,
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
)

__all__ = ["PROVISION_TOKEN", "ORG_ID", "Call", "FakeFleetApi"]

PROVISION_TOKEN = "PROVISION-TOKEN-0001"
ORG_ID = "00000000-0000-4000-8000-00000000000a"
_SECRET = b"fake-fleet-api-secret"
OK = command_pb2.COMMAND_EXIT_CODE_OK


@dataclass
class Call:
    rpc: str
    at: float
    request: Any


@dataclass
class _Failure:
    code: grpc.StatusCode
    details: str
    times: int | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _now_ts() -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


@dataclass
class FakeFleetApi:
    token_ttl: float = 600.0
    clock: Callable[[], float] = time.time
    reject_refresh: bool = False
    server_reactions: bool = True  # NodeStart after OK NodeCreate etc., as the real server
    notifier: Callable[[str, bytes], Awaitable[None]] | None = None
    notification_url: str = ""
    bundles: list[str] = field(default_factory=list)
    regions: dict[str, Any] = field(default_factory=dict)
    provision_tokens: dict[str, str] = field(default_factory=lambda: {PROVISION_TOKEN: ORG_ID})
    hosts: dict[str, Any] = field(default_factory=dict)
    images: dict[str, Any] = field(default_factory=dict)
    image_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    image_versions: dict[str, str] = field(default_factory=dict)
    store_keys: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, Any] = field(default_factory=dict)
    commands: list[Any] = field(default_factory=list)
    statuses: list[Any] = field(default_factory=list)
    host_metrics: list[Any] = field(default_factory=list)
    node_metrics: list[Any] = field(default_factory=list)
    host_updates: list[Any] = field(default_factory=list)
    secrets: dict[tuple[str, str], bytes] = field(default_factory=dict)
    archives: dict[str, dict[int, Any]] = field(default_factory=dict)
    archive_locks: set[tuple[str, int]] = field(default_factory=set)
    archive_url: str = "http://archive.invalid"
    calls: list[Call] = field(default_factory=list)
    port: int = 0
    tls: tuple[bytes, bytes] | None = None  # (private key PEM, certificate PEM): serve TLS

    def __post_init__(self) -> None:
        self._failures: dict[str, list[_Failure]] = {}
        self._refresh_tokens: dict[str, str] = {}  # refresh token -> resource id
        self._seq = itertools.count(1)
        self._server: grpc.aio.Server | None = None
        if "local" not in self.regions:
            self.regions["local"] = host_pb2.Region(
                region_id=str(uuid.uuid4()), region_key="local", display_name="Local")

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.tls is not None:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeFleetApi:
        server = grpc.aio.server()
        for add, servicer in _servicers(self):
            add(servicer, server)
        if self.tls is not None:
            creds = grpc.ssl_server_credentials([self.tls])
            self.port = server.add_secure_port(f"127.0.0.1:{self.port}", creds)
        else:
            self.port = server.add_insecure_port(f"127.0.0.1:{self.port}")
        await server.start()
        self._server = server
        return self

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(grace=0.2)
            self._server = None

    async def __aenter__(self) -> FakeFleetApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[FakeFleetApi]:
        """The server on its own event loop in a daemon thread (for sync/subprocess tests).

        Mutating the model from the test thread is fine for the simple dict/list edits tests
        do; ``notifier`` coroutines run on the server's loop.
        """
        api = cls(**kwargs)
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        stop = asyncio.Event()

        async def main() -> None:
            await api.start()
            ready.set()
            await stop.wait()
            await api.stop()

        thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake fleet API did not start")
        try:
            yield api
        finally:
            loop.call_soon_threadsafe(stop.set)
            thread.join(10)
            loop.close()

    # -- scripting ---------------------------------------------------------------------------

    def fail(self, rpc: str, code: grpc.StatusCode, details: str = "scripted failure",
             times: int | None = 1) -> None:
        self._failures.setdefault(rpc, []).append(_Failure(code, details, times))

    def clear_failures(self) -> None:
        self._failures.clear()

    def calls_of(self, rpc: str) -> list[Call]:
        return [c for c in self.calls if c.rpc == rpc]

    # -- tokens ------------------------------------------------------------------------------

    def issue_token(self, resource_id: str, ttl: float | None = None) -> str:
        now = self.clock()
        claims = {"resource_type": "Host", "resource_id": resource_id, "iat": int(now),
                  "exp": int(now + (self.token_ttl if ttl is None else ttl)),
                  "roles": ["grpc-new-host"], "jti": next(self._seq)}
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(claims).encode())
        sig = _b64(hmac.new(_SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())
        return f"{head}.{body}.{sig}"

    def issue_tokens(self, resource_id: str, ttl: float | None = None) -> tuple[str, str]:
        """(token, refresh) for ``resource_id``; ``ttl`` < 0 gives an already expired token."""
        refresh = f"refresh-{uuid.uuid4()}"
        self._refresh_tokens[refresh] = resource_id
        return self.issue_token(resource_id, ttl), refresh

    def _claims(self, token: str) -> dict[str, Any] | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        sig = _b64(hmac.new(_SECRET, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(sig, parts[2]):
            return None
        claims: dict[str, Any] = json.loads(_unb64(parts[1]))
        return claims

    # -- model helpers (sync; they do not notify) --------------------------------------------

    def add_host(self, *, ttl: float | None = None, ips: list[str] | None = None,
                 org_id: str | None = None) -> tuple[str, tuple[str, str]]:
        host_id = str(uuid.uuid4())
        self.hosts[host_id] = host_pb2.Host(
            host_id=host_id, network_name=f"host-{host_id[:8]}", region=self.regions["local"],
            ip_addresses=[{"ip": ip} for ip in ips or []], **({"org_id": org_id} if org_id else {}))
        return host_id, self.issue_tokens(host_id, ttl)

    def add_image(self, protocol: str, variant: str, version: str, *, uri: str | None = None,
                  store_key: str | None = None, cpu: int = 1, memory_bytes: int = 100_000_000,
                  disk_bytes: int = 1_000_000_000, min_babel_version: str = "0.0.1",
                  firewall: Any = None) -> Any:
        builds = [i.build_version for i, k in zip(self.images.values(), self.image_keys.values(),
                                                   strict=True) if k == (protocol, variant)]
        image = image_pb2.Image(
            image_id=str(uuid.uuid4()), protocol_version_id=str(uuid.uuid4()),
            build_version=max(builds, default=0) + 1,
            image_uri=uri or f"docker://example/{protocol}-{variant}:{version}",
            firewall=firewall or config_pb2.FirewallConfig(
                default_in=config_pb2.FIREWALL_ACTION_REJECT,
                default_out=config_pb2.FIREWALL_ACTION_ALLOW),
            min_cpu_cores=cpu, min_memory_bytes=memory_bytes, min_disk_bytes=disk_bytes,
            min_babel_version=min_babel_version)
        self.images[image.image_id] = image
        self.image_keys[image.image_id] = (protocol, variant)
        self.image_versions[image.image_id] = version
        self.store_keys[image.image_id] = store_key or f"{protocol}-{variant}-v1"
        return image

    def node_config(self, image_id: str, values: dict[str, str] | None = None) -> Any:
        image = self.images[image_id]
        return config_pb2.NodeConfig(
            vm=config_pb2.VmConfig(cpu_cores=image.min_cpu_cores, memory_bytes=image.min_memory_bytes,
                                   disk_bytes=image.min_disk_bytes),
            image=config_pb2.ImageConfig(
                image_id=image_id, image_uri=image.image_uri, archive_id=str(uuid.uuid4()),
                store_key=self.store_keys[image_id], min_babel_version=image.min_babel_version,
                values=[config_pb2.PropertyValueConfig(key=k, value=v)
                        for k, v in (values or {}).items()]),
            firewall=image.firewall)

    def create_node(self, host_id: str, image_id: str, *, ip: str, gateway: str,
                    name: str | None = None, values: dict[str, str] | None = None) -> Any:
        """A Node row in STARTING + its NodeCreate command (like NodeService.Create)."""
        protocol, variant = self.image_keys[image_id]
        node_id = str(uuid.uuid4())
        name = name or f"node-{node_id[:8]}"
        node = node_pb2.Node(
            node_id=node_id, node_name=name, display_name=name, image_id=image_id,
            config_id=str(uuid.uuid4()), config=self.node_config(image_id, values), org_id=ORG_ID,
            org_name="org", host_id=host_id, protocol_id=str(uuid.uuid4()), protocol_name=protocol,
            version_key=common_protocol_pb2.ProtocolVersionKey(protocol_key=protocol,
                                                              variant_key=variant),
            semantic_version=self.image_versions[image_id], ip_address=ip, ip_gateway=gateway,
            dns_name=f"{name}.n0des.xyz",
            node_status=common_node_pb2.NodeStatus(state=common_node_pb2.NODE_STATE_STARTING))
        self.nodes[node_id] = node
        self.add_command(host_id, node_id=node_id, create=command_pb2.NodeCreate(node=node))
        return node

    def add_command(self, host_id: str, *, node_id: str | None = None, **kind: Any) -> Any:
        """Queue a command: ``node_id`` + one of create/start/stop/restart/update/upgrade/delete
        for a NodeCommand, else one of start/stop/restart/pending for a HostCommand."""
        command = command_pb2.Command(command_id=str(uuid.uuid4()), created_at=_now_ts())
        if node_id is not None:
            node = self.nodes.get(node_id)
            command.node.CopyFrom(command_pb2.NodeCommand(
                host_id=host_id, node_id=node_id, node_name=node.node_name if node else "",
                **kind))
        else:
            command.host.CopyFrom(command_pb2.HostCommand(host_id=host_id, **kind))
        self.commands.append(command)
        return command

    def node_command(self, node_id: str, kind: str) -> Any:
        """start / stop / restart / delete for an existing node."""
        node = self.nodes[node_id]
        message = getattr(command_pb2, f"Node{kind.capitalize()}")()
        return self.add_command(node.host_id, node_id=node_id, **{kind: message})

    def upgrade_node(self, node_id: str, image_id: str) -> Any:
        node = self.nodes[node_id]
        node.image_id = image_id
        node.config_id = str(uuid.uuid4())
        node.config.CopyFrom(self.node_config(image_id))
        node.semantic_version = self.image_versions[image_id]
        return self.add_command(node.host_id, node_id=node_id,
                                upgrade=command_pb2.NodeUpgrade(node=node))

    def command(self, command_id: str) -> Any:
        return next(c for c in self.commands if c.command_id == command_id)

    def finished(self) -> list[Any]:
        return [c for c in self.commands if c.HasField("exit_code")]

    # -- RPC plumbing ------------------------------------------------------------------------

    async def _enter(self, rpc: str, request: Any, context: grpc.aio.ServicerContext,
                     auth: bool = True) -> str | None:
        """Record, apply scripted failures and check auth; the token's resource id."""
        self.calls.append(Call(rpc, time.monotonic(), request))
        queue = self._failures.get(rpc)
        if queue:
            failure = queue[0]
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    queue.pop(0)
            await context.abort(failure.code, failure.details)
        if not auth:
            return None
        header = dict(context.invocation_metadata() or ()).get("authorization")
        if header is None:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "Missing auth header.")
        assert isinstance(header, str)
        claims = self._claims(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None
        if claims is None:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "Bad auth header.")
        assert claims is not None
        if claims["exp"] < self.clock():
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "TOKEN_EXPIRED")
        return str(claims["resource_id"])

    async def _notify(self, host_id: str, command: Any) -> None:
        if self.notifier is not None:
            await self.notifier(host_id, command.SerializeToString())

    async def _after_update(self, command: Any) -> None:
        if command.WhichOneof("command") != "node":
            return
        kind = command.node.WhichOneof("command")
        node = self.nodes.get(command.node.node_id)
        ok = command.exit_code == OK
        if kind == "create" and node is not None:
            if ok and self.server_reactions:
                await self._notify(node.host_id, self.node_command(node.node_id, "start"))
            elif not ok:
                node.node_status.state = common_node_pb2.NODE_STATE_FAILED
        elif kind == "delete" and ok:
            self.nodes.pop(command.node.node_id, None)


def _servicers(api: FakeFleetApi) -> list[tuple[Callable[[Any, Any], None], Any]]:
    ctx = grpc.aio.ServicerContext

    class Auth(auth_pb2_grpc.AuthServiceServicer):
        async def Refresh(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("AuthService.Refresh", request, context, auth=False)
            claims = api._claims(request.token)
            owner = api._refresh_tokens.get(request.refresh)
            if api.reject_refresh or claims is None or owner != claims["resource_id"]:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, "Invalid refresh token.")
            token, refresh = api.issue_tokens(owner or "")
            return auth_pb2.AuthServiceRefreshResponse(token=token, refresh=refresh)

    class Host(host_pb2_grpc.HostServiceServicer):
        async def CreateHost(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("HostService.CreateHost", request, context, auth=False)
            org = api.provision_tokens.get(request.provision_token)
            if org is None:
                await context.abort(grpc.StatusCode.PERMISSION_DENIED, "Invalid provision token.")
            region = next((r for r in api.regions.values() if r.region_id == request.region_id), None)
            if region is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Region not found.")
            host_id = str(uuid.uuid4())
            host = host_pb2.Host(
                host_id=host_id, region=region, network_name=request.network_name,
                schedule_type=request.schedule_type, os=request.os, os_version=request.os_version,
                bv_version=request.bv_version, ip_address=request.ip_address,
                ip_gateway=request.ip_gateway, ip_addresses=[{"ip": ip} for ip in request.ips],
                cpu_cores=request.cpu_cores, memory_bytes=request.memory_bytes,
                disk_bytes=request.disk_bytes, tags=request.tags,
                **({"org_id": org} if request.is_private else {}))
            api.hosts[host_id] = host
            token, refresh = api.issue_tokens(host_id)
            return host_pb2.HostServiceCreateHostResponse(
                host=host, token=token, refresh=refresh,
                provision_org_id=org if request.is_private else "")

        async def UpdateHost(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("HostService.UpdateHost", request, context)
            host = api.hosts.get(request.host_id)
            if host is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Host not found.")
            api.host_updates.append(request)
            for name in ("network_name", "os", "os_version", "bv_version", "disk_bytes"):
                if request.HasField(name):
                    setattr(host, name, getattr(request, name))
            return host_pb2.HostServiceUpdateHostResponse(host=host)

        async def GetRegion(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("HostService.GetRegion", request, context, auth=False)
            region = api.regions.get(request.region_key) or next(
                (r for r in api.regions.values() if r.region_id == request.region_id), None)
            if region is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Region not found.")
            return host_pb2.HostServiceGetRegionResponse(region=region)

    class Command(command_pb2_grpc.CommandServiceServicer):
        async def Pending(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("CommandService.Pending", request, context)
            pending = [c for c in api.commands if not c.HasField("exit_code")
                       and (c.node.host_id if c.HasField("node") else c.host.host_id) == request.host_id]
            return command_pb2.CommandServicePendingResponse(commands=pending)

        async def Ack(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("CommandService.Ack", request, context)
            command = next((c for c in api.commands if c.command_id == request.command_id), None)
            if command is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Command not found.")
            command.acked_at.CopyFrom(_now_ts())
            return command_pb2.CommandServiceAckResponse()

        async def Update(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("CommandService.Update", request, context)
            command = next((c for c in api.commands if c.command_id == request.command_id), None)
            if command is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Command not found.")
            for name in ("exit_code", "exit_message", "retry_hint_seconds"):
                if request.HasField(name):
                    setattr(command, name, getattr(request, name))
            host_id = command.node.host_id if command.HasField("node") else command.host.host_id
            await api._notify(host_id, command)
            await api._after_update(command)
            return command_pb2.CommandServiceUpdateResponse(command=command)

    class Node(node_pb2_grpc.NodeServiceServicer):
        async def Create(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("NodeService.Create", request, context)
            counts = request.launcher.by_host.host_counts
            if not counts or request.image_id not in api.images:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "need ByHost and a known image")
            host = api.hosts[counts[0].host_id]
            used = {n.ip_address for n in api.nodes.values()}
            free = [a.ip for a in host.ip_addresses if a.ip not in used]
            if not free:
                await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "No free IP.")
            node = api.create_node(host.host_id, request.image_id, ip=free[0],
                                   gateway=host.ip_gateway or "10.0.0.1",
                                   values={v.key: v.value for v in request.new_values})
            await api._notify(host.host_id, api.commands[-1])
            return node_pb2.NodeServiceCreateResponse(nodes=[node])

        async def _simple(self, kind: str, request: Any, context: ctx) -> None:
            await api._enter(f"NodeService.{kind.capitalize()}", request, context)
            if request.node_id not in api.nodes:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Node not found.")
            command = api.node_command(request.node_id, kind)
            await api._notify(api.nodes[request.node_id].host_id, command)

        async def Start(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await self._simple("start", request, context)
            return node_pb2.NodeServiceStartResponse()

        async def Stop(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await self._simple("stop", request, context)
            return node_pb2.NodeServiceStopResponse()

        async def Delete(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await self._simple("delete", request, context)
            return node_pb2.NodeServiceDeleteResponse()

        async def UpgradeImage(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("NodeService.UpgradeImage", request, context)
            for node_id in request.node_ids:
                if node_id not in api.nodes or request.image_id not in api.images:
                    await context.abort(grpc.StatusCode.NOT_FOUND, "Node or image not found.")
                command = api.upgrade_node(node_id, request.image_id)
                await api._notify(api.nodes[node_id].host_id, command)
            return node_pb2.NodeServiceUpgradeImageResponse()

        async def ReportStatus(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("NodeService.ReportStatus", request, context)
            node = api.nodes.get(request.node_id)
            if node is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Node not found.")
            if node.config_id != request.config_id:
                await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "config_id mismatch")
            api.statuses.append(request)
            if request.HasField("status"):
                node.node_status.CopyFrom(request.status)
            return node_pb2.NodeServiceReportStatusResponse()

        async def List(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("NodeService.List", request, context)
            nodes = [n for n in api.nodes.values()
                     if not request.host_ids or n.host_id in request.host_ids]
            return node_pb2.NodeServiceListResponse(nodes=nodes, total=len(nodes))

    class Metrics(metrics_pb2_grpc.MetricsServiceServicer):
        async def Host(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("MetricsService.Host", request, context)
            api.host_metrics.append(request)
            return metrics_pb2.MetricsServiceHostResponse()

        async def Node(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("MetricsService.Node", request, context)
            api.node_metrics.append(request)
            return metrics_pb2.MetricsServiceNodeResponse()

    class Discovery(discovery_pb2_grpc.DiscoveryServiceServicer):
        async def Services(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("DiscoveryService.Services", request, context)
            return discovery_pb2.DiscoveryServiceServicesResponse(notification_url=api.notification_url)

    class Image(image_pb2_grpc.ImageServiceServicer):
        async def GetImage(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("ImageService.GetImage", request, context)
            key = (request.version_key.protocol_key, request.version_key.variant_key)
            found = [api.images[i] for i, k in api.image_keys.items() if k == key and (
                not request.HasField("semantic_version")
                or api.image_versions[i] == request.semantic_version)]
            if not found:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Image not found.")
            return image_pb2.ImageServiceGetImageResponse(
                image=max(found, key=lambda i: i.build_version))

    class Bundle(bundle_pb2_grpc.BundleServiceServicer):
        async def ListVersions(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("BundleService.ListVersions", request, context)
            return bundle_pb2.BundleServiceListVersionsResponse(
                bundle_ids=[bundle_pb2.BundleIdentifier(version=v) for v in api.bundles])

    class Crypt(crypt_pb2_grpc.CryptServiceServicer):
        async def GetSecret(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("CryptService.GetSecret", request, context)
            value = api.secrets.get((request.resource.resource_id, request.key))
            if value is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Secret not found.")
            return crypt_pb2.CryptServiceGetSecretResponse(value=value)

        async def PutSecret(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("CryptService.PutSecret", request, context)
            api.secrets[(request.resource.resource_id, request.key)] = request.value
            return crypt_pb2.CryptServicePutSecretResponse()

    class Archive(archive_pb2_grpc.ArchiveServiceServicer):
        def _url(self, key: str, method: str) -> str:
            return f"{api.archive_url}/{key}?fake-presigned={method}"

        async def _version(self, request: Any, context: ctx, version: int | None) -> Any:
            versions = api.archives.get(request.archive_id) or {}
            if version is None and versions:
                version = max(versions)
            if version is None or version not in versions:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Archive not found.")
            return versions[version]

        async def GetDownloadMetadata(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("ArchiveService.GetDownloadMetadata", request, context)
            want = request.data_version if request.HasField("data_version") else None
            m = await self._version(request, context, want)
            reply = archive_pb2.ArchiveServiceGetDownloadMetadataResponse(
                data_version=m.data_version, total_size=m.total_size, chunks=len(m.chunks))
            if m.HasField("compression"):
                reply.compression.CopyFrom(m.compression)
            return reply

        async def GetDownloadChunks(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("ArchiveService.GetDownloadChunks", request, context)
            m = await self._version(request, context, request.data_version)
            out = []
            for i in request.chunk_indexes:
                if i >= len(m.chunks):
                    await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"No chunk {i}.")
                chunk = archive_pb2.ArchiveChunk()
                chunk.CopyFrom(m.chunks[i])
                chunk.url = self._url(chunk.key, "GET")
                out.append(chunk)
            return archive_pb2.ArchiveServiceGetDownloadChunksResponse(chunks=out)

        async def GetUploadSlots(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("ArchiveService.GetUploadSlots", request, context)
            aid = request.archive_id
            if request.HasField("data_version"):
                version = request.data_version
            else:
                # the next version after the newest manifest; locked = another upload has it
                version = max(api.archives.get(aid, {}), default=0) + 1
                if (aid, version) in api.archive_locks:
                    await context.abort(grpc.StatusCode.ALREADY_EXISTS, "Version locked.")
                api.archive_locks.add((aid, version))
            slots = [archive_pb2.UploadSlot(index=i, key=f"{aid}/{version}/data.part_{i}",
                                            url=self._url(f"{aid}/{version}/data.part_{i}", "PUT"))
                     for i in request.slot_indexes]
            return archive_pb2.ArchiveServiceGetUploadSlotsResponse(data_version=version, slots=slots)

        async def PutDownloadManifest(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await api._enter("ArchiveService.PutDownloadManifest", request, context)
            api.archives.setdefault(request.archive_id, {})[request.data_version] = request
            return archive_pb2.ArchiveServicePutDownloadManifestResponse()

    return [
        (archive_pb2_grpc.add_ArchiveServiceServicer_to_server, Archive()),
        (auth_pb2_grpc.add_AuthServiceServicer_to_server, Auth()),
        (host_pb2_grpc.add_HostServiceServicer_to_server, Host()),
        (command_pb2_grpc.add_CommandServiceServicer_to_server, Command()),
        (node_pb2_grpc.add_NodeServiceServicer_to_server, Node()),
        (metrics_pb2_grpc.add_MetricsServiceServicer_to_server, Metrics()),
        (discovery_pb2_grpc.add_DiscoveryServiceServicer_to_server, Discovery()),
        (image_pb2_grpc.add_ImageServiceServicer_to_server, Image()),
        (bundle_pb2_grpc.add_BundleServiceServicer_to_server, Bundle()),
        (crypt_pb2_grpc.add_CryptServiceServicer_to_server, Crypt()),
    ]

