"""Array functions of bv_core.rhai, run through the real engine (expected values are the
doc examples of Rhai 1.20's BasicArrayPackage)."""

from __future__ import annotations

from typing import Any

import pytest

from bv_core.rhai import Char, Engine, Limits, RhaiRuntimeError


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


CASES: list[tuple[str, Any]] = [
    ("[1, 2, 3].len()", 3),
    ("[1, 2].len", 2),
    ("[].is_empty()", True),
    ("[1].is_empty", False),
    ("let x = [1, 2, 3]; [x.get(0), x.get(-1), x.get(99)]", [1, 3, None]),
    ("[].get(0)", None),
    ("let x = [1, 2, 3]; x.set(0, 42); x.set(-3, 0); x.set(99, 123); x", [0, 2, 3]),
    ('let x = [1, 2, 3]; x.push("hello"); x', [1, 2, 3, "hello"]),
    ("let x = [1]; x.push([2, 3]); x", [1, [2, 3]]),
    ("let x = [1, 2, 3]; x.append([true, 'x']); x", [1, 2, 3, True, Char("x")]),
    ("let x = [1]; x += 2; x += [3, 4]; x", [1, 2, 3, 4]),
    ("[1, 2] + [3]", [1, 2, 3]),
    ("let x = [1, 2, 3]; let y = x + [4]; x", [1, 2, 3]),
    (
        'let x = [1, 2, 3]; x.insert(0, "hello"); x.insert(2, true); x.insert(-2, 42); x',
        # Rhai's doc comment says [.., 2, 42, 3], but its calc_offset_len puts -2 at index 3.
        ["hello", 1, True, 42, 2, 3],
    ),
    ("let x = [1]; x.insert(99, 2); x.insert(-99, 0); x", [0, 1, 2]),
    ("let x = [1, 2, 3]; x.pad(5, 42); x.pad(3, 123); x", [1, 2, 3, 42, 42]),
    ("let x = [1, 2, 3]; let p = x.pop(); [p, x]", [3, [1, 2]]),
    ("[].pop()", None),
    ("let x = [1, 2, 3]; let s = x.shift(); [s, x]", [1, [2, 3]]),
    ("[].shift()", None),
    ("let x = [1, 2, 3]; let a = x.remove(1); let b = x.remove(-2); [a, b, x]", [2, 1, [3]]),
    ("let x = [1, 2, 3]; [x.remove(5), x.remove(-5), x]", [None, None, [1, 2, 3]]),
    ("let x = [1, 2]; x.clear(); x", []),
    ("let x = [1, 2, 3, 4, 5]; x.truncate(3); x.truncate(10); x", [1, 2, 3]),
    ("let x = [1, 2, 3]; x.truncate(0); x", []),
    ("let x = [1, 2, 3, 4, 5]; x.chop(3); x.chop(10); x", [3, 4, 5]),
    ("let x = [1, 2, 3]; x.chop(-1); x", []),
    ("let x = [1, 2, 3, 4, 5]; x.reverse(); x", [5, 4, 3, 2, 1]),
    ("let x = [1, 2, 3, 4, 5]; x.splice(1, 2, [7, 8, 9, 10]); x", [1, 7, 8, 9, 10, 4, 5]),
    ("let x = [1, 7, 8, 9, 10, 4, 5]; x.splice(-5, 4, [7, 8, 9, 10]); x", [1, 7, 7, 8, 9, 10, 5]),
    ("let x = [1, 2, 3, 4, 5]; x.splice(1..3, [7, 8, 9, 10]); x", [1, 7, 8, 9, 10, 4, 5]),
    ("let x = [1, 2, 3, 4, 5]; x.splice(1..=3, [7, 8, 9, 10]); x", [1, 7, 8, 9, 10, 5]),
    ("let x = [1, 2]; x.splice(9, 1, [3]); x", [1, 2, 3]),
    ("let x = []; x.splice(0, 1, [3]); x", [3]),
    (
        "let x = [1, 2, 3, 4, 5]; [x.extract(1, 3), x.extract(-3, 2), x.extract(2), x.extract(-3)]",
        [[2, 3, 4], [3, 4], [3, 4, 5], [3, 4, 5]],
    ),
    (
        "let x = [1, 2, 3, 4, 5]; [x.extract(1..3), x.extract(1..=3), x.extract(9), x.extract(1, 0)]",
        [[2, 3], [2, 3, 4], [], []],
    ),
    ("let x = [1, 2, 3, 4, 5]; let y = x.split(2); [x, y]", [[1, 2], [3, 4, 5]]),
    ("let x = [1, 2, 3]; let y = x.split(0); [x, y]", [[], [1, 2, 3]]),
    ("let x = [1, 2, 3]; let y = x.split(-1); [x, y]", [[1, 2], [3]]),
    ("let x = [1, 2, 3]; let y = x.split(9); [x, y]", [[1, 2, 3], []]),
    # callbacks
    ("[1, 2, 3, 4, 5].map(|v| v * v)", [1, 4, 9, 16, 25]),
    ("[1, 2, 3, 4, 5].map(|v, i| v * i)", [0, 2, 6, 12, 20]),
    ('fn square(x) { x * x } [1, 2, 3].map("square")', [1, 4, 9]),
    ('fn square(x) { x * x } [1, 2, 3].map(Fn("square"))', [1, 4, 9]),
    ('fn times(x, i) { x * i } [1, 2, 3].map("times")', [0, 2, 6]),
    ("[1, 2, 3, 4, 5].filter(|v| v >= 3)", [3, 4, 5]),
    ("[1, 2, 3, 4, 5].filter(|v, i| v * i >= 10)", [4, 5]),
    ('[1, 2, 3, 4, 5].filter("is_odd")', [1, 3, 5]),
    ("[1, 2, 3].filter(|v| 1)", []),
    ("let x = [1, 2, 3]; x.filter(|v| v > 1); x", [1, 2, 3]),
    ("[1, 2, 3, 4, 5].contains(4)", True),
    ('[1, 2, 3].contains("1")', False),
    ('["a", "b"].contains("b")', True),
    ("[1, 2.0].contains(2)", True),
    ("[[1], #{a: 1}].contains(#{a: 1})", True),
    ("4 in [1, 2, 3, 4]", True),
    ("let x = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5]; [x.index_of(4), x.index_of(9)]", [3, -1]),
    (
        "let x = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5];"
        " [x.index_of(4, 2), x.index_of(4, 5), x.index_of(4, 15), x.index_of(4, -5)]",
        [3, 7, -1, 11],
    ),
    (
        "let x = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5];"
        " [x.index_of(|v| v > 3), x.index_of(|v| v > 8), x.index_of(|v, i| v * i > 20)]",
        [3, -1, 7],
    ),
    (
        "let x = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5];"
        " [x.index_of(|v| v > 1, 3), x.index_of(|v| v < 2, 9), x.index_of(|v| v > 1, -5),"
        " x.index_of(|v| v > 1, -99)]",
        [3, -1, 9, 1],
    ),
    ('fn big(x) { x > 3 } [1, 5].index_of("big")', 1),
    (
        "let x = [1, 2, 3, 4, 5]; [x.some(|v| v > 3), x.some(|v| v > 10), x.some(|v, i| i > v)]",
        [True, False, False],
    ),
    (
        "let a = [42, 123, 99]; [a.none(|v| v != 0), a.none(|v, i| v == i), [].none(|v| true)]",
        [False, True, True],
    ),
    (
        "let x = [1, 2, 3]; [x.all(|v| v > 0), x.all(|v| v > 1), [].all(|v| false)]",
        [True, False, True],
    ),
    (
        "let x = [1, 2, 3, 5, 8, 13]; [x.find(|v| v > 3), x.find(|v| v > 13), x.find(|v, i| v * i > 13)]",
        [5, None, 5],
    ),
    (
        "let x = [1, 2, 3, 5, 8, 13]; [x.find(|v| v > 1, 2), x.find(|v| v < 2, 3), x.find(|v| v > 1, -3)]",
        [3, None, 5],
    ),
    (
        "let x = [#{alice: 1}, #{bob: 2}, #{clara: 3}]; [x.find_map(|v| v.alice), x.find_map(|v| v.dave)]",
        [1, None],
    ),
    (
        "let x = [#{alice: 1}, #{bob: 2}, #{bob: 3}, #{clara: 3}, #{alice: 0}, #{clara: 5}];"
        " [x.find_map(|v| v.alice, 2), x.find_map(|v| v.bob, -4)]",
        [0, 3],
    ),
    ("[1, 2, 3, 4, 5].reduce(|r, v| v + (r ?? 0))", 15),
    ("[1, 2, 3, 4, 5].reduce(|r, v, i| v + i + (r ?? 0))", 25),
    ("[1, 2, 3, 4, 5].reduce(|r, v| v + r, 5)", 20),
    ("[].reduce(|r, v| v + r, 5)", 5),
    ("[].reduce(|r, v| v + r)", None),
    ('["a", "b", "c"].reduce(|r, v| r + v, "")', "abc"),
    ('["a", "b", "c"].reduce_rev(|r, v| r + v, "")', "cba"),
    ('[1, 2, 3].reduce_rev(|r, v, i| (r ?? "") + i)', "210"),
    ("let x = [1, 2, 3, 4, 5]; let y = x.drain(|v| v < 3); [x, y]", [[3, 4, 5], [1, 2]]),
    ("let x = [3, 4, 5]; let z = x.drain(|v, i| v + i > 5); [x, z]", [[3, 4], [5]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.drain(1, 2); [x, y]", [[1, 4, 5], [2, 3]]),
    ("let x = [1, 4, 5]; let z = x.drain(-1, 1); [x, z]", [[1, 4], [5]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.drain(1..3); [x, y]", [[1, 4, 5], [2, 3]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.drain(1..=2); [x, y]", [[1, 4, 5], [2, 3]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.retain(|v| v >= 3); [x, y]", [[3, 4, 5], [1, 2]]),
    ("let x = [3, 4, 5]; let z = x.retain(|v, i| v + i <= 5); [x, z]", [[3, 4], [5]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.retain(1, 2); [x, y]", [[2, 3], [1, 4, 5]]),
    ("let x = [2, 3]; let z = x.retain(-1, 1); [x, z]", [[3], [2]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.retain(1..4); [x, y]", [[2, 3, 4], [1, 5]]),
    ("let x = [1, 2, 3, 4, 5]; let y = x.retain(1..=3); [x, y]", [[2, 3, 4], [1, 5]]),
    ("let x = [1, 2, 2, 2, 3, 4, 3, 3, 2, 1]; x.dedup(); x", [1, 2, 3, 4, 3, 2, 1]),
    ("let x = [1, 2, 2, 2, 3, 1, 2, 3, 4, 3, 3, 2, 1]; x.dedup(|a, b| a >= b); x", [1, 2, 3, 4]),
    ("let x = [1, 3, 5, 7, 9, 2, 4, 6, 8, 10]; x.sort(); x", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ('let x = ["b", "a", "C"]; x.sort(); x', ["C", "a", "b"]),
    ("let x = [2.5, -1.0]; x.sort(); x", [-1.0, 2.5]),
    ("let x = [true, false]; x.sort(); x", [False, True]),
    ("let x = [(), ()]; x.sort(); x", [None, None]),
    (
        "let x = [1, 3, 5, 7, 9, 2, 4, 6, 8, 10];"
        " x.sort(|a, b| if a > b { -1 } else if a < b { 1 } else { 0 }); x",
        [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    ),
    ('let x = [3, 1, 2]; x.sort(|a, b| "bad"); x', [3, 1, 2]),
    ("[1, 2, 3] == [1, 2, 3]", True),
    ("[1, 2, 3] != [1, 2]", True),
    ('[1, "a"] == [1, "a"]', True),
]


@pytest.mark.parametrize(("src", "expected"), CASES)
def test_array_function(engine: Engine, src: str, expected: Any) -> None:
    assert engine.eval(src) == expected


def test_get_returns_a_copy(engine: Engine) -> None:
    assert engine.eval("let x = [[1]]; let y = x.get(0); y.push(2); x") == [[1]]


def test_pushed_value_is_a_copy(engine: Engine) -> None:
    assert engine.eval("let a = [1]; let x = []; x.push(a); a.push(2); x") == [[1]]


BAD_CALLS = [
    ('[1, "a"].sort()', "cannot be called with elements of different types"),
    ("[1].push()", "Function not found"),
    ('[1].get("0")', "Function not found"),
    ("[1].map(1)", "Function not found"),
    ('[1].filter("no such fn")', "Invalid function name"),
    ('[1].map("nope")', "Function not found: nope"),
    ("[1, 2].map(|a, b, c| a)", "Function not found"),
    ('[1].extract("1", 2)', "Function not found"),
    ("[1].reduce(|r, v| r + v)", "Function not found"),
]


@pytest.mark.parametrize(("src", "message"), BAD_CALLS)
def test_bad_array_calls(engine: Engine, src: str, message: str) -> None:
    with pytest.raises(RhaiRuntimeError, match=message):
        engine.eval(src)


def test_callback_errors_propagate(engine: Engine) -> None:
    with pytest.raises(RhaiRuntimeError, match="boom"):
        engine.eval('[1, 2].filter(|v| throw "boom")')


def test_sort_comparer_error_is_ignored_but_limits_are_not() -> None:
    eng = Engine(limits=Limits(max_operations=5_000))
    assert eng.eval('let x = [2, 1]; x.sort(|a, b| throw "x"); x') == [2, 1]
    with pytest.raises(RhaiRuntimeError):
        eng.eval("let x = [2, 1, 3]; x.sort(|a, b| { loop {} }); x")


def test_growth_is_size_checked() -> None:
    eng = Engine(limits=Limits(max_array_size=10))
    with pytest.raises(RhaiRuntimeError):
        eng.eval("let x = []; x.pad(1000, 0); x")
    with pytest.raises(RhaiRuntimeError):
        eng.eval("let x = [1, 2, 3, 4, 5, 6]; x.append(x); x")
