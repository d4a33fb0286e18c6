"""`bv start/stop/status` with a stand-in blockvisord (the fake daemon run as a program).

`bv` runs in process (the in-process runner: real argv, exit codes, stdio) except where the
console script itself matters; start must detach the daemon, find it again through the socket,
and stop must end exactly that process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bv_runner import Bv, Result

BV = str(Path(sys.executable).with_name("bv"))
FAKE = Path(__file__).with_name("fake_daemon.py")


@pytest.fixture
def env(short_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    env = {"BV_ROOT": str(short_dir), "BV_BLOCKVISORD": f"{sys.executable} {FAKE}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield {**os.environ, **env}
    # never leave a daemon behind, even when a test failed half way
    Bv(short_dir / "var/lib/blockvisor/blockvisor.sock")("stop")


def bv(env: dict[str, str], *args: str) -> Result:
    return Bv(Path(env["BV_ROOT"]) / "var/lib/blockvisor/blockvisor.sock")(*args)


def _pid_of(short_dir: Path) -> int:
    from bv_daemon.cli._client import daemon_pid_from_socket

    pid = daemon_pid_from_socket(short_dir / "var/lib/blockvisor/blockvisor.sock")
    assert pid is not None
    return pid


def test_start_status_stop(env: dict[str, str], short_dir: Path) -> None:
    assert bv(env, "status").out == "Service stopped\n"
    # the console script, so the detached child outlives the `bv` process that spawned it
    p = subprocess.run([BV, "start"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("blockvisor service started successfully: blockvisord 0.1.0 - Ok")
    pid = _pid_of(short_dir)
    assert pid != os.getpid()
    # detached: its own session, so a terminal hangup of the caller does not reach it
    assert os.getsid(pid) == pid
    p = bv(env, "start")
    assert p.out.startswith("blockvisor service is already running: ")
    assert _pid_of(short_dir) == pid
    assert bv(env, "status").out.startswith("Service running: blockvisord 0.1.0")
    # the daemon's log goes to <BV_ROOT>/var/log/blockvisor.log
    log = (short_dir / "var/log/blockvisor.log").read_text()
    assert "fake blockvisord serving" in log
    p = bv(env, "stop")
    assert (p.code, p.out) == (0, "blockvisor service stopped successfully\n")
    assert not Path(f"/proc/{pid}").exists() or \
        Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] == "Z"
    assert "fake blockvisord stopped" in (short_dir / "var/log/blockvisor.log").read_text()
    assert bv(env, "status").out == "Service stopped\n"
    p = bv(env, "stop")
    assert (p.code, p.out) == (0, "blockvisor service is not running\n")


def test_start_json(env: dict[str, str]) -> None:
    import json

    doc = json.loads(bv(env, "-o", "json", "start").out)
    assert doc["running"] is True and doc["already_running"] is False
    assert doc["info"]["status"] == "Ok"
    assert json.loads(bv(env, "-o", "json", "stop").out) == {"running": False, "was_running": True}


def test_start_reports_a_daemon_that_dies(env: dict[str, str], short_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BV_BLOCKVISORD", f"{sys.executable} -c 'import sys; print(\"boom\"); sys.exit(3)'")
    p = bv(env, "start")
    assert p.code == 1
    assert p.err == (f"Error: blockvisor service did not start: blockvisord exited with code 3 "
                     f"(see {short_dir}/var/log/blockvisor.log)\n")
    assert "boom" in (short_dir / "var/log/blockvisor.log").read_text()


def test_start_missing_executable(env: dict[str, str], short_dir: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BV_BLOCKVISORD", str(short_dir / "no-such-blockvisord"))
    p = bv(env, "start")
    assert p.code == 1
    assert p.err.startswith(f"Error: blockvisor service did not start: cannot run {short_dir}/no-such")
