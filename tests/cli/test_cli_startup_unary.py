"""`DaemonClient`'s unary calls over `UnaryChannel` (HTTP/2 without grpcio) against real servers.

The fake daemon is a real grpcio server on a Unix socket, the same C-core transport as the
daemon's, so these check the wire format: flow control both ways, trailers, error statuses,
deadlines, and what happens when nobody (or a mute or vanished process) is on the socket.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from fake_daemon import FakeDaemon, FakeServer

from bv_core.proto.blockvisor.internal.v1 import node_pb2, service_pb2_grpc
from bv_daemon.cli._client import CliError, DaemonClient, DaemonUnreachable


@pytest.fixture
def client(short_dir: Path, fake: FakeDaemon) -> Iterator[DaemonClient]:
    c = DaemonClient(short_dir / "bv.sock")
    yield c
    c.close()


def test_large_response_matches_grpcio(short_dir: Path, fake: FakeDaemon, client: DaemonClient) -> None:
    # ~600 nodes: a response of several 16 KiB frames, past the 64 KiB default window.
    for i in range(600):
        fake.add_node(f"big-{i:04}", tags=("t" * 40,), properties={"k" * 20: "v" * 60})
    ours = client.call("ListNodes", node_pb2.ListNodesRequest())
    with grpc.insecure_channel(f"unix://{short_dir / 'bv.sock'}") as ch:
        theirs = service_pb2_grpc.BlockvisorServiceStub(ch).ListNodes(node_pb2.ListNodesRequest(), timeout=30)
    assert ours.ByteSize() > 200_000
    assert ours == theirs


def test_large_request_is_sent_within_the_servers_windows(fake: FakeDaemon, client: DaemonClient) -> None:
    fake.add_node("alpha")
    param = "p" * 300_000  # more than the server's initial 64 KiB stream window
    resp = client.call("RunPluginMethod", node_pb2.RunPluginMethodRequest(node="alpha", method="upload",
                                                                          param=param))
    assert resp.result == f"param={param}"


def test_many_calls_share_one_connection(fake: FakeDaemon, client: DaemonClient) -> None:
    fake.add_node("alpha", running=True)
    heights = [client.call("RunPluginMethod", node_pb2.RunPluginMethodRequest(node="alpha", method="height")).result
               for _ in range(40)]
    assert heights == [str(101 + i) for i in range(40)]


def test_status_details_and_trailers(fake: FakeDaemon, client: DaemonClient) -> None:
    node = fake.add_node("alpha")
    node.failure = "recovery gave up: 100% of 3 tries failed"
    info, trailers = client.call_with_trailers("GetNode", node_pb2.GetNodeRequest(node="alpha"))
    assert info.name == "alpha"
    assert trailers["bv-status-reason"] == node.failure
    with pytest.raises(CliError, match=r"^node `ghost` not found$"):
        client.call("GetNode", node_pb2.GetNodeRequest(node="ghost"), subject="ghost")
    fake.fail_next["ListNodes"] = (grpc.StatusCode.INVALID_ARGUMENT, "bad tag `a b`: 50% wrong, ü")
    with pytest.raises(CliError, match=r"^bad tag `a b`: 50% wrong, ü$"):
        client.call("ListNodes", node_pb2.ListNodesRequest())
    fake.fail_next["ListNodes"] = (grpc.StatusCode.PERMISSION_DENIED, "")
    with pytest.raises(CliError, match=r"^blockvisord failed: permission_denied$"):
        client.call("ListNodes", node_pb2.ListNodesRequest())
    # The connection is still good after failed calls.
    assert [n.name for n in client.call("ListNodes", node_pb2.ListNodesRequest()).nodes] == ["alpha"]


def test_daemon_restart_between_calls_reconnects(short_dir: Path) -> None:
    path = short_dir / "restart.sock"
    c = DaemonClient(path)
    try:
        with FakeServer(path) as first:
            first.daemon.add_node("one")
            assert [n.name for n in c.call("ListNodes", node_pb2.ListNodesRequest()).nodes] == ["one"]
        path.unlink(missing_ok=True)
        with FakeServer(path) as second:
            second.daemon.add_node("two")
            assert [n.name for n in c.call("ListNodes", node_pb2.ListNodesRequest()).nodes] == ["two"]
    finally:
        c.close()


# Connections a mute listener keeps open until the test ends.
_HELD: list[socket.socket] = []


def _listener(path: Path, on_accept: str) -> tuple[socket.socket, threading.Thread]:
    """A Unix socket that accepts and then stays mute (``mute``) or hangs up (``close``)."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen()

    def serve() -> None:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        if on_accept == "close":
            conn.recv(65536)
            conn.close()
        else:
            _HELD.append(conn)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv, t


def test_mute_server_hits_the_deadline(short_dir: Path) -> None:
    path = short_dir / "mute.sock"
    srv, _ = _listener(path, "mute")
    c = DaemonClient(path)
    try:
        started = time.monotonic()
        with pytest.raises(CliError, match=r"did not answer in time$"):
            c.call("ListNodes", node_pb2.ListNodesRequest(), timeout=0.3)
        assert time.monotonic() - started < 10  # bounded by the deadline, not hanging
    finally:
        c.close()
        srv.close()


def test_server_hanging_up_is_unreachable(short_dir: Path) -> None:
    path = short_dir / "hangup.sock"
    srv, t = _listener(path, "close")
    c = DaemonClient(path)
    try:
        with pytest.raises(DaemonUnreachable, match=r"^cannot reach blockvisord at .*hangup.sock"):
            c.call("ListNodes", node_pb2.ListNodesRequest(), timeout=10)
    finally:
        c.close()
        srv.close()
        t.join(5)


def test_stale_socket_file_is_unreachable(short_dir: Path) -> None:
    path = short_dir / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()  # the file stays, nobody listens
    c = DaemonClient(path)
    with pytest.raises(DaemonUnreachable, match=r"is it running\? \(bv start\)$"):
        c.call("ListNodes", node_pb2.ListNodesRequest())
    c.close()


def test_streaming_and_unary_methods_are_not_mixed_up(client: DaemonClient) -> None:
    from bv_core.errors import InternalError

    with pytest.raises(InternalError, match="CreateNode is a streaming RPC"):
        client.call("CreateNode", node_pb2.CreateNodeRequest())
    with pytest.raises(InternalError, match="unknown BlockvisorService method: Nope"):
        client.call("Nope", node_pb2.ListNodesRequest())
