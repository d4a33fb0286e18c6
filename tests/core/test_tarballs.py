"""safe_extract refuses escaping entries on every 3.11, with or without tarfile's data filter."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

import bv_core.tarballs as tarballs
from bv_core.errors import InvalidInput
from bv_core.tarballs import safe_extract


def _tar(path: Path, entries: list[tarfile.TarInfo], data: bytes = b"hi") -> Path:
    with tarfile.open(path, "w") as tar:
        for info in entries:
            if info.isfile():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "", mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, mode
    return info


@pytest.fixture(params=["stdlib-filter", "manual"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "manual":
        # Debian's 3.11.2 has no data_filter: exercise the hand-written rules here too.
        monkeypatch.delattr(tarballs.tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this interpreter has no tarfile data filter (CPython < 3.11.4)")
    return str(request.param)


@pytest.mark.parametrize(
    "entry",
    [
        _info("/etc/evil"),
        _info("bundle/../../evil"),
        _info("bundle/link", tarfile.SYMTYPE, "/etc/passwd"),
        _info("bundle/link", tarfile.SYMTYPE, "../../outside"),
        _info("bundle/dev", tarfile.CHRTYPE),
    ],
    ids=["absolute", "dotdot", "abs-symlink", "escaping-symlink", "device"],
)
def test_unsafe_entries_are_refused(entry: tarfile.TarInfo, tmp_path: Path, mode: str) -> None:
    tgz = _tar(tmp_path / "b.tar", [entry])
    dest = tmp_path / "out"
    dest.mkdir()
    with tarfile.open(tgz) as tar, pytest.raises(InvalidInput):
        safe_extract(tar, dest, "b.tar")
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()


def test_safe_content_is_extracted_without_setuid(tmp_path: Path, mode: str) -> None:
    tgz = _tar(tmp_path / "b.tar", [_info("bundle", tarfile.DIRTYPE, mode=0o755),
                                    _info("bundle/tool", mode=0o4755),
                                    _info("bundle/alias", tarfile.SYMTYPE, "tool")])
    dest = tmp_path / "out"
    with tarfile.open(tgz) as tar:
        safe_extract(tar, dest)
    tool = dest / "bundle/tool"
    assert tool.read_bytes() == b"hi"
    assert tool.stat().st_mode & 0o7777 == 0o755
    assert (dest / "bundle/alias").resolve() == tool.resolve()
