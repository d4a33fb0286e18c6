"""Error mapping and exit codes: unreachable daemon, not ready, gRPC codes, usage errors.

Some cases run the real `bv` console script in a subprocess, so the process-level contract
(stderr line, exit status) is checked end to end.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from bv_runner import Bv
from fake_daemon import FakeDaemon

from bv_core.proto.blockvisor.internal.v1 import daemon_pb2, node_pb2
from bv_daemon.cli._progress import ProgressPrinter

BV = str(Path(sys.executable).with_name("bv"))


def test_no_socket_is_unreachable(short_dir: Path) -> None:
    path = short_dir / "none.sock"
    r = Bv(path)("node", "list")
    assert (r.code, r.out) == (1, "")
    assert r.err == f"Error: cannot reach blockvisord at {path}: is it running? (bv start)\n"
    r = Bv(path)("status")
    assert (r.code, r.out) == (0, "Service stopped\n")
    # several nodes, one daemon: said once, not per node
    r = Bv(path)("node", "stop", "a", "b", "c")
    assert r.err == f"Error: cannot reach blockvisord at {path}: is it running? (bv start)\n"


def test_socket_nobody_listens_is_unreachable(short_dir: Path) -> None:
    path = short_dir / "dead.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()  # the file stays, nobody listens: a crashed daemon
    r = Bv(path)("node", "info", "x")
    assert r.err == f"Error: cannot reach blockvisord at {path}: is it running? (bv start)\n"


def test_daemon_not_ready(bv: Bv, fake: FakeDaemon) -> None:
    fake.status = daemon_pb2.SERVICE_STATUS_UPDATING
    r = bv("node", "list")
    assert (r.code, r.err) == (1, "Error: blockvisord is not ready: blockvisord is starting up\n")


@pytest.mark.parametrize(("code", "details", "expected"), [
    (grpc.StatusCode.NOT_FOUND, "", "node `alpha` not found"),
    (grpc.StatusCode.INVALID_ARGUMENT, "property `x`: bad value `;`", "property `x`: bad value `;`"),
    (grpc.StatusCode.FAILED_PRECONDITION, "node `alpha` is busy: upgrading",
     "node `alpha` is busy: upgrading"),
    (grpc.StatusCode.INTERNAL, "", "blockvisord failed: internal"),
    (grpc.StatusCode.UNIMPLEMENTED, "", "blockvisord does not support this request: unimplemented"),
])
def test_status_codes_map_to_one_line(bv: Bv, fake: FakeDaemon, code: grpc.StatusCode,
                                      details: str, expected: str) -> None:
    fake.add_node("alpha")
    fake.fail_next["GetNode"] = (code, details)
    r = bv("node", "info", "alpha")
    assert (r.code, r.out, r.err) == (1, "", f"Error: {expected}\n")


def test_usage_errors_exit_2(bv: Bv) -> None:
    for args in (["node", "frobnicate"], ["-o", "yaml", "node", "list"], ["node", "info"],
                 ["--log-level", "loud", "status"], ["node", "create"]):
        r = bv(*args)
        assert r.code == 2, args
        assert r.err.startswith("Error: ") and r.err.count("\n") == 1 and r.out == "", (args, r.err)
    assert "unknown log level 'loud'" in bv("--log-level", "loud", "status").err
    assert bv("node", "info").err == "Error: Missing argument 'ID_OR_NAME'. (see 'bv node info --help')\n"


def test_help_everywhere(bv: Bv) -> None:
    for args in ([], ["node"], ["node", "job"], ["node", "create"], ["host"], ["image"], ["cluster"],
                 ["node", "logs"], ["node", "run"], ["start"]):
        r = bv(*args, "--help")
        assert r.code == 0 and r.out.startswith("Usage: bv"), args
    assert "delete (d, rm)" in bv("node", "--help").out


def test_console_script_end_to_end(short_dir: Path, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    sock = short_dir / "bv.sock"
    p = subprocess.run([BV, "--socket", str(sock), "node", "status", "alpha"],
                       capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout, p.stderr) == (0, "Running\n", "")
    p = subprocess.run([BV, "--socket", str(sock), "node", "stop", "ghost"],
                       capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == "Failed to stop node `ghost`: node `ghost` not found\n"
    env = {**os.environ, "BV_ROOT": str(short_dir / "root")}
    p = subprocess.run([BV, "node", "list"], capture_output=True, text=True, timeout=30, env=env)
    assert p.returncode == 1
    assert p.stderr == (f"Error: cannot reach blockvisord at {short_dir}/root/var/lib/blockvisor/"
                        "blockvisor.sock: is it running? (bv start)\n")


def _step(i: int, name: str, current: int | None = None) -> node_pb2.ProgressStep:
    s = node_pb2.ProgressStep(name=name, index=i, count=2, message=f"Doing {name}")
    if current is not None:
        s.current, s.total, s.unit = current, 2_000_000, "bytes"
    return s


def test_progress_on_a_tty_redraws_one_line() -> None:
    out = io.StringIO()
    p = ProgressPrinter(out, tty=True)
    p.step(_step(1, "a"))
    p.step(_step(2, "copy", 1_000_000))
    p.step(_step(2, "copy", 2_000_000))
    p.finish()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r\x1b[K")[1:]
    assert frames == ["[1/2] Doing a", "[2/2] Doing copy 1.0 MB/2.0 MB (50%)",
                      "[2/2] Doing copy 2.0 MB/2.0 MB (100%)"]
    assert p.steps_seen == ["a", "copy"]


def test_progress_without_tty_prints_each_step_once() -> None:
    out = io.StringIO()
    p = ProgressPrinter(out, tty=False)
    for s in (_step(1, "a"), _step(2, "copy", 1), _step(2, "copy", 2)):
        p.step(s)
    p.finish()
    assert out.getvalue() == "[1/2] Doing a\n[2/2] Doing copy\n"


_AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def _nobody_can_run_bv() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    p = subprocess.run([*_AS_NOBODY, BV, "--help"], capture_output=True, timeout=30, cwd="/")
    return p.returncode == 0


@pytest.mark.skipif(not _nobody_can_run_bv(), reason="needs root, setpriv and a tree user nobody can read")
def test_socket_without_permission(short_dir: Path, fake: FakeDaemon) -> None:
    sock = short_dir / "bv.sock"
    short_dir.chmod(0o755)
    sock.chmod(0o660)
    p = subprocess.run([*_AS_NOBODY, BV, "--socket", str(sock), "node", "list"],
                       capture_output=True, text=True, timeout=30, cwd="/")
    assert p.returncode == 1
    assert p.stderr == (f"Error: permission denied on {sock}: run bv as root "
                        "(or as a member of the socket's group)\n")
