"""`bv start/stop/status` with a stand-in blockvisord (the fake daemon run as a program).

The real `bv` console script runs in subprocesses: start must detach the daemon, find it again
through the socket, and stop must end exactly that process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BV = str(Path(sys.executable).with_name("bv"))
FAKE = Path(__file__).with_name("fake_daemon.py")


@pytest.fixture
def env(short_dir: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "BV_ROOT": str(short_dir), "BV_BLOCKVISORD": f"{sys.executable} {FAKE}"}
    yield env
    # never leave a daemon behind, even when a test failed half way
    subprocess.run([BV, "stop"], env=env, capture_output=True, timeout=30)


def bv(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BV, *args], env=env, capture_output=True, text=True, timeout=60)


def _pid_of(short_dir: Path) -> int:
    from bv_daemon.cli._client import daemon_pid_from_socket

    pid = daemon_pid_from_socket(short_dir / "var/lib/blockvisor/blockvisor.sock")
    assert pid is not None
    return pid


def test_start_status_stop(env: dict[str, str], short_dir: Path) -> None:
    assert bv(env, "status").stdout == "Service stopped\n"
    p = bv(env, "start")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("blockvisor service started successfully: blockvisord 0.1.0 - Ok")
    pid = _pid_of(short_dir)
    assert pid != os.getpid()
    # detached: its own session, so a terminal hangup of the caller does not reach it
    assert os.getsid(pid) == pid
    p = bv(env, "start")
    assert p.stdout.startswith("blockvisor service is already running: ")
    assert _pid_of(short_dir) == pid
    assert bv(env, "status").stdout.startswith("Service running: blockvisord 0.1.0")
    # the daemon's log goes to <BV_ROOT>/var/log/blockvisor.log
    log = (short_dir / "var/log/blockvisor.log").read_text()
    assert "fake blockvisord serving" in log
    p = bv(env, "stop")
    assert (p.returncode, p.stdout) == (0, "blockvisor service stopped successfully\n")
    assert not Path(f"/proc/{pid}").exists() or \
        Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] == "Z"
    assert "fake blockvisord stopped" in (short_dir / "var/log/blockvisor.log").read_text()
    assert bv(env, "status").stdout == "Service stopped\n"
    p = bv(env, "stop")
    assert (p.returncode, p.stdout) == (0, "blockvisor service is not running\n")


def test_start_json(env: dict[str, str]) -> None:
    import json

    doc = json.loads(bv(env, "-o", "json", "start").stdout)
    assert doc["running"] is True and doc["already_running"] is False
    assert doc["info"]["status"] == "Ok"
    assert json.loads(bv(env, "-o", "json", "stop").stdout) == {"running": False, "was_running": True}


def test_start_reports_a_daemon_that_dies(env: dict[str, str], short_dir: Path) -> None:
    env = {**env, "BV_BLOCKVISORD": f"{sys.executable} -c 'import sys; print(\"boom\"); sys.exit(3)'"}
    p = bv(env, "start")
    assert p.returncode == 1
    assert p.stderr == (f"Error: blockvisor service did not start: blockvisord exited with code 3 "
                        f"(see {short_dir}/var/log/blockvisor.log)\n")
    assert "boom" in (short_dir / "var/log/blockvisor.log").read_text()


def test_start_missing_executable(env: dict[str, str], short_dir: Path) -> None:
    env = {**env, "BV_BLOCKVISORD": str(short_dir / "no-such-blockvisord")}
    p = bv(env, "start")
    assert p.returncode == 1
    assert p.stderr.startswith(f"Error: blockvisor service did not start: cannot run {short_dir}/no-such")
