"""Error reporting: positions, call traces, catchability of throws and host errors."""

from __future__ import annotations

import pytest

from bv_core.errors import BvError, InvalidInput
from bv_core.rhai import (
    Engine,
    RhaiError,
    RhaiParseError,
    RhaiRuntimeError,
    RuntimeFault,
)


def _error(source: str, engine: Engine | None = None) -> RhaiError:
    with pytest.raises(RhaiError) as info:
        (engine or Engine()).eval(source, "main.rhai")
    return info.value


@pytest.mark.parametrize(
    ("source", "prefix"),
    [
        ("let x = 1;\nlet y = x + \"a\" - 1;", "main.rhai:2:17: Function not found: - (string, i64)"),
        ("let a = [1];\na[5]", "main.rhai:2:2: Array index 5 out of bounds"),
        ("let m = ();\nm.x", "main.rhai:2:3: Unknown property 'x' on ()"),
        ("let x = 9223372036854775807;\nx + 1", "main.rhai:2:3: Addition overflow"),
        ("1 / 0", "main.rhai:1:3: Division by zero"),
        ("nope(1, \"a\")", "main.rhai:1:1: Function not found: nope (i64, string)"),
        ("if 1 { }", "main.rhai:1:4: Data type incorrect: i64 (expecting bool)"),
        ("\n  throw \"bad thing\";", "main.rhai:2:3: Runtime error: bad thing"),
        ("let x = 1 +;", "main.rhai:1:12: unexpected ';'"),
        ("let s = `abc ${ 1 + }`;", "main.rhai:1:21: unexpected end"),
    ],
)
def test_positions(source: str, prefix: str) -> None:
    text = str(_error(source))
    assert text.startswith(prefix), text
    assert "\n" not in text


def test_call_trace_lists_callers() -> None:
    err = _error("fn a(n) {\n  if n == 0 { throw \"deep\" }\n  a(n - 1)\n}\nfn b() { a(2) }\nb()")
    text = str(err)
    assert text.startswith("main.rhai:2:15: Runtime error: deep")
    assert "in fn 'a' called at main.rhai:3:3 (x2)" in text
    assert "in fn 'b' called at main.rhai:6:1" in text
    assert (err.path, err.line, err.column) == ("main.rhai", 2, 15)


def test_error_hierarchy() -> None:
    assert issubclass(RhaiError, BvError)
    assert issubclass(RhaiParseError, InvalidInput)
    err = _error("throw 5")
    assert isinstance(err, RhaiRuntimeError)
    assert err.thrown == 5


def test_host_errors_are_catchable() -> None:
    engine = Engine()

    def get_secret(name: str) -> bytes:
        raise RuntimeFault("not_found")

    def boom() -> None:
        raise ValueError("disk on fire")

    engine.register_fn("get_secret", get_secret)
    engine.register_fn("boom", boom)
    assert engine.eval('try { get_secret("k") } catch (e) { e }') == "not_found"
    assert engine.eval("try { boom() } catch (e) { e }") == "boom: disk on fire"
    text = str(_error('\nget_secret("k")', engine))
    assert text.startswith("main.rhai:2:1: not_found")


def test_host_fault_can_throw_a_value() -> None:
    engine = Engine()

    def fail() -> None:
        raise RuntimeFault("HTTP 503", thrown={"status_code": 503})

    engine.register_fn("fail", fail)
    assert engine.eval("try { fail() } catch (e) { e.status_code }") == 503


def test_engine_errors_are_caught_as_maps() -> None:
    got = Engine().eval("try {\n  [1][3]\n} catch (e) { e }")
    assert got["line"] == 2
    assert got["message"] == "Array index 3 out of bounds: only 1 element in array"
    assert got["error"] == "ErrorArrayBounds"


def test_rethrow_keeps_value() -> None:
    assert Engine().eval('try { try { throw "x" } catch (e) { throw e + "y" } } catch (e) { e }') == "xy"


def test_compound_assignment_type_errors_are_rhai_errors() -> None:
    engine = Engine()
    assert engine.eval("let m = #{}; try { m.x += 1 } catch (e) { e.message }") == \
        "Function not found: + ((), i64)"
    src = "fn bump() { this.n += 1; } let m = #{}; try { m.bump() } catch (e) { e.message }"
    assert engine.eval(src) == "Function not found: + ((), i64)"


def test_let_as_closure_body_is_compiled() -> None:
    assert Engine().eval("let f = |x| let y = x; f.call(1)") is None
