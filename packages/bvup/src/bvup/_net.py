"""Host network facts for the config (bv-host.md §3.4, §5): discovery, overrides, the node IP pool."""

from __future__ import annotations

import ipaddress
import json
import subprocess

from bv_core.errors import ExternalError, InvalidInput

__all__ = ["Discovered", "bridge_exists", "create_bridge", "discover", "enable_forwarding", "parse_ips"]


class Discovered:
    def __init__(self, gateway: str | None = None, host_ip: str | None = None, prefix: int | None = None,
                 available: list[str] | None = None) -> None:
        self.gateway = gateway
        self.host_ip = host_ip
        self.prefix = prefix
        self.available = available or []


def _routes() -> list[dict[str, object]]:
    try:
        out = subprocess.run(["ip", "--json", "route"], capture_output=True, text=True, timeout=10,
                             check=True).stdout
        routes = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    return [r for r in routes if isinstance(r, dict)]


def discover(iface: str | None) -> Discovered:
    """Gateway of the default route; host IP, prefix and pool of ``iface``'s kernel route that
    contains the gateway (``iface`` None: the default route's device). Errors -> nothing found."""
    routes = _routes()
    default = next((r for r in routes if r.get("dst") == "default"), None)
    if default is None or not isinstance(default.get("gateway"), str):
        return Discovered()
    gateway = str(default["gateway"])
    dev = iface or str(default.get("dev", ""))
    for r in routes:
        if r.get("dev") != dev or r.get("protocol") != "kernel" or "prefsrc" not in r:
            continue
        try:
            net = ipaddress.ip_network(str(r.get("dst")), strict=False)
            gw = ipaddress.ip_address(gateway)
        except ValueError:
            continue
        if gw not in net:
            continue
        host_ip = str(r["prefsrc"])
        hosts = net.hosts() if net.prefixlen <= 30 else iter(net)
        pool = [str(ip) for ip in hosts if str(ip) not in (host_ip, gateway)]
        return Discovered(gateway, host_ip, net.prefixlen, pool[:4096])
    return Discovered(gateway=gateway)


def parse_ips(text: str) -> list[str]:
    """``--available-ips``: comma list of IPs, ``a-b`` ranges and CIDRs (host addresses)."""
    out: list[str] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            if "/" in item:
                out += [str(ip) for ip in ipaddress.ip_network(item, strict=False).hosts()]
            elif "-" in item:
                a, b = (ipaddress.ip_address(p.strip()) for p in item.split("-", 1))
                if int(b) < int(a) or int(b) - int(a) > 65536:
                    raise ValueError("bad range")
                out += [str(ipaddress.ip_address(i)) for i in range(int(a), int(b) + 1)]
            else:
                out.append(str(ipaddress.ip_address(item)))
        except ValueError:
            raise InvalidInput(f"--available-ips: {item!r} is not an IP, a-b range or CIDR") from None
    return out


def bridge_exists(name: str) -> bool:
    res = subprocess.run(["ip", "link", "show", name], capture_output=True, timeout=10, check=False)
    return res.returncode == 0


def create_bridge(name: str, address: str | None) -> None:
    """``ip link add <name> type bridge``, up, and ``address`` (``ip/prefix``) when given."""
    cmds = [["ip", "link", "add", "name", name, "type", "bridge"], ["ip", "link", "set", name, "up"]]
    if address:
        cmds.append(["ip", "addr", "add", address, "dev", name])
    for cmd in cmds:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
        if res.returncode != 0:
            raise ExternalError(f"`{' '.join(cmd)}` failed: {res.stderr.strip()}")


def enable_forwarding() -> None:
    try:
        with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
            f.write("1\n")
    except OSError as err:
        raise ExternalError(f"cannot enable IPv4 forwarding: {err}") from None
