"""Connected mode end to end: real blockvisord + fake fleet API + real mosquitto + real bwrap nodes.

Commands reach the daemon only the way they reach a real host: a message on the host's command
topic (or a poll while the broker is down) -> CommandService.Pending -> Ack -> run -> Update.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from bv_core.proto.blockjoy.common.v1 import config_pb2
from bv_core.proto.blockjoy.common.v1 import node_pb2 as common_node_pb2
from bv_core.proto.blockjoy.v1 import command_pb2
from bv_core.proto.blockvisor.internal.v1 import node_pb2
from bv_daemon.fleet.convert import MAX_PROPERTY_KEY, MAX_PROPERTY_VALUE
from tests.connected.connected_support import ConnectedDaemon, start_unknown_node
from tests.e2e.daemon_support import node_status, wait_for

pytestmark = [pytest.mark.root, pytest.mark.slow]

OK = command_pb2.COMMAND_EXIT_CODE_OK
INTERNAL_ERROR = command_pb2.COMMAND_EXIT_CODE_INTERNAL_ERROR
NODE_NOT_FOUND = command_pb2.COMMAND_EXIT_CODE_NODE_NOT_FOUND
VARIANT = "demo-devnet-full"


def _index(d: ConnectedDaemon, rpc: str, command_id: str) -> int:
    """Position in the API's call record of the first ``rpc`` call about ``command_id``."""
    for i, call in enumerate(d.api.calls):
        if call.rpc == rpc and call.request.command_id == command_id:
            return i
    raise AssertionError(f"no {rpc} call for command {command_id}")


def _assert_protocol(d: ConnectedDaemon, command_id: str) -> None:
    """Pending listed it, then Ack, then Update: in that order."""
    ack = _index(d, "CommandService.Ack", command_id)
    update = _index(d, "CommandService.Update", command_id)
    pending = [i for i, c in enumerate(d.api.calls) if c.rpc == "CommandService.Pending"]
    assert pending and pending[0] < ack < update, (pending[:3], ack, update)


def _run(d: ConnectedDaemon, command: Any, code: int = OK) -> Any:
    d.publish()
    done = d.wait_command(command.command_id)
    assert done.exit_code == code, (command_pb2.CommandExitCode.Name(done.exit_code), done.exit_message)
    _assert_protocol(d, command.command_id)
    return done


def _reaction(d: ConnectedDaemon, node_id: str, kind: str) -> Any:
    """The command the fake API queued by itself (NodeStart after an OK NodeCreate)."""
    return wait_for(f"{kind} command for {node_id}", lambda: next(
        (c for c in d.api.commands if c.WhichOneof("command") == "node" and c.node.node_id == node_id
         and c.node.WhichOneof("command") == kind), None), timeout=10)


def _local_ids(d: ConnectedDaemon) -> list[str]:
    return [n.id for n in d.call("ListNodes", node_pb2.ListNodesRequest(), timeout=30).nodes]


def _create(d: ConnectedDaemon, image_id: str, ip: str, **kw: Any) -> tuple[Any, Any]:
    node = d.api.create_node(d.host_id, image_id, ip=ip, gateway=d.gateway, **kw)
    d.node_ids.add(node.node_id)
    return node, d.api.commands[-1]


def test_node_lifecycle_and_bad_nodes(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    image = api.add_image("demochain", VARIANT, "1.0.0")
    node, create = _create(d, image.image_id, d.pool[0], values={"greeting": "hello-fleet"})
    _run(d, create)
    assert node.node_id in d.ufw.rules()  # firewall applied on create, tagged with the node id
    _run(d, _reaction(d, node.node_id, "start"))  # the API's own NodeStart after an OK create
    assert node_status(d, node.node_id) == node_pb2.NODE_STATUS_RUNNING
    wait_for("RUNNING status report", lambda: any(
        r.node_id == node.node_id and r.status.state == common_node_pb2.NODE_STATE_RUNNING
        for r in api.statuses), timeout=30)

    # bad Nodes: each fails with a clear message; the running node is not touched
    unknown = api.add_image("demochain", VARIANT, "9.9.9")
    _, cmd = _create(d, unknown.image_id, d.pool[1])
    msg = _run(d, cmd, INTERNAL_ERROR).exit_message
    assert "9.9.9" in msg and "not available on this host" in msg, msg
    _, cmd = _create(d, image.image_id, "10.0.0.300")
    msg = _run(d, cmd, INTERNAL_ERROR).exit_message
    assert "ip_address" in msg and "10.0.0.300" in msg, msg
    _, cmd = _create(d, image.image_id, d.pool[0])  # the running node's IP
    msg = _run(d, cmd, INTERNAL_ERROR).exit_message
    assert d.pool[0] in msg and node.node_id in msg, msg
    # out-of-range resources and oversized properties; sizes are uint64, so 2**64 - n is what a
    # negative int64 from the API looks like (contract: any such error -> INTERNAL_ERROR)
    negative = 2**64 - 1_000_000
    changes: list[tuple[Callable[[Any], object], str]] = [
        (lambda n: setattr(n.config.vm, "cpu_cores", 0), "config.vm.cpu_cores"),
        (lambda n: setattr(n.config.vm, "memory_bytes", negative), "config.vm.memory_bytes"),
        (lambda n: setattr(n.config.vm, "disk_bytes", negative), "config.vm.disk_bytes"),
        (lambda n: n.config.vm.ramdisks.add(mount="/mnt/ram", size_bytes=negative),
         "config.vm.ramdisks[0].size_bytes"),
        (lambda n: n.config.image.values.add(key="greeting", value="x" * (MAX_PROPERTY_VALUE + 1)),
         "config.image.values[0].value"),
        (lambda n: n.config.image.values.add(key="k" * (MAX_PROPERTY_KEY + 1), value="v"),
         "config.image.values[0].key"),
    ]
    for change, field in changes:
        bad, cmd = _create(d, image.image_id, d.pool[2])
        change(bad)
        cmd.node.create.node.CopyFrom(bad)
        msg = _run(d, cmd, INTERNAL_ERROR).exit_message
        assert msg.startswith(f"BV internal error: 'node {bad.node_id}: {field}: "), msg
        assert "expected" in msg, msg
        assert "\n" not in msg and len(msg) < 400, msg  # one line, not the 64 KiB value
    assert _local_ids(d) == [node.node_id]
    assert node_status(d, node.node_id) == node_pb2.NODE_STATUS_RUNNING

    _run(d, api.node_command(node.node_id, "stop"))
    assert node_status(d, node.node_id) == node_pb2.NODE_STATUS_STOPPED
    _run(d, api.node_command(node.node_id, "delete"))
    assert _local_ids(d) == []
    assert not (d.nodes_dir / node.node_id).exists()
    assert node.node_id not in d.ufw.rules()  # rules removed on delete
    # a repeated delete and commands for the deleted node
    api.nodes[node.node_id] = node
    _run(d, api.node_command(node.node_id, "delete"))
    api.nodes[node.node_id] = node
    _run(d, api.node_command(node.node_id, "start"), NODE_NOT_FOUND)
    api.nodes.pop(node.node_id, None)


def test_commands_arrive_by_polling_while_broker_is_down(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    first = start_unknown_node(api, d.host_id)
    _run(d, first, NODE_NOT_FOUND)  # through the doorbell
    d.broker.stop()
    cmd = start_unknown_node(api, d.host_id)  # nobody can ring: only polling finds it
    done = d.wait_command(cmd.command_id, timeout=30)
    assert done.exit_code == NODE_NOT_FOUND and done.exit_message == "node not found"
    _assert_protocol(d, cmd.command_id)
    d.broker.start()


def _log_count(d: ConnectedDaemon, text: str) -> int:
    return d.log_path.read_text(errors="replace").count(text)


def test_sigkill_between_ack_and_update_completes_once(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    image = api.add_image("demochain", VARIANT, "1.0.0")
    api.server_reactions = False  # no NodeStart afterwards: only the create is under test
    node, create = _create(d, image.image_id, d.pool[3])
    api.fail("CommandService.Update", grpc.StatusCode.UNAVAILABLE, times=None)
    d.publish()
    # the result is journaled before the first Update attempt; then the daemon dies
    wait_for("an Update attempt", lambda: any(
        c.request.command_id == create.command_id for c in api.calls_of("CommandService.Update")),
        timeout=90)
    assert not create.HasField("exit_code")
    d.sigkill()
    api.clear_failures()
    d.start()
    done = d.wait_command(create.command_id)
    assert done.exit_code == OK, done.exit_message
    _assert_protocol(d, create.command_id)
    assert _log_count(d, f"command {create.command_id} (node {node.node_id} create) -> OK") == 1
    assert _local_ids(d) == [node.node_id]
    assert len(api.calls_of("CommandService.Ack")) == 1  # not fetched and acked again


def test_sigkill_mid_create_reruns_the_command(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    d.sigterm()
    d.failpoints = ["create-built"]
    d.start()
    image = api.add_image("demochain", VARIANT, "1.0.0")
    api.server_reactions = False
    node, create = _create(d, image.image_id, d.pool[4])
    d.publish()
    wait_for("the create failpoint", lambda: _log_count(d, "failpoint create-built reached") >= 1,
             timeout=90)
    d.sigkill()
    d.failpoints = []
    d.start()  # attach removes the half-built node; the cached command runs again
    done = d.wait_command(create.command_id)
    assert done.exit_code == OK, done.exit_message
    assert _log_count(d, "removing a node whose creation did not finish") == 1
    assert _local_ids(d) == [node.node_id]
    assert _log_count(d, f"command {create.command_id} (node {node.node_id} create) -> OK") == 1
    assert node.node_id in d.ufw.rules()


def test_unknown_node_id_format_is_refused_without_touching_nodes(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    cmd = api.add_command(d.host_id, node_id="not-a-uuid", stop=command_pb2.NodeStop())
    msg = _run(d, cmd, INTERNAL_ERROR).exit_message
    assert "not-a-uuid" in msg, msg
    assert uuid.UUID(d.host_id)


def test_upgrade_and_update_from_the_api(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    v1 = api.add_image("demochain", VARIANT, "1.0.0", store_key="demochain-devnet-v1")
    v2 = api.add_image("demochain", VARIANT, "2.0.0", store_key="demochain-devnet-v1")
    node, create = _create(d, v1.image_id, d.pool[5])
    _run(d, create)
    _run(d, _reaction(d, node.node_id, "start"))

    upgrade = api.upgrade_node(node.node_id, v2.image_id)
    _run(d, upgrade)
    info = d.call("GetNode", node_pb2.GetNodeRequest(node=node.node_id))
    assert info.image.version == "2.0.0" and info.image.id == v2.image_id
    assert info.image.config_id == api.nodes[node.node_id].config_id
    assert node_status(d, node.node_id) == node_pb2.NODE_STATUS_RUNNING

    rule = config_pb2.FirewallRule(
        key="p2p-in", protocol=config_pb2.FIREWALL_PROTOCOL_TCP,
        direction=config_pb2.FIREWALL_DIRECTION_INBOUND, action=config_pb2.FIREWALL_ACTION_ALLOW,
        ports=[config_pb2.PortName(port=30303)])
    firewall = config_pb2.FirewallConfig(default_in=config_pb2.FIREWALL_ACTION_REJECT,
                                         default_out=config_pb2.FIREWALL_ACTION_ALLOW, rules=[rule])
    update = api.add_command(d.host_id, node_id=node.node_id, update=command_pb2.NodeUpdate(
        node_id=node.node_id, config_id=str(uuid.uuid4()), new_display_name="renamed",
        new_values=[config_pb2.PropertyValueConfig(key="greeting", value="updated")],
        new_firewall=firewall))
    _run(d, update)
    info = d.call("GetNode", node_pb2.GetNodeRequest(node=node.node_id))
    assert info.display_name == "renamed" and info.properties["greeting"] == "updated"
    assert info.image.config_id == update.node.update.config_id
    assert f"{node.node_id} p2p-in" in d.ufw.rules() and "30303" in d.ufw.rules()

    missing = str(uuid.uuid4())
    cmd = api.add_command(d.host_id, node_id=missing, update=command_pb2.NodeUpdate(node_id=missing))
    _run(d, cmd, NODE_NOT_FOUND)


def test_cli_node_commands_go_through_the_fleet_api(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    image = api.add_image("demochain", VARIANT, "1.0.0")
    node, create = _create(d, image.image_id, d.pool[6])
    _run(d, create)
    _run(d, _reaction(d, node.node_id, "start"))

    d.call("StopNode", node_pb2.StopNodeRequest(node=node.node_id))  # what `bv node stop` sends
    stop = _reaction(d, node.node_id, "stop")  # NodeService.Stop queued it and rang the doorbell
    assert [c.request.node_id for c in api.calls_of("NodeService.Stop")] == [node.node_id]
    assert d.wait_command(stop.command_id).exit_code == OK
    assert node_status(d, node.node_id) == node_pb2.NODE_STATUS_STOPPED

    d.call("DeleteNode", node_pb2.DeleteNodeRequest(node=node.node_id))
    delete = _reaction(d, node.node_id, "delete")
    assert d.wait_command(delete.command_id).exit_code == OK
    assert _local_ids(d) == [] and node.node_id not in api.nodes


def test_cli_create_and_upgrade_go_through_the_fleet_api(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    api.add_image("demochain", VARIANT, "1.0.0", store_key="demochain-devnet-v1")
    v2 = api.add_image("demochain", VARIANT, "2.0.0", store_key="demochain-devnet-v1")
    events = d.call("CreateNode", node_pb2.CreateNodeRequest(  # what `bv node create` sends
        image_key=node_pb2.ImageKey(protocol_key="demochain"), image_version="1.0.0",
        properties={"greeting": "via-api"}))
    assert events[-1].WhichOneof("event") == "result", events
    node_id = events[-1].result.node.id
    d.node_ids.add(node_id)
    assert [c.request.image_id for c in api.calls_of("NodeService.Create")] != []
    assert node_id in api.nodes and api.nodes[node_id].ip_address == d.pool[0]  # the API's choice
    assert events[-1].result.node.properties["greeting"] == "via-api"
    _run(d, _reaction(d, node_id, "start"))

    events = d.call("UpgradeNode", node_pb2.UpgradeNodeRequest(node=node_id, image_version="2.0.0"))
    assert events[-1].WhichOneof("event") == "result", events
    assert [list(c.request.node_ids) for c in api.calls_of("NodeService.UpgradeImage")] == [[node_id]]
    upgrade = _reaction(d, node_id, "upgrade")
    assert d.wait_command(upgrade.command_id).exit_code == OK
    assert d.call("GetNode", node_pb2.GetNodeRequest(node=node_id)).image.id == v2.image_id


def test_doorbell_over_mqtt_311(connected: ConnectedDaemon) -> None:
    d, api = connected, connected.api
    # the first start's (MQTT 5) connection, so the count below is the restart's
    wait_for("the daemon's first MQTT connection",
             lambda: _log_count(d, "MQTT connected to") >= 1, timeout=20)
    d.sigterm()
    d.mqtt_protocol = "3.1.1"
    d.start()
    # the second start's connection; while connected, only the doorbell makes the loop look
    wait_for("the daemon's MQTT 3.1.1 connection",
             lambda: _log_count(d, "MQTT connected to") >= 2, timeout=20)
    cmd = start_unknown_node(api, d.host_id)
    _run(d, cmd, NODE_NOT_FOUND)
