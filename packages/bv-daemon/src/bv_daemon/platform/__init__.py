"""Platform backends: run a node's container (rootfs, namespaces, network, limits, babel).

`base` holds the interface (`Platform`, `Machine`, `MachineSpec`, states, errors); `bwrap` runs
real nodes with bubblewrap; `apptainer` drives the `apptainer` CLI like the original BlockVisor.
"""

from __future__ import annotations

from bv_daemon.platform.base import (
    ExecResult as ExecResult,
)
from bv_daemon.platform.base import (
    InvalidSpec as InvalidSpec,
)
from bv_daemon.platform.base import (
    Machine as Machine,
)
from bv_daemon.platform.base import (
    MachineNotFound as MachineNotFound,
)
from bv_daemon.platform.base import (
    MachineSpec as MachineSpec,
)
from bv_daemon.platform.base import (
    MachineState as MachineState,
)
from bv_daemon.platform.base import (
    MachineStateError as MachineStateError,
)
from bv_daemon.platform.base import (
    MachineStatus as MachineStatus,
)
from bv_daemon.platform.base import (
    Platform as Platform,
)
from bv_daemon.platform.base import (
    PlatformError as PlatformError,
)

__all__ = [
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
    "make_platform",
]


def make_platform(name: str) -> Platform:
    """The backend called `name` ("bwrap" or "apptainer") with default settings."""
    if name == "bwrap":
        from bv_daemon.platform.bwrap import BwrapPlatform

        return BwrapPlatform()
    if name == "apptainer":
        from bv_daemon.platform.apptainer import ApptainerPlatform

        return ApptainerPlatform()
    raise InvalidSpec(f"unknown platform {name!r} (want bwrap or apptainer)")
