"""The Apptainer backend: production parity with the original BlockVisor's command lines.

Command lines follow reference/bv-host.md §2.9 with the 2.16 additions (bv-host-2.16.md §4):

    build    apptainer build --force --sandbox <node_dir>/rootfs <image_uri>
             (skipped when `apptainer inspect -d --json <rootfs>` reports a deffile)
    start    apptainer instance run --containall --writable --pid-file <node_dir>/apptainer.pid
               --bind /run/systemd/journal --bind <data_dir>:/blockjoy --hostname <hostname>
               --no-mount home,cwd,tmp [--apply-cgroups <node_dir>/cgroups.toml]
               [--net --network bridge --network-args "IP=<ip>/<prefix>;GATEWAY=<gateway>"]
               [<extra_args>...] <node_dir>/rootfs <node_id>
    ARP      apptainer exec instance://<node_id> ping -c 6 -i 0.25 <gateway>    (failure: warning)
    babel    apptainer exec --ipc --cleanenv --userns --pid --env-file <rootfs>/var/lib/babel/node_env
               instance://<node_id> <babel command...> <rootfs>    (spawned, not awaited)
    exec     apptainer exec instance://<node_id> <argv...>
    stop     apptainer instance stop <node_id>   (failure is fine if `instance list` no longer shows it)
    list     apptainer instance list --json <node_id>   -> {"instances": [{"pid": N, ...}]}

`MachineSpec.gateway` is the host's bridge address: the original passes the host IP as GATEWAY
and routes through the host. Apptainer cannot run on the CI machines (newer glibc, needs
CAP_SYS_RESOURCE), so the tests drive this backend with a fake `apptainer` executable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import signal
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bv_daemon.platform._proc import ProcRef, kill, load_proc_ref, run, save_proc_ref, wait_gone
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
)

__all__ = [
    "ApptainerConfig",
    "ApptainerMachine",
    "ApptainerPlatform",
    "arp_ping_cmd",
    "babel_start_cmd",
    "build_cmd",
    "cgroups_toml",
    "exec_cmd",
    "inspect_cmd",
    "instance_list_cmd",
    "instance_run_cmd",
    "instance_stop_cmd",
]

log = logging.getLogger(__name__)

BUILD_TIMEOUT = 1800.0
ARP_PING = ("ping", "-c", "6", "-i", "0.25")


@dataclass(frozen=True, slots=True)
class ApptainerConfig:
    """`/etc/blockvisor.json` -> `apptainer` (per node overridable), plus the binary to run."""

    extra_args: tuple[str, ...] = ()  # appended to `instance run`
    host_network: bool = False  # also forced by MachineSpec.host_network
    cpu_limit: bool = True
    memory_limit: bool = True
    binary: str = "apptainer"


# -- command lines (pure; asserted by tests) ---------------------------------------------------
def cgroups_toml(spec: MachineSpec, config: ApptainerConfig) -> str | None:
    """The `--apply-cgroups` file, or None when neither limit is enabled."""
    if not (config.cpu_limit or config.memory_limit):
        return None
    lines = []
    if config.memory_limit:
        lines.append(f"memory.limit = {spec.mem_mb * 1_000_000}")
    if config.cpu_limit and spec.cpus:
        lines.append(f'cpu.cpus = "{",".join(map(str, spec.cpus))}"')
    return "\n".join(lines) + "\n"


def inspect_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    return [config.binary, "inspect", "-d", "--json", str(spec.rootfs_dir)]


def build_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    uri = spec.image_uri or str(spec.rootfs_source)
    return [config.binary, "build", "--force", "--sandbox", str(spec.rootfs_dir), uri]


def instance_run_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    argv = [
        config.binary, "instance", "run",
        "--containall", "--writable",
        "--pid-file", str(spec.node_dir / "apptainer.pid"),
        "--bind", "/run/systemd/journal",
        "--bind", f"{spec.data_dir}:{DATA_MOUNT_POINT}",
        "--hostname", spec.hostname,
        "--no-mount", "home,cwd,tmp",
    ]  # fmt: skip
    if config.cpu_limit or config.memory_limit:
        argv += ["--apply-cgroups", str(spec.node_dir / "cgroups.toml")]
    if not (config.host_network or spec.host_network):
        argv += [
            "--net", "--network", "bridge",
            "--network-args", f"IP={spec.ip}/{spec.prefix};GATEWAY={spec.gateway}",
        ]  # fmt: skip
    return [*argv, *config.extra_args, str(spec.rootfs_dir), spec.node_id]


def arp_ping_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    return [config.binary, "exec", f"instance://{spec.node_id}", *ARP_PING, spec.gateway]


def babel_start_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    # The trailing rootfs path is ignored by babel; it makes the process findable on the host.
    return [
        config.binary, "exec", "--ipc", "--cleanenv", "--userns", "--pid",
        "--env-file", str(spec.rootfs_dir / NODE_ENV_PATH),
        f"instance://{spec.node_id}", *spec.babel_command, str(spec.rootfs_dir),
    ]  # fmt: skip


def exec_cmd(spec: MachineSpec, config: ApptainerConfig, argv: Sequence[str]) -> list[str]:
    return [config.binary, "exec", f"instance://{spec.node_id}", *argv]


def instance_stop_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    return [config.binary, "instance", "stop", spec.node_id]


def instance_list_cmd(spec: MachineSpec, config: ApptainerConfig) -> list[str]:
    return [config.binary, "instance", "list", "--json", spec.node_id]


# -- backend -----------------------------------------------------------------------------------
class ApptainerPlatform(Platform):
    name = "apptainer"

    def __init__(self, config: ApptainerConfig | None = None) -> None:
        self.config = config or ApptainerConfig()

    def machine(self, spec: MachineSpec, config: ApptainerConfig | None = None) -> ApptainerMachine:
        """`config` overrides the host config for this node (NodeState.apptainer_config)."""
        return ApptainerMachine(spec, config or self.config)


class ApptainerMachine(Machine):
    def __init__(self, spec: MachineSpec, config: ApptainerConfig) -> None:
        super().__init__(spec)
        self.config = config
        self._lock = asyncio.Lock()

    @property
    def pid_file(self) -> Path:
        return self.spec.node_dir / "apptainer.pid"

    @property
    def babel_pid_file(self) -> Path:
        return self.spec.node_dir / "babel.pid"

    def _what(self, step: str) -> str:
        return f"node {self.spec.name}: {step}"

    async def exists(self) -> bool:
        return self.spec.rootfs_dir.is_dir()

    def log_path(self) -> Path | None:
        return self.spec.node_dir / "babel.log"

    # -- create ---------------------------------------------------------------------------------
    async def create(self) -> None:
        async with self._lock:
            await self._build()
            self._write_node_files()

    async def _is_built(self) -> bool:
        if not self.spec.rootfs_dir.is_dir():
            return False
        res = await run(
            inspect_cmd(self.spec, self.config), what=self._what("inspect"), check=False
        )
        if res.exit_code != 0:
            return False
        try:
            doc = json.loads(res.stdout)
            return isinstance(doc["data"]["attributes"]["deffile"], str)
        except (ValueError, KeyError, TypeError):
            return False

    async def _build(self) -> None:
        self.spec.node_dir.mkdir(parents=True, exist_ok=True)
        if not await self._is_built():
            await run(
                build_cmd(self.spec, self.config), what=self._what("build"), timeout=BUILD_TIMEOUT
            )
        for d in (DATA_MOUNT_POINT.lstrip("/"), "run/systemd/journal", "var/lib/babel"):
            (self.spec.rootfs_dir / d).mkdir(parents=True, exist_ok=True)

    def _write_node_files(self) -> None:
        spec = self.spec
        spec.data_dir.mkdir(parents=True, exist_ok=True)
        toml = cgroups_toml(spec, self.config)
        if toml is not None:
            (spec.node_dir / "cgroups.toml").write_text(toml)
        try:
            (spec.rootfs_dir / NODE_ENV_PATH).write_text(spec.env_file)
        except OSError as err:  # the original only warns here
            log.warning("node %s: cannot write node_env: %s", spec.name, err.strerror)

    # -- state ----------------------------------------------------------------------------------
    def _container_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        ref = ProcRef.of(pid)
        return pid if ref is not None and ref.alive() else None

    def _babel(self) -> ProcRef | None:
        loaded = load_proc_ref(self.babel_pid_file)
        return loaded[0] if loaded is not None and loaded[0].alive() else None

    async def state(self) -> MachineState:
        pid = self._container_pid()
        if pid is None:
            if self.pid_file.exists():
                return MachineState(MachineStatus.FAILED, None, "apptainer instance is not running")
            return MachineState(MachineStatus.STOPPED)
        if self._babel() is None:
            return MachineState(
                MachineStatus.FAILED, pid, "babel is not running (container alive)",
                container_alive=True,
            )  # fmt: skip
        return MachineState(MachineStatus.RUNNING, pid)

    # -- start ----------------------------------------------------------------------------------
    async def start(self) -> None:
        async with self._lock:
            if not await self.exists():
                raise MachineNotFound(self._what("machine not created"))
            await self._start()

    async def _start(self) -> None:
        if self._container_pid() is None:
            self.pid_file.unlink(missing_ok=True)
            self._write_node_files()
            await run(
                instance_run_cmd(self.spec, self.config),
                what=self._what("instance run"),
                timeout=120,
            )
            if self._container_pid() is None:
                await self._pid_from_list()
            await self._arp_ping()
        if self._babel() is None:
            await self._start_babel()

    async def _pid_from_list(self) -> None:
        res = await run(instance_list_cmd(self.spec, self.config), what=self._what("instance list"))
        try:
            pid = int(json.loads(res.stdout)["instances"][0]["pid"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise PlatformError(self._what("instance started but its pid is unknown")) from None
        self.pid_file.write_text(f"{pid}\n")

    async def _arp_ping(self) -> None:
        # Forces an ARP table update on the bridge (2.16); the image may lack ping: warn only.
        res = await run(
            arp_ping_cmd(self.spec, self.config), what=self._what("arp ping"), check=False
        )
        if res.exit_code != 0:
            log.warning(
                "ARP table update for node '%s' failed: exit %d", self.spec.name, res.exit_code
            )

    async def _start_babel(self) -> None:
        argv = babel_start_cmd(self.spec, self.config)
        with open(self.spec.node_dir / "babel.log", "ab") as logf:
            try:
                proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True
                )
            except OSError as err:
                raise PlatformError(self._what(f"cannot start babel: {err.strerror}")) from err
        # Reap it in the background while this daemon lives; after a restart init reaps it.
        threading.Thread(target=proc.wait, name=f"reap-babel-{proc.pid}", daemon=True).start()
        ref = ProcRef.of(proc.pid)
        if ref is None:
            raise PlatformError(self._what("babel exited at once"))
        save_proc_ref(self.babel_pid_file, ref)

    # -- stop / delete --------------------------------------------------------------------------
    async def stop(self, timeout: float = 60.0, force: bool = False) -> None:
        async with self._lock:
            await self._stop(timeout, force)

    async def _stop_babel(self, timeout: float, force: bool) -> None:
        # The original: SIGTERM, wait up to the timeout, then kill.
        babel = self._babel()
        if babel is not None:
            if not force:
                kill(babel, signal.SIGTERM)
                await wait_gone(babel, timeout)
            kill(babel, signal.SIGKILL)
            if not await wait_gone(babel, 10.0):
                raise PlatformError(self._what(f"babel pid {babel.pid} survived SIGKILL"))
        self.babel_pid_file.unlink(missing_ok=True)

    async def restart_babel(self, timeout: float = 60.0) -> None:
        """What the original does on attach: stop babel, start it again (`apptainer exec`); the
        instance and the jobs in it keep running."""
        async with self._lock:
            if self._container_pid() is None:
                state = await self.state()
                raise MachineStateError(
                    self._what(f"cannot restart babel, machine is {state.status.value}")
                )
            await self._stop_babel(timeout, force=False)
            await self._start_babel()

    async def _stop(self, timeout: float, force: bool) -> None:
        await self._stop_babel(timeout, force)
        if self._container_pid() is not None:
            res = await run(
                instance_stop_cmd(self.spec, self.config),
                what=self._what("instance stop"),
                check=False,
            )
            if res.exit_code != 0 and await self._listed():
                raise PlatformError(
                    self._what(f"apptainer instance stop failed (exit {res.exit_code})")
                )
        self.pid_file.unlink(missing_ok=True)

    async def _listed(self) -> bool:
        res = await run(
            instance_list_cmd(self.spec, self.config), what=self._what("instance list"), check=False
        )
        with contextlib.suppress(ValueError, KeyError, TypeError):
            return bool(json.loads(res.stdout)["instances"])
        return False

    async def delete(self) -> None:
        async with self._lock:
            try:
                await self._stop(timeout=10.0, force=False)
            except PlatformError:
                await self._stop(timeout=0.0, force=True)
            shutil.rmtree(self.spec.node_dir, ignore_errors=True)
            if self.spec.data_dir.is_relative_to(self.spec.node_dir):
                shutil.rmtree(self.spec.data_dir, ignore_errors=True)

    # -- attach / recover / exec ----------------------------------------------------------------
    async def attach(self) -> MachineState:
        async with self._lock:
            if await self.exists():
                await self._build()
                self._write_node_files()
            if self._container_pid() is None and not self.pid_file.exists():
                with contextlib.suppress(PlatformError):
                    if await self._listed():
                        await self._pid_from_list()
            return await self.state()

    async def recover(self) -> None:
        async with self._lock:
            if not await self.exists():
                raise MachineNotFound(self._what("machine not created"))
            babels = self._babel()
            if self._container_pid() is None and babels is not None:
                kill(babels, signal.SIGKILL)  # a babel outliving its instance is stale
            await self._start()

    # -- upgrade --------------------------------------------------------------------------------
    @property
    def _backup_dir(self) -> Path:
        return self.spec.node_dir / "rootfs_backup"

    async def _require_stopped(self, action: str, spec: MachineSpec) -> None:
        if (spec.node_id, spec.node_dir) != (self.spec.node_id, self.spec.node_dir):
            raise InvalidSpec(self._what(f"new spec is for node {spec.node_id}"))
        if self._container_pid() is not None:
            raise MachineStateError(self._what(f"cannot {action} a running machine"))

    async def upgrade_rootfs(self, spec: MachineSpec) -> None:
        async with self._lock:
            await self._require_stopped("upgrade", spec)
            if self._backup_dir.exists():
                # An interrupted upgrade: the first backup is the one to keep.
                shutil.rmtree(self.spec.rootfs_dir, ignore_errors=True)
            elif self.spec.rootfs_dir.exists():
                self.spec.rootfs_dir.rename(self._backup_dir)
            else:
                raise MachineNotFound(self._what("machine not created"))
            self.spec = spec
            await self._build()
            self._write_node_files()

    async def rollback_rootfs(self, spec: MachineSpec) -> None:
        async with self._lock:
            await self._require_stopped("roll back", spec)
            self.spec = spec
            if self._backup_dir.exists():
                shutil.rmtree(spec.rootfs_dir, ignore_errors=True)
                self._backup_dir.rename(spec.rootfs_dir)
            if await self.exists():
                self._write_node_files()

    async def commit_rootfs(self) -> None:
        async with self._lock:
            shutil.rmtree(self._backup_dir, ignore_errors=True)

    async def exec(
        self, argv: Sequence[str], *, timeout: float = 30.0, input: bytes | None = None
    ) -> ExecResult:
        if not argv:
            raise MachineStateError(self._what("exec needs a command"))
        if self._container_pid() is None:
            raise MachineStateError(self._what("cannot exec, apptainer instance is not running"))
        return await run(
            exec_cmd(self.spec, self.config, argv), what=self._what("exec"), timeout=timeout,
            input=input, check=False,
        )  # fmt: skip
