"""States of one supervised run_sh job (stdlib only: imported by logic and tests alike)."""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["ALLOWED", "DONE_STATES", "RunState"]


class RunState(enum.Enum):
    IDLE = "idle"          # created, nothing spawned yet
    RUNNING = "running"    # the job's process group is alive
    BACKOFF = "backoff"    # the process ended; waiting for the next restart
    STOPPING = "stopping"  # stop requested: shutdown signal sent, SIGKILL at the deadline
    FINISHED = "finished"  # ended by itself and the policy gave up: final status written
    STOPPED = "stopped"    # ended on request: babel records the status


DONE_STATES: Final = frozenset({RunState.FINISHED, RunState.STOPPED})

# Every legal edge; RunShSupervisor._change_state checks against this table.
ALLOWED: Final[dict[RunState, frozenset[RunState]]] = {
    RunState.IDLE: frozenset({RunState.RUNNING, RunState.BACKOFF, RunState.FINISHED, RunState.STOPPED}),
    RunState.RUNNING: frozenset({RunState.RUNNING, RunState.BACKOFF, RunState.STOPPING, RunState.FINISHED}),
    RunState.BACKOFF: frozenset({RunState.RUNNING, RunState.BACKOFF, RunState.FINISHED, RunState.STOPPED}),
    RunState.STOPPING: frozenset({RunState.STOPPED}),
    RunState.FINISHED: frozenset(),
    RunState.STOPPED: frozenset(),
}
