"""Status functions of the example plugins against local fake JSON-RPC/REST servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from plugin_fakes import EXAMPLES, FakeNodeServer, HttpHost, job_info

from bv_core.jobs import Pending, Running
from bv_core.plugin import (
    MethodNotFound,
    PluginCallError,
    ProtocolStatus,
    RhaiPlugin,
    linter_node_env,
)

HEALTHY = ProtocolStatus("broadcasting", "healthy")


@pytest.fixture
def servers() -> Iterator[dict[int, FakeNodeServer]]:
    """One fake server per node port the examples use."""
    with ExitStack() as stack:
        yield {port: stack.enter_context(FakeNodeServer()) for port in (8545, 5052, 9545, 26657)}


def plugin_for(name: str, variant: str, servers: dict[int, FakeNodeServer]) -> tuple[RhaiPlugin, HttpHost]:
    host = HttpHost({p: s.port for p, s in servers.items()}, node_env=linter_node_env(node_variant=variant))
    return RhaiPlugin(EXAMPLES / name, host), host


def test_ethereum_status(servers: dict[int, FakeNodeServer]) -> None:
    rpc, beacon = servers[8545], servers[5052]
    now = int(time.time())
    rpc.jrpc.update({
        "eth_syncing": False,
        "eth_blockNumber": "0x12d687",
        "eth_getBlockByNumber": {"number": "0x12d687", "timestamp": hex(now - 12)},
        "admin_nodeInfo": {"enode": "enode://abcd@1.2.3.4:30303"},
    })
    beacon.rest["/eth/v1/node/syncing"] = {"data": {"is_syncing": False, "head_slot": "42"}}
    plugin, host = plugin_for("ethereum", "reth-lighthouse-mainnet-full", servers)
    assert plugin.protocol_status() == HEALTHY
    assert plugin.height() == 0x12D687
    assert 12 <= plugin.block_age() <= 12 + 60
    assert plugin.consensus() is True
    assert plugin.call_custom_method("sync_status", "") == "synced"
    assert plugin.address() == "enode://abcd@1.2.3.4:30303"
    assert plugin.call_method("height") == str(0x12D687)
    # The request is a real JSON-RPC 2.0 document with the plugin's headers.
    doc = next(r for r in rpc.requests if "doc" in r and r["doc"]["method"] == "eth_getBlockByNumber")
    assert doc["doc"]["params"] == ["latest", False] and doc["doc"]["jsonrpc"] == "2.0"
    assert doc["headers"]["content-type"] == "application/json"

    # Beacon node still syncing: the pair is not broadcasting yet.
    beacon.rest["/eth/v1/node/syncing"] = {"data": {"is_syncing": True}}
    assert plugin.protocol_status() == ProtocolStatus("syncing", "neutral")
    # Execution RPC failing: delinquent.
    rpc.jrpc["eth_syncing"] = (503, "unavailable")
    assert plugin.protocol_status() == ProtocolStatus("delinquent", "unhealthy")
    assert plugin.call_method("protocol_status") == '{"state":"delinquent","health":"unhealthy"}'


def test_ethereum_errors_name_the_function(servers: dict[int, FakeNodeServer]) -> None:
    servers[8545].jrpc["eth_blockNumber"] = (500, "{}")
    plugin, _ = plugin_for("ethereum", "reth-lighthouse-sepolia-full", servers)
    with pytest.raises(PluginCallError, match="Rhai function 'height' returned error: .*eth_blockNumber failed with HTTP status 500"):
        plugin.height()
    with pytest.raises(MethodNotFound, match="no matching method 'nope' found"):
        plugin.call_custom_method("nope", "")
    with pytest.raises(MethodNotFound):
        plugin.call_custom_method("sync_status", "unexpected param")


def test_op_stack_status(servers: dict[int, FakeNodeServer]) -> None:
    now = int(time.time())
    servers[8545].jrpc.update({"eth_chainId": "0xa", "eth_blockNumber": "0x7b"})
    servers[9545].jrpc["optimism_syncStatus"] = {"unsafe_l2": {"number": 123, "timestamp": now - 5}}
    plugin, _ = plugin_for("op-stack", "op-geth-mainnet-full", servers)
    assert plugin.protocol_status() == HEALTHY
    assert plugin.height() == 123
    assert 5 <= plugin.block_age() <= 65
    servers[9545].jrpc["optimism_syncStatus"] = {"unsafe_l2": {"number": 1, "timestamp": now - 3600}}
    assert plugin.call_custom_method("sync_status", "") == "syncing"
    assert plugin.protocol_status() == ProtocolStatus("syncing", "neutral")


def test_cosmos_status_via_rest(servers: dict[int, FakeNodeServer]) -> None:
    block_time = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 7)) + ".123456789Z"
    status = {
        "jsonrpc": "2.0", "id": -1,
        "result": {
            "node_info": {"id": "c0ffee", "moniker": "my-node"},
            "sync_info": {"latest_block_height": "19876543", "latest_block_time": block_time, "catching_up": False},
        },
    }
    servers[26657].rest["/status"] = status
    plugin, _ = plugin_for("cosmos", "gaiad-mainnet-full", servers)
    assert plugin.protocol_status() == HEALTHY
    assert plugin.height() == 19876543
    assert 6 <= plugin.block_age() <= 67
    assert plugin.address() == "c0ffee"
    assert plugin.name() == "my-node"
    status["result"]["sync_info"]["catching_up"] = True  # type: ignore[index]
    assert plugin.call_custom_method("sync_status", "") == "syncing"
    assert plugin.protocol_status() == ProtocolStatus("syncing", "neutral")


def test_legacy_application_status_fallback(servers: dict[int, FakeNodeServer]) -> None:
    servers[8545].jrpc.update({"eth_syncing": {"startingBlock": "0x0", "currentBlock": "0x10"}, "eth_blockNumber": "0x10"})
    plugin, _ = plugin_for("legacy", "geth-mainnet-full", servers)
    assert plugin.protocol_status() == ProtocolStatus("syncing", "neutral")
    servers[8545].jrpc["eth_syncing"] = False
    assert plugin.protocol_status() == ProtocolStatus("broadcasting", "neutral")
    assert plugin.height() == 16


def test_status_overrides_come_from_jobs(servers: dict[int, FakeNodeServer]) -> None:
    servers[8545].jrpc["eth_syncing"] = False
    servers[5052].rest["/eth/v1/node/syncing"] = {"data": {"is_syncing": False}}
    plugin, host = plugin_for("ethereum", "reth-lighthouse-mainnet-full", servers)
    # Before init (and with nothing persisted), a pending service is not "starting".
    host.jobs = {"reth": job_info(Pending())}
    assert plugin.protocol_status() == HEALTHY
    plugin.init()
    assert plugin.protocol_status() == ProtocolStatus("starting", "neutral")
    host.jobs["download"] = job_info(Running())
    assert plugin.protocol_status() == ProtocolStatus("downloading", "neutral")
    host.jobs["upload"] = job_info(Running())
    assert plugin.protocol_status() == ProtocolStatus("uploading", "neutral")
    # A new plugin instance gets the persisted config from the host: still "starting".
    del host.jobs["upload"], host.jobs["download"]
    assert RhaiPlugin(EXAMPLES / "ethereum", host).protocol_status() == ProtocolStatus("starting", "neutral")


def test_unreachable_node_is_a_clear_error() -> None:
    with FakeNodeServer() as server:
        port = server.port
    host = HttpHost({8545: port}, node_env=linter_node_env(node_variant="reth-lighthouse-mainnet-full"))
    plugin = RhaiPlugin(EXAMPLES / "ethereum", host)
    with pytest.raises(PluginCallError, match=rf"Rhai function 'height' returned error: .*request to http://127.0.0.1:{port}"):
        plugin.height()


def test_request_shapes_reach_the_server(tmp_path: Path) -> None:
    (tmp_path / "main.rhai").write_text("""
const URL = "http://127.0.0.1:8545";
fn rest() {
    let r = run_rest(#{url: global::URL + "/health?x=1", headers: #{"x-api-key": "k1"}}, 3);
    `${r.status_code}:${r.body}`
}
fn jrpc() {
    let r = run_jrpc(#{host: global::URL, method: "m", params: #{a: 1}, headers: #{"x-api-key": "k2"}}, 3);
    r.expect(|code| code >= 200 && code < 300).result
}
fn missing() { run_rest(#{url: global::URL + "/nope"}).expect(200) }
""")
    with FakeNodeServer() as server:
        server.rest["/health?x=1"] = (200, "ok")
        server.jrpc["m"] = "done"
        plugin = RhaiPlugin(tmp_path, HttpHost({8545: server.port}))
        assert plugin.call_custom_method("rest", "") == "200:ok"
        assert plugin.call_custom_method("jrpc", "") == "done"
        with pytest.raises(PluginCallError, match="404"):
            plugin.call_custom_method("missing", "")
    post = next(r for r in server.requests if "doc" in r)
    assert post["doc"] == {"jsonrpc": "2.0", "id": 0, "method": "m", "params": {"a": 1}}
    assert post["headers"]["x-api-key"] == "k2"
    get = next(r for r in server.requests if r.get("path") == "/health?x=1")
    assert get["headers"]["x-api-key"] == "k1"


def test_concurrent_polls_from_worker_threads(servers: dict[int, FakeNodeServer]) -> None:
    """The daemon calls plugins from worker threads: calls are serialised, results correct."""
    from concurrent.futures import ThreadPoolExecutor

    now = int(time.time())
    servers[8545].jrpc.update({"eth_chainId": "0xa", "eth_blockNumber": "0x7b"})
    servers[9545].jrpc["optimism_syncStatus"] = {"unsafe_l2": {"number": 123, "timestamp": now}}
    plugin, _ = plugin_for("op-stack", "op-geth-mainnet-full", servers)

    def poll(i: int) -> tuple[ProtocolStatus, int]:
        return plugin.protocol_status(), plugin.height()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(poll, range(40)))
    assert results == [(HEALTHY, 123)] * 40
