"""The built-in init()/upload(): step order and job configs, recorded by a PluginHost."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from plugin_fakes import EXAMPLES, RecordingHost

from bv_core.plugin import PluginCallError, RhaiPlugin, ShResult, linter_node_env

ALWAYS_DEFAULT = {"always": {"backoff_timeout_ms": 60000, "backoff_base_ms": 1000}}
ARCHIVE_DEFAULT = {"on_failure": {"backoff_timeout_ms": 600000, "backoff_base_ms": 500, "max_retries": 10}}


def steps(host: RecordingHost) -> list[tuple[Any, ...]]:
    """The calls without payloads: (method, name) or (method,)."""
    out: list[tuple[Any, ...]] = []
    for call in host.calls:
        if call[0] in ("create_job", "start_job", "stop_job"):
            out.append((call[0], call[1]))
        elif call[0] == "render_template":
            out.append((call[0], call[2]))
        elif call[0] == "run_sh":
            out.append((call[0],))
        elif call[0] == "add_task":
            out.append(call[:2])
        else:
            out.append((call[0],))
    return out


def started(*names: str) -> list[tuple[str, str]]:
    return [x for n in names for x in (("create_job", n), ("start_job", n))]


def example(name: str, variant: str, **kwargs: Any) -> tuple[RhaiPlugin, RecordingHost]:
    env = linter_node_env(node_variant=variant)
    host = RecordingHost(env, {"pruning": "nothing", "min-gas-prices": "1uatom"}, **kwargs)
    return RhaiPlugin(EXAMPLES / name, host), host


def test_ethereum_init_order_with_archive() -> None:
    plugin, host = example("ethereum", "reth-lighthouse-mainnet-full")
    plugin.init()
    assert steps(host) == [
        ("save_config",),
        ("stop_all_jobs",),
        ("render_template", "/etc/node-exporter/config.yaml"),
        ("render_template", "/etc/reth/reth.toml"),
        *started("node-exporter"),
        ("run_sh",),
        *started("create-jwt"),
        ("protocol_data_stamp",),
        ("has_protocol_archive",),
        *started("download", "reth", "lighthouse"),
    ]
    jobs = host.job_configs()
    assert jobs["node-exporter"]["restart"] == ALWAYS_DEFAULT
    assert jobs["node-exporter"]["needs"] == [] and jobs["node-exporter"]["use_protocol_data"] is False
    assert jobs["create-jwt"]["one_time"] is True and jobs["create-jwt"]["restart"] == "never"
    assert jobs["download"]["job_type"] == {"download": {"max_connections": 5}}
    assert jobs["download"]["restart"] == ARCHIVE_DEFAULT
    assert jobs["download"]["needs"] == ["create-jwt"]
    for service in ("reth", "lighthouse"):
        assert jobs[service]["needs"] == ["download"]
        assert jobs[service]["use_protocol_data"] is True
        assert jobs[service]["shutdown_timeout_secs"] == 120
    assert plugin.capabilities() == [
        "address", "block_age", "consensus", "height", "init", "plugin_config",
        "protocol_status", "sync_status", "upload",
    ]


def test_cosmos_download_then_post_download() -> None:
    plugin, host = example("cosmos", "gaiad-mainnet-full")
    plugin.init()
    assert steps(host)[-8:] == [
        ("protocol_data_stamp",),
        ("has_protocol_archive",),
        *started("download", "apply-config", "gaiad"),
    ]
    jobs = host.job_configs()
    assert jobs["download"]["job_type"] == {"download": {"max_connections": 5, "max_runners": 8}}
    assert jobs["download"]["needs"] == []
    assert jobs["apply-config"]["needs"] == ["download"]
    assert jobs["gaiad"]["needs"] == ["apply-config"]
    assert "--pruning nothing" in jobs["gaiad"]["job_type"]["run_sh"]
    render = [c for c in host.calls if c[0] == "render_template"][1]
    assert render[3] == {"pruning": "nothing", "min_gas_prices": "1uatom"}


def test_cosmos_cold_init_without_archive_skips_post_download() -> None:
    plugin, host = example("cosmos", "gaiad-testnet-full", archive=False)
    plugin.init()
    jobs = host.job_configs()
    assert "apply-config" not in jobs
    cold = jobs["download"]
    assert cold["job_type"]["run_sh"].startswith('/usr/bin/gaiad init "node_name" --chain-id theta-testnet-001')
    assert cold["one_time"] is True
    assert cold["restart"] == {"on_failure": {"backoff_timeout_ms": 600000, "backoff_base_ms": 5000, "max_retries": 5}}
    assert jobs["gaiad"]["needs"] == ["download"]


def test_data_step_is_skipped_when_the_protocol_data_lock_exists() -> None:
    plugin, host = example("cosmos", "gaiad-mainnet-full", stamp=1_700_000_000.0)
    plugin.init()
    assert ("has_protocol_archive",) not in steps(host)
    assert set(host.job_configs()) == {"node-exporter", "gaiad"}
    assert host.job_configs()["gaiad"]["needs"] == []


def test_op_stack_alternative_download_and_aux_services() -> None:
    plugin, host = example("op-stack", "op-geth-sepolia-full", archive=False)
    # plugin_config() reads a secret: without it init fails, naming the plugin function.
    with pytest.raises(PluginCallError, match="Rhai function 'plugin_config' returned error: .*not_found"):
        plugin.init()
    host.calls.clear()
    host.secrets["loki-api-key"] = b"k-123"
    plugin.init()
    assert steps(host)[:7] == [
        ("save_config",),
        ("stop_all_jobs",),
        ("render_template", "/etc/node-exporter/config.yaml"),
        ("render_template", "/etc/op-geth/config.toml"),
        ("render_template", "/etc/op-node/op-node.env"),
        ("render_template", "/etc/promtail/config.yaml"),
        ("render_template", "/etc/rpc-proxy/config.toml"),
    ]
    assert host.names("start_job") == [
        "node-exporter", "promtail", "l1-proxy", "download", "op-geth", "op-node",
    ]
    promtail = next(c for c in host.calls if c[0] == "render_template" and c[2] == "/etc/promtail/config.yaml")
    assert promtail[3] == {"network": "op-sepolia", "node_name": "node_name", "loki_key": "k-123"}
    jobs = host.job_configs()
    assert jobs["l1-proxy"]["shutdown_timeout_secs"] == 10
    assert jobs["download"]["job_type"]["run_sh"].startswith("/usr/bin/op-geth init")
    assert jobs["download"]["restart"] == {"on_failure": {"backoff_timeout_ms": 60000, "backoff_base_ms": 1000, "max_retries": 3}}
    assert jobs["op-geth"]["needs"] == ["download"]
    assert [c[1] for c in host.calls if c[0] == "run_sh"] == [
        "mkdir -p /blockjoy/protocol_data/op-geth /blockjoy/protocol_data/op-node",
        "test -s /blockjoy/jwt.hex || openssl rand -hex 32 > /blockjoy/jwt.hex",
    ]


def test_legacy_constants_base_config_and_scheduled_upload() -> None:
    plugin, host = example("legacy", "geth-mainnet-full", archive=False)
    assert plugin.capabilities() == ["application_status", "block_age", "height", "sync_status"]
    plugin.init()
    assert steps(host) == [
        ("save_config",),
        ("stop_all_jobs",),
        ("render_template", "/etc/node-exporter/config.yaml"),
        *started("node-exporter"),
        ("run_sh",),
        *started("init-genesis"),
        ("protocol_data_stamp",),
        ("has_protocol_archive",),
        *started("download", "geth"),
        ("add_task", "weekly-upload"),
    ]
    assert host.calls[-1] == ("add_task", "weekly-upload", "0 0 3 * * Sun *", "upload", "")
    jobs = host.job_configs()
    assert jobs["init-genesis"]["restart"] == {"on_failure": {"backoff_timeout_ms": 60000, "backoff_base_ms": 1000, "max_retries": 3}}
    assert jobs["download"]["restart"] == "never"
    assert jobs["download"]["needs"] == ["init-genesis"]
    assert jobs["geth"]["shutdown_signal"] == "SIGINT"
    assert "init" in plugin.capabilities() and "upload" in plugin.capabilities()

    host.calls.clear()
    assert plugin.call_method("upload") == "null"
    assert steps(host) == [("stop_job", "geth"), *started("upload", "geth")]
    jobs = host.job_configs()
    assert jobs["upload"]["job_type"] == {
        "upload": {"exclude": ["chaindata/geth/nodekey", "chaindata/geth/LOCK"], "compression": {"ZSTD": 3}}
    }
    assert jobs["upload"]["restart"] == ARCHIVE_DEFAULT
    assert jobs["upload"]["needs"] == []
    assert jobs["geth"]["needs"] == [] and jobs["geth"]["wait_for"] == ["upload"]


def test_upload_with_pre_and_post_jobs(tmp_path: Path) -> None:
    (tmp_path / "main.rhai").write_text("""
fn plugin_config() {#{
    services: [#{name: "a", run_sh: "a"}, #{name: "side", run_sh: "s", use_protocol_data: false}],
    pre_upload: #{commands: ["echo uploading"], jobs: [#{name: "pre", run_sh: "p"}]},
    upload: #{compression: "NONE", number_of_chunks: 700},
    post_upload: [#{name: "post", run_sh: "q"}],
}}
""")
    host = RecordingHost(stamp=1.0)
    plugin = RhaiPlugin(tmp_path, host)
    plugin.init()
    host.calls.clear()
    plugin.upload()
    assert steps(host) == [
        ("stop_job", "a"), ("run_sh",), *started("pre", "upload", "post", "a"),
    ]
    jobs = host.job_configs()
    assert jobs["upload"]["job_type"] == {"upload": {"number_of_chunks": 700}}
    assert jobs["upload"]["needs"] == ["pre"]
    assert jobs["post"]["needs"] == ["upload"]
    assert jobs["a"]["wait_for"] == ["post"]


def test_failing_init_command_stops_init(tmp_path: Path) -> None:
    (tmp_path / "main.rhai").write_text("""
fn plugin_config() {#{
    init: #{commands: ["false"], jobs: [#{name: "j", run_sh: "x"}]},
    services: [],
}}
""")
    host = RecordingHost()
    host.sh["false"] = ShResult(1, "", "boom")
    with pytest.raises(PluginCallError) as err:
        RhaiPlugin(tmp_path, host).init()
    assert str(err.value) == (
        "init command 'false' failed with exit_code: "
        'ShResponse { exit_code: 1, stdout: "", stderr: "boom" }'
    )
    assert host.names("create_job") == []


def test_custom_init_calls_default_init_with_the_fresh_config(tmp_path: Path) -> None:
    (tmp_path / "main.rhai").write_text("""
fn plugin_config() {#{ services: [#{name: "svc", run_sh: "run"}] }}
fn init() {
    info("custom init");
    default_init();
    start_job("extra", #{job_type: #{run_sh: "echo"}, restart: "never", needs: ["svc"]});
}
""")
    host = RecordingHost()
    RhaiPlugin(tmp_path, host).init()
    assert host.names("start_job") == ["download", "svc", "extra"]
    assert host.job_configs()["extra"]["needs"] == ["svc"]
    assert host.logs[0][1] == "custom init"


def test_legacy_init_and_upload_with_a_parameter(tmp_path: Path) -> None:
    (tmp_path / "main.rhai").write_text("""
const PLUGIN_CONFIG = #{ services: [] };
fn init(param) { save_data(`init:${type_of(param)}:${param.len()}`); }
fn upload(param) { save_data(`${load_data()} upload:'${param}'`); "ignored" }
""")
    host = RecordingHost()
    plugin = RhaiPlugin(tmp_path, host)
    plugin.init()
    plugin.upload()
    assert host.data == "init:map:0 upload:''"


def test_blockchain_data_path_shim_keeps_positions(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "base" / "base.rhai", tmp_path / "base.rhai")
    (tmp_path / "main.rhai").write_text(
        "const DATA = BLOCKCHAIN_DATA_PATH + \"/x\";\n"
        "const PLUGIN_CONFIG = #{services: [#{name: \"n\", run_sh: `run ${DATA}`}]};\n"
        "fn boom() { throw \"boom\" }\n"
    )
    host = RecordingHost()
    plugin = RhaiPlugin(tmp_path, host)
    plugin.init()
    assert host.job_configs()["n"]["job_type"] == {"run_sh": "run /blockjoy/protocol_data/x"}
    with pytest.raises(PluginCallError, match=r"main\.rhai:3:13"):
        plugin.call_custom_method("boom", "")
