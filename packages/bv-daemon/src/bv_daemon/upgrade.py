"""Upgrade of a node to another image version, with the step journal of bv-host-2.16.md §3.4.

``upgrade_state`` in state.json is the journal: every step is appended (and the state saved)
once done, so a daemon killed mid-upgrade resumes at attach: forward when no rollback was
decided, else the rollback is finished. Steps: Stop (node was running), CpuAssignment, Vm (new
rootfs; the old one kept in ``rootfs_backup/``), Plugin, Firewall, then start (which runs init,
since the swap set ``initialized = false``). ``data/`` is never touched.

Rollback is refused when ``data/.protocol_data.lock`` changed since the upgrade began (init may
have changed protocol data); otherwise the old values are swapped back and the steps undone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from bv_core.errors import BvError, Conflict, ExternalError
from bv_core.jobs import Running
from bv_core.models import (
    CpuAssignmentChange,
    CpuAssignmentStep,
    NodeState,
    StateBackup,
    SystemTime,
    UpgradeState,
    VmStatus,
)
from bv_daemon._states import MachineState, NodeStatus
from bv_daemon.cpu_registry import CpuRegistry
from bv_daemon.failpoints import failpoint
from bv_daemon.node import Node

__all__ = ["BlockingJobRunning", "NodeUpgradeFailure", "NodeUpgradeRollback", "run_upgrade"]

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]


class BlockingJobRunning(Conflict):
    """An ``upgrade_blocking`` job runs; try again later (retry hint 3600 s)."""


class NodeUpgradeRollback(ExternalError):
    """The upgrade failed and the node was rolled back to its previous image."""


class NodeUpgradeFailure(ExternalError):
    """The upgrade failed and could not be rolled back."""


def _backup_of(old: NodeState) -> StateBackup:
    return StateBackup(
        properties=dict(old.properties), firewall=old.firewall, display_name=old.display_name,
        org_id=old.org_id, org_name=old.org_name, protocol_name=old.protocol_name,
        dns_name=old.dns_name, tags=list(old.tags), vm_config=old.vm_config, image=old.image,
        initialized=old.initialized,
    )  # fmt: skip


def _apply(state: NodeState, b: StateBackup) -> None:
    state.properties = dict(b.properties)
    state.firewall = b.firewall
    state.display_name = b.display_name
    state.org_id = b.org_id
    state.org_name = b.org_name
    state.protocol_name = b.protocol_name
    state.dns_name = b.dns_name
    state.tags = list(b.tags)
    state.vm_config = b.vm_config
    state.image = b.image
    state.initialized = b.initialized


def _swap(state: NodeState) -> None:
    """Swap the state's upgradeable values with the backup (both directions)."""
    us = state.upgrade_state
    assert us.state_backup is not None
    current = _backup_of(state)
    _apply(state, us.state_backup)
    us.state_backup = current


def _stamp(path: Path) -> SystemTime | None:
    try:
        ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return SystemTime(secs_since_epoch=ns // 1_000_000_000, nanos_since_epoch=ns % 1_000_000_000)


async def run_upgrade(
    node: Node, desired: StateBackup | None, cpus: CpuRegistry, progress: Progress | None = None
) -> None:
    """Upgrade ``node`` to ``desired`` (None = resume the journal after a crash). Holds no lock:
    the caller holds ``node.lock``."""
    say = progress or (lambda step, msg: None)
    state = node.state
    us = state.upgrade_state
    if not us.active:
        if desired is None:
            return
        if await node.computed_status() is NodeStatus.FAILED:
            raise Conflict(f"can't upgrade node {state.name} in Failed state")
        node.state.upgrade_state = us = UpgradeState()
        if state.expected_status is VmStatus.RUNNING:
            jobs = await node.babel.get_jobs()
            blocking = [n for n, j in jobs.items() if j.upgrade_blocking and isinstance(j.status, Running)]
            if blocking:
                raise BlockingJobRunning(
                    f"can't proceed while 'upgrade_blocking' job {blocking[0]} is running. "
                    "Try again after 3600 seconds."
                )
            say("stop", "stopping the node")
            us.steps.append("Stop")
            state.restarting = True
            node.save()
            await node.stop(False)
        us.data_stamp = _stamp(node.paths.protocol_data_lock)
        us.state_backup = desired
        _swap(state)  # now: new values in state, old ones in the backup
        state.initialized = False
        us.active = True
        node.save()
    if us.need_rollback is not None:
        await _rollback(node, cpus, us.need_rollback, say)
        raise NodeUpgradeRollback(f"node upgrade failed with: '{us.need_rollback}'; but then successfully rolled back")
    try:
        await _try_upgrade(node, cpus, say)
    except BvError as err:
        if _stamp(node.paths.protocol_data_lock) != us.data_stamp:
            raise NodeUpgradeFailure(
                f"node upgrade failed with: '{err}'; and then rollback failed with: 'can't rollback node "
                "upgrade if 'init' was already started - protocol data could be changed'"
            ) from err
        _swap(state)
        us.need_rollback = str(err)
        node.save()
        try:
            await _rollback(node, cpus, str(err), say)
        except BvError as rb_err:
            state.expected_status = VmStatus.FAILED
            node.failure = f"upgrade failed ({err}) and rollback failed ({rb_err})"
            node.save()
            raise NodeUpgradeFailure(
                f"node upgrade failed with: '{err}'; and then rollback failed with: '{rb_err}'; "
                "node ended in failed state"
            ) from err
        raise NodeUpgradeRollback(
            f"node upgrade failed with: '{err}'; but then successfully rolled back"
        ) from err
    # Success.
    for step in us.steps:
        if isinstance(step, CpuAssignmentStep) and isinstance(step.cpu_assignment, CpuAssignmentChange):
            if step.cpu_assignment.released_cpus:
                cpus.release(step.cpu_assignment.released_cpus)
    await node.machine.commit_rootfs()
    state.upgrade_state = UpgradeState()
    node.save()
    say("done", f"upgraded to {state.image.version}")


async def _try_upgrade(node: Node, cpus: CpuRegistry, say: Progress) -> None:
    state = node.state
    us = state.upgrade_state
    if not any(isinstance(s, CpuAssignmentStep) for s in us.steps):
        want = state.vm_config.vcpu_count if not state.dev_mode else 0
        have = list(state.assigned_cpus)
        change: CpuAssignmentChange | None = None
        if want < len(have):
            change = CpuAssignmentChange(released_cpus=have[want:])
            state.assigned_cpus = have[:want]
        elif want > len(have):
            change = CpuAssignmentChange(acquired_cpus=len(have))
            state.assigned_cpus = have + cpus.acquire(want - len(have))
        us.steps.append(CpuAssignmentStep(cpu_assignment=change or "None"))
        node.save()
    if "Vm" not in us.steps:
        say("rootfs", f"building the rootfs of {state.image.version}")
        await node.machine.upgrade_rootfs(node.spec())  # keeps the old rootfs as the backup
        await node.create_machine()
        us.steps.append("Vm")
        node.save()
        await failpoint("upgrade-vm-done")
    if "Plugin" not in us.steps:
        say("plugin", "loading the new plugin")
        node.plugin = None
        await node.load_plugin()
        us.steps.append("Plugin")
        node.save()
    if "Firewall" not in us.steps:
        us.steps.append("Firewall")  # the bwrap backend has no host firewall yet
        node.save()
    if "Stop" in us.steps:
        say("start", "starting the upgraded node (runs init)")
        await node.start()


async def _rollback(node: Node, cpus: CpuRegistry, reason: str, say: Progress) -> None:
    state = node.state
    us = state.upgrade_state
    say("rollback", f"rolling back: {reason}")
    if await node.machine_state() is not MachineState.SHUTOFF:
        await node.stop(True)
    for step in us.steps:
        if isinstance(step, CpuAssignmentStep) and isinstance(step.cpu_assignment, CpuAssignmentChange):
            change = step.cpu_assignment
            if change.acquired_cpus is not None:
                extra = state.assigned_cpus[change.acquired_cpus:]
                cpus.release(extra)
                state.assigned_cpus = state.assigned_cpus[: change.acquired_cpus]
            elif change.released_cpus:
                state.assigned_cpus = state.assigned_cpus + list(change.released_cpus)
    await node.machine.rollback_rootfs(node.spec())
    await node.create_machine()
    node.plugin = None
    was_running = "Stop" in us.steps
    state.upgrade_state = UpgradeState()
    node.save()
    if was_running:
        await node.start()

