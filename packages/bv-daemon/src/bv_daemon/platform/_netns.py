"""Node networking with iproute2: a host bridge, a netns per node, a veth pair between them.

Layout for node N (short id S = 8 hex chars derived from the node id):

    host:  bridge <bridge> (gateway/prefix) ── veth `vb-S` (master <bridge>)
    netns `bv-S`:  `eth0` (ip/prefix, default via gateway), `lo` up

The `ip` binary is used rather than pyroute2 to keep the daemon's dependencies small; every call
here is idempotent, so a half-built network from a crash is completed or rebuilt on the next call.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from bv_daemon.platform._proc import run
from bv_daemon.platform.base import MachineSpec

__all__ = [
    "delete_bridge",
    "delete_network",
    "ensure_bridge",
    "ensure_network",
    "host_veth",
    "netns_name",
    "netns_path",
    "short_id",
]

NETNS_DIR = Path("/run/netns")


def short_id(node_id: str) -> str:
    """8 hex chars: the UUID's first 8 (recognisable in `ip link`), else a hash of the id."""
    try:
        return uuid.UUID(node_id).hex[:8]
    except ValueError:
        return hashlib.sha256(node_id.encode()).hexdigest()[:8]


def netns_name(node_id: str) -> str:
    return f"bv-{short_id(node_id)}"


def netns_path(node_id: str) -> Path:
    return NETNS_DIR / netns_name(node_id)


def host_veth(node_id: str) -> str:
    return f"vb-{short_id(node_id)}"


async def _link_exists(name: str, netns: str | None = None) -> bool:
    argv = ["ip", *(["-n", netns] if netns else []), "link", "show", "dev", name]
    return (await run(argv, what="ip link show", check=False)).exit_code == 0


async def ensure_bridge(bridge: str, gateway: str, prefix: int) -> None:
    """Creates the bridge with the gateway address if missing; adds the address if absent."""
    what = f"bridge {bridge}"
    if not await _link_exists(bridge):
        res = await run(["ip", "link", "add", bridge, "type", "bridge"], what=what, check=False)
        # Another node's start may have created it meanwhile.
        if res.exit_code != 0 and not await _link_exists(bridge):
            await run(["ip", "link", "add", bridge, "type", "bridge"], what=what)
    addrs = (
        await run(["ip", "-4", "-o", "addr", "show", "dev", bridge], what=what)
    ).stdout.decode()
    if f" {gateway}/" not in addrs:
        await run(["ip", "addr", "replace", f"{gateway}/{prefix}", "dev", bridge], what=what)
    await run(["ip", "link", "set", bridge, "up"], what=what)


async def delete_bridge(bridge: str) -> None:
    if await _link_exists(bridge):
        await run(["ip", "link", "del", bridge], what=f"delete bridge {bridge}", check=False)


async def _network_ready(spec: MachineSpec, ns: str) -> bool:
    if not netns_path(spec.node_id).exists() or not await _link_exists(host_veth(spec.node_id)):
        return False
    res = await run(
        ["ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"], what="ip addr", check=False
    )
    return res.exit_code == 0 and f" {spec.ip}/{spec.prefix} " in res.stdout.decode()


async def ensure_network(spec: MachineSpec) -> None:
    """Bridge + netns + veth + addresses + routes for the node; rebuilt if found incomplete."""
    what = f"node {spec.name}: network"
    ns, hveth = netns_name(spec.node_id), host_veth(spec.node_id)
    await ensure_bridge(spec.bridge, spec.gateway, spec.prefix)
    if await _network_ready(spec, ns):
        # The bridge may have been re-created (host reboot) - re-enslave the veth to be sure.
        await run(["ip", "link", "set", hveth, "master", spec.bridge, "up"], what=what)
        return
    await delete_network(spec.node_id)
    peer = f"vn-{short_id(spec.node_id)}"
    await run(["ip", "netns", "add", ns], what=what)
    await run(["ip", "link", "add", hveth, "type", "veth", "peer", "name", peer], what=what)
    await run(["ip", "link", "set", peer, "netns", ns], what=what)
    await run(["ip", "-n", ns, "link", "set", peer, "name", "eth0"], what=what)
    await run(["ip", "-n", ns, "addr", "add", f"{spec.ip}/{spec.prefix}", "dev", "eth0"], what=what)
    await run(["ip", "-n", ns, "link", "set", "lo", "up"], what=what)
    await run(["ip", "-n", ns, "link", "set", "eth0", "up"], what=what)
    await run(["ip", "-n", ns, "route", "replace", "default", "via", spec.gateway], what=what)
    await run(["ip", "link", "set", hveth, "master", spec.bridge, "up"], what=what)


async def delete_network(node_id: str) -> None:
    """Removes the node's veth and netns; absent parts are fine."""
    hveth = host_veth(node_id)
    if await _link_exists(hveth):
        await run(["ip", "link", "del", hveth], what=f"delete veth {hveth}", check=False)
    if netns_path(node_id).exists():
        # Deleting the netns also destroys the peer end inside it.
        await run(["ip", "netns", "del", netns_name(node_id)], what="delete netns", check=False)
