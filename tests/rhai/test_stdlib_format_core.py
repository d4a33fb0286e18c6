"""Text forms of values (bv_core.rhai._format) and the core functions: print/debug,
to_string/to_debug, timestamps."""

from __future__ import annotations

from typing import Any

import pytest

from bv_core.rhai import Char, Engine, FnPtr, NoMatch, RhaiRuntimeError, Timestamp
from bv_core.rhai._format import debug, display, float_debug, float_display, format_json


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (0.5, "0.5"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (123.456, "123.456"),
        (0.0, "0.0"),
        (-0.0, "0.0"),
        (1e20, "1e20"),
        (1.5e-14, "1.5e-14"),
        (1e-10, "0.0000000001"),
        (1234567890123.0, "1234567890123.0"),
        (12345678901234.0, "1.2345678901234e13"),  # above Rhai's (f32) natural-display bound
        (float("nan"), "NaN"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_float_display(value: float, text: str) -> None:
    assert float_display(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1.0"), (1e16, "1e16"), (1e15, "1000000000000000.0"), (0.0001, "0.0001"),
     (1e-5, "1e-5"), (-0.0, "-0.0"), (2.5e-7, "2.5e-7")],
)  # fmt: skip
def test_float_debug(value: float, text: str) -> None:
    assert float_debug(value) == text


@pytest.mark.parametrize(
    ("value", "shown", "debugged"),
    [
        (None, "", "()"),
        (True, "true", "true"),
        (42, "42", "42"),
        ('a"b\n', 'a"b\n', '"a\\"b\\n"'),
        ("tab\there\x1b", "tab\there\x1b", '"tab\\there\\u{1b}"'),
        (Char("x"), "x", "'x'"),
        (Char("'"), "'", "'\\''"),
        ([1, "a", None, Char("c")], "[1, \"a\", (), 'c']", "[1, \"a\", (), 'c']"),
        ({"b": 1, "a": [True]}, '#{"a": [true], "b": 1}', '#{"a": [true], "b": 1}'),
        (bytearray(range(10)), "[0001020304050607 0809]", "[0001020304050607 0809]"),
        (bytearray(), "[]", "[]"),
        (FnPtr("foo"), "Fn(foo)", "Fn(foo)"),
        (Timestamp(), "<timestamp>", "<timestamp>"),
        (range(1, 4), "1..4", "1..4"),
    ],
)
def test_display_and_debug(value: Any, shown: str, debugged: str) -> None:
    assert display(value) == shown
    assert type(display(value)) is str
    assert debug(value) == debugged


def test_custom_types_show_their_rhai_name() -> None:
    class Thing:
        rhai_type_name = "MyThing"

    assert display(Thing()) == "MyThing"
    assert debug([Thing()]) == "[MyThing]"


def test_format_json() -> None:
    value = {"z": None, "a": [1, 2.0, 's"', Char("c")], "m": {"k": bytearray(b"\x01\x02")}}
    assert format_json(value) == '{"a":[1,2.0,"s\\"",\'c\'],"m":{"k":[1,2]},"z":null}'
    assert format_json(FnPtr("f", [1])) == '["f",1]'


@pytest.fixture
def logged() -> tuple[Engine, list[tuple[str, str]]]:
    lines: list[tuple[str, str]] = []
    eng = Engine()
    eng.on_print = lambda text: lines.append(("print", text))
    eng.on_debug = lambda text: lines.append(("debug", text))
    return eng, lines


def test_print_and_debug_go_to_the_hooks(logged: tuple[Engine, list[tuple[str, str]]]) -> None:
    eng, lines = logged
    result = eng.eval('print("hi"); print(1.0); print(()); debug("msg"); debug([1, "a"]); 7')
    assert result == 7
    assert lines == [("print", "hi"), ("print", "1.0"), ("print", ""), ("debug", '"msg"'),
                     ("debug", '[1, "a"]')]  # fmt: skip


CASES: list[tuple[str, Any]] = [
    ("to_string(())", ""),
    ("to_debug(())", "()"),
    ('"x".to_string()', "x"),
    ('"x".to_debug()', '"x"'),
    ("1.5.to_string()", "1.5"),
    ("[1, [2]].to_string()", "[1, [2]]"),
    ('#{a: "b"}.to_string()', '#{"a": "b"}'),
    ("'c'.to_debug()", "'c'"),
    ("true.to_string()", "true"),
    ("let t = timestamp(); type_of(t)", "timestamp"),
    ("let t = timestamp(); t.elapsed >= 0.0 && t.elapsed() < 60.0", True),
    ("let t = timestamp(); [t == t, t != t]", [True, False]),
]


@pytest.mark.parametrize(("src", "expected"), CASES)
def test_core_function(src: str, expected: Any) -> None:
    assert Engine().eval(src) == expected


def test_timestamp_arithmetic() -> None:
    src = "let t = timestamp(); let u = t + 5; let v = t - 2.5; [u - t, t - v, t < u, v > t]"
    assert Engine().eval(src) == [5.0, 2.5, True, False]


def test_timestamp_operator_functions_directly() -> None:
    # The registered operator functions themselves (what the evaluator falls back to).
    eng = Engine()
    plus = eng.registry.candidates("+", 2)
    t = Timestamp(100.0)
    results = []
    for fn in plus:
        try:
            results.append(fn(None, t, 5))
        except NoMatch:
            continue
    assert Timestamp(105.0) in results


def test_elapsed_needs_a_timestamp() -> None:
    with pytest.raises(RhaiRuntimeError, match="Function not found"):
        Engine().eval("elapsed(5)")
