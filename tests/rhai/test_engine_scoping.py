"""Rhai scoping, value semantics, closures and ``this`` in bv_core.rhai."""

from __future__ import annotations

from typing import Any

import pytest

from bv_core.rhai import Engine, RhaiRuntimeError

CASES: list[tuple[str, Any]] = [
    # shadowing and blocks
    ("let x = 1; { let x = 2; } x", 1),
    ("let x = 1; let x = x + 1; x", 2),
    ("let x = 1; { x = 5; } x", 5),
    # top-level constants reach functions only through global::
    ("const X = 5; fn f() { global::X + 1 } f()", 6),
    ("const A = #{b: [1, 2]}; fn f() { global::A.b[1] } f()", 2),
    ("const T = #{m: #{p: 9}}; const K = \"m\"; fn f() { `${global::T[global::K].p}` } f()", "9"),
    ("const X = 1; const Y = global::X + 1; fn f() {} Y", 2),
    # ...but only when the script defines functions (Rhai's rule)
    ("const X = 1; try { global::X } catch { \"not found\" }", "not found"),
    # value semantics: copies on assignment and on passing to script functions
    ("let a = [1, 2]; let b = a; b.push(3); [a.len(), b.len()]", [2, 3]),
    ("fn f(x) { x.push(1); x.len() } let a = []; [f(a), a.len()]", [1, 0]),
    ("let m = #{a: [1]}; let l = m.a; l.push(2); m.a", [1]),
    ("let a = [[1]]; let b = a[0]; b.push(2); a", [[1]]),
    ("let arr = [1]; let m = #{x: arr}; arr.push(2); m.x", [1]),
    # natives get the first argument by reference (function-call style too)
    ("let a = [1]; push(a, 2); a", [1, 2]),
    ("let a = [1]; a.push(2); a", [1, 2]),
    ("const A = [1]; push(A, 2); A", [1]),
    ("let m = #{l: []}; m.l.push(1); m.l.push(2); m", {"l": [1, 2]}),
    ('let s = "  x "; s.trim(); s', "x"),
    ('let m = #{s: " y "}; m.s.trim(); m.s', "y"),
    # this
    ("fn inc() { this += 1 } let x = 1; x.inc(); x", 2),
    ("fn add(n) { this.total += n; } let o = #{total: 1}; o.add(2); o.total", 3),
    ("let obj = #{v: 1, get: || this.v + 1}; obj.get()", 2),
    ("fn foo(x) { this += x; } let f = Fn(\"foo\"); let x = 40; x.call(f, 2); x", 42),
    # closures capture by reference (shared variables)
    ("let y = 5; let f = |x| x + y; y = 10; f.call(1)", 11),
    ("let c = 0; let f = || c += 1; f.call(); f.call(); c", 2),
    ("let fs = []; for i in 0..3 { let j = i; fs.push(|| j) } fs.map(|f| f.call())", [0, 1, 2]),
    ("fn mk(n) { |x| x + n } let f = mk(10); f.call(5)", 15),
    ("fn mk() { let n = 0; || { n += 1; n } } let f = mk(); f.call(); f.call()", 2),
    ("let a = 1; let f = || { let g = || a * 2; g.call() }; a = 4; f.call()", 8),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_scoping(source: str, expected: Any) -> None:
    got = Engine().eval(source)
    assert got == expected
    assert type(got) is type(expected)


def test_functions_do_not_see_caller_variables() -> None:
    with pytest.raises(RhaiRuntimeError, match="Variable not found: y"):
        Engine().eval("fn f() { y }\nlet y = 1;\nf()")


def test_functions_do_not_see_top_level_constants_without_global() -> None:
    with pytest.raises(RhaiRuntimeError, match="Variable not found: X"):
        Engine().eval("const X = 1; fn f() { X } f()")


def test_global_lookup_of_missing_constant_fails_only_when_run() -> None:
    ast = Engine().compile("fn f() { global::NOPE } fn g() { 1 }")
    engine = Engine()
    assert engine.call_fn(ast, "g", []) == 1
    with pytest.raises(RhaiRuntimeError, match="global::NOPE"):
        engine.call_fn(ast, "f", [])


def test_this_unbound_outside_method_call() -> None:
    with pytest.raises(RhaiRuntimeError, match="'this' not bound"):
        Engine().eval("fn f() { this } f()")


def test_constant_cannot_be_changed_by_method() -> None:
    with pytest.raises(RhaiRuntimeError, match="cannot be called on constant 'A'"):
        Engine().eval("const A = [1, 2]; A.push(3); A")
    assert Engine().eval("const A = [1, 2]; A.len()") == 2
