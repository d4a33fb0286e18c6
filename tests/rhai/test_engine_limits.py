"""Sandbox limits: every runaway is stopped quickly with an error naming the limit."""

from __future__ import annotations

import time

import pytest

from bv_core.rhai import Engine, Limits, RhaiLimitError, RhaiParseError, RhaiRuntimeError

RUNAWAYS = [
    ("loop { }", "(max_operations|timeout)"),
    ("let i = 0; while true { i += 1; }", "(max_operations|timeout)"),
    ("fn f(n) { f(n + 1) }\nf(0)", "max_call_depth"),
    ("fn a() { b() } fn b() { a() } a()", "max_call_depth"),
    ('let s = "x"; loop { s += s; }', "max_string_size"),
    ('let s = "x"; loop { s = `${s}${s}`; }', "max_string_size"),
    ("let a = [1]; loop { a += a; }", "max_array_size"),
    ("let a = [1]; loop { a = a + a; }", "max_array_size"),
    ("let a = []; loop { a.push(1); }", "(max_array_size|timeout|max_operations)"),
    ("let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }",
     "(max_map_size|timeout|max_operations)"),
    ("let f = || f.call(); f.call()", "(max_call_depth|Variable not found)"),
]


@pytest.mark.parametrize(("source", "limit"), RUNAWAYS)
def test_runaway_with_default_limits_stops_within_a_second(source: str, limit: str) -> None:
    engine = Engine()
    start = time.monotonic()
    with pytest.raises(RhaiRuntimeError, match=limit):
        engine.eval(source)
    assert time.monotonic() - start < 1.0


def test_limit_errors_are_not_catchable() -> None:
    engine = Engine(limits=Limits(max_operations=10_000))
    with pytest.raises(RhaiLimitError, match="max_operations"):
        engine.eval("try { loop { } } catch { 1 }")


def test_limit_error_names_the_function() -> None:
    engine = Engine(limits=Limits(max_operations=5_000))
    ast = engine.compile("fn spin() {\n  loop { }\n}")
    with pytest.raises(RhaiLimitError) as info:
        engine.call_fn(ast, "spin", [])
    text = str(info.value)
    assert text.startswith("<script>:2:3: Too many operations")
    assert "in fn 'spin'" in text


def test_timeout_names_the_limit() -> None:
    engine = Engine(limits=Limits(max_operations=0, timeout=0.2))
    start = time.monotonic()
    with pytest.raises(RhaiLimitError, match=r"timed out after 0.2 s \(timeout\)"):
        engine.eval("loop { }")
    assert time.monotonic() - start < 1.0


def test_host_function_time_is_not_charged_to_the_timeout() -> None:
    engine = Engine(limits=Limits(timeout=0.2))
    engine.register_fn("slow_host", lambda: time.sleep(0.05) or 1)
    assert engine.eval("let n = 0; for i in 0..8 { n += slow_host(); } n") == 8


def test_call_depth_limit_is_configurable() -> None:
    src = "fn f(n) { if n == 0 { 0 } else { 1 + f(n - 1) } }"
    engine = Engine(limits=Limits(max_call_depth=10))
    ast = engine.compile(src)
    assert engine.call_fn(ast, "f", [8]) == 8
    with pytest.raises(RhaiLimitError, match="max_call_depth"):
        engine.call_fn(ast, "f", [20])


def test_deep_recursion_within_a_large_limit_works() -> None:
    engine = Engine(limits=Limits(max_call_depth=500, max_operations=0))
    ast = engine.compile("fn f(n) { if n == 0 { 0 } else { 1 + f(n - 1) } }")
    assert engine.call_fn(ast, "f", [450]) == 450


def test_expression_depth_limits() -> None:
    deep = "(" * 70 + "1" + ")" * 70
    with pytest.raises(RhaiParseError, match="max_expr_depth"):
        Engine().compile(deep)
    shallow = "(" * 20 + "1" + ")" * 20
    assert Engine().eval(shallow) == 1
    # Functions have the lower limit (32 like the original).
    with pytest.raises(RhaiParseError, match="max_expr_depth"):
        Engine().compile("fn f() { " + "(" * 40 + "1" + ")" * 40 + " }")
    assert Engine(limits=Limits(max_function_expr_depth=0)).eval(
        "fn f() { " + "(" * 40 + "1" + ")" * 40 + " } f()") == 1


def test_nested_config_maps_fit_the_function_depth() -> None:
    src = "fn cfg() { #{a: #{b: #{c: #{d: #{e: [#{f: 1}]}}}}} } cfg().a.b.c.d.e[0].f"
    assert Engine().eval(src) == 1


def test_size_limits_apply_to_native_results() -> None:
    engine = Engine(limits=Limits(max_string_size=100, max_array_size=10))
    with pytest.raises(RhaiLimitError, match="max_string_size"):
        engine.eval('let s = ""; s.pad(200, \'x\'); s')
    with pytest.raises(RhaiLimitError, match="max_array_size"):
        engine.eval("let a = []; for i in 0..20 { a.push(i); } a")
