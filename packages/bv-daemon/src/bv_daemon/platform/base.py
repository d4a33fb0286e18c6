"""The node machine interface every platform backend implements.

A *platform* (backend) turns a `MachineSpec` into a `Machine`: the container that runs one node
(its rootfs, namespaces, network, resource limits) and babel, a separate process inside it, so
babel can exit or be restarted while the protocol's jobs in the container keep running. The daemon maps
its own node state onto `MachineSpec`, so this module depends on nothing but `bv_core.errors`.

Lifecycle (every call is idempotent; running one twice is harmless):

    machine = platform.machine(spec)      no side effects
    await machine.create()                rootfs, dirs, limits file, node_env   (-> Stopped)
    await machine.start()                 container, then babel, running         (-> Running)
    await machine.stop(timeout, force)    SIGTERM, wait, then kill               (-> Stopped)
    await machine.delete()                stop, then remove everything           (-> gone)
    await machine.attach()                after a daemon restart: find the running container
    await machine.state()                 Running / Stopped / Failed (+ pid, reason)
    await machine.recover()               bring a Failed machine back to Running
    await machine.restart_babel(timeout)  new babel process, container and jobs kept running
    await machine.exec(argv)              run a command inside the running container
    await machine.upgrade_rootfs(new)     (stopped) new image, old rootfs kept as a backup
    await machine.rollback_rootfs(old) / commit_rootfs()

`machine.spec` may be replaced while the machine is stopped (new limits, IP); start() applies it.

Errors:

    bv_core.errors.ExternalError
    └── PlatformError                     a runtime tool or kernel call failed (names node + step)
    bv_core.errors.Conflict
    └── MachineStateError                 the call is not allowed in the machine's current state
    bv_core.errors.NotFound
    └── MachineNotFound                   the machine was never created or is already deleted
    bv_core.errors.InvalidInput
    └── InvalidSpec                       a MachineSpec field is unusable (names the field)
"""

from __future__ import annotations

import abc
import enum
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bv_core.errors import Conflict, ExternalError, InvalidInput, NotFound

__all__ = [
    "DATA_MOUNT_POINT",
    "NODE_ENV_PATH",
    "ExecResult",
    "InvalidSpec",
    "Machine",
    "MachineNotFound",
    "MachineSpec",
    "MachineState",
    "MachineStateError",
    "MachineStatus",
    "Platform",
    "PlatformError",
    "parse_env_file",
]

# Where the node's data dir appears inside the container, and where node_env lives in the rootfs
# (the original's layout; babel reads both).
DATA_MOUNT_POINT = "/blockjoy"
NODE_ENV_PATH = "var/lib/babel/node_env"


class PlatformError(ExternalError):
    """A container runtime step failed (tool exit status, kernel refusal, timeout)."""


class MachineStateError(Conflict):
    """The operation is not allowed in the machine's current state."""


class MachineNotFound(NotFound):
    """The machine does not exist (not created, or deleted)."""


class InvalidSpec(InvalidInput):
    """A `MachineSpec` field cannot be used; the message names the field and value."""


class MachineStatus(enum.Enum):
    RUNNING = "Running"  # container and babel alive
    STOPPED = "Stopped"  # never started, or stopped through stop()
    FAILED = "Failed"  # should be running (not stopped through stop()) but is not, or half alive


@dataclass(frozen=True, slots=True)
class MachineState:
    """The machine as the host sees it. The original's three VM states map onto it as
    SHUTOFF = STOPPED, or FAILED with `container_alive` False (the container is gone);
    RUNNING = RUNNING; INVALID = FAILED with `container_alive` True (`babel_dead`): the container
    runs (protocol jobs with it) but babel does not - recover() then restarts babel only."""

    status: MachineStatus
    pid: int | None = None  # host pid of the container's init / instance process, when alive
    reason: str = ""  # why FAILED, for `bv node info`
    container_alive: bool = False  # the container runs, whatever babel does (True if RUNNING)

    def __post_init__(self) -> None:
        if self.status is MachineStatus.RUNNING and not self.container_alive:
            # RUNNING implies a live container; callers building MachineState(RUNNING, pid) by
            # hand need not say so.
            object.__setattr__(self, "container_alive", True)

    @property
    def babel_dead(self) -> bool:
        """The original's INVALID: container alive, babel not."""
        return self.status is MachineStatus.FAILED and self.container_alive


@dataclass(frozen=True, slots=True)
class ExecResult:
    exit_code: int
    stdout: bytes
    stderr: bytes


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_IFNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$")


@dataclass(frozen=True, slots=True)
class MachineSpec:
    """Everything a backend needs to run one node; the daemon builds it from its NodeState."""

    node_id: str  # stable id (UUID); names the container, netns and cgroup
    name: str  # node name; the hostname is this with '_' -> '-'
    rootfs_source: Path  # image rootfs: a directory (bwrap overlays/copies it) or a tarball
    node_dir: Path  # <root>/var/lib/blockvisor/nodes/<id>
    data_dir: Path  # protocol data, bound at /blockjoy; survives upgrades
    ip: str  # node IP on the bridge
    gateway: str  # bridge (host) address; the node's default route
    prefix: int = 24  # bridge network prefix length
    bridge: str = "bvbr0"  # host bridge the node's veth joins
    vcpu: int = 0  # CPU quota in whole cores; 0 = unlimited
    mem_mb: int = 0  # memory limit in MB (10^6 bytes, as the original); 0 = unlimited
    cpus: tuple[int, ...] = ()  # host CPUs pinned to the node (CPU registry); () = not pinned
    env_file: str = ""  # node_env content (KEY="value" lines), written into the rootfs
    babel_command: tuple[str, ...] = ("/usr/bin/babel",)  # started inside the running container
    image_uri: str = ""  # apptainer build source; empty = rootfs_source
    # (mount point, size MiB): tmpfs mounted by the bwrap backend before babel starts; babel's
    # setup skips mounted ones (apptainer: babel mounts them, as the original)
    ramdisks: tuple[tuple[str, int], ...] = ()
    host_network: bool = False  # share the host's network (no netns/veth)

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.node_id):
            raise InvalidSpec(f"node id {self.node_id!r}: want letters, digits, '-', '_', '.'")
        if not _NAME_RE.match(self.name):
            raise InvalidSpec(f"node name {self.name!r}: want 1-63 letters, digits, '-', '_', '.'")
        for label, addr in (("ip", self.ip), ("gateway", self.gateway)):
            try:
                ipaddress.IPv4Address(addr)
            except ValueError:
                raise InvalidSpec(
                    f"node {self.name}: {label} {addr!r} is not an IPv4 address"
                ) from None
        if not 1 <= self.prefix <= 30:
            raise InvalidSpec(f"node {self.name}: prefix {self.prefix} not in 1..30")
        if self.ip == self.gateway:
            raise InvalidSpec(f"node {self.name}: ip {self.ip} equals the gateway")
        if not _IFNAME_RE.match(self.bridge):
            raise InvalidSpec(
                f"node {self.name}: bridge name {self.bridge!r} is not a valid interface name"
            )
        if self.vcpu < 0 or self.mem_mb < 0:
            raise InvalidSpec(
                f"node {self.name}: vcpu {self.vcpu} / mem_mb {self.mem_mb} must be >= 0"
            )
        if any(c < 0 for c in self.cpus):
            raise InvalidSpec(f"node {self.name}: cpus {list(self.cpus)} must be >= 0")
        if not self.babel_command or not all(self.babel_command):
            raise InvalidSpec(
                f"node {self.name}: babel command {list(self.babel_command)!r} is empty"
            )
        for mount_point, size_mb in self.ramdisks:
            if not mount_point.startswith("/") or ".." in mount_point.split("/") or size_mb <= 0:
                raise InvalidSpec(
                    f"node {self.name}: ramdisk {mount_point!r} ({size_mb} MiB): want an absolute path and a size > 0"
                )
        if not self.node_dir.is_absolute() or not self.data_dir.is_absolute():
            raise InvalidSpec(f"node {self.name}: node_dir and data_dir must be absolute paths")

    @property
    def hostname(self) -> str:
        return self.name.replace("_", "-")

    @property
    def rootfs_dir(self) -> Path:
        return self.node_dir / "rootfs"

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(f"{self.gateway}/{self.prefix}", strict=False)


def parse_env_file(text: str) -> dict[str, str]:
    """Reads node_env (`KEY="value"` or `KEY=value` lines); blank lines and `#` comments skipped."""
    env: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export ") :].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key:
            env[key] = value
    return env


class Machine(abc.ABC):
    """One node's container. Methods are coroutines; each is safe to repeat."""

    def __init__(self, spec: MachineSpec) -> None:
        self.spec = spec

    @abc.abstractmethod
    async def create(self) -> None:
        """Builds the rootfs and node files. A no-op for parts already built."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Starts the container if it is not running, then babel if it is not; no-op when
        both run."""

    @abc.abstractmethod
    async def stop(self, timeout: float = 60.0, force: bool = False) -> None:
        """Stops gracefully (SIGTERM, wait `timeout` s) then kills; `force` kills at once."""

    @abc.abstractmethod
    async def delete(self) -> None:
        """Stops (forcefully if graceful fails) and removes every trace on the host."""

    @abc.abstractmethod
    async def attach(self) -> MachineState:
        """Re-finds a container started by an earlier daemon process; returns its state."""

    @abc.abstractmethod
    async def state(self) -> MachineState:
        """Current state, read from the host (never cached)."""

    @abc.abstractmethod
    async def recover(self) -> None:
        """Brings a Failed machine to Running: when only babel is dead (`babel_dead`), starts
        babel again in the running container (its jobs keep running); when the container is
        gone, cleans up the remains and starts it all."""

    async def restart_babel(self, timeout: float = 60.0) -> None:
        """Running container only: SIGTERM babel, wait up to `timeout` s, SIGKILL, and start it
        again (from the rootfs's current /usr/bin/babel). Protocol jobs keep running. Starts
        babel if it was not running; MachineStateError if the container is not running.
        This default restarts the whole machine, for backends that cannot do better."""
        current = await self.state()
        if not current.container_alive:
            raise MachineStateError(
                f"node {self.spec.name}: cannot restart babel, machine is {current.status.value}"
            )
        await self.stop(timeout)
        await self.start()

    @abc.abstractmethod
    async def exec(
        self, argv: Sequence[str], *, timeout: float = 30.0, input: bytes | None = None
    ) -> ExecResult:
        """Runs argv inside the running container (its namespaces, root and cgroup)."""

    # -- upgrade to a new image version (the nodes manager journals the steps) -------------------
    @abc.abstractmethod
    async def upgrade_rootfs(self, spec: MachineSpec) -> None:
        """Stopped machines only: keeps the current rootfs as `rootfs_backup` and builds the one
        for `spec` (same node, new image); the machine uses `spec` from then on. Repeating it
        after a crash rebuilds the new rootfs and keeps the first backup. data_dir is untouched."""

    @abc.abstractmethod
    async def rollback_rootfs(self, spec: MachineSpec) -> None:
        """Stopped machines only: restores the backup and goes back to `spec` (the old one)."""

    @abc.abstractmethod
    async def commit_rootfs(self) -> None:
        """Drops the backup once the upgraded node is known good; a no-op without one."""

    async def exists(self) -> bool:
        """True once create() has run and delete() has not."""
        return self.spec.rootfs_dir.exists()

    def log_path(self) -> Path | None:
        """Host file receiving the node main process's stdout/stderr, if the backend keeps one."""
        return None


class Platform(abc.ABC):
    """A backend: makes `Machine` objects for specs."""

    name: str = ""

    @abc.abstractmethod
    def machine(self, spec: MachineSpec) -> Machine:
        """The machine for `spec`; creates nothing on the host."""
