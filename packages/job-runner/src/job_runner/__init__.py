"""The babel job runner: runs ONE job (a supervised ``run_sh`` process; archive jobs later).

Public surface:
    main(argv)                 the ``babel_job_runner`` entry point
    RunShSupervisor            the tick-driven run_sh state machine (ProcessControl injected)
    Backoff                    restart decisions of a RestartConfig
    RunState                   the supervisor's states
    JobKind, kind_for          the seam for download/upload job kinds
"""

from __future__ import annotations

import os

# grpc's fork handlers can crash a forked child (seen: `sh -c` dying of SIGSEGV) while gRPC
# threads run; the job runner forks the job's process and never uses gRPC in the child, so the handlers are turned off
# before grpc is first imported (as blockvisord does).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from ._backoff import Backoff as Backoff
from ._backoff import GiveUp as GiveUp
from ._backoff import RestartAfter as RestartAfter
from ._kinds import JobContext as JobContext
from ._kinds import JobKind as JobKind
from ._kinds import kind_for as kind_for
from ._main import main as main
from ._states import RunState as RunState
from ._supervisor import RunShSupervisor as RunShSupervisor

__all__ = ["Backoff", "GiveUp", "JobContext", "JobKind", "RestartAfter", "RunShSupervisor", "RunState", "kind_for", "main"]
