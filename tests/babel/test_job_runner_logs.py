"""The job runner's log capture: line splitting, bounded buffer, rotation, timestamps."""

from __future__ import annotations

import re
from pathlib import Path

from job_runner._logs import MAX_BUFFERED_LINES, MAX_LINE_BYTES, LogSink, RotatingFile


def test_lines_are_split_across_reads_and_flushed(tmp_path: Path) -> None:
    sink = LogSink(RotatingFile(tmp_path / "logs", 10_000), timestamps=False)
    sink.feed(b"hel")
    sink.feed(b"lo\nwor")
    sink.flush()
    assert (tmp_path / "logs").read_bytes() == b"hello\n"
    sink.close()  # the unterminated tail is kept
    assert (tmp_path / "logs").read_bytes() == b"hello\nwor\n"


def test_buffer_is_bounded_and_counts_drops(tmp_path: Path) -> None:
    sink = LogSink(RotatingFile(tmp_path / "logs", 10**9), timestamps=False)
    sink.feed(b"".join(b"%d\n" % i for i in range(MAX_BUFFERED_LINES + 10)))
    sink.flush()
    lines = (tmp_path / "logs").read_text().splitlines()
    assert lines[0] == "[job runner: 10 log lines dropped]"
    assert lines[1] == "10" and len(lines) == MAX_BUFFERED_LINES + 1
    sink.feed(b"x" * (MAX_LINE_BYTES * 2 + 5))
    sink.close()
    assert (tmp_path / "logs").read_text().splitlines()[-1] == "x" * 5


def test_rotation_keeps_two_old_files(tmp_path: Path) -> None:
    log = RotatingFile(tmp_path / "logs", 100)
    for i in range(10):
        log.write(f"{i}".encode() * 60 + b"\n")
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["logs", "logs.1", "logs.2"]
    assert (tmp_path / "logs").read_text().startswith("9") and (tmp_path / "logs.2").read_text().startswith("7")
    assert all(p.stat().st_size <= 100 for p in tmp_path.iterdir())


def test_timestamps_prefix_each_line(tmp_path: Path) -> None:
    sink = LogSink(RotatingFile(tmp_path / "logs", 10_000), timestamps=True)
    sink.feed(b"a\nb\n")
    sink.close()
    for line in (tmp_path / "logs").read_text().splitlines():
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d\|[ab]", line), line
