"""The public Engine API: compile/run/call_fn, host functions, print, JSON conversion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bv_core.rhai as rhai
from bv_core.rhai import (
    AST,
    Char,
    Engine,
    FnPtr,
    RhaiParseError,
    RhaiRuntimeError,
    from_json_value,
    to_json_value,
)


def test_public_names() -> None:
    public = {n for n in dir(rhai) if not n.startswith("_")}
    assert set(rhai.__all__) <= public
    for name in ("Engine", "Limits", "AST", "RhaiError", "RhaiParseError", "RhaiRuntimeError",
                 "RhaiLimitError", "FnPtr", "Char", "to_json_value", "from_json_value"):
        assert name in rhai.__all__


def test_eval_returns_last_statement() -> None:
    assert Engine().eval("1 + 2") == 3
    assert Engine().eval("let x = 1;") is None
    assert Engine().eval("return 5; 6") == 5


def test_call_fn_reruns_top_level_in_a_fresh_scope() -> None:
    engine = Engine()
    calls: list[str] = []
    engine.register_fn("node_env", lambda: calls.append("env") or {"node_variant": "main"})
    printed: list[str] = []
    engine.on_print = printed.append
    ast = engine.compile("""
        const ENV = node_env();
        const NETS = #{ main: #{ port: 1 } };
        let counter = 0;
        print("top");
        fn port() { global::NETS[global::ENV.node_variant].port }
        fn bump() { global::ENV.node_variant + "!" }
    """, "main.rhai")
    assert isinstance(ast, AST)
    assert engine.call_fn(ast, "port", []) == 1
    assert engine.call_fn(ast, "bump", []) == "main!"
    assert calls == ["env", "env"]
    assert printed == ["top", "top"]


def test_call_fn_arguments_are_copied() -> None:
    engine = Engine()
    ast = engine.compile("fn f(a) { a.push(9); a }")
    arg = [1]
    assert engine.call_fn(ast, "f", [arg]) == [1, 9]
    assert arg == [1]


def test_call_fn_unknown_function() -> None:
    engine = Engine()
    ast = engine.compile("fn f(a) { a }", "main.rhai")
    with pytest.raises(RhaiRuntimeError, match=r"Function not found: f \(\)"):
        engine.call_fn(ast, "f", [])


def test_has_fn_and_fn_names() -> None:
    engine = Engine()
    ast = engine.compile("fn a() {} fn b(x) {} fn b(x, y) {} private fn c() {}")
    assert engine.has_fn(ast, "b", 2)
    assert not engine.has_fn(ast, "b", 3)
    assert engine.fn_names(ast) == [("a", 0), ("b", 1), ("b", 2), ("c", 0)]


def test_register_fn_arity_and_overloads() -> None:
    engine = Engine()
    engine.register_fn("twice", lambda x: x * 2)
    engine.register_fn("add", lambda *a: sum(a), arity=3)
    assert engine.eval("twice(21)") == 42
    assert engine.eval("add(1, 2, 3)") == 6
    assert engine.eval("5.twice()") == 10


def test_compile_file_and_parse_error_position(tmp_path: Path) -> None:
    path = tmp_path / "main.rhai"
    path.write_text("fn ok() { 1 }\nlet x = ;\n")
    with pytest.raises(RhaiParseError) as info:
        Engine().compile_file(path)
    assert str(info.value).startswith(f"{path}:2:9: ")
    path.write_text("fn ok() { 1 }")
    engine = Engine()
    assert engine.call_fn(engine.compile_file(path), "ok", []) == 1


def test_print_and_debug_hooks() -> None:
    engine = Engine()
    out: list[str] = []
    dbg: list[str] = []
    engine.on_print = out.append
    engine.on_debug = dbg.append
    engine.eval('print("a"); print(1); print(()); debug("s"); debug(\'c\')')
    assert out == ["a", "1", ""]
    assert dbg == ['"s"', "'c'"]


def test_json_conversion() -> None:
    value = Engine().eval('#{b: [1, 2.5, (), true, \'c\'], a: "x", blob: "hi".to_blob()}')
    assert to_json_value(value) == {"a": "x", "b": [1, 2.5, None, True, "c"], "blob": [104, 105]}
    assert list(to_json_value(value)) == ["a", "b", "blob"]
    back: Any = from_json_value({"x": [1, None, {"y": 2.0}], "big": 2**70})
    assert back == {"x": [1, None, {"y": 2.0}], "big": float(2**70)}
    assert to_json_value(Char("z")) == "z"
    assert to_json_value(FnPtr("f")) == "Fn(f)"


def test_engine_is_reusable_across_threads() -> None:
    import threading

    engine = Engine()
    ast = engine.compile("fn f(n) { let s = 0; for i in 0..n { s += i; } s }")
    results: list[int] = []

    def work() -> None:
        for _ in range(20):
            results.append(engine.call_fn(ast, "f", [100]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [4950] * 80


def test_ast_walk_finds_node_params_keys() -> None:
    from bv_core.rhai import _ast as nodes

    ast = Engine().compile(
        'let x = node_params()["KEY"];\nfn f() { `${node_params().OTHER}` }', "main.rhai")
    found = []
    for node in ast.walk():
        if isinstance(node, nodes.Index) and isinstance(node.obj, nodes.Call) \
                and node.obj.name == "node_params" and isinstance(node.index, nodes.Lit):
            found.append((node.index.value, node.pos))
        if isinstance(node, nodes.Prop) and isinstance(node.obj, nodes.Call) \
                and node.obj.name == "node_params":
            found.append((node.name, node.pos))
    assert found == [("KEY", ("main.rhai", 1, 22)), ("OTHER", ("main.rhai", 2, 27))]
