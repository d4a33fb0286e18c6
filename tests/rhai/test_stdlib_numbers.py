"""Number functions of bv_core.rhai (parsing, conversion, maths, ranges) through the engine."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bv_core.rhai import Engine, RhaiRuntimeError


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


CASES: list[tuple[str, Any]] = [
    ('parse_int("42")', 42),
    ('parse_int("  42\\n")', 42),  # Rhai trims the input
    ('parse_int("-42")', -42),
    ('parse_int("+7")', 7),
    ('parse_int("42", 10)', 42),
    ('parse_int("110", 2)', 6),
    ('parse_int("ab", 16)', 0xAB),
    ('parse_int("AB", 16)', 0xAB),
    ('parse_int("123abc", 16)', 0x123ABC),
    ('parse_int("zz", 36)', 36 * 36 - 1),
    ('parse_int("9223372036854775807")', 2**63 - 1),
    ('parse_int("-9223372036854775808")', -(2**63)),
    ('parse_int(sub_string("0x1c8", 2), 16)', 456),
    ('parse_float("123.4")', 123.4),
    ('parse_float(" 1e3 ")', 1000.0),
    ('parse_float("-.5")', -0.5),
    ('parse_float("5.")', 5.0),
    ('parse_float("42")', 42.0),
    ("42.to_float()", 42.0),
    ("to_float(-3)", -3.0),
    ("3.99.to_int()", 3),
    ("(-3.99).to_int()", -3),
    ("7.to_int()", 7),
    ("(-5).abs()", 5),
    ("abs(-2.5)", 2.5),
    ("[(-5).sign(), 0.sign(), 9.sign()]", [-1, 0, 1]),
    ("[(-0.5).sign(), 0.0.sign(), 2.0.sign()]", [-1, 0, 1]),
    ("[0.is_zero(), 1.is_zero, 0.0.is_zero]", [True, False, True]),
    ("[3.is_odd(), 3.is_even, (-4).is_even()]", [True, False, True]),
    ("[max(1, 2), min(1, 2), max(-1, -2)]", [2, 1, -1]),
    ("[max(1, 2.5), min(1.5, 2), max(3.0, 1.0)]", [2.5, 1.5, 3.0]),
    ("[255.to_hex(), 8.to_octal(), 5.to_binary()]", ["ff", "10", "101"]),
    ("(-1).to_hex()", "ffffffffffffffff"),
    (
        "[2.7.floor(), 2.2.ceiling(), 2.5.round(), (-2.5).round(), 2.7.int(), 2.5.fraction()]",
        [2.0, 3.0, 3.0, -3.0, 2.0, 0.5],
    ),
    ("[2.7.floor, 2.2.ceiling, 0.49999999999999994.round]", [2.0, 3.0, 0.0]),
    ("[16.0.sqrt(), 1.0.exp(), E().ln(), 100.0.log(), 8.0.log(2.0)]", [4.0, math.e, 1.0, 2.0, 3.0]),
    (
        "[0.0.sin(), 0.0.cos(), 1.0.atan(1.0), 3.0.hypot(4.0)]",
        [0.0, 1.0, math.atan2(1.0, 1.0), 5.0],
    ),
    ("[180.0.to_radians(), PI().to_degrees()]", [math.pi, 180.0]),
    (
        "[0.5.tan(), 0.5.sinh(), 0.5.cosh(), 0.5.tanh(), 0.5.asin(), 0.5.acos(), 0.5.asinh(),"
        " 1.5.acosh()]",
        [
            math.tan(0.5),
            math.sinh(0.5),
            math.cosh(0.5),
            math.tanh(0.5),
            math.asin(0.5),
            math.acos(0.5),
            math.asinh(0.5),
            math.acosh(1.5),
        ],
    ),
    ("[2.0.asin().is_nan(), 0.5.acosh().is_nan()]", [True, True]),
    ("[1.0.is_nan, 1.0.is_finite(), 1.0.is_infinite]", [False, True, False]),
    ("(-1.0).sqrt().is_nan()", True),
    ("0.0.ln().is_infinite()", True),
    ("1.0.atanh().is_infinite()", True),
    ("1000.0.exp().is_infinite()", True),
    ("range(1, 4)", range(1, 4)),
    ("let s = 0; for i in range(0, 10, 3) { s += i } s", 0 + 3 + 6 + 9),
    ("[(1..5).start, (1..5).end, (1..1).is_empty, (1..5).contains(3)]", [1, 5, True, True]),
]


@pytest.mark.parametrize(("src", "expected"), CASES)
def test_number_function(engine: Engine, src: str, expected: Any) -> None:
    result = engine.eval(src)
    assert result == expected
    if isinstance(expected, list):
        assert [type(v) for v in result] == [type(v) for v in expected]
    else:
        assert type(result) is type(expected)


def test_nan_to_int_saturates_like_rust(engine: Engine) -> None:
    assert engine.eval("(-1.0).sqrt().to_int()") == 0


BAD = [
    ('parse_int("")', "Error parsing integer number '': cannot parse integer from empty string"),
    ('parse_int("12a")', "Error parsing integer number '12a': invalid digit found in string"),
    ('parse_int("0x1f")', "invalid digit found in string"),
    ('parse_int("1_000")', "invalid digit found in string"),
    ('parse_int("-")', "invalid digit found in string"),
    ('parse_int("9223372036854775808")', "number too large to fit in target type"),
    ('parse_int("-9223372036854775809")', "number too small to fit in target type"),
    ('parse_int("10", 1)', "Invalid radix: '1'"),
    ('parse_int("10", 37)', "Invalid radix: '37'"),
    ('parse_int("12", 2)', "invalid digit found in string"),
    ("parse_int(12)", "Function not found"),
    ('parse_float("")', "cannot parse float from empty string"),
    ('parse_float("1_0")', "Error parsing floating-point number '1_0': invalid float literal"),
    ('parse_float("0x10")', "invalid float literal"),
    ('parse_float("e5")', "invalid float literal"),
    ("1e19.to_int()", r"Integer overflow: to_int\(10000000000000000000\)"),
    ("(-9223372036854775807 - 1).abs()", "Negation overflow"),
    ("(-1.0).sqrt().sign()", "Sign of NaN is undefined"),
    ("range(1, 5, 0)", "step value cannot be zero"),
    ('abs("x")', "Function not found"),
    ("1.5.is_odd()", "Function not found"),
    ("5.floor()", "Function not found"),
    ('max(1, "a")', "Function not found"),
]


@pytest.mark.parametrize(("src", "message"), BAD)
def test_bad_number_calls(engine: Engine, src: str, message: str) -> None:
    with pytest.raises(RhaiRuntimeError, match=message):
        engine.eval(src)


def test_parse_int_error_is_catchable(engine: Engine) -> None:
    src = 'try { parse_int("x") } catch (e) { e }'
    assert engine.eval(src) == "Error parsing integer number 'x': invalid digit found in string"
