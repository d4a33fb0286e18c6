"""Language constructs of bv_core.rhai evaluated end to end (values with their types)."""

from __future__ import annotations

from typing import Any

import pytest

from bv_core.rhai import Char, Engine, RhaiParseError

CASES: list[tuple[str, Any]] = [
    # literals
    ("42", 42),
    ("0x1F + 0o17 + 0b101", 31 + 15 + 5),
    ("1_000_000", 1_000_000),
    ("1.5e3", 1500.0),
    ("-9223372036854775808", -(2**63)),
    ("()", None),
    ("true && !false", True),
    ("'x'", Char("x")),
    ('"tab\\there"', "tab\there"),
    ('"\\u0041\\x42"', "AB"),
    ('"a""b"', 'a"b'),
    ('#"raw \\n ${x}"#', "raw \\n ${x}"),
    ('##"has "# inside"##', 'has "# inside'),
    ("`verbatim \\n`", "verbatim \\n"),
    ("`\nfirst`", "first"),
    ("`a``b`", "a`b"),
    ('"${literal}"', "${literal}"),
    # string continuation: whitespace skipped up to the opening quote's column
    ('let s =  "one,\\\n          two";\ns', "one,two"),
    ('"ab\\\n      cd"', "ab     cd"),
    # interpolation
    ("let x = 2; `x=${x} y=${x * 3}`", "x=2 y=6"),
    ("`a${`b${1 + 1}`}c`", "ab2c"),
    ("`${()}|${[1, 2]}|${#{a: 1}}`", '|[1, 2]|#{"a": 1}'),
    ("`${ let y = 20; y + 1 }`", "21"),
    ("`${}`", ""),
    # operators
    ("7 / 2", 3),
    ("-7 / 2", -3),
    ("-7 % 3", -1),
    ("7 / 2.0", 3.5),
    ("2 ** 3 ** 2", 512),
    ("1 << 62 << 1", -(2**63)),
    ("-16 >> 2", -4),
    ("6 & 3 | 8 ^ 1", (6 & 3) | 8 ^ 1),
    ("1 + 2 * 3 - 4", 3),
    ('"a" + 1 + 2', "a12"),
    ('1 + 2 + "a"', "3a"),
    ('"x" + ()', "x"),
    ("'a' + 'b'", "ab"),
    ("[1] + [2, 3]", [1, 2, 3]),
    ("#{a: 1, b: 1} + #{b: 2}", {"a": 1, "b": 2}),
    ('1 == "1"', False),
    ('1 != "1"', True),
    ("1 == 1.0", True),
    ("[1, [2]] == [1, [2]]", True),
    ("[1] == [true]", False),
    ("() == ()", True),
    ('1 < "a"', False),
    ('"abc" < "abd"', True),
    ("3 in [1, 2, 3]", True),
    ('"bc" in "abc"', True),
    ("'c' in \"abc\"", True),
    ('"k" in #{k: 1}', True),
    ("5 in 1..5", False),
    ("5 in 1..=5", True),
    ("4 !in [1]", True),
    ("() ?? 5", 5),
    ("0 ?? 5", 0),
    ("let m = (); m?.a", None),
    ("let m = #{a: [7]}; m?.a?[0]", 7),
    ("let m = (); m?[1]", None),
    # fused integer trees fall back to Rhai semantics (negative / and %, floats, overflow)
    ("let a = 7; let b = -2; [a + b * 3 % 2, a / b * 1, a % b + 0]", [7, -3, 1]),
    ("let a = 7; let b = 0.5; let c = a * b + 1; c", 4.5),
    ("let a = 4611686018427387904; let b = 2; try { a * b + 1 } catch (e) { \"ovf\" }", "ovf"),
    ("let a = 5; let b = 3; let r = a * 2 < b + 8; r", True),
    ('let a = "x"; let b = 2; a + b * 3', "x6"),
    # compound assignment
    ("let x = 10; x -= 3; x *= 2; x /= 7; x", 2),
    ("let x = 1; x <<= 4; x |= 1; x ^= 3; x &= 14; x", 2),
    ('let s = "a"; s += 1; s += \'c\'; s', "a1c"),
    ("let a = [1]; a += [2]; a += 3; a", [1, 2, 3]),
    ("let m = #{a: 1}; m += #{b: 2}; m", {"a": 1, "b": 2}),
    ("let m = #{a: #{b: 1}}; m.a.b += 41; m.a.b", 42),
    ("let a = [[1, 2]]; a[0][1] *= 5; a", [[1, 10]]),
    # indexing and properties
    ("let a = [1, 2, 3]; a[-1]", 3),
    ('"hello"[1]', Char("e")),
    ('"hello"[1..3]', "el"),
    ("let a = [1, 2, 3, 4]; a[1..=2]", [2, 3]),
    ("let x = 0b1010; [x[1], x[0]]", [True, False]),
    ("let m = #{}; m.missing", None),
    ('let m = #{"a-b": 1}; m["a-b"]', 1),
    ('let k = "x"; let m = #{x: #{y: 5}}; m[k].y', 5),
    ('let s = "abc"; s[0] = \'z\'; s', "zbc"),
    ("let x = 0; x[3] = true; x", 8),
    # control flow as expressions
    ("let x = if false { 1 } else if true { 2 } else { 3 }; x", 2),
    ("let x = if false { 1 }; x", None),
    ("let x = { let a = 2; a * 21 }; x", 42),
    ("let x = if true { 5; }; x", 5),
    ("switch 3 { 1 | 3 => \"odd\", 2 => \"even\", _ => \"?\" }", "odd"),
    ("switch 15 { 0..10 => 1, 10..=20 if false => 2, 10..=20 => 3, _ => 4 }", 3),
    ("switch 'a' { \"a\" => 1, 'a' => 2 }", 2),
    ("switch 1.0 { 1 => 1, _ => 0 }", 0),
    ("switch [1, 2] { [1, 2] => \"pair\", _ => \"?\" }", "pair"),
    ("switch 9 { 1 => 1 }", None),
    ("const K = switch 2 { 2 => \"two\", _ => \"x\" }; K", "two"),
    # loops
    ("let s = 0; for i in 0..5 { s += i } s", 10),
    ("let s = 0; for i in 0..=5 { if i == 2 { continue; } s += i } s", 13),
    ('let r = []; for (x, i) in ["a", "b"] { r.push(`${i}${x}`) } r', ["0a", "1b"]),
    ('let r = ""; for c in "héllo" { r = c + r } r', "olléh"),
    ("let i = 0; while i < 5 { i += 1 } i", 5),
    ("let i = 0; do { i += 1 } while i < 3; i", 3),
    ("let i = 0; do { i += 1 } until i >= 4; i", 4),
    ("let i = 0; loop { i += 1; if i == 7 { break i * 2; } }", 14),
    ("let n = 0; for x in [1] { n += x; }\n[n, 2]", [1, 2]),
    ("let v = for x in [1, 2, 3] { if x == 2 { break x * 10; } }; v", 20),
    # functions
    ("fn f(a) { a } fn f(a, b) { a + b } f(1) + f(1, 2)", 4),
    ("fn f() { 42; } f()", 42),
    ("fn f() { let x = 1; } f()", None),
    ('fn f(x) { if x > 0 { return "pos"; } "neg" } f(1) + f(-1)', "posneg"),
    ("fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } } fib(15)", 610),
    ("fn later() { 1 } later() + early(); fn early() { 2 }", 3),
    ("fn f (x) { x * 2 } f (21)", 42),
    ("let f = 5; fn f() { 6 } f + f()", 11),
    # closures and function pointers
    ("let f = |x| x * 2; f.call(21)", 42),
    ("let f = |x, y| x + y; f(1, 2)", 3),
    ("fn add(a, b) { a + b } Fn(\"add\").call(1, 2)", 3),
    ("fn add(a, b) { a + b } let p = Fn(\"add\").curry(40); p.call(2)", 42),
    ("fn add(a, b) { a + b } call(Fn(\"add\"), 1, 2)", 3),
    ("let f = |x| x; [type_of(f), f.is_anonymous, Fn(\"g\").name]", ["Fn", True, "g"]),
    ("[1, 2, 3].map(|x| x * x).filter(|x| x > 1)", [4, 9]),
    # try/catch/throw
    ('try { throw "boom" } catch (e) { e }', "boom"),
    ("try { throw #{code: 7} } catch (e) { e.code }", 7),
    ("try { throw; } catch (e) { e }", None),
    ("try { 1 / 0 } catch (e) { type_of(e) }", "map"),
    ("try { [1][5] } catch (e) { e.message.contains(\"out of bounds\") }", True),
    ("try { 5 } catch { 6 }", 5),
    ("fn f() { try { throw 1 } catch { return 2; } 3 } f()", 2),
    # comments
    ("/* a /* nested */ comment */ 1 // tail\n + 1 /// doc", 2),
    ("let m = #{\n /// doc comment inside a map\n a: 1, // c\n};\nm.a", 1),
    # misc built-ins handled by the engine
    ("let x = 1; [is_def_var(\"x\"), is_def_var(\"nope\")]", [True, False]),
    ("fn foo(a) {} [is_def_fn(\"foo\", 1), is_def_fn(\"foo\", 2)]", [True, False]),
    ("type_of(1..3)", "range"),
    ("let x; x", None),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_eval(source: str, expected: Any) -> None:
    got = Engine().eval(source)
    assert got == expected
    assert type(got) is type(expected)


PARSE_ERRORS = [
    ("let x = 1 +;", "unexpected ';'"),
    ("#{a: 1, a: 2}", "duplicated property 'a'"),
    ("const X = 1; X = 2;", "cannot assign to constant 'X'"),
    ("break;", "'break' must be inside a loop"),
    ("fn f() { fn g() {} }", "global level"),
    ("fn f(a) {} fn f(b) {}", "already defined"),
    ("let x = 1 let y = 2;", "expecting ';'"),
    ("x++;", "'++' is a reserved symbol"),
    ('"unterminated', "unterminated string"),
    ("`abc ${1 + }`", "unexpected"),
    ("switch 1 { _ => 1, 2 => 3 }", "must be the last case"),
    ("switch 42 { 10..=50 => 1, 42 => 2 }", "range case that includes it"),
    ("let = 5;", "expecting a variable name"),
    ("let let = 1;", "reserved keyword"),
]


@pytest.mark.parametrize(("source", "message"), PARSE_ERRORS)
def test_parse_errors(source: str, message: str) -> None:
    with pytest.raises(RhaiParseError) as info:
        Engine().compile(source)
    assert message in str(info.value)
    assert str(info.value).startswith("<script>:1:")


def test_whitespace_and_trailing_commas() -> None:
    src = """
    let m = #{
        a : [1, 2,],
        "b-c": #{ x: 1, },
    };
    m.a.len() + m["b-c"].x
    """
    assert Engine().eval(src) == 3
