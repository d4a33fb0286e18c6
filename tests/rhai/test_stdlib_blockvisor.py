"""BlockVisor's utility functions and response objects in bv_core.rhai: parse_hex,
parse_json, to_json, system_time, parse_rfc3339, parse_time, sanitize_sh_param, and the
HTTP/shell responses with their getters, expect() and unwrap()."""

from __future__ import annotations

import calendar
import time
from typing import Any

import pytest

from bv_core.rhai import Engine, RhaiRuntimeError
from bv_core.rhai._stdlib import HttpResponse, ShResponse, sanitize_sh_param
from bv_core.rhai._stdlib.timeparse import TimeParseError, parse_rfc3339, parse_time


@pytest.fixture(scope="module")
def engine() -> Engine:
    eng = Engine()
    eng.register_fn("http", lambda code, body: HttpResponse(code, body))
    eng.register_fn("sh", lambda code, out, err: ShResponse(code, out, err))
    return eng


def ts(*parts: int) -> int:
    return calendar.timegm((*parts, 0, 0, 0))


CASES: list[tuple[str, Any]] = [
    ('parse_hex("0xff")', 255),
    ('parse_hex("a1")', 161),
    ('parse_hex("0x7fffffffffffffff")', 2**63 - 1),
    ('parse_hex("-0x10")', -16),  # sign before the prefix: not stripped, invalid... see BAD
    (
        'parse_json(`{"a": 1, "b": [true, null, 1.5, "x"], "c": {"d": -2}}`)',
        {"a": 1, "b": [True, None, 1.5, "x"], "c": {"d": -2}},
    ),
    ('parse_json(`{"result": "0xa1"}`).result', "0xa1"),
    ('parse_json("{}")', {}),
    ("to_json(#{b: 1, a: [1, ()]})", '{"a":[1,null],"b":1}'),
    ('#{a: #{b: "c"}}.to_json()', '{"a":{"b":"c"}}'),
    ('to_json([1, "a"])', '[1,"a"]'),
    ('parse_rfc3339("2024-01-02T03:04:05Z")', ts(2024, 1, 2, 3, 4, 5)),
    ('parse_time("2024-01-02 03:04:05 +0100", "%Y-%m-%d %H:%M:%S %z")', ts(2024, 1, 2, 2, 4, 5)),
    ('sanitize_sh_param("a b/c:{d},-_.9")', '"a b/c:{d},-_.9"'),
    ('sanitize_sh_param("say \\"hi\\"\\n")', '"say \\"hi\\"\\n"'),
    ('http(200, `{"result":"0xa1"}`).status_code', 200),
    ("http(200, `{}`).body", "{}"),
    ('parse_hex(http(200, `{"result":"0xa1"}`).expect(200).result)', 161),
    ('http(201, `{"ok":true}`).expect(|code| code >= 200 && code < 300)', {"ok": True}),
    ('sh(0, "123\\n", "").unwrap()', "123\n"),
    ('parse_int(sh(0, "1700000000", "").unwrap())', 1700000000),
    ('let r = sh(3, "o", "e"); [r.exit_code, r.stdout, r.stderr]', [3, "o", "e"]),
    ('type_of(http(200, ""))', "DressedHttpResponse"),
    ('type_of(sh(0, "", ""))', "DressedShResponse"),
    ('http(200, "").to_string()', "DressedHttpResponse"),
    ('to_json(sh(1, "a", "b"))', '{"exit_code":1,"stderr":"b","stdout":"a"}'),
    ('try { http(500, "").expect(200) } catch (e) { e }', "unexpected status_code: 500"),
    ('try { sh(2, "", "").unwrap() } catch (e) { e }', "unexpected exit_code: 2"),
]


@pytest.mark.parametrize(("src", "expected"), [c for c in CASES if "-0x10" not in c[0]])
def test_blockvisor_function(engine: Engine, src: str, expected: Any) -> None:
    assert engine.eval(src) == expected


def test_system_time_is_now(engine: Engine) -> None:
    before = int(time.time())
    now = engine.eval("system_time()")
    assert type(now) is int
    assert before <= now <= int(time.time())


BAD = [
    ('parse_hex("")', "cannot parse integer from empty string"),
    ('parse_hex("0x")', "cannot parse integer from empty string"),
    ('parse_hex("0xzz")', "invalid digit found in string"),
    ('parse_hex(" 0x1")', "invalid digit found in string"),  # no trimming
    ('parse_hex("0X1f")', "invalid digit found in string"),  # only lower-case 0x is stripped
    ('parse_hex("-0x10")', "invalid digit found in string"),
    ('parse_hex("0x8000000000000000")', "number too large to fit in target type"),
    ("parse_hex(255)", "Function not found"),
    ('parse_json("[1, 2]")', r"Output type incorrect: array \(expecting map\)"),
    ('parse_json("42")', r"Output type incorrect: i64 \(expecting map\)"),
    ('parse_json("")', r"Output type incorrect: \(\) \(expecting map\)"),
    ('parse_json("{bad json}")', "Syntax error"),
    ('parse_json(`{"a": 99999999999999999999}`)', "Syntax error"),
    ('parse_rfc3339("2024-01-02")', "premature end of input"),
    (
        'parse_rfc3339("2024-01-02T03:04:05")',
        "premature end of input|input contains invalid characters",
    ),
    ('parse_rfc3339("yesterday")', "input contains invalid characters"),
    ('parse_rfc3339("2024-02-30T00:00:00Z")', "input is out of range"),
    ('parse_rfc3339("2024-01-02T03:04:05Zjunk")', "trailing input"),
    (
        'parse_time("2024-01-02 03:04", "%Y-%m-%d %H:%M")',
        "input is not enough for unique date and time",
    ),
    ('parse_time("2024-01-02", "%Q")', "bad or unsupported format string"),
    ('sanitize_sh_param("it\'s")', "Very unsafe subsitution >:\\( '"),
    ('sanitize_sh_param("a;b")', "Shell unsafe character detected: ;"),
    ('sanitize_sh_param("$(x)")', r"Shell unsafe character detected: \$"),
    ('http(500, "").expect(200)', "unexpected status_code: 500"),
    ('http(200, "not json").expect(200)', "Syntax error"),
    ('http(200, "[1]").expect(200)', "expecting map"),
    ('http(200, "{}").expect(|c| c > 300)', "unexpected status_code: 200"),
    ('http(200, "{}").expect(|c| 1)', r"Output type incorrect: i64 \(expecting bool\)"),
    ('http(200, "{}").expect("200")', "Function not found"),
    ('sh(1, "", "").unwrap()', "unexpected exit_code: 1"),
    ('sh(0, "", "").status_code', "status_code"),
    ('http(0, "").unwrap()', "Function not found"),
]


@pytest.mark.parametrize(("src", "message"), BAD)
def test_bad_blockvisor_calls(engine: Engine, src: str, message: str) -> None:
    with pytest.raises(RhaiRuntimeError, match=message):
        engine.eval(src)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", ts(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02t03:04:05z", ts(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02 03:04:05+02:30", ts(2024, 1, 2, 0, 34, 5)),
        ("2024-01-02T03:04:05.999-01:00", ts(2024, 1, 2, 4, 4, 5)),
        ("2016-12-31T23:59:60Z", ts(2016, 12, 31, 23, 59, 59)),  # leap second folds into :59
        ("1970-01-01T00:00:00Z", 0),
    ],
)
def test_parse_rfc3339(text: str, expected: int) -> None:
    assert parse_rfc3339(text) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2024-01-02T03:04:05+0000", "%Y-%m-%dT%H:%M:%S%z", ts(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02 03:04:05 -05:00", "%F %T %:z", ts(2024, 1, 2, 8, 4, 5)),
        ("Tue, 02 Jan 2024 03:04:05 +0000", "%a, %d %b %Y %H:%M:%S %z", ts(2024, 1, 2, 3, 4, 5)),
        ("January 2 2024 3:04 pm +0000", "%B %e %Y %I:%M %p %z", ts(2024, 1, 2, 15, 4, 0)),
        ("2024-01-02 03:04:05.123 +0000", "%Y-%m-%d %H:%M:%S%.f %z", ts(2024, 1, 2, 3, 4, 5)),
        ("24/01/02 03:04 Z", "%y/%m/%d %H:%M %#z", ts(2024, 1, 2, 3, 4, 0)),
        ("1700000000 +0000", "%s %z", 1700000000),
        ("2024-032 00:00 +0000", "%Y-%j %H:%M %z", ts(2024, 2, 1, 0, 0, 0)),
        ("100% 2024-01-02 00:00 +0000", "100%% %Y-%m-%d %H:%M %z", ts(2024, 1, 2, 0, 0, 0)),
    ],
)
def test_parse_time(text: str, fmt: str, expected: int) -> None:
    assert parse_time(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("2024-13-02 00:00 +0000", "%Y-%m-%d %H:%M %z", "input is out of range"),
        ("2024-01-02 00:00", "%Y-%m-%d %H:%M %z", "premature end of input"),
        ("2024-01-02 00:00 +0000 x", "%Y-%m-%d %H:%M %z", "trailing input"),
        ("2024/01/02 00:00 +0000", "%Y-%m-%d %H:%M %z", "input contains invalid characters"),
        (
            "2024-01-02 00:00 UTC",
            "%Y-%m-%d %H:%M %Z",
            "input is not enough for unique date and time",
        ),
        ("2024-01-02 +0000", "%Y-%m-%d %z", "input is not enough for unique date and time"),
        ("2024 2025", "%Y %Y", "no possible date and time matching input"),
    ],
)
def test_parse_time_errors(text: str, fmt: str, message: str) -> None:
    with pytest.raises(TimeParseError, match=message):
        parse_time(text, fmt)


def test_sanitize_sh_param_accepts_unicode_letters() -> None:
    assert sanitize_sh_param("héllo 世界") == '"héllo 世界"'


def test_response_debug_text() -> None:
    assert (
        ShResponse(1, "o\n", "").rust_debug()
        == 'ShResponse { exit_code: 1, stdout: "o\\n", stderr: "" }'
    )
    assert HttpResponse(404, "x").rust_debug() == 'HttpResponse { status_code: 404, body: "x" }'


def test_responses_are_read_only(engine: Engine) -> None:
    with pytest.raises(RhaiRuntimeError):
        engine.eval('let r = http(200, ""); r.status_code = 500; r')


PLUGIN = """
const RPC = "http://127.0.0.1:8545";
const SECRET = get_secret("cloudflare-cert-key").as_string();

fn height() {
    parse_hex(run_jrpc(#{host: global::RPC, method: "eth_blockNumber", params: []}).expect(200).result)
}

fn height_by_hand() {
    let resp = run_jrpc(#{host: global::RPC, method: ""});
    if resp.status_code != 200 {
        throw resp;
    }
    let h = parse_json(resp.body).result;
    parse_int(sub_string(h, 2), 16)
}

fn sync_status() {
    let now = parse_int(run_sh(`date +%s`).unwrap());
    let synced = run_jrpc(#{host: global::RPC, method: "eth_syncing"}).expect(|c| c == 200).result;
    if synced == false && now > 1600000000 { "synced" } else { "syncing" }
}

fn secret_tail() {
    global::SECRET.sub_string(-5) + "|" + global::SECRET.len() + "|" + global::SECRET.ends_with("value")
}
"""


def test_plugin_shaped_script() -> None:
    eng = Engine()
    bodies = {
        "eth_blockNumber": '{"jsonrpc":"2.0","id":0,"result":"0xa1"}',
        "": '{"jsonrpc":"2.0","id":0,"result":"0x1c8"}',
        "eth_syncing": '{"jsonrpc":"2.0","id":0,"result":false}',
    }
    eng.register_fn("run_jrpc", lambda req: HttpResponse(200, bodies[req["method"]]))
    eng.register_fn("run_sh", lambda body: ShResponse(0, "1700000000\n", ""))
    eng.register_fn("get_secret", lambda name: bytearray(b"secret value"))
    ast = eng.compile(PLUGIN)
    assert eng.call_fn(ast, "height") == 161
    assert eng.call_fn(ast, "height_by_hand") == 456
    assert eng.call_fn(ast, "sync_status") == "synced"
    assert eng.call_fn(ast, "secret_tail") == "value|12|true"
