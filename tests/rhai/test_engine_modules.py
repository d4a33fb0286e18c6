"""File modules: ``import "x" as y``, ``y::fn()``, ``y::CONST``, private functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bv_core.rhai import Engine, Limits, RhaiRuntimeError


def _write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)


def test_import_functions_and_constants(tmp_path: Path) -> None:
    _write(tmp_path, {
        "base.rhai": 'export const PORT = 8545;\nfn url(host) { `http://${host}:${global::PORT}` }\n'
                     'private fn hidden() { 1 }\nfn services() { [#{name: "a"}] }',
        "aux.rhai": 'fn services() { [#{name: "b"}] }',
    })
    src = """
        import "base" as base;
        import "aux" as aux;
        const HOST = "h";
        fn cfg() { #{ url: base::url(global::HOST), all: base::services() + aux::services() } }
        [base::PORT, cfg()]
    """
    engine = Engine(module_dir=tmp_path)
    port, cfg = engine.eval(src)
    assert port == 8545
    # A module function sees its own module's constants through global::, and calls inside
    # a module resolve to that module's functions.
    assert cfg == {"url": "http://h:8545", "all": [{"name": "a"}, {"name": "b"}]}


def test_private_function_is_not_visible(tmp_path: Path) -> None:
    _write(tmp_path, {"m.rhai": "private fn hidden() { 1 }"})
    with pytest.raises(RhaiRuntimeError, match="Function not found: m::hidden"):
        Engine(module_dir=tmp_path).eval('import "m" as m; m::hidden()')


def test_module_top_level_runs_on_each_call(tmp_path: Path) -> None:
    _write(tmp_path, {"m.rhai": 'print("module loaded");\nfn one() { 1 }'})
    engine = Engine(module_dir=tmp_path)
    printed: list[str] = []
    engine.on_print = printed.append
    ast = engine.compile('import "m" as m;\nfn f() { m::one() }')
    assert engine.call_fn(ast, "f", []) == 1
    assert engine.call_fn(ast, "f", []) == 1
    assert printed == ["module loaded", "module loaded"]


def test_module_changes_are_picked_up(tmp_path: Path) -> None:
    _write(tmp_path, {"m.rhai": "fn v() { 1 }"})
    engine = Engine(module_dir=tmp_path)
    assert engine.eval('import "m" as m; m::v()') == 1
    (tmp_path / "m.rhai").write_text("fn v() { 22 }")
    assert engine.eval('import "m" as m; m::v()') == 22


def test_missing_module_and_escape_are_errors(tmp_path: Path) -> None:
    engine = Engine(module_dir=tmp_path)
    with pytest.raises(RhaiRuntimeError, match="Module not found: nope") as info:
        engine.eval('\nimport "nope" as n;')
    assert str(info.value).startswith("<script>:2:1: ")
    with pytest.raises(RhaiRuntimeError, match="outside the module directory"):
        engine.eval('import "../etc/passwd" as p;')
    with pytest.raises(RhaiRuntimeError, match="no module directory"):
        Engine().eval('import "x" as x;')


def test_module_error_positions_name_the_module_file(tmp_path: Path) -> None:
    _write(tmp_path, {"m.rhai": "fn bad() {\n  undefined_thing()\n}"})
    with pytest.raises(RhaiRuntimeError) as info:
        Engine(module_dir=tmp_path).eval('import "m" as m;\nm::bad()', "main.rhai")
    text = str(info.value)
    assert text.startswith(f"{tmp_path / 'm.rhai'}:2:3: Function not found: undefined_thing")
    assert "called at main.rhai:2:1" in text


def test_import_cycle_is_stopped(tmp_path: Path) -> None:
    _write(tmp_path, {"a.rhai": 'import "b" as b;', "b.rhai": 'import "a" as a;'})
    with pytest.raises(RhaiRuntimeError, match="max_modules|max_call_depth"):
        Engine(module_dir=tmp_path).eval('import "a" as a;')


def test_max_modules(tmp_path: Path) -> None:
    _write(tmp_path, {"m.rhai": "fn f() { 1 }"})
    engine = Engine(module_dir=tmp_path, limits=Limits(max_modules=2))
    assert engine.eval('import "m" as a; import "m" as b; a::f() + b::f()') == 2
    with pytest.raises(RhaiRuntimeError, match="max_modules"):
        engine.eval('import "m" as a; import "m" as b; import "m" as c;')
