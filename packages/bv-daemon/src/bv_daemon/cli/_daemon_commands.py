"""`bv start`, `bv stop`, `bv status`: the daemon's own lifecycle, without systemd.

`bv start` spawns ``blockvisord`` detached (its own session, log appended to
``<BV_ROOT>/var/log/blockvisor.log``) and waits until it answers; `bv stop` asks it to shut down
with SIGTERM (the local API has no shutdown RPC) and waits until the socket stops answering.
Nodes keep running either way: they are separate process trees the next daemon re-attaches to.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..paths import HostPaths
from ._client import CliError, daemon_pid_from_socket
from ._context import Ctx, pass_ctx
from ._format import message_dict, status_name

__all__ = [
    "daemon_info_text",
    "register",
    "start_command",
    "start_daemon",
    "status_command",
    "stop_command",
    "stop_daemon",
]

POLL_INTERVAL = 0.5
START_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0


def daemon_info_text(info: Any) -> str:
    from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

    mode = status_name(daemon_pb2.DaemonMode.Name(info.mode))
    status = status_name(daemon_pb2.ServiceStatus.Name(info.status))
    lines = [
        f"blockvisord{'-dev' if info.dev_mode else ''} {info.bv_version} - {status} ({mode.lower()})",
        f" BV_PATH: {info.bv_path}",
        f" BABEL_PATH: {info.babel_path}",
        f" JOB_RUNNER_PATH: {info.job_runner_path}",
    ]
    if info.host_id:
        lines.append(f" HOST_ID: {info.host_id}")
    if info.HasField("api_url"):
        lines.append(f" API_URL: {info.api_url}")
    if info.config_redacted:
        lines.append(f" CONFIG: {info.config_redacted}")
    return "\n".join(lines)


def _get_info(ctx: Ctx) -> Any | None:
    from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

    try:
        return ctx.client.call("GetDaemonInfo", daemon_pb2.GetDaemonInfoRequest(), timeout=5.0)
    except CliError:
        ctx.client.close()
        return None


def _blockvisord_command() -> list[str]:
    """How to run the daemon: $BV_BLOCKVISORD (a command line), a sibling of this `bv`, PATH,
    else this Python's ``bv_daemon.blockvisord``."""
    explicit = os.environ.get("BV_BLOCKVISORD")
    if explicit:
        return shlex.split(explicit)
    sibling = Path(sys.argv[0]).resolve().parent / "blockvisord"
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return [str(sibling)]
    found = shutil.which("blockvisord")
    if found:
        return [found]
    return [sys.executable, "-m", "bv_daemon.blockvisord"]


def _log_path() -> Path:
    return HostPaths.from_env().root / "var/log/blockvisor.log"


def start_daemon(ctx: Ctx, log_level: str | None) -> Any:
    """Spawn blockvisord detached and wait until it has loaded its nodes (GetDaemonInfo answers
    with a status other than UNDEFINED: attach, with its babel restarts, may take seconds);
    returns the DaemonInfo."""
    from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

    log = _log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if log_level:
        env["BV_LOG"] = log_level
    # --foreground: we detach it ourselves (own session), so its exit code stays ours to watch.
    cmd = [*_blockvisord_command(), "--foreground"]
    if log_level:
        cmd += ["--log-level", log_level]
    import subprocess  # only `bv start` spawns anything

    with open(log, "ab") as out:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
                                    start_new_session=True, close_fds=True)
        except OSError as err:
            raise CliError(f"blockvisor service did not start: cannot run {cmd[0]}: {err.strerror}") from None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = _get_info(ctx)
        if info is not None and info.status != daemon_pb2.SERVICE_STATUS_UNDEFINED:
            return info
        if proc.poll() is not None and proc.returncode != 0:
            raise CliError(f"blockvisor service did not start: blockvisord exited with code "
                           f"{proc.returncode} (see {log})")
        time.sleep(POLL_INTERVAL)
    raise CliError(f"blockvisor service did not start within {START_TIMEOUT:.0f} s (see {log})")


def stop_daemon(ctx: Ctx) -> bool:
    """SIGTERM the process owning the socket and wait until it is gone; False if none ran."""
    pid = daemon_pid_from_socket(ctx.socket_path)
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    except PermissionError:
        raise CliError(f"not allowed to stop blockvisord (pid {pid}): run bv stop as root") from None
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not _pid_alive(pid) and daemon_pid_from_socket(ctx.socket_path) is None:
            return True
        time.sleep(POLL_INTERVAL / 5)
    raise CliError(f"blockvisor service did not stop: pid {pid} still running after "
                   f"{STOP_TIMEOUT:.0f} s")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().split(b") ", 1)[1][:1] != b"Z"
    except (OSError, IndexError):
        return False


@click.command("start")
@pass_ctx
@click.pass_context
def start_command(cctx: click.Context, ctx: Ctx) -> None:
    """Start blockvisord in the background if it is not running."""
    info = _get_info(ctx)
    already = info is not None
    if info is None:
        level = cctx.find_root().params.get("log_level")
        info = start_daemon(ctx, level)
    ctx.emit({"running": True, "already_running": already, "info": message_dict(info)},
             f"blockvisor service {'is already running' if already else 'started successfully'}: "
             f"{daemon_info_text(info)}")


@click.command("stop")
@pass_ctx
def stop_command(ctx: Ctx) -> None:
    """Stop blockvisord gracefully (nodes keep running)."""
    stopped = stop_daemon(ctx)
    ctx.emit({"running": False, "was_running": stopped},
             "blockvisor service stopped successfully" if stopped
             else "blockvisor service is not running")


@click.command("status")
@pass_ctx
def status_command(ctx: Ctx) -> None:
    """Say whether blockvisord runs, and its version, mode and paths."""
    info = _get_info(ctx)
    if info is None:
        ctx.emit({"running": False}, "Service stopped")
    else:
        ctx.emit({"running": True, "info": message_dict(info)},
                 f"Service running: {daemon_info_text(info)}")


def register(group: click.Group) -> None:
    """Add `start`, `stop` and `status` to ``group`` (`bv` loads them lazily instead)."""
    for command in (start_command, stop_command, status_command):
        group.add_command(command)
