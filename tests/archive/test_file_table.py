"""The download's file table: files opened below directory descriptors walked without following
planted symlinks, so a directory swapped after the plan's check can't redirect a write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from job_runner.archive import ArchiveError, ManifestError, _files
from job_runner.archive._files import FileTable


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    data, outside = tmp_path / "data", tmp_path / "outside"
    data.mkdir()
    outside.mkdir()
    return data, outside


def test_directories_are_created_and_files_written_at_their_offsets(dirs: tuple[Path, Path]) -> None:
    data, _ = dirs
    table = FileTable(data)
    try:
        table.ensure([("a/b/c/f", 8), ("top", 3)])
        table.pwrite("a/b/c/f", b"5678", 4)
        table.pwrite("a/b/c/f", b"1234", 0)
        table.pwrite("top", b"xyz", 0)
    finally:
        table.close()
    assert (data / "a/b/c/f").read_bytes() == b"12345678"
    assert (data / "top").read_bytes() == b"xyz"


def test_a_directory_swapped_for_a_symlink_after_the_walk_cannot_redirect_writes(
    dirs: tuple[Path, Path],
) -> None:
    data, outside = dirs
    table = FileTable(data)
    try:
        table.pwrite("db/first", b"1", 0)
        (data / "db").rename(data / "db-real")
        (data / "db").symlink_to(outside)
        table.pwrite("db/second", b"2", 0)  # below the descriptor of the walked directory
    finally:
        table.close()
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in (data / "db-real").iterdir()) == ["first", "second"]


def test_a_walk_through_a_symlink_leading_outside_is_refused(dirs: tuple[Path, Path]) -> None:
    data, outside = dirs
    (data / "db").symlink_to(outside)
    table = FileTable(data)
    try:
        with pytest.raises(ManifestError, match=r"'db' resolves outside"):
            table.pwrite("db/owned", b"x", 0)
        with pytest.raises(ManifestError, match=r"'db' resolves outside"):
            table.pwrite("db/deeper/owned", b"x", 0)
    finally:
        table.close()
    assert list(outside.iterdir()) == []


def test_a_symlink_inside_the_data_dir_is_followed(dirs: tuple[Path, Path]) -> None:
    data, _ = dirs
    (data / "real").mkdir()
    (data / "link").symlink_to(data / "real")
    table = FileTable(data)
    try:
        table.pwrite("link/x", b"ok", 0)
    finally:
        table.close()
    assert (data / "real" / "x").read_bytes() == b"ok"


def test_a_planted_file_symlink_is_not_followed(dirs: tuple[Path, Path]) -> None:
    data, outside = dirs
    (data / "f").symlink_to(outside / "target")
    table = FileTable(data)
    try:
        with pytest.raises(ArchiveError, match=r"can.t open .*f"):
            table.pwrite("f", b"x", 0)
    finally:
        table.close()
    assert list(outside.iterdir()) == []


def test_more_directories_than_the_cache_holds_leak_no_descriptors(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = dirs
    monkeypatch.setattr(_files, "_MAX_DIRS", 3)
    before = open_fds()
    table = FileTable(data)
    for i in range(20):
        table.pwrite(f"d{i % 10}/sub/f{i}", b"%d" % i, 0)
    table.close()
    assert open_fds() == before
    assert (data / "d7/sub/f17").read_bytes() == b"17"
    assert len(list(data.glob("d*/sub/f*"))) == 20
