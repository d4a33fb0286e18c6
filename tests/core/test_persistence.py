"""atomic_write under SIGKILL and under a full disk: the file is always exactly old or new."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bv_core.errors import ExternalError
from bv_core.persistence import atomic_write, atomic_write_json, read_json

KILLS = 60

# The child alternates two ~200 KB JSON documents forever; it says "ready" after its first write
# so the parent never kills it before it has started writing.
CHILD = textwrap.dedent(
    """
    import sys
    from bv_core.persistence import atomic_write
    from _payloads import payload
    target = sys.argv[1]
    docs = [payload("A"), payload("B")]
    atomic_write(target, docs[0])
    print("ready", flush=True)
    i = 1
    while True:
        atomic_write(target, docs[i % 2])
        i += 1
    """
)

PAYLOADS = textwrap.dedent(
    """
    import json

    def payload(tag: str) -> bytes:
        # ~200 KB, different lengths, so a torn mix of A and B can never parse as either
        n = 2000 if tag == "A" else 2300
        return json.dumps({"tag": tag, "items": [{"i": i, "v": tag * 80} for i in range(n)]}).encode()
    """
)


def _temps(directory: Path, name: str) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.startswith(f".{name}.tmp.")]


def test_sigkill_never_leaves_a_torn_file(tmp_path: Path) -> None:
    (tmp_path / "_payloads.py").write_text(PAYLOADS)
    sys.path.insert(0, str(tmp_path))
    try:
        from _payloads import payload  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    expected = {payload("A"), payload("B")}
    assert all(len(p) > 190_000 for p in expected)
    target = tmp_path / "state.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    rng = random.Random(os.getpid())
    seen: set[bytes] = set()
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target)],
            stdout=subprocess.PIPE,
            env=env,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == b"ready\n"
            time.sleep(rng.uniform(0, 0.02))  # a random instant inside the write loop
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert child.returncode == -signal.SIGKILL
        content = target.read_bytes()
        assert content in expected, f"torn file: {len(content)} bytes"
        json.loads(content)
        seen.add(content)
        # the killed writer may leave its own temp; older ones were swept by later writers
        assert len(_temps(tmp_path, "state.json")) <= 1
    # both contents were observed, i.e. kills did land at different points of the loop
    assert seen == expected


def test_stale_temp_of_a_dead_writer_is_swept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, check=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".x.json.tmp.{dead_pid}"
    stale.write_bytes(b"{half")
    live = tmp_path / f".x.json.tmp.{os.getppid()}"  # a live process: must be left alone
    live.write_bytes(b"{other")
    atomic_write(tmp_path / "x.json", b"{}")
    assert not stale.exists()
    assert live.exists()
    assert (tmp_path / "x.json").read_bytes() == b"{}"


def test_atomic_write_json_round_trip_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "cfg.json"
    atomic_write_json(target, {"b": 1, "a": [1, 2]}, mode=0o600)
    assert read_json(target) == {"b": 1, "a": [1, 2]}
    assert target.stat().st_mode & 0o777 == 0o600
    assert _temps(tmp_path, "cfg.json") == []


def test_missing_directory_is_an_external_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "state.json"
    with pytest.raises(ExternalError, match=r"cannot write .*nope/state\.json: No such file"):
        atomic_write(target, b"{}")


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_disk_full_keeps_old_content_and_reports_clearly(tmp_path: Path) -> None:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        target = mnt / "state.json"
        old = json.dumps({"old": "x" * 100_000}).encode()
        atomic_write(target, old)
        new = json.dumps({"new": "y" * 2_000_000}).encode()  # twice the filesystem size
        with pytest.raises(ExternalError) as err:
            atomic_write(target, new)
        message = str(err.value)
        assert str(target) in message
        assert "No space left on device" in message
        assert "\n" not in message
        assert isinstance(err.value.__cause__, OSError)
        assert target.read_bytes() == old
        assert _temps(mnt, "state.json") == []
        # space was given back: a write that fits works again
        atomic_write(target, b'{"after": true}')
        assert read_json(target) == {"after": True}
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
