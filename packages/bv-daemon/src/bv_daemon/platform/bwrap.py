"""The bubblewrap backend: real nodes in Linux namespaces, without a container daemon.

One node = one bwrap sandbox:
  * rootfs: `<node_dir>/rootfs`, an overlay of the image dir (or a copy / extracted tarball);
  * namespaces: own PID, mount, UTS (hostname), IPC and cgroup namespaces from bwrap; the network
    namespace `bv-<short id>` is made beforehand (veth on the host bridge, see `_netns`) and
    entered with nsenter, because bwrap can only create an empty one;
  * `data_dir` bound at `/blockjoy`; node_env written to `rootfs/var/lib/babel/node_env` and
    its variables (plus PATH, HOME, LANG) are babel's whole environment;
  * limits: cgroup `blockvisor/<node id>` (memory, CPU quota, pinned CPUs; v1 or v2);
  * processes: bwrap's own reaper is PID 1 inside the node; its only child, the sandbox's main
    command, is a *keeper* (`/bin/sh` sleeping until SIGTERM) that holds the container up. Babel
    is not the main command: like the original's `apptainer exec` into a running instance, it is
    started into the running sandbox by `_nsspawn` (its namespaces, root, cgroup, environment
    and capability set). So babel can exit, be killed or be restarted (a new bundle's binary)
    while the protocol's jobs - babel's children, adopted by PID 1 when babel goes - run on.
    The node's PID 1 exits only once every process in it has.

The sandbox is started detached (`setsid -f`: reparented to the host's init, no
`--die-with-parent`), so it outlives the daemon. `<node_dir>/machine.pid` records the host pid and
kernel start time of the node's PID 1 (bwrap `--info-fd`) and of the keeper, which is how
`attach()` finds them again and how a recycled pid is told apart; `babel.pid` the same for babel
(and its host-side launcher, which waits for it and records its exit code in `babel.status`).
`machine.status` receives bwrap's JSON status (the keeper's exit code); `machine.log` the node's
stdout/stderr, babel's included.

States: RUNNING = PID 1, keeper and babel alive; FAILED with `container_alive` = babel dead in a
live container (recover() and start() then start babel only); FAILED otherwise = the container
is gone or broken (recover() cleans up and starts it all).

Stop sends SIGTERM to babel (which leaves the jobs to the daemon's earlier shutdown call), waits
up to the timeout, then SIGKILLs PID 1, which takes the whole namespace down.
The network namespace and veth are kept across stop/start (cheap, and start then only checks
them) and removed by delete(). The cgroup is removed on stop and re-made on start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bv_daemon.platform import _netns, _rootfs
from bv_daemon.platform._bwrap_babel import (
    BabelProcess,
    last_exit_code,
    log_tail,
    read_until_eof,
    ref_field,
)
from bv_daemon.platform._cgroup import NodeCgroup
from bv_daemon.platform._nsspawn import CAP_NUMBERS
from bv_daemon.platform._proc import (
    ProcRef,
    children,
    kill,
    load_proc_ref,
    run,
    save_proc_ref,
    wait_gone,
)
from bv_daemon.platform.base import (
    DATA_MOUNT_POINT,
    NODE_ENV_PATH,
    ExecResult,
    InvalidSpec,
    Machine,
    MachineNotFound,
    MachineSpec,
    MachineState,
    MachineStateError,
    MachineStatus,
    Platform,
    PlatformError,
    parse_env_file,
)

__all__ = ["NODE_CAPABILITIES", "BwrapMachine", "BwrapPlatform"]

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LOG_ROTATE_BYTES = 10 * 1024 * 1024
START_TIMEOUT = 15.0

# The node runs as root in the host user namespace. By default it keeps every capability, as
# under the original's apptainer (babel mounts the image's ramdisks itself). Passing
# `capabilities=NODE_CAPABILITIES` keeps only Docker's default set: no mount, BPF, clock or raw
# device access (then ramdisks must come from MachineSpec.ramdisks, which bwrap mounts).
# `exec()` from the daemon is never restricted.
NODE_CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT",
    "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP",
)  # fmt: skip

# Runs as the spawner: joins each cgroup.procs file given before `--` with its own pid (so only the
# node's processes land in the node's cgroup, never the daemon), then execs the rest.
_JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'

# The sandbox's main command: holds the container up and does nothing else; exits on SIGTERM
# (taking its sleep along, so PID 1 has nothing left to wait for). Only /bin/sh and sleep are
# needed from the rootfs.
KEEPER_COMMAND = (
    "/bin/sh", "-c",
    "trap 'kill $s 2>/dev/null; exit 0' TERM INT HUP; while :; do sleep 86400 & s=$!; wait $s; done",
    "bv-keeper",
)  # fmt: skip
# machine.pid files written by this layout carry it; older ones ran babel as the main command.
_LAYOUT = 2


class BwrapPlatform(Platform):
    """Backend running nodes with bubblewrap; `cgroup_parent` names the parent cgroup."""

    name = "bwrap"

    def __init__(
        self,
        *,
        cgroup_parent: str = "blockvisor",
        bwrap: str = "bwrap",
        rootfs_mode: str = "auto",
        capabilities: tuple[str, ...] | None = None,
    ) -> None:
        if rootfs_mode not in ("auto", "copy"):
            raise InvalidSpec(f"rootfs mode {rootfs_mode!r}: want auto (overlay) or copy")
        unknown = [c for c in capabilities or () if c.upper() not in CAP_NUMBERS]
        if unknown:
            raise InvalidSpec(f"capability {unknown[0]!r}: not a Linux capability name")
        self.cgroup_parent = cgroup_parent
        self.bwrap = bwrap
        self.rootfs_mode = rootfs_mode
        self.capabilities = capabilities

    def machine(self, spec: MachineSpec) -> BwrapMachine:
        return BwrapMachine(
            spec,
            cgroup_parent=self.cgroup_parent,
            bwrap=self.bwrap,
            rootfs_mode=self.rootfs_mode,
            capabilities=self.capabilities,
        )


class BwrapMachine(Machine):
    def __init__(
        self,
        spec: MachineSpec,
        *,
        cgroup_parent: str = "blockvisor",
        bwrap: str = "bwrap",
        rootfs_mode: str = "auto",
        capabilities: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(spec)
        self.cgroup = NodeCgroup(spec.node_id, cgroup_parent)
        self._bwrap = bwrap
        self._rootfs_mode = rootfs_mode
        self._caps = capabilities
        self._lock = asyncio.Lock()

    # -- files ---------------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.spec.node_dir / "machine.pid"

    @property
    def status_file(self) -> Path:
        return self.spec.node_dir / "machine.status"

    @property
    def log_file(self) -> Path:
        return self.spec.node_dir / "machine.log"

    @property
    def babel_pid_file(self) -> Path:
        return self.babel.pid_file

    async def exists(self) -> bool:
        return _rootfs.rootfs_kind(self.spec) is not None

    def log_path(self) -> Path | None:
        return self.log_file

    # -- lifecycle -----------------------------------------------------------------------------
    async def create(self) -> None:
        async with self._lock:
            await _rootfs.build_rootfs(self.spec, self._rootfs_mode)
            self._write_node_files()

    def _write_node_files(self) -> None:
        spec = self.spec
        spec.data_dir.mkdir(parents=True, exist_ok=True)
        for d in (DATA_MOUNT_POINT.lstrip("/"), "var/lib/babel", "tmp"):
            (spec.rootfs_dir / d).mkdir(parents=True, exist_ok=True)
        env_path = spec.rootfs_dir / NODE_ENV_PATH
        env_path.write_text(spec.env_file)

    async def start(self) -> None:
        async with self._lock:
            current = await self._state()
            if current.status is MachineStatus.RUNNING:
                return
            if not await self.exists():
                raise MachineNotFound(f"node {self.spec.name}: machine not created")
            if current.babel_dead and current.pid is not None:
                await self._start_babel(current.pid)
                return
            if current.status is MachineStatus.FAILED:
                await self._cleanup_dead()
            await self._start()

    async def _start(self) -> None:
        """Container (keeper) first, then babel in it."""
        spec = self.spec
        await _rootfs.ensure_mounted(spec)
        self._write_node_files()
        self._check_command(KEEPER_COMMAND[0], "keeper shell")
        self._check_command(spec.babel_command[0], "babel command")
        if not spec.host_network:
            await _netns.ensure_network(spec)
        self.cgroup.setup(spec.mem_mb, spec.vcpu, spec.cpus)
        self._rotate_log()
        ref = await self._spawn()
        netns = None if spec.host_network else _netns.netns_name(spec.node_id)
        # Recorded before the wait, so a failed start leaves something to clean up.
        save_proc_ref(self.pid_file, ref, netns=netns, layout=_LAYOUT)
        keeper = await self._wait_ready(ref)
        save_proc_ref(
            self.pid_file, ref, netns=netns, layout=_LAYOUT,
            keeper_pid=keeper.pid, keeper_start=keeper.start_time,
        )  # fmt: skip
        await self._start_babel(ref.pid)

    def _check_command(self, cmd: str, what: str) -> None:
        # Fail start with a clear message instead of a node that dies at once with "execvp".
        root = self.spec.rootfs_dir
        if cmd.startswith("/"):
            found = os.path.lexists(root / cmd.lstrip("/"))
        else:
            found = any(
                os.path.lexists(root / d.lstrip("/") / cmd) for d in DEFAULT_PATH.split(":")
            )
        if not found:
            raise PlatformError(
                f"node {self.spec.name}: {what} {cmd!r} not found in the node rootfs"
            )

    def _rotate_log(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            if self.log_file.stat().st_size > LOG_ROTATE_BYTES:
                self.log_file.replace(self.log_file.with_suffix(".log.1"))

    def _env(self) -> dict[str, str]:
        env = {"PATH": DEFAULT_PATH, "HOME": "/root", "LANG": "C.UTF-8"}
        env.update(parse_env_file(self.spec.env_file))
        return env

    def _bwrap_argv(self, info_fd: int, status_fd: int) -> list[str]:
        spec = self.spec
        argv = [
            self._bwrap,
            "--bind", str(spec.rootfs_dir), "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--bind", str(spec.data_dir), DATA_MOUNT_POINT,
            *(a for mp, mb in spec.ramdisks for a in ("--size", str(mb * 1024 * 1024), "--tmpfs", mp)),
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", spec.hostname,
            "--info-fd", str(info_fd),
            "--json-status-fd", str(status_fd),
            "--new-session",
            *self._cap_args(),
            "--chdir", "/",
        ]  # fmt: skip
        # The environment (node_env) is inherited from the spawner, not passed as --setenv, so
        # it never shows in the host's process list.
        return [*argv, "--", *KEEPER_COMMAND]

    def _cap_args(self) -> list[str]:
        if self._caps is None:
            return []
        return ["--cap-drop", "ALL", *(a for cap in self._caps for a in ("--cap-add", cap))]

    def _wrapped(self, argv: Sequence[str]) -> list[str]:
        files = [str(f) for f in self.cgroup.procs_files()]
        return ["/bin/sh", "-c", _JOIN_CGROUPS, "bv-spawn", *files, "--", *argv]

    async def _spawn(self) -> ProcRef:
        spec = self.spec
        info_r, info_w = os.pipe()
        status_fd = os.open(
            self.status_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644
        )
        log_fd = os.open(
            self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644
        )
        prefix = (
            [] if spec.host_network else ["nsenter", f"--net={_netns.netns_path(spec.node_id)}"]
        )
        argv = self._wrapped(["setsid", "-f", *prefix, *self._bwrap_argv(info_w, status_fd)])
        try:
            try:
                # setsid -f forks and returns at once; the sandbox is reparented to the host init.
                proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=log_fd, stderr=log_fd,
                    pass_fds=(info_w, status_fd), start_new_session=True, close_fds=True,
                    env=self._env(),
                )  # fmt: skip
            except OSError as err:
                raise PlatformError(
                    f"node {spec.name}: cannot spawn bwrap: {err.strerror}"
                ) from err
            finally:
                os.close(info_w)
                os.close(status_fd)
                os.close(log_fd)
            code = await asyncio.to_thread(proc.wait)
            if code != 0:
                raise PlatformError(
                    f"node {spec.name}: spawn failed (exit {code}): {self._log_tail()}"
                )
            raw = await asyncio.to_thread(read_until_eof, info_r, START_TIMEOUT)
        finally:
            os.close(info_r)
        try:
            pid = int(json.loads(raw)["child-pid"])
        except (ValueError, KeyError, TypeError):
            raise PlatformError(
                f"node {spec.name}: bwrap did not start: {self._log_tail()}"
            ) from None
        ref = ProcRef.of(pid)
        if ref is None:
            raise PlatformError(
                f"node {spec.name}: node exited right after start: {self._log_tail()}"
            )
        return ref

    async def _wait_ready(self, ref: ProcRef) -> ProcRef:
        """Waits for the keeper; returns it."""
        # --info-fd is written right after clone(), before the sandbox is set up; bwrap's PID 1
        # forks the main process only once the new root is in place. Until then an exec (nsenter
        # into the mount namespace) would see a half-built root.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        keeper: ProcRef | None = None
        while ref.alive() and keeper is None:
            kids = children(ref.pid)
            keeper = ProcRef.of(kids[0]) if kids else None
            if keeper is not None:
                break
            if loop.time() > deadline:
                raise PlatformError(
                    f"node {self.spec.name}: sandbox setup timed out: {self._log_tail()}"
                )
            await asyncio.sleep(0.005)
        if keeper is None or not ref.alive():
            # The exit code reaches machine.status once the outer bwrap has reaped PID 1.
            while "exit-code" not in self._read_status() and loop.time() < deadline:
                await asyncio.sleep(0.01)
            raise PlatformError(f"node {self.spec.name}: {self._exit_reason()}")
        return keeper

    def _log_tail(self) -> str:
        return log_tail(self.log_file)

    # -- babel ---------------------------------------------------------------------------------
    @property
    def babel(self) -> BabelProcess:
        return BabelProcess(self.spec.name, self.spec.node_dir, self.log_file)

    async def _start_babel(self, node_pid: int) -> None:
        await self.babel.start(
            node_pid, self.spec.babel_command, wrap=self._wrapped, env=self._env(), caps=self._caps
        )

    async def restart_babel(self, timeout: float = 60.0) -> None:
        async with self._lock:
            current = await self._state()
            loaded = load_proc_ref(self.pid_file)
            if current.status is MachineStatus.RUNNING and loaded and _is_legacy(loaded[1]):
                # Started by an older layout, babel as the main command: only a full restart
                # moves it to this one.
                await self._stop(timeout, force=False)
                await self._start()
                return
            if not current.container_alive or current.pid is None:
                raise MachineStateError(
                    f"node {self.spec.name}: cannot restart babel, machine is {current.status.value}"
                )
            await self.babel.stop(timeout, force=False, kill_after=True)
            await self._start_babel(current.pid)

    async def stop(self, timeout: float = 60.0, force: bool = False) -> None:
        async with self._lock:
            await self._stop(timeout, force)

    async def _stop(self, timeout: float, force: bool) -> None:
        loaded = load_proc_ref(self.pid_file)
        if loaded is not None:
            ref, raw = loaded
            if ref.alive() and not force and _is_legacy(raw):
                for pid in children(ref.pid):
                    child = ProcRef.of(pid)
                    if child is not None:
                        kill(child, signal.SIGTERM)
                await wait_gone(ref, timeout)
            elif ref.alive():
                # Babel first, gracefully; the jobs go down with the namespace.
                await self.babel.stop(timeout, force, kill_after=False)
            if ref.alive():
                # SIGKILL of a PID namespace's init kills every process in the namespace.
                kill(ref, signal.SIGKILL)
                if not await wait_gone(ref, 10.0):
                    raise PlatformError(f"node {self.spec.name}: pid {ref.pid} survived SIGKILL")
        await self._cleanup_dead()

    async def _cleanup_dead(self) -> None:
        self.pid_file.unlink(missing_ok=True)
        self.babel.forget()
        # Processes that escaped the namespace kill (e.g. a pending exec) keep the cgroup busy.
        for pid in self.cgroup.pids():
            ref = ProcRef.of(pid)
            if ref is not None:
                kill(ref, signal.SIGKILL)
                await wait_gone(ref, 5.0)
        self.cgroup.remove()

    async def delete(self) -> None:
        async with self._lock:
            try:
                await self._stop(timeout=10.0, force=False)
            except PlatformError:
                await self._stop(timeout=0.0, force=True)
            await _netns.delete_network(self.spec.node_id)
            await _rootfs.remove_rootfs(self.spec)
            if self.spec.data_dir.is_relative_to(self.spec.node_dir):
                shutil.rmtree(self.spec.data_dir, ignore_errors=True)
            shutil.rmtree(self.spec.node_dir, ignore_errors=True)

    async def attach(self) -> MachineState:
        async with self._lock:
            if await self.exists():
                await _rootfs.ensure_mounted(self.spec)
            return await self._state()

    async def state(self) -> MachineState:
        return await self._state()

    async def _state(self) -> MachineState:
        loaded = load_proc_ref(self.pid_file)
        if loaded is None:
            return MachineState(MachineStatus.STOPPED)
        ref, raw = loaded
        if not ref.alive():
            return MachineState(MachineStatus.FAILED, None, self._exit_reason())
        if _is_legacy(raw):
            return MachineState(MachineStatus.RUNNING, ref.pid)
        keeper = ref_field(raw, "keeper")
        if keeper is None or not keeper.alive():
            return MachineState(
                MachineStatus.FAILED, None, f"node container is broken: {self._exit_reason()}"
            )
        if self.babel.alive() is None:
            reason = f"babel is not running (container alive): {await self.babel.reason()}"
            return MachineState(MachineStatus.FAILED, ref.pid, reason, container_alive=True)
        return MachineState(MachineStatus.RUNNING, ref.pid)

    def _read_status(self) -> str:
        try:
            return self.status_file.read_text()
        except OSError:
            return ""

    def _exit_reason(self) -> str:
        code = last_exit_code(self.status_file)
        if code is None:
            return "node container is gone (killed or host rebooted)"
        if code > 128:
            return f"node container killed by signal {code - 128}"
        return f"node container exited with code {code}: {self._log_tail()}"

    async def recover(self) -> None:
        async with self._lock:
            current = await self._state()
            if current.status is MachineStatus.RUNNING:
                return
            if not await self.exists():
                raise MachineNotFound(f"node {self.spec.name}: machine not created")
            if current.babel_dead and current.pid is not None:
                await self._start_babel(current.pid)  # the jobs keep running
                return
            await self._cleanup_dead()
            await self._start()

    async def _require_stopped(self, action: str) -> None:
        current = await self._state()
        if current.container_alive:
            raise MachineStateError(f"node {self.spec.name}: cannot {action} a running machine")
        if current.status is MachineStatus.FAILED:
            await self._cleanup_dead()

    def _check_same_node(self, spec: MachineSpec) -> None:
        if (spec.node_id, spec.node_dir) != (self.spec.node_id, self.spec.node_dir):
            raise InvalidSpec(f"node {self.spec.name}: new spec is for node {spec.node_id}")

    async def upgrade_rootfs(self, spec: MachineSpec) -> None:
        self._check_same_node(spec)
        async with self._lock:
            await self._require_stopped("upgrade")
            if not await self.exists() and not _rootfs.has_backup(self.spec):
                raise MachineNotFound(f"node {self.spec.name}: machine not created")
            await _rootfs.backup_rootfs(self.spec)
            self.spec = spec
            await _rootfs.build_rootfs(spec, self._rootfs_mode)
            self._write_node_files()

    async def rollback_rootfs(self, spec: MachineSpec) -> None:
        self._check_same_node(spec)
        async with self._lock:
            await self._require_stopped("roll back")
            self.spec = spec
            await _rootfs.restore_rootfs(spec)
            if await self.exists():
                self._write_node_files()

    async def commit_rootfs(self) -> None:
        async with self._lock:
            _rootfs.discard_backup(self.spec)

    async def exec(
        self, argv: Sequence[str], *, timeout: float = 30.0, input: bytes | None = None
    ) -> ExecResult:
        if not argv:
            raise MachineStateError(f"node {self.spec.name}: exec needs a command")
        current = await self._state()
        if not current.container_alive or current.pid is None:  # babel need not run
            raise MachineStateError(
                f"node {self.spec.name}: cannot exec, machine is {current.status.value}"
            )
        enter = [
            "nsenter",
            "-t",
            str(current.pid),
            "-m",
            "-u",
            "-i",
            "-n",
            "-p",
            "-r",
            "-w",
            "--",
            *argv,
        ]
        return await run(
            self._wrapped(enter), what=f"node {self.spec.name}: exec", timeout=timeout,
            input=input, check=False, env=self._env(),
        )  # fmt: skip


def _is_legacy(raw: dict[str, object]) -> bool:
    return raw.get("layout") is None
