"""Archive manifests: round trips and validation (sizes, checksums, paths inside the data dir)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bv_core.errors import InvalidInput, ModelError
from bv_core.models import (
    ChecksumAlgorithm,
    DownloadManifest,
    DownloadMetadata,
    UploadManifest,
    UploadSlots,
    ZstdCompression,
    encode_json,
    load_json,
    save_json,
)

CheckError = Callable[[ModelError, str, str, str], None]

FIXTURES = [
    ("download_manifest.json", DownloadManifest),
    ("download_metadata.json", DownloadMetadata),
    ("upload_manifest.json", UploadManifest),
    ("upload_slots.json", UploadSlots),
]


@pytest.mark.parametrize(("name", "model"), FIXTURES, ids=[n for n, _ in FIXTURES])
def test_round_trip(data_dir: Path, tmp_path: Path, name: str, model: type[Any]) -> None:
    value = load_json(data_dir / name, model)
    out = tmp_path / name
    save_json(out, value)
    assert load_json(out, model) == value
    expected = json.loads((data_dir / name).read_text())
    written = json.loads(out.read_text())
    # optional nulls are written explicitly; otherwise the documents are the same
    assert _without_nulls(written) == _without_nulls(expected)


def _without_nulls(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _without_nulls(v) for k, v in doc.items() if v is not None}
    if isinstance(doc, list):
        return [_without_nulls(v) for v in doc]
    return doc


def test_manifest_fields(data_dir: Path) -> None:
    manifest = load_json(data_dir / "download_manifest.json", DownloadManifest)
    assert manifest.compression == ZstdCompression(level=3)
    assert [c.checksum.algorithm for c in manifest.chunks] == [
        ChecksumAlgorithm.BLAKE3, ChecksumAlgorithm.SHA256, ChecksumAlgorithm.SHA1,
    ]
    assert manifest.chunks[2].url is None
    assert [c.data_size for c in manifest.chunks] == [2000, 1000, 0]
    assert json.loads(encode_json(manifest.compression)) == {"algorithm": "zstd", "level": 3}


def test_destination_resolves_inside_data_dir(tmp_path: Path, data_dir: Path) -> None:
    manifest = load_json(data_dir / "download_manifest.json", DownloadManifest)
    data = tmp_path / "data"
    data.mkdir()
    dest = manifest.chunks[0].destinations[0]
    assert dest.resolve(data) == data.resolve() / "db" / "mdbx.dat"
    # a symlink planted inside the data dir cannot redirect writes outside it
    (data / "static").symlink_to(tmp_path)
    with pytest.raises(InvalidInput, match="resolves outside"):
        manifest.chunks[0].destinations[1].resolve(data)


CHUNK = ["chunks", 0]
BAD: list[Any] = [
    pytest.param([*CHUNK, "checksum"], "delete", None, "$.chunks[0].checksum",
                 "required field is missing", id="missing-checksum"),
    pytest.param([*CHUNK, "size"], "set", "812", "$.chunks[0].size", "expected `int`, got `str`",
                 id="wrong-type"),
    pytest.param([*CHUNK, "size"], "set", -1, "$.chunks[0].size", ">= 0", id="negative-size"),
    pytest.param([*CHUNK, "destinations", 0, "position_bytes"], "set", -7,
                 "$.chunks[0].destinations[0].position_bytes", ">= 0", id="negative-position"),
    pytest.param([*CHUNK, "index"], "set", 2**32, "$.chunks[0].index", "<= 4294967295",
                 id="index-out-of-u32"),
    pytest.param([*CHUNK, "checksum", "algorithm"], "set", "md5", "$.chunks[0].checksum.algorithm",
                 "one of sha1, sha256, blake3", id="unknown-checksum"),
    pytest.param(["compression", "algorithm"], "set", "gzip", "$.compression.algorithm",
                 "one of zstd, got 'gzip'", id="unknown-compression"),
    pytest.param(["compression", "level"], "set", 99, "$.compression.level", "<= 22",
                 id="zstd-level-range"),
    pytest.param([*CHUNK, "checksum", "digest"], "set", "abc", "$.chunks[0].checksum.digest",
                 "64 hex digits for blake3, got 3", id="short-digest"),
    pytest.param([*CHUNK, "checksum", "digest"], "set", "Z" * 64, "$.chunks[0].checksum.digest",
                 "string matching", id="non-hex-digest"),
    pytest.param([*CHUNK, "destinations", 0, "path"], "set", "../../etc/passwd",
                 "$.chunks[0].destinations[0].path", "inside the data dir", id="dotdot-path"),
    pytest.param([*CHUNK, "destinations", 0, "path"], "set", "db/../../x",
                 "$.chunks[0].destinations[0].path", "contains '..'", id="inner-dotdot"),
    pytest.param([*CHUNK, "destinations", 0, "path"], "set", "/etc/shadow",
                 "$.chunks[0].destinations[0].path", "relative", id="absolute-path"),
    pytest.param([*CHUNK, "destinations", 0, "path"], "set", "", "$.chunks[0].destinations[0].path",
                 "non-empty", id="empty-path"),
    pytest.param([*CHUNK, "destinations", 0, "size_bytes"], "set", 1499, "$.total_size",
                 "sum of destination sizes (2999)", id="sizes-do-not-add-up"),
    pytest.param(["chunks", 1, "index"], "set", 0, "$.chunks[1].index", "duplicate chunk index 0",
                 id="duplicate-index"),
    pytest.param([*CHUNK, "destinations"], "rename", "targets", "$.chunks[0].targets",
                 "unknown field", id="unknown-key"),
    pytest.param(["total_size"], "rename", "total-size", "$.total-size", "unknown field",
                 id="kebab-key"),
]


@pytest.mark.parametrize(("where", "op", "value", "path", "fragment"), BAD)
def test_bad_download_manifest(
    json_fixture: Callable[[str], Any], mutate: Callable[..., Any], check_error: CheckError,
    tmp_path: Path, where: list[Any], op: str, value: Any, path: str, fragment: str,
) -> None:
    bad = tmp_path / "download.manifest"
    bad.write_text(json.dumps(mutate(json_fixture("download_manifest.json"), where, op, value)))
    with pytest.raises(ModelError) as err:
        load_json(bad, DownloadManifest)
    check_error(err.value, str(bad), path, fragment)


OTHER_BAD: list[Any] = [
    pytest.param("upload_slots.json", UploadSlots, ["slots"], "set", [], "$.slots",
                 "length >= 1", id="no-slots"),
    pytest.param("upload_slots.json", UploadSlots, ["slots", 1, "url"], "delete", None,
                 "$.slots[1].url", "required field is missing", id="slot-without-url"),
    pytest.param("download_metadata.json", DownloadMetadata, ["chunks"], "set", -1, "$.chunks",
                 ">= 0", id="negative-chunk-count"),
    pytest.param("download_metadata.json", DownloadMetadata, ["data_version"], "set", 1.5,
                 "$.data_version", "expected `int`, got `float`", id="float-version"),
    pytest.param("upload_manifest.json", UploadManifest,
                 ["manifest", "chunks", 0, "destinations", 0, "path"], "set", "a/../../b",
                 "$.manifest.chunks[0].destinations[0].path", "'..'", id="upload-dotdot"),
]


@pytest.mark.parametrize(("name", "model", "where", "op", "value", "path", "fragment"), OTHER_BAD)
def test_bad_other_archive_documents(
    json_fixture: Callable[[str], Any], mutate: Callable[..., Any], check_error: CheckError,
    tmp_path: Path, name: str, model: type[Any], where: list[Any], op: str, value: Any,
    path: str, fragment: str,
) -> None:
    bad = tmp_path / name
    bad.write_text(json.dumps(mutate(json_fixture(name), where, op, value)))
    with pytest.raises(ModelError) as err:
        load_json(bad, model)
    check_error(err.value, str(bad), path, fragment)
