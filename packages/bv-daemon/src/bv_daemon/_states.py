"""Node statuses and the rules that derive them. Stdlib only: imported everywhere, cycles impossible.

``expected`` is what the operator asked for and is persisted; the *actual* status is computed
from the machine and babel each time it is asked (bv-host.md §2.2), never stored.
"""

from __future__ import annotations

import enum

__all__ = ["MachineState", "NodeStatus", "actual_status"]


class NodeStatus(enum.Enum):
    RUNNING = "Running"
    STOPPED = "Stopped"
    BUSY = "Busy"  # a long operation holds the node; shown from the cached state
    FAILED = "Failed"  # as *expected* status: permanently failed, recovery gave up


class MachineState(enum.Enum):
    SHUTOFF = "shutoff"  # container not running
    RUNNING = "running"  # container and babel alive
    INVALID = "invalid"  # container alive, babel dead


def actual_status(
    machine: MachineState, expected: NodeStatus, *, babel_ok: bool, initialized: bool
) -> NodeStatus:
    """The status a node reports, from what runs and what was asked."""
    if machine is MachineState.SHUTOFF:
        seen = NodeStatus.STOPPED
    elif machine is MachineState.RUNNING:
        seen = NodeStatus.RUNNING
    else:
        return NodeStatus.FAILED
    if seen is not expected:
        return NodeStatus.FAILED
    if seen is NodeStatus.RUNNING and not (babel_ok and initialized):
        return NodeStatus.FAILED
    return seen
