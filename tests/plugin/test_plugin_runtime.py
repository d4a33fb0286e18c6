"""RhaiPlugin: bad plugins, API generations, custom methods, host errors and limits."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from plugin_fakes import RecordingHost

from bv_core.plugin import (
    ApiGeneration,
    LinterHost,
    MethodNotFound,
    PluginCallError,
    PluginConfigError,
    PluginLimitError,
    PluginLoadError,
    RhaiPlugin,
)
from bv_core.plugin.linter import DEPRECATED_API, lint
from bv_core.rhai import Limits


def write(tmp_path: Path, source: str, name: str = "main.rhai") -> Path:
    (tmp_path / name).write_text(source)
    return tmp_path


def test_missing_main_rhai(tmp_path: Path) -> None:
    with pytest.raises(PluginLoadError, match=r"cannot read plugin .*main\.rhai"):
        RhaiPlugin(tmp_path, LinterHost())


def test_syntax_error_has_a_position(tmp_path: Path) -> None:
    write(tmp_path, "fn plugin_config() {\n    #{ services: [ }\n}\n")
    with pytest.raises(PluginLoadError, match=r"^Rhai syntax error: .*main\.rhai:2:20: "):
        RhaiPlugin(tmp_path, LinterHost())
    [finding] = lint(tmp_path)
    assert finding.severity == "error" and "main.rhai:2:20" in str(finding)


def test_missing_plugin_config(tmp_path: Path) -> None:
    write(tmp_path, "fn protocol_status() { #{state: \"x\", health: \"healthy\"} }\n")
    plugin = RhaiPlugin(tmp_path, LinterHost())
    assert plugin.api_generation is ApiGeneration.NONE
    with pytest.raises(PluginConfigError, match="^Missing plugin_config function$"):
        plugin.init()
    assert [str(f) for f in lint(tmp_path)] == [f"{tmp_path / 'main.rhai'}: Missing plugin_config function"]


def test_plugin_config_with_parameters_counts_as_absent(tmp_path: Path) -> None:
    write(tmp_path, "fn plugin_config(x) { #{services: []} }\nfn init() {}\n")
    plugin = RhaiPlugin(tmp_path, LinterHost())
    plugin.init()
    assert plugin.config is None
    assert [str(f) for f in lint(tmp_path)] == [DEPRECATED_API]


def test_invalid_config_names_the_field(tmp_path: Path) -> None:
    write(tmp_path, "fn plugin_config() { #{services: [#{name: \"a\", run_sh: 1}]} }\n")
    with pytest.raises(PluginConfigError, match=r"failed to deserialize plugin_config: Expected `str`, got `int` - at `\$.services\[0\].run_sh`"):
        RhaiPlugin(tmp_path, LinterHost()).init()
    [finding] = lint(tmp_path)
    assert "$.services[0].run_sh" in finding.message


def test_runtime_error_in_plugin_config_is_positioned(tmp_path: Path) -> None:
    write(tmp_path, "const X = node_env().no_such.field;\nfn plugin_config() { #{services: []} }\n")
    with pytest.raises(PluginCallError, match=r"Rhai function 'plugin_config' returned error: .*main\.rhai:1:"):
        RhaiPlugin(tmp_path, LinterHost()).init()


def test_missing_module_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "import \"nothere\" as n;\nfn plugin_config() { #{services: []} }\n")
    [finding] = lint(tmp_path)
    assert finding.severity == "error" and "nothere" in finding.message


def test_generations_and_capabilities(tmp_path: Path) -> None:
    write(tmp_path, "const PLUGIN_CONFIG = #{services: []};\nfn height() { 5 }\nfn echo(p) { p }\n")
    host = RecordingHost()
    plugin = RhaiPlugin(tmp_path, host)
    assert plugin.api_generation is ApiGeneration.LEGACY_CONSTANTS
    assert plugin.capabilities() == ["echo", "height"]
    plugin.init()
    assert plugin.capabilities() == ["echo", "height", "init", "upload"]
    assert plugin.call_method("echo", "hi") == "hi"
    assert plugin.call_method("height") == "5"
    assert lint(tmp_path) == []
    assert [str(f) for f in lint(tmp_path, strict=True)] == [DEPRECATED_API]


def test_custom_method_rules(tmp_path: Path) -> None:
    write(tmp_path, """
fn zero() { "z" }
fn one(p) { `one:${p}` }
fn number() { 42 }
fn negative() { -1 }
fn bad_status() { #{state: "x", health: "great"} }
""")
    plugin = RhaiPlugin(tmp_path, LinterHost())
    assert plugin.call_custom_method("zero", "") == "z"
    assert plugin.call_custom_method("one", "") == "one:"
    assert plugin.call_custom_method("one", "x") == "one:x"
    with pytest.raises(MethodNotFound, match="no matching method 'zero' found"):
        plugin.call_custom_method("zero", "x")
    with pytest.raises(PluginCallError, match="Rhai function 'number' returned i64, expected a string"):
        plugin.call_custom_method("number", "")
    with pytest.raises(PluginCallError, match="Rhai function 'negative' returned a negative value: -1"):
        plugin._unsigned("negative")
    with pytest.raises(PluginCallError, match="Rhai function 'height' returned error"):
        plugin.height()


def test_fresh_scope_per_call_state_only_through_save_data(tmp_path: Path) -> None:
    write(tmp_path, """
let counter = 0;
fn bump() {
    let n = try { parse_int(load_data()) } catch { 0 };
    save_data(`${n + 1}`);
    `${n + 1}`
}
""")
    host = RecordingHost()
    plugin = RhaiPlugin(tmp_path, host)
    assert [plugin.call_custom_method("bump", "") for _ in range(3)] == ["1", "2", "3"]


def test_host_errors_are_catchable(tmp_path: Path) -> None:
    write(tmp_path, """
fn secret() { try { get_secret("missing").as_string() } catch (e) { `caught:${e}` } }
fn stored() { put_secret("k", "v".to_blob()); get_secret("k").as_string() }
fn bad_job() { create_job("j", #{job_type: #{run_sh: "x"}}) }
fn empty_name() { create_job("  ", #{job_type: #{run_sh: "x"}, restart: "never"}) }
fn bad_params() { run_jrpc(#{host: "http://x", method: "m", params: 5}) }
fn wrong_type() { stop_job(5) }
""")
    plugin = RhaiPlugin(tmp_path, RecordingHost())
    assert plugin.call_custom_method("secret", "") == "caught:not_found"
    assert plugin.call_custom_method("stored", "") == "v"
    with pytest.raises(PluginCallError, match=r"job 'j' config: \$.restart: required field is missing"):
        plugin.call_custom_method("bad_job", "")
    with pytest.raises(PluginCallError, match="empty job name is not allowed"):
        plugin.call_custom_method("empty_name", "")
    with pytest.raises(PluginCallError, match="unsupported jrpc params type"):
        plugin.call_custom_method("bad_params", "")
    with pytest.raises(PluginCallError, match="stop_job"):
        plugin.call_custom_method("wrong_type", "")


def test_linter_host_answers_like_the_original(tmp_path: Path) -> None:
    write(tmp_path, """
fn plugin_config() {
    let sh = run_sh("anything");
    let http = run_jrpc(#{host: "http://127.0.0.1:1", method: "x"});
    let jobs = get_jobs();
    let data = load_data();
    let secret = get_secret("s").as_string();
    #{services: [#{name: "svc", run_sh: `${sh.exit_code}|${sh.stdout}|${http.status_code}|${http.body}|${jobs.keys()}|${data}|${secret}|${jobs.dummy_job.status.pending.waiting_for}`}]}
}
""")
    plugin = RhaiPlugin(tmp_path, LinterHost())
    config = plugin.evaluate_config()
    assert config is not None
    assert config.services[0].run_sh == '0||0||["dummy_job"]||secret value|[]'


def test_infinite_loop_is_stopped(tmp_path: Path) -> None:
    write(tmp_path, "fn spin() { loop { } }\nfn recurse(n) { recurse(n + 1) }\n")
    started = time.monotonic()
    with pytest.raises(PluginLimitError, match="Rhai function 'spin' was stopped"):
        RhaiPlugin(tmp_path, LinterHost()).call_custom_method("spin", "")  # default limits
    plugin = RhaiPlugin(tmp_path, LinterHost(), limits=Limits(max_operations=200_000, timeout=5.0))
    with pytest.raises(PluginLimitError, match="Rhai function 'recurse' was stopped"):
        plugin.call_custom_method("recurse", "1")
    assert time.monotonic() - started < 30  # bounded, not a hang


def test_infinite_loop_in_plugin_config_fails_lint(tmp_path: Path) -> None:
    write(tmp_path, "fn plugin_config() { while true { } }\n")
    [finding] = lint(tmp_path)
    assert finding.severity == "error" and "plugin_config" in finding.message


def test_print_and_log_functions_reach_the_host_log(tmp_path: Path) -> None:
    write(tmp_path, 'print("top");\nfn f() { info("i"); warn("w"); error("e"); debug("d"); "" }\n')
    host = LinterHost()
    RhaiPlugin(tmp_path, host).call_custom_method("f", "")
    assert [(level.value, text) for level, text in host.logs] == [
        ("info", "top"), ("info", "i"), ("warn", "w"), ("error", "e"), ("debug", '"d"'),
    ]


def test_huge_values_are_stopped_with_the_limit_named(tmp_path: Path) -> None:
    write(tmp_path, """
fn big_string() { let s = "x"; loop { s += s; } }
fn big_array() { let a = []; loop { a.push(1); } }
fn deep() { deep() }
""")
    plugin = RhaiPlugin(tmp_path, LinterHost())  # the engine's default limits
    for name in ("big_string", "big_array", "deep"):
        started = time.monotonic()
        with pytest.raises(PluginLimitError) as err:
            plugin.call_custom_method(name, "")
        assert f"Rhai function '{name}' was stopped" in str(err.value)
        # The message names the limit that fired (max_string_size, timeout, max_call_depth...).
        assert re.search(r"\((max_\w+|timeout)\)", str(err.value)), str(err.value)
        assert time.monotonic() - started < 15  # bounded (the engine aims at ~1 s)
