"""Golden vectors: FirewallConfig -> ufw argument lists, for every rule shape."""

from __future__ import annotations

import pytest

from bv_core.errors import InvalidInput
from bv_core.models import Direction, FirewallAction, FirewallConfig, FirewallRule, NetProtocol
from bv_daemon.firewall import MAX_RULES, check_rule_count, ufw_rules

NODE = "4d2c1f0e-0000-4000-8000-000000000001"
IP = "10.20.0.5"
A, D, R = FirewallAction.ALLOW, FirewallAction.DENY, FirewallAction.REJECT
IN, OUT = Direction.IN, Direction.OUT


def rule(name: str, action: FirewallAction, direction: Direction, protocol: NetProtocol | None,
         ips: list[str] | None = None, ports: list[int] | None = None) -> FirewallRule:
    return FirewallRule(name=name, action=action, direction=direction, protocol=protocol,
                        ips=ips or [], ports=ports or [])


def defaults(bridge: str | None, din: str = "reject", dout: str = "allow") -> list[list[str]]:
    head = ["route"] if bridge else []
    on = ["on", bridge] if bridge else []
    return [
        [*head, din, "in", *on, "from", "any", "to", IP, "comment", f"{NODE} default in"],
        [*head, dout, "out", *on, "from", IP, "to", "any", "comment", f"{NODE} default out"],
    ]


CASES: list[tuple[str, list[FirewallRule], list[list[str]]]] = [
    ("inbound tcp, one port, any ip", [rule("p2p", A, IN, NetProtocol.TCP, ports=[30303])],
     [["allow", "in", "from", "any", "to", IP, "port", "30303", "proto", "tcp",
       "comment", f"{NODE} p2p"]]),
    ("inbound udp", [rule("disc", A, IN, NetProtocol.UDP, ports=[30304])],
     [["allow", "in", "from", "any", "to", IP, "port", "30304", "proto", "udp",
       "comment", f"{NODE} disc"]]),
    ("protocol both -> no proto", [rule("b", A, IN, NetProtocol.BOTH, ports=[9000])],
     [["allow", "in", "from", "any", "to", IP, "port", "9000", "comment", f"{NODE} b"]]),
    ("protocol unset -> no proto", [rule("n", D, IN, None, ports=[22])],
     [["deny", "in", "from", "any", "to", IP, "port", "22", "comment", f"{NODE} n"]]),
    ("no ports, one ip", [rule("trusted", A, IN, None, ips=["192.168.1.0/24"])],
     [["allow", "in", "from", "192.168.1.0/24", "to", IP, "comment", f"{NODE} trusted"]]),
    ("outbound reject to ip and port",
     [rule("smtp", R, OUT, NetProtocol.TCP, ips=["1.2.3.4"], ports=[25])],
     [["reject", "out", "from", IP, "to", "1.2.3.4", "port", "25", "proto", "tcp",
       "comment", f"{NODE} smtp"]]),
    ("outbound deny anything", [rule("quiet", D, OUT, None)],
     [["deny", "out", "from", IP, "to", "any", "comment", f"{NODE} quiet"]]),
    ("ips x ports expand ip-major",
     [rule("rpc", A, IN, NetProtocol.TCP, ips=["10.0.0.0/8", "172.16.0.1"], ports=[8545, 8546])],
     [["allow", "in", "from", "10.0.0.0/8", "to", IP, "port", "8545", "proto", "tcp",
       "comment", f"{NODE} rpc"],
      ["allow", "in", "from", "10.0.0.0/8", "to", IP, "port", "8546", "proto", "tcp",
       "comment", f"{NODE} rpc"],
      ["allow", "in", "from", "172.16.0.1", "to", IP, "port", "8545", "proto", "tcp",
       "comment", f"{NODE} rpc"],
      ["allow", "in", "from", "172.16.0.1", "to", IP, "port", "8546", "proto", "tcp",
       "comment", f"{NODE} rpc"]]),
    ("rules applied in reverse order",
     [rule("first", A, IN, NetProtocol.TCP, ports=[1]), rule("second", D, IN, NetProtocol.TCP, ports=[2])],
     [["deny", "in", "from", "any", "to", IP, "port", "2", "proto", "tcp", "comment", f"{NODE} second"],
      ["allow", "in", "from", "any", "to", IP, "port", "1", "proto", "tcp", "comment", f"{NODE} first"]]),
    ("unsafe comment characters are replaced",
     [rule("it's \"x\";$(rm)", A, IN, NetProtocol.TCP, ports=[5])],
     [["allow", "in", "from", "any", "to", IP, "port", "5", "proto", "tcp",
       "comment", f"{NODE} it_s _x____rm_"]]),
]


@pytest.mark.parametrize(("name", "rules", "expected"), CASES, ids=[c[0] for c in CASES])
def test_host_network_vectors(name: str, rules: list[FirewallRule],
                              expected: list[list[str]]) -> None:
    config = FirewallConfig(rules=rules)
    assert ufw_rules(NODE, IP, config, bridge=None) == [*expected, *defaults(None)]


@pytest.mark.parametrize(("name", "rules", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bridge_vectors(name: str, rules: list[FirewallRule], expected: list[list[str]]) -> None:
    config = FirewallConfig(rules=rules)
    routed = [["route", r[0], r[1], "on", "bvbr0", *r[2:]] for r in expected]
    assert ufw_rules(NODE, IP, config, bridge="bvbr0") == [*routed, *defaults("bvbr0")]


def test_default_policies() -> None:
    config = FirewallConfig(default_in=A, default_out=D)
    assert ufw_rules(NODE, IP, config, bridge=None) == defaults(None, "allow", "deny")


def test_rule_count_limit() -> None:
    ok = FirewallConfig(rules=[rule("r", A, IN, NetProtocol.TCP, ports=list(range(1, MAX_RULES + 1)))])
    check_rule_count(ok)
    assert len(ufw_rules(NODE, IP, ok, bridge=None)) == MAX_RULES + 2
    too_many = FirewallConfig(rules=[rule("r", A, IN, NetProtocol.TCP, ips=["1.1.1.1", "2.2.2.2"],
                                          ports=list(range(1, 65)) + [65])])
    with pytest.raises(InvalidInput, match="expands to 130 ufw rules.*at most 128"):
        ufw_rules(NODE, IP, too_many, bridge=None)


def test_ip_family_mismatch_is_refused_by_name() -> None:
    config = FirewallConfig(rules=[rule("v6", A, IN, None, ips=["fd00::/8"])])
    with pytest.raises(InvalidInput, match="'v6': fd00::/8 is IPv6 but the node IP 10.20.0.5 is IPv4"):
        ufw_rules(NODE, IP, config, bridge=None)


def test_bad_node_ip() -> None:
    with pytest.raises(InvalidInput, match="got 'nope'"):
        ufw_rules(NODE, "nope", FirewallConfig(), bridge=None)
