"""The command loop end to end: fake fleet API (real gRPC) + real mosquitto + recording handler."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aiomqtt
import grpc
import pytest

from bv_core.proto.blockjoy.common.v1 import host_pb2 as common_host_pb2
from bv_core.proto.blockjoy.v1 import command_pb2
from bv_daemon.fleet.commands import CommandLoop, ExitCode
from bv_daemon.fleet.mqtt import MqttProtocol, commands_topic, status_topic
from tests.fakes.fleet_api import FakeFleetApi
from tests.fakes.mqtt_broker import Mosquitto
from tests.fleet.agent_support import RecordingHandler, mqtt_notifier, running_agent, wait_until


def rpcs_for(api: FakeFleetApi, command_id: str) -> list[str]:
    return [c.rpc for c in api.calls
            if c.rpc in ("CommandService.Ack", "CommandService.Update")
            and c.request.command_id == command_id]


async def finish(api: FakeFleetApi, command: object, timeout: float = 20.0) -> object:
    cid = command.command_id  # type: ignore[attr-defined]
    await wait_until(lambda: api.command(cid).HasField("exit_code"), timeout, f"command {cid}")
    return api.command(cid)


async def publish(api: FakeFleetApi, host_id: str, command: object) -> None:
    assert api.notifier is not None
    await api.notifier(host_id, command.SerializeToString())  # type: ignore[attr-defined]


@pytest.mark.parametrize("protocol", [MqttProtocol.V5, MqttProtocol.V311])
async def test_full_lifecycle_through_the_broker(tmp_path: Path, mqtt_broker: Mosquitto,
                                                 protocol: MqttProtocol) -> None:
    handler = RecordingHandler()
    async with FakeFleetApi() as api, mqtt_notifier(api, mqtt_broker.url):
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        async with running_agent(api, host_id, tokens, tmp_path / "commands_cache.pb", handler,
                                 mqtt_broker.url, protocol=protocol, poll=30.0) as agent:
            await wait_until(lambda: agent.doorbell.connected, what="MQTT connect")
            await wait_until(lambda: len(api.calls_of("CommandService.Pending")) >= 1)

            # the retained ONLINE status is on the broker
            async with aiomqtt.Client("127.0.0.1", mqtt_broker.port, identifier="observer") as obs:
                await obs.subscribe(status_topic(host_id), qos=1)
                async with asyncio.timeout(5):
                    message = await anext(aiter(obs.messages))
                status = common_host_pb2.HostStatus.FromString(message.payload)
                assert message.retain and status.host_id == host_id
                assert status.connection_status == common_host_pb2.HOST_CONNECTION_STATUS_ONLINE

            # no polling while the broker is up: only a publish can deliver the command
            node = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
            create = api.commands[-1]
            await asyncio.sleep(0.3)
            assert not api.command(create.command_id).HasField("exit_code")
            await publish(api, host_id, create)
            assert (await finish(api, create)).exit_code == ExitCode.OK
            # the fake server reacts to NodeCreate OK with NodeStart, published on the topic
            await wait_until(lambda: len(api.commands) == 2, what="NodeStart issued")
            start = api.commands[1]
            assert start.node.WhichOneof("command") == "start"
            assert (await finish(api, start)).exit_code == ExitCode.OK
            assert handler.nodes[node.node_id] == "running"
            assert handler.states[node.node_id].ip == "10.0.0.2"

            async def run(command: object) -> object:
                await publish(api, host_id, command)
                return await finish(api, command)

            results = {}
            for kind in ("stop", "restart"):
                results[kind] = await run(api.node_command(node.node_id, kind))
            handler.upgrade_outcome = "blocking"
            v2 = api.add_image("testing", "test", "2.0.0")
            results["blocked"] = await run(api.upgrade_node(node.node_id, v2.image_id))
            handler.upgrade_outcome = "rollback"
            results["rollback"] = await run(api.upgrade_node(node.node_id, v2.image_id))
            handler.upgrade_outcome = "failure"
            results["failure"] = await run(api.upgrade_node(node.node_id, v2.image_id))
            handler.upgrade_outcome = "ok"
            results["upgrade"] = await run(api.upgrade_node(node.node_id, v2.image_id))
            results["delete"] = await run(api.node_command(node.node_id, "delete"))
            results["unknown"] = await run(api.add_command(
                host_id, node_id=str(uuid.uuid4()), start=command_pb2.NodeStart()))
            results["host_start"] = await run(api.add_command(host_id, start=command_pb2.HostStart()))
            results["host_pending"] = await run(api.add_command(host_id, pending=command_pb2.HostPending()))

        def outcome(c: object) -> tuple[int, str | None, int | None]:
            return (c.exit_code,  # type: ignore[attr-defined]
                    c.exit_message if c.HasField("exit_message") else None,  # type: ignore[attr-defined]
                    c.retry_hint_seconds if c.HasField("retry_hint_seconds") else None)  # type: ignore[attr-defined]

        assert {k: outcome(v) for k, v in results.items()} == {
            "stop": (ExitCode.OK, None, None),
            "restart": (ExitCode.OK, None, None),
            "blocked": (ExitCode.BLOCKING_JOB_RUNNING, "can't proceed while 'upgrade_blocking' job "
                        "is running. Try again after 3600 seconds.", 3600),
            "rollback": (ExitCode.NODE_UPGRADE_ROLLBACK,
                         "node upgrade failed with: 'disk full'; but then successfully rolled back",
                         None),
            "failure": (ExitCode.NODE_UPGRADE_FAILURE,
                        "node upgrade failed with: 'disk full'; and then rollback failed with: "
                        "'rootfs gone'; node ended in failed state", None),
            "upgrade": (ExitCode.OK, None, None),
            "delete": (ExitCode.OK, None, None),
            "unknown": (ExitCode.NODE_NOT_FOUND, "node not found", None),
            "host_start": (ExitCode.NOT_SUPPORTED, "command is not supported", None),
            "host_pending": (ExitCode.OK, None, None),
        }
        assert handler.states[node.node_id].image.version == "2.0.0"
        assert node.node_id not in handler.nodes
        # every command: Ack before its single Update, each handler effect exactly once
        for command in api.commands:
            assert rpcs_for(api, command.command_id) == ["CommandService.Ack", "CommandService.Update"]
        assert len(handler.calls) == len(api.commands) - 2  # the two host commands reach no handler
        assert api.finished() == api.commands

        # an orderly stop leaves a retained OFFLINE on the status topic
        async with aiomqtt.Client("127.0.0.1", mqtt_broker.port, identifier="observer2") as obs:
            await obs.subscribe(status_topic(host_id), qos=1)
            async with asyncio.timeout(5):
                message = await anext(aiter(obs.messages))
            status = common_host_pb2.HostStatus.FromString(message.payload)
            assert status.connection_status == common_host_pb2.HOST_CONNECTION_STATUS_OFFLINE


async def test_broker_down_commands_arrive_by_polling(tmp_path: Path, mqtt_broker: Mosquitto) -> None:
    handler = RecordingHandler()
    mqtt_broker.stop()
    async with FakeFleetApi() as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        async with running_agent(api, host_id, tokens, tmp_path / "cache.pb", handler,
                                 mqtt_broker.url, poll=0.2) as agent:
            node = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
            await finish(api, api.commands[0])
            await wait_until(lambda: len(api.commands) == 2, what="NodeStart issued")
            await finish(api, api.commands[1])  # the NodeStart nobody published
            assert handler.nodes[node.node_id] == "running"
            assert agent.doorbell.connects == 0 and agent.doorbell.polls >= 1
            pendings = [c.at for c in api.calls_of("CommandService.Pending")]
            gaps = [b - a for a, b in zip(pendings, pendings[1:], strict=False)]
            assert all(g >= 0.15 for g in gaps)  # a poll per interval, not a tight loop
            # the broker comes back: the doorbell connects and rings
            mqtt_broker.start()
            await wait_until(lambda: agent.doorbell.connects == 1, what="reconnect")


async def test_crash_between_handler_and_update_is_exactly_once(tmp_path: Path,
                                                                mqtt_broker: Mosquitto) -> None:
    handler = RecordingHandler()
    cache = tmp_path / "commands_cache.pb"
    async with FakeFleetApi(server_reactions=False) as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        node = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        create = api.commands[0]
        api.fail("CommandService.Update", grpc.StatusCode.UNAVAILABLE, "api down", times=None)
        async with running_agent(api, host_id, tokens, cache, handler, mqtt_broker.url,
                                 attempts=1):
            await wait_until(lambda: handler.calls == [("create", node.node_id)])
            await wait_until(lambda: len(api.calls_of("CommandService.Update")) >= 1)
            # the crash: the agent dies with the result journaled but not reported
        cached = command_pb2.CommandServicePendingResponse.FromString(cache.read_bytes()).commands
        assert [c.command_id for c in cached] == [create.command_id]
        assert cached[0].exit_code == ExitCode.OK
        assert not api.command(create.command_id).HasField("exit_code")

        api.clear_failures()
        async with running_agent(api, host_id, tokens, cache, handler, mqtt_broker.url) as agent:
            assert (await finish(api, create)).exit_code == ExitCode.OK
            await wait_until(lambda: agent.loop.load_cache() == [], what="cache emptied")
        assert handler.calls == [("create", node.node_id)]  # not run again

        # a crash *inside* a handler re-runs it (at-least-once); the effect happens once
        start = api.node_command(node.node_id, "start")
        handler.gate = asyncio.Event()
        async with running_agent(api, host_id, tokens, cache, handler, mqtt_broker.url):
            await asyncio.wait_for(handler.entered.wait(), 10)
        assert handler.nodes[node.node_id] == "stopped"
        handler.gate = None
        async with running_agent(api, host_id, tokens, cache, handler, mqtt_broker.url) as agent:
            assert (await finish(api, start)).exit_code == ExitCode.OK
            await wait_until(lambda: agent.loop.load_cache() == [], what="cache emptied")
        assert handler.calls.count(("start", node.node_id)) == 2
        assert handler.nodes[node.node_id] == "running"

        # a restart after everything completed repeats nothing
        before = list(handler.calls)
        polled = len(api.calls_of("CommandService.Pending"))
        async with running_agent(api, host_id, tokens, cache, handler, mqtt_broker.url) as agent:
            await wait_until(lambda: agent.doorbell.connects == 1)
            await wait_until(lambda: len(api.calls_of("CommandService.Pending")) > polled)
        assert handler.calls == before
        assert [rpcs_for(api, c.command_id).count("CommandService.Ack") for c in api.commands] == [1, 1]


async def test_bad_node_fails_with_clear_message_and_touches_nothing(tmp_path: Path) -> None:
    handler = RecordingHandler()
    async with FakeFleetApi(server_reactions=False) as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        good = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        bad = api.create_node(host_id, image.image_id, ip="10.0.0.300", gateway="10.0.0.1")
        later = api.create_node(host_id, image.image_id, ip="10.0.0.4", gateway="10.0.0.1")
        async with running_agent(api, host_id, tokens, tmp_path / "c.pb", handler,
                                 "mqtt://127.0.0.1:1", retry_delay=0.1):
            await finish(api, api.commands[2])
        results = [api.command(c.command_id) for c in api.commands]
        assert [r.exit_code for r in results] == [ExitCode.OK, ExitCode.INTERNAL_ERROR, ExitCode.OK]
        assert results[1].exit_message == (f"BV internal error: 'node {bad.node_id}: ip_address: "
                                           "expected an IP address, got '10.0.0.300''")
        assert [c[1] for c in handler.calls] == [good.node_id, later.node_id]


async def test_service_not_ready_answers_and_keeps_the_rest(tmp_path: Path) -> None:
    from bv_daemon.fleet.client import FleetClient, Tokens
    from bv_daemon.fleet.commands import ServiceStatus

    handler = RecordingHandler()
    status = ServiceStatus.UPDATING
    async with FakeFleetApi(server_reactions=False) as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        n1 = api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        api.create_node(host_id, image.image_id, ip="10.0.0.3", gateway="10.0.0.1")
        async with FleetClient(api.url, Tokens(*tokens)) as client:
            loop = CommandLoop(client, host_id, handler, tmp_path / "c.pb",
                               service_status=lambda: status)
            assert await loop.process_pending() is True  # one answered, one left
            first = api.command(api.commands[0].command_id)
            assert (first.exit_code, first.exit_message) == (
                ExitCode.SERVICE_NOT_READY, "BV service not ready, try again later")
            assert len(loop.load_cache()) == 1 and handler.calls == []
            status = ServiceStatus.BROKEN
            assert await loop.process_pending() is False
            second = api.command(api.commands[1].command_id)
            assert (second.exit_code, second.exit_message) == (
                ExitCode.SERVICE_BROKEN, "BV service is broken, call support")
            assert n1.node_id not in handler.nodes


async def test_corrupt_cache_is_moved_aside(tmp_path: Path) -> None:
    from bv_daemon.fleet.client import FleetClient, Tokens

    cache = tmp_path / "commands_cache.pb"
    cache.write_bytes(b"\xff\xff\xff not protobuf")
    async with FakeFleetApi() as api:
        host_id, tokens = api.add_host()
        async with FleetClient(api.url, Tokens(*tokens)) as client:
            loop = CommandLoop(client, host_id, RecordingHandler(), cache)
            assert await loop.process_pending() is False
    assert (tmp_path / "commands_cache.pb.corrupt").exists()
    assert len(api.calls_of("CommandService.Pending")) == 1


def test_topics() -> None:
    assert commands_topic("h") == "/hosts/h/commands" and status_topic("h") == "/bv/hosts/h/status"


async def test_refresh_rejected_agent_keeps_retrying_without_a_tight_loop(tmp_path: Path) -> None:
    from bv_daemon.fleet.client import FleetClient, RetryPolicy, Tokens
    from bv_daemon.fleet.commands import Bell
    from bv_daemon.fleet.mqtt import MqttDoorbell

    async with FakeFleetApi(reject_refresh=True) as api:
        host_id, tokens = api.add_host(ttl=-5)
        policy = RetryPolicy(refresh_backoff_min=0.2, refresh_backoff_max=0.4)
        async with FleetClient(api.url, Tokens(*tokens), retry=policy) as client:
            bell = Bell()
            loop = CommandLoop(client, host_id, RecordingHandler(), tmp_path / "c.pb",
                               retry_delay=0.05, max_retry_delay=0.1)

            async def url() -> str:
                return "mqtt://127.0.0.1:1"  # broker down too: the doorbell polls every 0.05 s

            doorbell = MqttDoorbell(host_id, bell.ring, broker_url=url, token=client.valid_token,
                                    retry_interval=0.05)
            tasks = [asyncio.create_task(loop.run(bell)), asyncio.create_task(doorbell.run())]
            await asyncio.sleep(1.5)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        refreshes = [c.at for c in api.calls_of("AuthService.Refresh")]
        gaps = [b - a for a, b in zip(refreshes, refreshes[1:], strict=False)]
        assert bell.rings >= 10  # the agent kept trying ...
        assert 2 <= len(refreshes) <= 8  # ... but the API saw a bounded number of refreshes
        assert all(g >= 0.15 for g in gaps)
        assert api.calls_of("CommandService.Pending") == []  # never with a dead token


async def test_sigkilled_agent_leaves_offline_last_will(tmp_path: Path, mqtt_broker: Mosquitto) -> None:
    import os
    import signal
    import sys

    host_id = str(uuid.uuid4())
    script = (
        "import asyncio, sys\n"
        "from bv_daemon.fleet.mqtt import MqttDoorbell\n"
        "async def url():\n    return sys.argv[2]\n"
        "async def tok():\n    return 'jwt'\n"
        "async def main():\n"
        "    d = MqttDoorbell(sys.argv[1], lambda: print('ring', flush=True), broker_url=url, token=tok)\n"
        "    await d.run()\n"
        "asyncio.run(main())\n")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script, host_id,
                                                mqtt_broker.url, stdout=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(10):
            assert (await proc.stdout.readline()).strip() == b"ring"  # connected and subscribed
        async with aiomqtt.Client("127.0.0.1", mqtt_broker.port, identifier="observer") as obs:
            await obs.subscribe(status_topic(host_id), qos=1)
            messages = aiter(obs.messages)
            async with asyncio.timeout(5):
                first = common_host_pb2.HostStatus.FromString((await anext(messages)).payload)
            assert first.connection_status == common_host_pb2.HOST_CONNECTION_STATUS_ONLINE
            os.kill(proc.pid, signal.SIGKILL)
            async with asyncio.timeout(5):
                will = common_host_pb2.HostStatus.FromString((await anext(messages)).payload)
            assert will.host_id == host_id
            assert will.connection_status == common_host_pb2.HOST_CONNECTION_STATUS_OFFLINE
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_loop_survives_an_unreadable_cache(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    from bv_daemon.fleet.client import FleetClient, Tokens
    from bv_daemon.fleet.commands import Bell

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")  # the cache's parent is a file: reading it fails with ENOTDIR
    async with FakeFleetApi(server_reactions=False) as api:
        host_id, tokens = api.add_host()
        image = api.add_image("testing", "test", "1.0.0")
        api.create_node(host_id, image.image_id, ip="10.0.0.2", gateway="10.0.0.1")
        async with FleetClient(api.url, Tokens(*tokens)) as client:
            loop = CommandLoop(client, host_id, RecordingHandler(), blocker / "cache.pb",
                               retry_delay=0.05, max_retry_delay=0.1)
            bell = Bell()
            task = asyncio.create_task(loop.run(bell))
            bell.ring()
            await wait_until(lambda: sum("cannot read commands cache" in r.getMessage()
                                         for r in caplog.records) >= 3)
            assert not task.done()  # still retrying, at a bounded pace
            blocker.unlink()
            blocker.mkdir()
            await finish(api, api.commands[0])
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
