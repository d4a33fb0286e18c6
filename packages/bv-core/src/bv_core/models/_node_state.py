"""Per-node ``state.json`` and the nodes-manager ``nodes/state.json``.

Field names, order and JSON shapes follow the original 2.16 ``node_state.rs`` so a host's files
stay readable by operators who know the original. Fields with a natural empty value default to
it, so the daemon can build a state without spelling out every empty list.
"""

from __future__ import annotations

import enum
import os
import uuid
from typing import Annotated, Literal

import msgspec

from ._base import (
    U64,
    Direction,
    FirewallAction,
    Model,
    MutableModel,
    NetProtocol,
    Port,
    check_cidr,
    check_ip,
)
from ._decode import FieldError, load_json, save_json
from ._host_config import ApptainerConfig

__all__ = [
    "NODE_STATE_FILENAME",
    "CpuAssignmentChange",
    "CpuAssignmentStep",
    "CpuAssignmentUpdate",
    "FirewallConfig",
    "FirewallRule",
    "NodeImage",
    "NodeState",
    "NodesManagerState",
    "PluginFnCall",
    "ProtocolImageKey",
    "RamdiskConfiguration",
    "ScheduledTask",
    "ScheduledTaskKind",
    "StateBackup",
    "SystemTime",
    "UpgradeState",
    "UpgradeStep",
    "VmConfig",
    "VmStatus",
    "load_node_state",
    "load_nodes_manager_state",
    "save_node_state",
    "save_nodes_manager_state",
]

NODE_STATE_FILENAME = "state.json"


class VmStatus(enum.Enum):
    """Persisted as ``expected_status`` (desired state); ``Failed`` there = permanently failed.

    The actual status is computed by the daemon; ``Busy`` is only ever reported, never stored
    by us (the original's enum allows it in the file, so we still read it).
    """

    RUNNING = "Running"
    STOPPED = "Stopped"
    BUSY = "Busy"
    FAILED = "Failed"


class ProtocolImageKey(Model, frozen=True, kw_only=True):
    protocol_key: str
    variant_key: str


class FirewallRule(Model, frozen=True, kw_only=True):
    """A node firewall rule as applied on the host (the API form, not babel.yaml's)."""

    name: str
    action: FirewallAction
    direction: Direction
    protocol: NetProtocol | None = None  # None = any protocol
    ips: list[str] = []  # CIDRs; [] = any address
    ports: list[Port] = []  # [] = any port

    def __post_init__(self) -> None:
        for i, ip in enumerate(self.ips):
            try:
                check_cidr(ip, "ip")
            except ValueError as exc:
                raise FieldError(f"ips[{i}]", str(exc)) from None


class FirewallConfig(Model, frozen=True, kw_only=True):
    default_in: FirewallAction = FirewallAction.REJECT
    default_out: FirewallAction = FirewallAction.ALLOW
    rules: list[FirewallRule] = []


class RamdiskConfiguration(Model, frozen=True, kw_only=True):
    ram_disk_mount_point: str
    ram_disk_size_mb: U64


class VmConfig(Model, frozen=True, kw_only=True):
    vcpu_count: Annotated[int, msgspec.Meta(ge=1, le=4096)]
    mem_size_mb: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    disk_size_gb: U64  # protocol data disk, not the rootfs
    ramdisks: list[RamdiskConfiguration] = []


class NodeImage(Model, frozen=True, kw_only=True):
    id: str
    version: str
    config_id: str
    archive_id: str
    store_key: str  # protocol-data archive key; an upgrade may not change it
    uri: str  # container URI the rootfs is built from
    min_babel_version: str


class StateBackup(Model, frozen=True, kw_only=True):
    """What an upgrade swaps in, kept so a failed upgrade can roll back."""

    properties: dict[str, str]
    firewall: FirewallConfig
    display_name: str
    org_id: str
    org_name: str
    protocol_name: str
    dns_name: str
    tags: list[str] = []
    vm_config: VmConfig
    image: NodeImage
    initialized: bool


class CpuAssignmentChange(Model, frozen=True, kw_only=True, omit_defaults=True):
    """Exactly one of ``{"AcquiredCpus": <orig count>}`` / ``{"ReleasedCpus": [cpus]}``."""

    acquired_cpus: Annotated[int, msgspec.Meta(ge=0)] | None = msgspec.field(
        default=None, name="AcquiredCpus"
    )
    released_cpus: list[Annotated[int, msgspec.Meta(ge=0)]] | None = msgspec.field(
        default=None, name="ReleasedCpus"
    )

    def __post_init__(self) -> None:
        if (self.acquired_cpus is None) == (self.released_cpus is None):
            raise ValueError("expected exactly one of AcquiredCpus or ReleasedCpus")


CpuAssignmentUpdate = Literal["None"] | CpuAssignmentChange


class CpuAssignmentStep(Model, frozen=True, kw_only=True):
    cpu_assignment: CpuAssignmentUpdate = msgspec.field(name="CpuAssignment")


# "ReInit" is read (2.16.4 files may hold it) but never written; "Restart" is unused upstream.
UpgradeStep = Literal["Stop", "Vm", "Plugin", "Firewall", "Restart", "ReInit"] | CpuAssignmentStep


class SystemTime(Model, frozen=True, kw_only=True):
    """serde's SystemTime form, used for ``upgrade_state.data_stamp``."""

    secs_since_epoch: U64
    nanos_since_epoch: Annotated[int, msgspec.Meta(ge=0, le=999_999_999)]


class UpgradeState(MutableModel, kw_only=True):
    """The upgrade journal: which steps ran, so a crash mid-upgrade can be rolled back."""

    active: bool = False
    state_backup: StateBackup | None = None
    need_rollback: str | None = None  # error message that made the rollback necessary
    steps: list[UpgradeStep] = []
    data_stamp: SystemTime | None = None  # mtime of data/.protocol_data.lock before the upgrade


class NodeState(MutableModel, kw_only=True):
    # static
    id: uuid.UUID
    name: Annotated[str, msgspec.Meta(min_length=1)]
    protocol_id: str
    image_key: ProtocolImageKey
    dev_mode: bool = False
    # potentially configurable
    ip: str
    gateway: str
    # dynamic
    properties: dict[str, str] = {}
    firewall: FirewallConfig = msgspec.field(default_factory=FirewallConfig)
    # descriptive, changed by NodeUpdate
    display_name: str = ""
    org_id: str = ""
    org_name: str = ""
    protocol_name: str = ""
    dns_name: str = ""
    tags: list[str] = []
    # upgradeable
    vm_config: VmConfig
    image: NodeImage
    # internal
    assigned_cpus: list[Annotated[int, msgspec.Meta(ge=0)]] = []
    expected_status: VmStatus = VmStatus.STOPPED
    started_at: Annotated[int, msgspec.Meta(ge=0)] | None = None  # unix seconds; None = not running
    initialized: bool = False  # init() completed on the current image/config
    restarting: bool = False
    upgrade_state: UpgradeState = msgspec.field(default_factory=UpgradeState)
    apptainer_config: ApptainerConfig | None = None  # None = use the host's

    def __post_init__(self) -> None:
        for name in ("ip", "gateway"):
            try:
                check_ip(getattr(self, name), name)
            except ValueError as exc:
                raise FieldError(name, str(exc)) from None


def load_node_state(path: str | os.PathLike[str]) -> NodeState:
    return load_json(path, NodeState)


def save_node_state(path: str | os.PathLike[str], state: NodeState) -> None:
    """Atomic replace: a crash leaves the old or the new state, never a torn file."""
    save_json(path, state)


class PluginFnCall(Model, frozen=True, kw_only=True):
    name: str
    param: str


class ScheduledTaskKind(Model, frozen=True, kw_only=True):
    """The original's externally tagged ``{"PluginFnCall": {...}}`` (its only variant)."""

    plugin_fn_call: PluginFnCall = msgspec.field(name="PluginFnCall")


class ScheduledTask(Model, frozen=True, kw_only=True):
    node_id: uuid.UUID
    name: str
    schedule: Annotated[str, msgspec.Meta(min_length=1)]  # cron expression
    task: ScheduledTaskKind


class NodesManagerState(MutableModel, kw_only=True):
    """``<bv_root>/var/lib/blockvisor/nodes/state.json``."""

    scheduled_tasks: list[ScheduledTask] = []


def load_nodes_manager_state(path: str | os.PathLike[str]) -> NodesManagerState:
    return load_json(path, NodesManagerState)


def save_nodes_manager_state(path: str | os.PathLike[str], state: NodesManagerState) -> None:
    save_json(path, state)
