"""String and char functions of bv_core.rhai, run through the real engine.

Expected values come from Rhai 1.20's MoreStringPackage (the doc examples of each function)."""

from __future__ import annotations

from typing import Any

import pytest

from bv_core.rhai import Char, Engine, NoMatch, RhaiRuntimeError


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


CASES: list[tuple[str, Any]] = [
    # length, emptiness
    ('"朝には紅顔".len()', 5),
    ('let s = "héllo"; s.len', 5),
    ('"".is_empty()', True),
    ('"x".is_empty', False),
    ('"朝には".bytes', 9),
    # searching
    ('"hello, world!".contains("lo, w")', True),
    ("\"hello, world!\".contains('x')", False),
    ("\"hello, world!\".contains('w')", True),
    ('"hello".starts_with("he")', True),
    ('"hello".starts_with("lo")', False),
    ('"hello".ends_with("lo")', True),
    ("\"hello, world!\".index_of('l')", 2),
    ("\"hello, world!\".index_of('l', 5)", 10),
    ("\"hello, world!\".index_of('o', -7)", 8),
    ("\"hello, world!\".index_of('x', 0)", -1),
    ('"hello, world! hello, foobar!".index_of("ll", 5)', 16),
    ('"hello, world! hello, foobar!".index_of("ll", -15)', 16),
    ('"hello, world!".index_of("xx")', -1),
    ('"abc".index_of("c", 99)', -1),
    ('"abc".index_of("a", -99)', 0),
    ('"".index_of("")', -1),
    ('"hello, world!".get(0)', Char("h")),
    ('"hello, world!".get(-1)', Char("!")),
    ('"hello".get(99)', None),
    ('"hello".get(-99)', None),
    # sub-strings
    ('"hello, world!".sub_string(3, 4)', "lo, "),
    ('"hello, world!".sub_string(-8, 3)', ", w"),
    ('"hello, world!".sub_string(5)', ", world!"),
    ('"hello, world!".sub_string(-5)', "orld!"),
    ('"hello".sub_string(-99)', "hello"),
    ('"hello".sub_string(99)', ""),
    ('"hello".sub_string(1, 0)', ""),
    ('"hello".sub_string(1, -3)', ""),
    ('"hello, world!".sub_string(3..7)', "lo, "),
    ('"hello, world!".sub_string(3..=7)', "lo, w"),
    ('sub_string("0x1a2b", 2)', "1a2b"),
    ('let t = "hello, world!"; t.crop(2, 8); t', "llo, wor"),
    ('let t = "hello, world!"; t.crop(5); t', ", world!"),
    ('let t = "hello, world!"; t.crop(-3); t', "ld!"),
    ('let t = "hello, world!"; t.crop(2..8); t', "llo, w"),
    ('let t = "hello, world!"; t.crop(2..=8); t', "llo, wo"),
    ('let t = "hello"; t.crop(1, 0); t', ""),
    ('let t = "hello"; t.crop(99); t', ""),
    ('let t = "hello, world!"; t.truncate(5); t', "hello"),
    ('let t = "hello"; t.truncate(50); t', "hello"),
    ('let t = "hello"; t.truncate(-1); t', ""),
    ('let t = "hello"; t.clear(); t', ""),
    # trimming, removing, popping
    ('let t = "  hello \\n\\t"; t.trim(); t', "hello"),
    ('let t = "x"; let r = t.trim(); r', None),
    ('let t = "hello, world! hello, foobar!"; t.remove("hello"); t', ", world! , foobar!"),
    ("let t = \"hello, world!\"; t.remove('o'); t", "hell, wrld!"),
    ('let t = "hello, world!"; let c = t.pop(); [c, t]', [Char("!"), "hello, world"]),
    ('let t = ""; t.pop()', None),
    ('let t = "hello, world!"; let p = t.pop(4); [p, t]', ["rld!", "hello, wo"]),
    ('let t = "abc"; let p = t.pop(10); [p, t]', ["abc", ""]),
    ('let t = "abc"; t.pop(0)', ""),
    # replace
    (
        'let t = "hello, world! hello, foobar!"; t.replace("hello", "hey"); t',
        "hey, world! hey, foobar!",
    ),
    ('let t = "hello, world!"; t.replace("hello", \'*\'); t', "*, world!"),
    ('let t = "hello"; t.replace(\'l\', "(^)"); t', "he(^)(^)o"),
    ("let t = \"hello\"; t.replace('l', '*'); t", "he**o"),
    ('let t = "ab"; t.replace("", "-"); t', "-a-b-"),
    # padding
    ("let t = \"hello\"; t.pad(8, '!'); t", "hello!!!"),
    ("let t = \"hello\"; t.pad(3, '!'); t", "hello"),
    ('let t = "hello"; t.pad(10, "(!)"); t', "hello(!)(!"),
    ("let t = \"hello\"; t.pad(-1, '!'); t", "hello"),
    # case
    ('"Hello, World!".to_upper()', "HELLO, WORLD!"),
    ('"Hello, World!".to_lower()', "hello, world!"),
    ('let t = "straße"; t.make_upper(); t', "STRASSE"),
    ('let t = "ABC"; t.make_lower(); t', "abc"),
    ("'a'.to_upper()", Char("A")),
    ("'Z'.to_lower()", Char("z")),
    ("'ß'.to_upper()", Char("ß")),
    ("let c = 'q'; c.make_upper(); c", Char("Q")),
    ("let c = 'Q'; c.make_lower(); c", Char("q")),
    ("'X'.to_int()", 88),
    ("to_int('€')", 8364),
    # min/max
    ('max("hello", "world")', "world"),
    ('min("hello", "world")', "hello"),
    ("max('h', 'w')", Char("w")),
    ("min('h', 'w')", Char("h")),
    # splitting
    ('"hello, world!".split(6)', ["hello,", " world!"]),
    ('"hello, world!".split(13)', ["hello, world!", ""]),
    ('"hello, world!".split(-6)', ["hello, ", "world!"]),
    ('"hello, world!".split(-99)', ["", "hello, world!"]),
    ('"hello, world! hello, foo!".split()', ["hello,", "world!", "hello,", "foo!"]),
    ('"hello, world! hello, foo!".split("ll")', ["he", "o, world! he", "o, foo!"]),
    ('"hello, world! hello, foo!".split("ll", 2)', ["he", "o, world! hello, foo!"]),
    ('"a,b".split(",", 0)', ["a,b"]),
    ("\"hello, world! hello, foo!\".split('l')", ["he", "", "o, wor", "d! he", "", "o, foo!"]),
    ("\"hello, world! hello, foo!\".split('l', 3)", ["he", "", "o, world! hello, foo!"]),
    ('"hello, world! hello, foo!".split_rev("ll")', ["o, foo!", "o, world! he", "he"]),
    ('"hello, world! hello, foo!".split_rev("ll", 2)', ["o, foo!", "hello, world! he"]),
    ("\"hello, world! hello, foo!\".split_rev('l')", ["o, foo!", "", "d! he", "o, wor", "", "he"]),
    ("\"hello, world! hello, foo!\".split_rev('l', 3)", ["o, foo!", "", "hello, world! he"]),
    ('"aaa".split_rev("aa")', ["", "a"]),
    ('"abc".split("")', ["", "a", "b", "c", ""]),
    ('"héllo".to_chars()', [Char(c) for c in "héllo"]),
    ('"ab".chars()', [Char("a"), Char("b")]),
    ('chars("hello", 2..=3)', [Char("l"), Char("l")]),
    ('chars("hello", 1..3)', [Char("e"), Char("l")]),
    ('chars("hello", -2)', [Char("l"), Char("o")]),
    ('chars("hello", 3)', [Char("l"), Char("o")]),
    ('chars("hello", 1, 2)', [Char("e"), Char("l")]),
    ('chars("hello", 1, 0)', []),
    ('let n = 0; for c in chars("abc", 1) { n += c.to_int() } n', 98 + 99),
    # blobs and concatenation
    ('"héllo".to_blob().len()', 6),
    ('"héllo".to_blob().as_string()', "héllo"),
    ("\"a\" + 1 + true + 'c' + ()", "a1truec"),
    ('1 + "a"', "1a"),
    ('() + "a"', "a"),
    ('"x" + [1, "y"]', 'x[1, "y"]'),
    ('"x" + #{b: 2, a: 1}', 'x#{"a": 1, "b": 2}'),
    ('"x" + 2.0', "x2.0"),
    ("'a' + 'b'", "ab"),
    ("let s = \"ab\"; s += 'c'; s += 1; s", "abc1"),
    ('let s = "ab"; s.append("cd"); s.append(5); s', "abcd5"),
    ('let s = "ab"; s.append("c".to_blob()); s', "abc"),
    ("let s = \"hello\"; s.set(1, 'a'); s", "hallo"),
    ("let s = \"hello\"; s.set(-1, 'O'); s", "hellO"),
    ("let s = \"hello\"; s.set(99, 'x'); s", "hello"),
    ('let m = #{s: " pad "}; m.s.trim(); m.s', "pad"),
    ('let a = [" x "]; a[0].trim(); a[0]', "x"),
]


@pytest.mark.parametrize(("src", "expected"), CASES)
def test_string_function(engine: Engine, src: str, expected: Any) -> None:
    result = engine.eval(src)
    assert result == expected
    assert type(result) is type(expected)


def test_string_minus_removes(engine: Engine) -> None:
    assert engine.eval('let x = "hello"; x -= \'l\'; [x, "a-b-c" - "-"]') == ["heo", "abc"]


def test_string_minus_functions_directly(engine: Engine) -> None:
    results = []
    for fn in engine.registry.candidates("-", 2):
        try:
            results.append(fn(None, "a-b-c", "-"))
        except NoMatch:
            continue
    assert results == ["abc"]


def test_string_plus_blob_decodes_utf8(engine: Engine) -> None:
    assert engine.eval('"ab" + "c".to_blob()') == "abc"


def test_receiver_of_a_temporary_is_not_an_error(engine: Engine) -> None:
    # Rhai allows mutating methods on temporaries; the change is simply lost.
    assert engine.eval('"  x ".trim()') is None
    assert engine.eval('trim("  x ")') is None


BAD_CALLS = [
    ('"abc".contains(1)', "Function not found"),
    ('"abc".sub_string("1")', "Function not found"),
    ('"abc".index_of(1)', "Function not found"),
    ("\"abc\".starts_with('a')", "Function not found"),
    ('"abc".pad(5, 1)', "Function not found"),
    ('"abc".split(1.5)', "Function not found"),
    ("'a'.to_upper(1)", "Function not found"),
    ('max("a", 1)', "Function not found"),
]


@pytest.mark.parametrize(("src", "message"), BAD_CALLS)
def test_wrong_argument_types_are_not_found(engine: Engine, src: str, message: str) -> None:
    with pytest.raises(RhaiRuntimeError, match=message):
        engine.eval(src)


def test_pad_beyond_the_string_limit_fails_before_building() -> None:
    from bv_core.rhai import Limits

    small = Engine(limits=Limits(max_string_size=100))
    with pytest.raises(RhaiRuntimeError, match="too large|size|limit"):
        small.eval("let s = \"x\"; s.pad(1000000000000, '!'); s")
    with pytest.raises(RhaiRuntimeError, match="too large|size|limit"):
        small.eval('let s = "x"; s.pad(200, "ab"); s')
