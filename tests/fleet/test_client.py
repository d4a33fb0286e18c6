"""FleetClient against the fake fleet API over real gRPC: tokens, retries, error translation."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path

import grpc
import pytest

from bv_core.errors import ExternalError, NotFound
from bv_daemon.fleet.client import FleetClient, RetryPolicy, Tokens, token_expiry
from bv_daemon.fleet.errors import FleetNotFound, FleetUnavailable, TokenRefreshFailed
from tests.fakes.fleet_api import FakeFleetApi


class Clock:
    """Wall-clock seconds the test moves by hand (shared by client and fake server)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """Records requested sleeps and advances the clock instead of waiting."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.clock.now += delay


def make_client(api: FakeFleetApi, tokens: tuple[str, str], clock: Clock, sleeps: Sleeps,
                saved: list[Tokens] | None = None) -> FleetClient:
    return FleetClient(api.url, Tokens(*tokens), clock=clock, sleep=sleeps,
                       on_tokens=saved.append if saved is not None else None)


async def test_expired_token_is_refreshed_and_call_succeeds() -> None:
    clock = Clock()
    async with FakeFleetApi(clock=clock) as api:
        host_id, tokens = api.add_host(ttl=-10)  # already expired
        saved: list[Tokens] = []
        async with make_client(api, tokens, clock, Sleeps(clock), saved) as client:
            assert await client.pending_commands(host_id) == []
        assert len(api.calls_of("AuthService.Refresh")) == 1
        assert len(api.calls_of("CommandService.Pending")) == 1
        assert len(saved) == 1 and saved[0].token != tokens[0] and saved[0].refresh != tokens[1]
        assert client.tokens == saved[0]


async def test_refresh_margin_points_forward() -> None:
    clock = Clock()
    async with FakeFleetApi(clock=clock) as api:
        host_id, soon = api.add_host(ttl=30)  # valid, but expires within the 60 s margin
        async with make_client(api, soon, clock, Sleeps(clock)) as client:
            await client.pending_commands(host_id)
        assert len(api.calls_of("AuthService.Refresh")) == 1  # refreshed early, not late
        fresh = api.issue_tokens(host_id, ttl=600)
        async with make_client(api, fresh, clock, Sleeps(clock)) as client:
            await client.pending_commands(host_id)
        assert len(api.calls_of("AuthService.Refresh")) == 1  # no refresh for a fresh token


async def test_server_side_token_expired_forces_one_refresh() -> None:
    clock = Clock()
    server_clock = Clock()
    async with FakeFleetApi(clock=server_clock) as api:
        host_id, tokens = api.add_host(ttl=600)
        async with make_client(api, tokens, clock, Sleeps(clock)) as client:
            server_clock.now += 3600  # the server thinks the token is long dead
            api.token_ttl = 7200
            await client.pending_commands(host_id)
        rpcs = [c.rpc for c in api.calls]
        assert rpcs == ["CommandService.Pending", "AuthService.Refresh", "CommandService.Pending"]


async def test_refresh_rejected_gives_clear_error_and_bounded_retries() -> None:
    clock = Clock()
    sleeps = Sleeps(clock)
    async with FakeFleetApi(clock=clock, reject_refresh=True) as api:
        host_id, tokens = api.add_host(ttl=-10)
        policy = RetryPolicy(refresh_backoff_min=5.0, refresh_backoff_max=20.0)
        client = FleetClient(api.url, Tokens(*tokens), clock=clock, sleep=sleeps, retry=policy)
        async with client:
            attempts_at: list[float] = []
            for _ in range(200):  # a caller retrying as fast as it can, 1 s apart on the clock
                before = len(api.calls_of("AuthService.Refresh"))
                with pytest.raises(TokenRefreshFailed) as info:
                    await client.pending_commands(host_id)
                if len(api.calls_of("AuthService.Refresh")) > before:
                    attempts_at.append(clock.now)
                clock.now += 1.0
        message = str(info.value)
        assert "AuthService.Refresh" in message and "UNAUTHENTICATED" in message
        assert "next refresh attempt in" in message and "\n" not in message
        assert isinstance(info.value, ExternalError)
        # UNAUTHENTICATED is not transient: one RPC per attempt, no sleeps inside the client
        assert sleeps.delays == []
        assert len(api.calls_of("AuthService.Refresh")) == len(attempts_at)
        gaps = [b - a for a, b in zip(attempts_at, attempts_at[1:], strict=False)]
        assert gaps[:3] == [5.0, 10.0, 20.0]  # doubling backoff ...
        assert all(g == 20.0 for g in gaps[3:])  # ... capped
        assert 10 <= len(attempts_at) <= 13  # 200 s of hammering -> a bounded number of tries
        assert api.calls_of("CommandService.Pending") == []  # never sent a dead token
        # the refresh token becomes valid again: the next attempt after the backoff succeeds
        api.reject_refresh = False
        clock.now += 20.0
        async with FleetClient(api.url, Tokens(*tokens), clock=clock, sleep=sleeps) as again:
            assert await again.pending_commands(host_id) == []


async def test_transient_failures_are_retried_with_backoff() -> None:
    clock = Clock()
    sleeps = Sleeps(clock)
    async with FakeFleetApi(clock=clock) as api:
        host_id, tokens = api.add_host()
        async with make_client(api, tokens, clock, sleeps) as client:
            api.fail("CommandService.Pending", grpc.StatusCode.UNAVAILABLE, times=2)
            await client.pending_commands(host_id)
            assert sleeps.delays == [1.0, 2.0]
            assert len(api.calls_of("CommandService.Pending")) == 3

            api.fail("CommandService.Ack", grpc.StatusCode.UNAVAILABLE, "down", times=None)
            with pytest.raises(FleetUnavailable) as info:
                await client.ack_command("x")
            assert sleeps.delays == [1.0, 2.0, 1.0, 2.0, 4.0]
            assert len(api.calls_of("CommandService.Ack")) == 4
            assert str(info.value) == "fleet API CommandService.Ack failed: UNAVAILABLE: down"


async def test_not_found_is_not_retried_and_is_a_not_found() -> None:
    clock = Clock()
    sleeps = Sleeps(clock)
    async with FakeFleetApi(clock=clock) as api:
        _, tokens = api.add_host()
        async with make_client(api, tokens, clock, sleeps) as client:
            with pytest.raises(FleetNotFound) as info:
                await client.ack_command("no-such-command")
        assert isinstance(info.value, NotFound)
        assert info.value.rpc == "CommandService.Ack" and info.value.code == "NOT_FOUND"
        assert sleeps.delays == [] and len(api.calls_of("CommandService.Ack")) == 1


async def test_every_call_has_a_deadline() -> None:
    clock = Clock()
    sleeps = Sleeps(clock)
    async with FakeFleetApi(clock=clock) as api:
        _, tokens = api.add_host()
        client = FleetClient(api.url, Tokens(*tokens), clock=clock, sleep=sleeps, timeout=0.2,
                             retry=RetryPolicy(attempts=2))
        original = api._enter

        async def slow(*args: object, **kwargs: object) -> object:
            import asyncio
            await asyncio.sleep(1.0)
            return await original(*args, **kwargs)  # type: ignore[arg-type]

        api._enter = slow  # type: ignore[method-assign]
        async with client:
            started = time.monotonic()
            with pytest.raises(FleetUnavailable) as info:
                await client.notification_url()
            assert time.monotonic() - started < 1.0  # two 0.2 s deadlines, not two 1 s waits
        assert info.value.code == "DEADLINE_EXCEEDED"


async def test_missing_auth_header_is_an_auth_error() -> None:
    async with FakeFleetApi() as api:
        async with FleetClient(api.url, Tokens("not-a-jwt", "r")) as client:
            with pytest.raises(ExternalError, match="Bad auth header"):
                await client.notification_url()


def test_token_expiry_uses_urlsafe_base64_without_padding() -> None:
    # find claims whose base64url form has '-' or '_' (decoding them as standard base64 fails)
    for n in range(1000):
        claims = {"exp": 1_800_000_000, "pad": "?" * (n % 7), "n": n, "s": "\xfb\xff" * (n % 5)}
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        if ("-" in body or "_" in body) and len(body) % 4:
            break
    else:  # pragma: no cover
        raise AssertionError("no suitable payload found")
    assert token_expiry(f"h.{body}.s") == 1_800_000_000.0
    assert token_expiry("api_key_without_dots") is None  # API keys never expire
    assert token_expiry("h.!!!.s") == 0.0  # unreadable JWT: refresh it


def test_bad_url_is_rejected_by_name() -> None:
    with pytest.raises(Exception, match="blockjoy_api_url"):
        FleetClient("ftp://x", Tokens("a", "b"))


def _self_signed(tmp: Path) -> tuple[bytes, bytes]:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"), "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True, timeout=30)
    return (tmp / "key.pem").read_bytes(), (tmp / "cert.pem").read_bytes()


async def test_tls_channel(tmp_path: Path) -> None:
    key, cert = _self_signed(tmp_path)
    async with FakeFleetApi(tls=(key, cert)) as api:
        host_id, tokens = api.add_host()
        assert api.url.startswith("https://localhost:")
        async with FleetClient(api.url, Tokens(*tokens), root_certificates=cert) as client:
            assert await client.pending_commands(host_id) == []
        # without our CA the server is not trusted: a clear transport error, retried first
        sleeps = Sleeps(Clock())
        async with FleetClient(api.url, Tokens(*tokens), sleep=sleeps, timeout=2.0) as client:
            with pytest.raises(FleetUnavailable, match="CommandService.Pending failed: UNAVAILABLE"):
                await client.pending_commands(host_id)
        assert sleeps.delays == [1.0, 2.0, 4.0]


async def test_forwarded_and_proxied_calls() -> None:
    async with FakeFleetApi(notification_url="mqtt://127.0.0.1:1883") as api:
        host_id, tokens = api.add_host(ips=["10.0.0.5"])
        api.add_image("testing", "test", "1.0.0")
        v2 = api.add_image("testing", "test", "2.0.0")
        async with FleetClient(api.url, Tokens(*tokens)) as client:
            assert (await client.get_image("testing", "test")).image_id == v2.image_id
            first = await client.get_image("testing", "test", semantic_version="1.0.0")
            node = await client.node_create("org", host_id, first.image_id, {"network": "main"})
            assert node.ip_address == "10.0.0.5" and node.host_id == host_id
            assert api.commands[-1].node.WhichOneof("command") == "create"
            await client.node_stop(node.node_id)
            await client.node_start(node.node_id)
            await client.node_upgrade([node.node_id], v2.image_id)
            await client.node_delete(node.node_id)
            kinds = [c.node.WhichOneof("command") for c in api.commands]
            assert kinds == ["create", "stop", "start", "upgrade", "delete"]
            assert await client.get_secret(node.node_id, "key") is None
            await client.put_secret(node.node_id, "key", b"\x00secret")
            assert await client.get_secret(node.node_id, "key") == b"\x00secret"
            assert await client.notification_url() == "mqtt://127.0.0.1:1883"
            with pytest.raises(FleetNotFound):
                await client.get_image("nope", "nope")


def test_fake_api_in_a_thread_serves_sync_callers() -> None:
    import asyncio

    with FakeFleetApi.in_thread() as api:
        host_id, tokens = api.add_host()

        async def call() -> list[object]:
            async with FleetClient(api.url, Tokens(*tokens)) as client:
                return await client.pending_commands(host_id)

        assert asyncio.run(call()) == []
        assert len(api.calls_of("CommandService.Pending")) == 1


async def test_provisioning_rpcs_need_no_auth() -> None:
    from bv_core.proto.blockjoy.v1 import host_pb2
    from tests.fakes.fleet_api import ORG_ID, PROVISION_TOKEN

    async with FakeFleetApi() as api:
        async with FleetClient(api.url, Tokens("none", "none")) as client:
            region = await client.get_region("local")
            request = host_pb2.HostServiceCreateHostRequest(
                provision_token=PROVISION_TOKEN, is_private=True, network_name="h1",
                region_id=region.region_id, os="Debian", os_version="12", bv_version="0.1.0",
                ip_address="192.168.0.2", ip_gateway="192.168.0.1", ips=["192.168.0.3"])
            reply = await client.call("HostService", "CreateHost", request, auth=False)
            assert reply.provision_org_id == ORG_ID and reply.host.host_id in api.hosts
            request.provision_token = "wrong"
            with pytest.raises(ExternalError, match="PERMISSION_DENIED"):
                await client.call("HostService", "CreateHost", request, auth=False)
            with pytest.raises(FleetNotFound):
                await client.get_region("mars")
        # the issued token works for the host's own calls
        tokens = Tokens(reply.token, reply.refresh)
        async with FleetClient(api.url, tokens) as client:
            assert await client.pending_commands(reply.host.host_id) == []
