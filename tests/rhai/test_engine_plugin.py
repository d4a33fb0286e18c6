"""A realistic plugin (main + base + aux modules, corpus style) run end to end with host
functions answered in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bv_core.rhai import Engine, RhaiRuntimeError, RuntimeFault, to_json_value
from bv_core.rhai._stdlib.blockvisor import HttpResponse, ShResponse

BASE = """fn config_files() {
    [#{ template: "/var/lib/babel/templates/promtail.template", destination: "/etc/promtail.yml",
        params: #{} }]
}
fn aux_services() { [#{ name: "promtail", run_sh: "promtail" }] }"""

AUX = """/// doc comment before a function
fn config_files(net, port, datadir, name, key) {
    [#{ template: "/var/lib/babel/templates/reth.template", destination: "/etc/reth.toml",
        params: #{ net: net, port: `${port}`, datadir: datadir, name: name, key: key, } }]
}
fn aux_services() { [#{ name: "nginx", run_sh: "nginx -g 'daemon off;'" }] }"""

MAIN = """import "base" as base;
import "aux" as aux;

const VARIANTS = #{
    "reth-mainnet-full": #{ net: "mainnet", port: 8545 },
    /// a doc comment inside a map
    "reth-sepolia-full": #{ net: "sepolia", port: 8546 }, // trailing comment
};
const VARIANT = VARIANTS[node_env().node_variant];
const RPC_PORT = global::VARIANT.port;
const RPC_URL = `http://127.0.0.1:${global::RPC_PORT}`;
const DATA_DIR = node_env().protocol_data_path + "/reth";
const PEERS = "a@1:1,\\
               b@2:2";
const MODE = if global::VARIANT.net == "mainnet" { "full"; } else { "light" };
print("loaded");

fn plugin_config() {#{
    config_files: base::config_files() + aux::config_files(global::VARIANT.net, global::RPC_PORT,
        global::DATA_DIR, node_env().node_name, get_secret("key").as_string()),
    aux_services: base::aux_services() + aux::aux_services(),
    init: #{ commands: [`mkdir -p ${global::DATA_DIR}`], jobs: [] },
    services: [#{ name: "reth", run_sh: `reth node --chain ${global::VARIANT.net} \\
        --peers ${global::PEERS} --mode ${global::MODE}`, shutdown_timeout_secs: 120 }],
}}

fn protocol_status() {
    let resp = run_jrpc(#{host: global::RPC_URL, method: ""});
    if resp.status_code == 200 { #{state: "broadcasting", health: "healthy"} }
    else { #{state: "delinquent", health: "healthy"} }
}

fn height() {
    parse_hex(run_jrpc(#{ host: global::RPC_URL, method: "eth_blockNumber" }).expect(200).result)
}

fn sync_status() {
    let r = run_jrpc(#{ host: global::RPC_URL, method: "eth_syncing" }).expect(200);
    if r.result == false { "synced" } else { "syncing" }
}

fn block_age() {
    let now = parse_int(run_sh("date +%s").unwrap());
    let block = run_jrpc (#{ host: global::RPC_URL, method: "eth_getBlockByNumber" }).expect(200);
    now - parse_hex(block.result.timestamp)
}

fn test_height_value(param) {
    try { if param < 0 { throw "negative " + param; } param }
    catch (e) { return e; }
}
"""


class Host:
    def __init__(self) -> None:
        self.status = 200
        self.calls: list[str] = []
        self.secrets = {"key": b"s3cret"}

    def run_jrpc(self, req: dict[str, Any]) -> HttpResponse:
        self.calls.append(req["method"])
        results = {"eth_blockNumber": "0x10", "eth_syncing": False,
                   "eth_getBlockByNumber": {"timestamp": "0x64"}}
        return HttpResponse(self.status, json.dumps({"result": results.get(req["method"])}))

    def get_secret(self, name: str) -> bytearray:
        if name not in self.secrets:
            raise RuntimeFault("not_found")
        return bytearray(self.secrets[name])


@pytest.fixture
def plugin(tmp_path: Path) -> tuple[Engine, Any, Host, list[str]]:
    (tmp_path / "base.rhai").write_text(BASE)
    (tmp_path / "aux.rhai").write_text(AUX)
    (tmp_path / "main.rhai").write_text(MAIN)
    host = Host()
    engine = Engine(module_dir=tmp_path)
    env = {"node_variant": "reth-mainnet-full", "node_name": "fancy",
           "protocol_data_path": "/blockjoy/protocol_data"}
    engine.register_fn("node_env", lambda: dict(env))
    engine.register_fn("get_secret", host.get_secret)
    engine.register_fn("run_jrpc", host.run_jrpc)
    engine.register_fn("run_sh", lambda cmd: ShResponse(0, "116\n", ""))
    printed: list[str] = []
    engine.on_print = printed.append
    ast = engine.compile_file(tmp_path / "main.rhai")
    return engine, ast, host, printed


def test_plugin_config(plugin: tuple[Engine, Any, Host, list[str]]) -> None:
    engine, ast, _host, printed = plugin
    cfg = to_json_value(engine.call_fn(ast, "plugin_config", []))
    assert [f["destination"] for f in cfg["config_files"]] == ["/etc/promtail.yml", "/etc/reth.toml"]
    assert cfg["config_files"][1]["params"] == {
        "datadir": "/blockjoy/protocol_data/reth", "key": "s3cret", "name": "fancy",
        "net": "mainnet", "port": "8545"}
    assert [s["name"] for s in cfg["aux_services"]] == ["promtail", "nginx"]
    assert cfg["init"]["commands"] == ["mkdir -p /blockjoy/protocol_data/reth"]
    # back-tick strings keep "\\" + newline + indentation verbatim; normal strings join lines
    assert cfg["services"][0]["run_sh"] == (
        "reth node --chain mainnet \\\n        --peers a@1:1,b@2:2 --mode full")
    assert printed == ["loaded"]


def test_status_functions(plugin: tuple[Engine, Any, Host, list[str]]) -> None:
    engine, ast, host, _ = plugin
    assert engine.call_fn(ast, "protocol_status", []) == {"state": "broadcasting", "health": "healthy"}
    assert engine.call_fn(ast, "height", []) == 16
    assert engine.call_fn(ast, "sync_status", []) == "synced"
    assert engine.call_fn(ast, "block_age", []) == 16
    assert engine.call_fn(ast, "test_height_value", [-1]) == "negative -1"
    host.status = 503
    assert engine.call_fn(ast, "protocol_status", [])["state"] == "delinquent"
    with pytest.raises(RhaiRuntimeError):
        engine.call_fn(ast, "height", [])


def test_missing_secret_fails_the_render(plugin: tuple[Engine, Any, Host, list[str]]) -> None:
    engine, ast, host, _ = plugin
    host.secrets.clear()
    with pytest.raises(RhaiRuntimeError, match="not_found"):
        engine.call_fn(ast, "plugin_config", [])
    # functions that do not touch the secret still work
    assert engine.call_fn(ast, "height", []) == 16
