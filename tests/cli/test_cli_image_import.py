"""`bv image import`: local, no daemon; builds store entries from an image dir + rootfs + overlays."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bv_runner import Bv

EXAMPLE = Path(__file__).resolve().parents[2] / "images" / "example"


def _base_rootfs(tmp_path: Path) -> Path:
    base = tmp_path / "base"
    (base / "etc").mkdir(parents=True)
    (base / "etc/os-release").write_text("ID=test\n")
    return base


def test_import_builds_store_entries_idempotently(tmp_path: Path) -> None:
    store = tmp_path / "store"
    overlay = tmp_path / "overlay"
    (overlay / "etc").mkdir(parents=True)
    (overlay / "etc/os-release").write_text("ID=overlay\n")
    base = _base_rootfs(tmp_path)
    bv = Bv(tmp_path / "unused.sock")  # import needs no daemon
    args = ("image", "import", str(EXAMPLE / "1.0.0"), str(EXAMPLE / "2.0.0"),
            "--base-rootfs", str(base), "--overlay", str(overlay), "--store", str(store))
    r = bv(*args)
    assert r.code == 0, r.err
    assert r.lines == [f"Imported {EXAMPLE / v} as demochain/{v} into {store}" for v in ("1.0.0", "2.0.0")]
    entry = store / "demochain/1.0.0"
    assert (entry / "plugin/main.rhai").is_file() and (entry / "babel.yaml").is_file()
    # the overlay replaced the file in the entry, and the base is untouched (no write-through)
    assert (entry / "rootfs/etc/os-release").read_text() == "ID=overlay\n"
    assert (base / "etc/os-release").read_text() == "ID=test\n"
    mtime = (entry / ".complete").stat().st_mtime_ns
    r = bv("-o", "json", *args)
    assert r.code == 0
    assert [d["path"] for d in json.loads(r.out)] == [str(store / "demochain/1.0.0"),
                                                      str(store / "demochain/2.0.0")]
    assert (entry / ".complete").stat().st_mtime_ns == mtime  # complete entries are kept as is


def test_import_errors_name_the_input(tmp_path: Path) -> None:
    bv = Bv(tmp_path / "unused.sock")
    store = tmp_path / "store"
    r = bv("image", "import", str(tmp_path / "nope"), "--store", str(store))
    assert r.code == 1 and r.err.startswith(f"Error: cannot import image {tmp_path / 'nope'}: ")
    assert "babel.yaml" in r.err and r.err.count("\n") == 1
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLE / "1.0.0", broken)
    (broken / "babel.yaml").write_text("version: [not, a, version]\n")
    r = bv("image", "import", str(broken), "--base-rootfs", str(_base_rootfs(tmp_path)), "--store", str(store))
    assert r.code == 1 and r.err.startswith(f"Error: cannot import image {broken}: ")
    assert r.err.count("\n") == 1
    r = bv("image", "import", str(EXAMPLE / "1.0.0"), "--overlay", str(tmp_path / "missing"),
           "--store", str(store))
    assert (r.code, r.err) == (1, f"Error: --overlay {tmp_path / 'missing'} does not exist\n")
    assert not (store / "demochain").exists()
