from __future__ import annotations

import io
import logging

import orjson
import pytest

from bv_daemon.cli._output import format_duration, print_json, print_table
from bv_daemon.logging_setup import TRACE, parse_level


def test_table_aligns_columns_and_marks_missing_values() -> None:
    out = io.StringIO()
    print_table([{"ID": "a1", "Name": "alpha", "IP": None}, {"ID": "b", "Name": "be", "IP": "10.0.0.2"}],
                ["ID", "Name", "IP"], out=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "ID  Name   IP"
    assert lines[1] == "a1  alpha  -"
    assert lines[2] == "b   be     10.0.0.2"


def test_empty_table_says_so() -> None:
    out = io.StringIO()
    print_table([], ["ID"], empty="No nodes found.", out=out)
    assert out.getvalue() == "No nodes found.\n"


def test_json_output_is_parseable() -> None:
    out = io.StringIO()
    print_json([{"b": 1, "a": None}], out=out)
    assert orjson.loads(out.getvalue()) == [{"a": None, "b": 1}]


@pytest.mark.parametrize(("secs", "text"), [(None, "-"), (0, "00:00:00"), (3723, "01:02:03"),
                                            (90061, "1d 01:01:01")])
def test_duration(secs: float | None, text: str) -> None:
    assert format_duration(secs) == text


def test_log_levels_follow_the_policy() -> None:
    assert parse_level("warn") == logging.WARNING
    assert parse_level("TRACE") == TRACE < logging.DEBUG
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        parse_level("loud")
