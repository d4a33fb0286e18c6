"""Object-map and BLOB functions of bv_core.rhai, run through the real engine."""

from __future__ import annotations

from typing import Any

import pytest

from bv_core.rhai import Engine, Limits, RhaiRuntimeError


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


MAP_CASES: list[tuple[str, Any]] = [
    ("#{a: 1, b: 2}.len()", 2),
    ("#{}.is_empty()", True),
    ("#{len: 7}.len", 7),  # a map has no property getters: .len reads the key
    ("#{a: 1}.len", None),
    ('let m = #{a: 1, b: 2, c: 3}; [m.contains("b"), m.contains("x")]', [True, False]),
    ('"b" in #{b: 1}', True),
    ('let m = #{a: 1, b: 2}; [m.get("b"), m.get("x")]', [2, None]),
    (
        'let m = #{a: 1, b: 2, c: 3}; m.set("b", 42); m.set("x", 0); m',
        {"a": 1, "b": 42, "c": 3, "x": 0},
    ),
    ("let m = #{a: 1}; m.clear(); m", {}),
    ('let m = #{a: 1, b: 2, c: 3}; let x = m.remove("b"); [x, m]', [2, {"a": 1, "c": 3}]),
    ('let m = #{a: 1}; m.remove("zz")', None),
    ("let m = #{a: 1, b: 2, c: 3}; m.mixin(#{a: 42, d: 0}); m", {"a": 42, "b": 2, "c": 3, "d": 0}),
    ("let m = #{a: 1}; m += #{b: 2}; m", {"a": 1, "b": 2}),
    (
        "let m = #{a: 1, b: 2, c: 3}; let n = m + #{a: 42, d: 0}; [n, m]",
        [{"a": 42, "b": 2, "c": 3, "d": 0}, {"a": 1, "b": 2, "c": 3}],
    ),
    (
        "let m = #{a: 1, b: 2, c: 3}; m.fill_with(#{a: 42, d: 0}); m",
        {"a": 1, "b": 2, "c": 3, "d": 0},
    ),
    ("#{a: 1, b: 2} == #{b: 2, a: 1}", True),
    ("#{a: 1} == #{a: 1, c: 3}", False),
    ("#{a: 1} != #{a: 2}", True),
    ("#{c: 3, a: 1, b: 2}.keys()", ["a", "b", "c"]),
    ("#{c: 3, a: 1, b: 2}.values()", [1, 2, 3]),
    (
        '#{b: [1, 2.5, ()], a: "x\\ny", c: #{d: true}}.to_json()',
        '{"a":"x\\ny","b":[1,2.5,null],"c":{"d":true}}',
    ),
    ("#{a: 1, b: 5}.filter(|k, v| v > 2)", {"b": 5}),
    ('let m = #{a: 1, b: 5}; let d = m.drain(|k, v| k == "a"); [m, d]', [{"b": 5}, {"a": 1}]),
    ("let m = #{a: 1, b: 5}; let r = m.retain(|k, v| v > 2); [m, r]", [{"b": 5}, {"a": 1}]),
]


@pytest.mark.parametrize(("src", "expected"), MAP_CASES)
def test_map_function(engine: Engine, src: str, expected: Any) -> None:
    assert engine.eval(src) == expected


def test_map_values_are_copies(engine: Engine) -> None:
    assert engine.eval("let m = #{a: [1]}; let v = m.values(); v[0].push(2); m") == {"a": [1]}
    assert engine.eval('let m = #{a: [1]}; let v = m.get("a"); v.push(2); m') == {"a": [1]}


BLOB_CASES: list[tuple[str, Any]] = [
    ("blob()", bytearray()),
    ("blob(3)", bytearray(3)),
    ("blob(3, 0x142)", bytearray(b"\x42\x42\x42")),
    ("blob(-1)", bytearray()),
    ("blob(5, 0x42).to_array()", [0x42] * 5),
    ("blob(5, 0x42).as_string()", "BBBBB"),
    (
        "let b = blob(); b.push(0xff); b.push(-1); b.append('!'); b.append(\"ab\"); b",
        bytearray(b"\xff\xff!ab"),
    ),
    ("let b = blob(2, 1); b.append(blob(1, 2)); b.append(3); b", bytearray(b"\x01\x01\x02\x03")),
    ("blob(2, 1) + blob(1, 2)", bytearray(b"\x01\x01\x02")),
    ("blob(10).len()", 10),
    ("blob(10).len", 10),
    ("blob().is_empty", True),
    ("blob(3, 7).contains(7)", True),
    ("blob(3, 7).contains(8)", False),
    (
        "let b = blob(); b.push(1); b.push(2); b.push(3); [b.get(0), b.get(-1), b.get(99)]",
        [1, 3, 0],
    ),
    (
        "let b = blob(3); b.set(0, 0x42); b.set(-1, 0x1ff); b.set(99, 1); b",
        bytearray(b"\x42\x00\xff"),
    ),
    ("let b = blob(5, 0x42); b.insert(2, 0x18); b", bytearray(b"\x42\x42\x18\x42\x42\x42")),
    (
        "let b = blob(3, 0x42); b.pad(5, 0x18); b.pad(3, 0xab); b",
        bytearray(b"\x42\x42\x42\x18\x18"),
    ),
    (
        "let b = blob(); b.push(1); b.push(2); [b.pop(), b.shift(), b.pop(), b]",
        [2, 1, 0, bytearray()],
    ),
    (
        'let b = "abcde".to_blob(); [b.remove(1), b.remove(-2), b.remove(9), b]',
        [ord("b"), ord("d"), 0, bytearray(b"ace")],
    ),
    ('let b = "abcde".to_blob(); b.truncate(3); b', bytearray(b"abc")),
    ('let b = "abcde".to_blob(); b.chop(3); b', bytearray(b"cde")),
    ('let b = "abc".to_blob(); b.reverse(); b', bytearray(b"cba")),
    ('let b = "abc".to_blob(); b.clear(); b', bytearray()),
    ('let b = "abcde".to_blob(); b.splice(1, 2, "XY".to_blob()); b', bytearray(b"aXYde")),
    ('let b = "abcde".to_blob(); b.splice(1..=3, "Z".to_blob()); b', bytearray(b"aZe")),
    (
        'let b = "abcde".to_blob(); [b.extract(1, 2), b.extract(-2), b.extract(1..3)]',
        [bytearray(b"bc"), bytearray(b"de"), bytearray(b"bc")],
    ),
    (
        'let b = "abcde".to_blob(); let t = b.split(2); [b, t]',
        [bytearray(b"ab"), bytearray(b"cde")],
    ),
    (
        'let b = "abcde".to_blob(); let d = b.drain(1, 2); [b, d]',
        [bytearray(b"ade"), bytearray(b"bc")],
    ),
    (
        'let b = "abcde".to_blob(); let d = b.drain(1..2); [b, d]',
        [bytearray(b"acde"), bytearray(b"b")],
    ),
    (
        'let b = "abcde".to_blob(); let r = b.retain(1, 2); [b, r]',
        [bytearray(b"bc"), bytearray(b"ade")],
    ),
    (
        'let b = "abcde".to_blob(); let r = b.retain(1..=1); [b, r]',
        [bytearray(b"b"), bytearray(b"acde")],
    ),
    ("let b = blob(); b.push(1); b.push(2); b.parse_le_int(0, 2)", 0x0201),
    ("let b = blob(); b.push(1); b.push(2); b.parse_be_int(0, 8)", 0x0102 << 48),
    ("let b = blob(8, 0xff); b.parse_le_int(0..8)", -1),
    ("let b = blob(2, 1); b.parse_be_int(0..=1)", 0x0101 << 48),
    ("blob(2, 1) == blob(2, 1)", True),
    ("blob(2, 1) != blob(1, 1)", True),
    ("to_string(blob(9, 0xab))", "[abababababababab ab]"),
]


@pytest.mark.parametrize(("src", "expected"), BLOB_CASES)
def test_blob_function(engine: Engine, src: str, expected: Any) -> None:
    assert engine.eval(src) == expected


def test_blob_plus_assign_pushes(engine: Engine) -> None:
    assert engine.eval('let b = blob(); b += 1; b += "a"; b') == bytearray(b"\x01a")


def test_as_string_of_invalid_utf8_is_lossy(engine: Engine) -> None:
    assert engine.eval("let b = blob(); b.push(0x61); b.push(0xff); b.as_string()") == "a\ufffd"


BAD_CALLS = [
    ("#{a: 1}.contains(1)", "Function not found"),
    ("#{a: 1}.mixin([1])", "Function not found"),
    ("#{a: 1} + 1", "Function not found"),
    ('blob("3")', "Function not found"),
    ('blob(2).push("a")', "Function not found"),
    ("blob(2).get(0.5)", "Function not found"),
    ("#{a: 1}.filter(|k| true)", "Function not found"),
]


@pytest.mark.parametrize(("src", "message"), BAD_CALLS)
def test_bad_map_and_blob_calls(engine: Engine, src: str, message: str) -> None:
    with pytest.raises(RhaiRuntimeError, match=message):
        engine.eval(src)


def test_blob_size_limit() -> None:
    eng = Engine(limits=Limits(max_array_size=100))
    with pytest.raises(RhaiRuntimeError):
        eng.eval("blob(1000000000000)")
    with pytest.raises(RhaiRuntimeError):
        eng.eval("let b = blob(); b.pad(1000, 0); b")
