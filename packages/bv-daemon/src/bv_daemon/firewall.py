"""Per-node firewall through ufw (bv-host.md §6.1; the original's ``firewall.rs``/``ufw_wrapper.rs``).

A node's ``FirewallConfig`` becomes a list of ufw argument lists:

* rules are taken in **reverse** order (ufw matches first-added first, the original added the
  last rule first, and images are written for that); each rule expands to one ufw rule per
  (ip or ``any``) x (port or none). Inbound rules read ``from <ip> to <node_ip>``, outbound
  ``from <node_ip> to <ip>``; protocol ``both`` (or unset) adds no ``proto``.
* then the two defaults: ``<default_in> in from any to <node_ip>`` and
  ``<default_out> out from <node_ip> to any``.
* every rule carries ``comment "<node_id> <rule name>"`` (defaults: ``default in``/``default out``);
  the node id in the comment is how ``remove_node_rules`` finds them again.
* with a bridge (the normal case) rules are ``route`` rules ``on <bridge>`` (nodes' traffic is
  forwarded through the host's bridge); with host networking (``bridge=None``) they are plain
  input/output rules.

``apply_node_rules`` dry-runs every rule first (``ufw --dry-run ...``) so a bad rule aborts before
live rules change, then removes the node's old rules and adds the new ones. At most
``MAX_RULES`` generated rules per node. ufw itself must be installed and enabled by the
operator, as in the original.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Sequence

from bv_core.errors import ExternalError, InvalidInput
from bv_core.models import Direction, FirewallConfig, NetProtocol

__all__ = [
    "MAX_RULES",
    "Ufw",
    "apply_node_rules",
    "check_rule_count",
    "remove_node_rules",
    "ufw_rules",
]

MAX_RULES = 128  # generated (expanded) rules per node, defaults not counted
_COMMENT_UNSAFE = re.compile(r"[^A-Za-z0-9 ._:/@+=-]")
_NUMBERED = re.compile(r"^\[\s*(\d+)\]")


def _expanded_count(config: FirewallConfig) -> int:
    return sum(max(1, len(r.ips)) * max(1, len(r.ports)) for r in config.rules)


def check_rule_count(config: FirewallConfig) -> None:
    """InvalidInput when the config expands to more than MAX_RULES ufw rules."""
    count = _expanded_count(config)
    if count > MAX_RULES:
        raise InvalidInput(f"firewall config expands to {count} ufw rules (ips x ports per rule); "
                           f"at most {MAX_RULES} are allowed")


def _comment(node_id: str, name: str) -> str:
    # ufw stores comments in its rules files; keep them to characters it round-trips
    return _COMMENT_UNSAFE.sub("_", f"{node_id} {name}")


def _same_family(ip: str, node_ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
                 rule: str) -> None:
    net = ipaddress.ip_network(ip, strict=False)
    if net.version != node_ip.version:
        raise InvalidInput(f"firewall rule {rule!r}: {ip} is IPv{net.version} but the node IP "
                           f"{node_ip} is IPv{node_ip.version}")


def ufw_rules(node_id: str, node_ip: str, config: FirewallConfig, *,
              bridge: str | None) -> list[list[str]]:
    """The ufw argument lists (without the leading ``ufw``) for one node, in apply order."""
    check_rule_count(config)
    try:
        ip = ipaddress.ip_address(node_ip)
    except ValueError:
        raise InvalidInput(f"node {node_id}: expected an IP address, got {node_ip!r}") from None
    head = ["route"] if bridge is not None else []
    on = ["on", bridge] if bridge is not None else []
    rules: list[list[str]] = []
    for rule in reversed(config.rules):
        sources = rule.ips or ["any"]
        for peer in sources:
            if peer != "any":
                _same_family(peer, ip, rule.name)
            ends = (["from", peer, "to", node_ip] if rule.direction is Direction.IN
                    else ["from", node_ip, "to", peer])
            proto = ([] if rule.protocol in (None, NetProtocol.BOTH)
                     else ["proto", rule.protocol.value])
            ports: list[int | None] = list(rule.ports) or [None]
            for port in ports:
                rules.append([*head, rule.action.value, rule.direction.value, *on, *ends,
                              *(["port", str(port)] if port is not None else []), *proto,
                              "comment", _comment(node_id, rule.name)])
    rules.append([*head, config.default_in.value, "in", *on, "from", "any", "to", node_ip,
                  "comment", _comment(node_id, "default in")])
    rules.append([*head, config.default_out.value, "out", *on, "from", node_ip, "to", "any",
                  "comment", _comment(node_id, "default out")])
    return rules


class Ufw:
    """Runs ufw: ``command`` is the argv prefix (tests use ``ip netns exec <ns> ufw``)."""

    def __init__(self, command: Sequence[str] = ("ufw",), timeout: float = 30.0) -> None:
        self.command = list(command)
        self.timeout = timeout

    async def run(self, args: Sequence[str]) -> str:
        argv = [*self.command, *args]
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
        except OSError as exc:
            raise ExternalError(f"cannot run {argv[0]}: {exc.strerror or exc}") from exc
        try:
            async with asyncio.timeout(self.timeout):
                out, err = await proc.communicate()
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise ExternalError(f"ufw {' '.join(args)} did not finish in {self.timeout:.0f} s") from None
        if proc.returncode != 0:
            text = (err or out).decode(errors="replace").strip().splitlines()
            raise ExternalError(f"ufw {' '.join(args)} failed (exit {proc.returncode}): "
                                f"{text[-1] if text else 'no output'}")
        return out.decode(errors="replace")


async def remove_node_rules(ufw: Ufw, node_id: str) -> int:
    """Delete every rule whose comment holds ``node_id``; the number deleted.

    Numbers come from ``ufw status numbered`` and are deleted highest first, so the numbers
    still to delete stay valid. (With ufw inactive the status lists nothing, as the original.)
    """
    status = await ufw.run(["status", "numbered"])
    numbers = sorted((int(m.group(1)) for line in status.splitlines()
                      if node_id in line and (m := _NUMBERED.match(line.strip()))), reverse=True)
    for number in numbers:
        await ufw.run(["--force", "delete", str(number)])
    return len(numbers)


async def apply_node_rules(ufw: Ufw, node_id: str, node_ip: str, config: FirewallConfig, *,
                           bridge: str | None) -> None:
    """Replace the node's ufw rules with ``config``'s; nothing changes if any rule is bad."""
    rules = ufw_rules(node_id, node_ip, config, bridge=bridge)
    for rule in rules:
        await ufw.run(["--dry-run", *rule])
    await remove_node_rules(ufw, node_id)
    for rule in rules:
        await ufw.run(rule)
