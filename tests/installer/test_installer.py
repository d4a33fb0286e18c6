"""The installer zipapp of a real `make bundle` bundle, installed into BV_ROOT temp roots.

The daemon is the real blockvisord of the bundle, run by the process service manager (no
systemd here); "broken" versions swap in a blockvisord that exits at once or never answers.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.installer.bundles import BROKEN_DAEMON, SILENT_DAEMON, Host, variant, write_sums

pytestmark = pytest.mark.slow


def _node_standin() -> subprocess.Popen[bytes]:
    """A process like a node's (its own session, not the daemon's child)."""
    return subprocess.Popen(["sleep", "300"], start_new_session=True)


def _start_time(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]


def test_fresh_install(host: Host, work: Path) -> None:
    v1 = variant(work / "v1", "1.0.0")
    res = host.install(v1)
    assert res.returncode == 0, res.stderr
    host.assert_runs("1.0.0")
    for step in ("check", "preinstall", "backup", "notify", "switch", "restart", "health", "cleanup"):
        assert f"step {step}: done" in res.stderr
    assert (host.paths.version_dir("1.0.0") / "SHA256SUMS").read_bytes() == (v1 / "SHA256SUMS").read_bytes()
    # Re-running an installed, healthy version is a no-op (bvup re-runs rely on this).
    pid = host.daemon_pid()
    again = host.install(v1)
    assert again.returncode == 0, again.stderr
    assert "already installed and healthy" in again.stderr
    assert host.daemon_pid() == pid


def test_update_v1_to_v2(host: Host, work: Path) -> None:
    v1, v2 = variant(work / "v1", "1.0.0"), variant(work / "v2", "1.1.0")
    assert host.install(v1).returncode == 0
    (host.root / "etc").mkdir(exist_ok=True)
    node_state = host.root / "var/lib/blockvisor/nodes/n1/state.json"
    node_state.parent.mkdir(parents=True)
    node_state.write_text('{"id": "n1"}')
    node = _node_standin()
    try:
        started = _start_time(node.pid)
        old_pid = host.daemon_pid()
        res = host.install(v2)
        assert res.returncode == 0, res.stderr
        host.assert_runs("1.1.0")
        assert host.daemon_pid() != old_pid
        assert "backup: done (running version: 1.0.0)" in res.stderr
        assert "notify: running daemon reports UPDATING" in res.stderr
        # Nodes are untouched: their processes and state outlive the daemon restart.
        assert node.poll() is None and _start_time(node.pid) == started
        assert node_state.read_text() == '{"id": "n1"}'
    finally:
        node.kill()
        node.wait()


@pytest.mark.parametrize("daemon", [BROKEN_DAEMON, SILENT_DAEMON], ids=["exits", "never-healthy"])
def test_unhealthy_v2_is_blacklisted_and_v1_restored(host: Host, work: Path, daemon: str) -> None:
    v1, v2 = variant(work / "v1", "1.0.0"), variant(work / "v2", "2.0.0-rc1", daemon=daemon)
    assert host.install(v1).returncode == 0
    res = host.install(v2, "--health-timeout", "6")
    assert res.returncode == 1, res.stderr
    assert "rolled back to previous version 1.0.0" in res.stderr
    assert host.paths.blacklist.read_text().splitlines() == ["2.0.0-rc1"]
    host.assert_runs("1.0.0")
    # A blacklisted version is refused from then on.
    again = host.install(v2)
    assert again.returncode == 2
    assert "BV 2.0.0-rc1 is on a blacklist - can't install" in again.stderr
    host.assert_runs("1.0.0")


def test_broken_rollback_is_reported(host: Host, work: Path) -> None:
    v1, v2 = variant(work / "v1", "1.0.0"), variant(work / "v2", "2.0.0", daemon=BROKEN_DAEMON)
    assert host.install(v1).returncode == 0
    # The installed previous version stops working too (its files replaced behind our back).
    installed = host.paths.version_dir("1.0.0")
    (installed / "blockvisor/bin/blockvisord").unlink()
    (installed / "blockvisor/bin/blockvisord").write_text(BROKEN_DAEMON)
    (installed / "blockvisor/bin/blockvisord").chmod(0o755)
    write_sums(installed)
    res = host.install(v2, "--health-timeout", "6")
    assert res.returncode == 3, res.stderr
    assert "host needs manual fix" in res.stderr
    assert "host needs manual fix" in host.paths.broken_marker.read_text()
    from bv_daemon.paths import HostPaths
    from bv_daemon.self_updater import host_broken_reason

    assert "host needs manual fix" in (host_broken_reason(HostPaths(host.root)) or "")
    assert set(host.paths.blacklist.read_text().split()) == {"1.0.0", "2.0.0"}


def test_first_install_failure_leaves_nothing_running(host: Host, work: Path) -> None:
    v1 = variant(work / "v1", "1.0.0", daemon=BROKEN_DAEMON)
    res = host.install(v1, "--health-timeout", "6")
    assert res.returncode == 1
    assert "installation failed:" in res.stderr
    assert host.daemon_pid() is None
    assert not host.paths.journal.exists()


def test_damaged_bundle_is_refused_before_any_change(host: Host, work: Path) -> None:
    v1 = variant(work / "v1", "1.0.0")
    (v1 / "babel/bin/babel").unlink()
    (v1 / "babel/bin/babel").write_text("tampered")
    res = host.install(v1)
    assert res.returncode == 2
    assert "bundle file babel/bin/babel does not match its SHA256SUMS entry" in res.stderr
    assert not host.paths.current.exists() and not host.paths.blacklist.exists()


def test_second_installer_is_refused_while_one_runs(host: Host, work: Path) -> None:
    v1 = variant(work / "v1", "1.0.0")
    host.paths.install.mkdir(parents=True)
    with open(host.paths.lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        res = host.install(v1)
    assert res.returncode == 1
    assert "another BV installer instance is already running" in res.stderr
    # The lock dies with its holder: no stale lock blocks the next install.
    assert host.install(v1).returncode == 0


@pytest.mark.parametrize("step", ["check", "preinstall", "backup", "notify", "switch", "restart",
                                  "health", "cleanup-started"])
def test_sigkill_between_steps_then_rerun_is_consistent(host: Host, work: Path, step: str) -> None:
    v1, v2 = variant(work / "v1", "1.0.0"), variant(work / "v2", "1.1.0")
    assert host.install(v1).returncode == 0
    crashed = host.install(v2, BV_INSTALLER_CRASH_AFTER=step)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert "killing myself" in crashed.stderr
    res = host.install(v2)
    assert res.returncode == 0, res.stderr
    host.assert_runs("1.1.0")


def test_sigkill_during_rollback_then_rerun_finishes_it(host: Host, work: Path) -> None:
    v1, v2 = variant(work / "v1", "1.0.0"), variant(work / "v2", "2.0.0", daemon=BROKEN_DAEMON)
    assert host.install(v1).returncode == 0
    crashed = host.install(v2, "--health-timeout", "6", BV_INSTALLER_CRASH_AFTER="blacklisted")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    res = host.install(v2, "--health-timeout", "6")
    assert res.returncode == 1, res.stderr
    assert "resuming the interrupted rollback of 2.0.0" in res.stderr
    host.assert_runs("1.0.0")
    assert os.path.exists(host.paths.blacklist)
