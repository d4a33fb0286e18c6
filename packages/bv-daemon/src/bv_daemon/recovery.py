"""The recovery loop (bv-host.md §2.13, bv-host-2.16.md §3.5): every ``interval`` seconds,
bring each Failed node back to its expected status, within the budgets of `recovery_backoff`.

For a node expected Running:
  * machine stopped, or not initialized      -> start recovery   (START budget)
  * machine dead/half alive (babel or container died) -> vm recovery: start() recovers the
    machine and re-sets babel up                                   (VM budget, then restart)
  * machine running but babel unreachable     -> reconnect         (RECONNECT budget, then restart)
  * restart recovery: restart(force)                                (STOP budget)
For a node expected Stopped that still runs: stop(force)           (STOP budget)
An exhausted START or STOP budget marks the node Failed for good (``expected_status = Failed``)
with the reason kept for ``bv node info``. Busy nodes (lock held) are skipped this round.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bv_core.errors import BvError
from bv_core.models import VmStatus
from bv_daemon._states import MachineState, NodeStatus
from bv_daemon.node import Node
from bv_daemon.nodes_manager import NodesManager
from bv_daemon.recovery_backoff import RecoveryKind

__all__ = ["DEFAULT_INTERVAL", "recover_node", "recovery_loop"]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15.0


async def recovery_loop(manager: NodesManager, interval: float = DEFAULT_INTERVAL) -> None:
    while True:
        await asyncio.sleep(interval)
        for node in list(manager.nodes.values()):
            if node.lock.locked() or node.id not in manager.nodes:
                continue
            try:
                await recover_node(node, time.monotonic())
            except Exception:  # one node's bug must not stop recovery of the others
                log.exception("node %s: recovery crashed", node.state.name)


async def recover_node(node: Node, now: float) -> None:
    """One recovery pass over ``node``; a no-op unless it is Failed and may still be recovered."""
    if node.state.expected_status is VmStatus.FAILED or not node.backoff.due(now):
        return
    if await node.computed_status() is not NodeStatus.FAILED:
        return
    async with node.lock:
        if node.state.expected_status is VmStatus.RUNNING:
            await _recover_running(node, now)
        else:
            await _attempt(node, now, RecoveryKind.STOP, "stop", node.stop(True))


async def _recover_running(node: Node, now: float) -> None:
    ms = await node.machine_state()
    if ms is MachineState.SHUTOFF or not node.state.initialized:
        await _attempt(node, now, RecoveryKind.START, "start", node.start())
    elif ms is MachineState.INVALID:
        if not await _attempt(node, now, RecoveryKind.VM, "machine recovery", node.start(), give_up=False):
            if node.backoff.failures.get(RecoveryKind.VM, 0) >= 3:
                await _restart(node, now)
    else:
        if not await _attempt(node, now, RecoveryKind.RECONNECT, "reconnect", node.start(), give_up=False):
            if node.backoff.failures.get(RecoveryKind.RECONNECT, 0) >= 3:
                await _restart(node, now)


async def _restart(node: Node, now: float) -> None:
    await _attempt(node, now, RecoveryKind.STOP, "restart", node.restart(True))


async def _attempt(node: Node, now: float, kind: RecoveryKind, what: str, action: object,
                   *, give_up: bool = True) -> bool:
    log.warning("node %s: %s recovery (%s)", node.state.name, what, await node.failure_reason() or "failed")
    try:
        await action  # type: ignore[misc]
    except BvError as err:
        node.failure = f"{what} recovery failed: {err}"
        exhausted = node.backoff.failed(kind, now)
        log.warning("node %s: %s", node.state.name, node.failure)
        if exhausted and give_up:
            node.state.expected_status = VmStatus.FAILED
            node.failure = f"retries count exceeded, marked as failed: {node.failure}"
            node.save()
            log.error("node %s: %s", node.state.name, node.failure)
        return False
    node.backoff.succeeded()
    log.info("node %s: recovered (%s)", node.state.name, what)
    return True
