"""Where BlockVisor keeps things on a host (README "Important paths").

Every path hangs off ``BV_ROOT`` (default ``/``), so tests and sandboxes can relocate a whole
host into a temporary directory, as the original allowed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HostPaths", "NodePaths"]


@dataclass(frozen=True)
class NodePaths:
    """Files of one node under ``nodes/<id>/``."""

    dir: Path

    @property
    def state(self) -> Path:
        return self.dir / "state.json"

    @property
    def plugin_data(self) -> Path:
        return self.dir / "plugin.data"

    @property
    def plugin_config(self) -> Path:
        return self.dir / "plugin_config.json"

    @property
    def rootfs(self) -> Path:
        return self.dir / "rootfs"

    @property
    def rootfs_backup(self) -> Path:
        return self.dir / "rootfs_backup"

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def babel_socket(self) -> Path:
        return self.rootfs / "babel.socket"

    @property
    def engine_socket(self) -> Path:
        return self.rootfs / "engine.socket"

    @property
    def plugin_dir(self) -> Path:
        return self.rootfs / "var/lib/babel/plugin"

    @property
    def node_env(self) -> Path:
        return self.rootfs / "var/lib/babel/node_env"

    @property
    def jobs_dir(self) -> Path:
        return self.rootfs / "var/lib/babel/jobs"

    @property
    def protocol_data_lock(self) -> Path:
        return self.data / ".protocol_data.lock"


@dataclass(frozen=True)
class HostPaths:
    """Host-wide paths; ``root`` is ``BV_ROOT``."""

    root: Path

    @classmethod
    def from_env(cls) -> HostPaths:
        return cls(Path(os.environ.get("BV_ROOT", "/")))

    @property
    def config(self) -> Path:
        return self.root / "etc/blockvisor.json"

    @property
    def var(self) -> Path:
        return self.root / "var/lib/blockvisor"

    @property
    def nodes(self) -> Path:
        return self.var / "nodes"

    @property
    def nodes_state(self) -> Path:
        return self.nodes / "state.json"

    @property
    def images(self) -> Path:
        return self.var / "images"

    @property
    def commands_cache(self) -> Path:
        return self.var / "commands_cache.pb"

    @property
    def socket(self) -> Path:
        """The daemon's local API: a root-only Unix socket, never a TCP port."""
        return self.var / "blockvisor.sock"

    @property
    def install(self) -> Path:
        return self.root / "opt/blockvisor"

    @property
    def blacklist(self) -> Path:
        return self.install / "blacklist"

    def node(self, node_id: str) -> NodePaths:
        return NodePaths(self.nodes / node_id)
