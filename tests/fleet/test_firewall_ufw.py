"""Real ufw, inside a network namespace this test creates (never in the machine's own).

Topology: a bridge in the test's host namespace with 10.231.<n>.1/24, a veth from it into the
netns where the "node" has 10.231.<n>.2 and listens on three ports. ufw runs only through
``ip netns exec <ns> ufw``, and every ufw call runs in its own mount namespace where /etc/ufw
and /etc/default/ufw are private copies (ufw keeps its state there, shared across netns), so
the machine's ufw configuration is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bv_core.errors import ExternalError
from bv_core.models import Direction, FirewallAction, FirewallConfig, FirewallRule, NetProtocol
from bv_daemon.firewall import Ufw, apply_node_rules, remove_node_rules, ufw_rules

pytestmark = [pytest.mark.root, pytest.mark.slow]

# in a fresh mount namespace: private /etc/ufw + /etc/default/ufw, then ufw inside the netns
_WRAPPER = ('mount --bind "$0/etc-ufw" /etc/ufw && mount --bind "$0/default-ufw" /etc/default/ufw'
            ' && ns="$1" && shift && exec ip netns exec "$ns" ufw "$@"')


def _sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=30)


def _ensure_ufw() -> None:
    if shutil.which("ufw"):
        return
    # scripts/setup.sh should install it; keep the test self-sufficient on a fresh machine
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "ufw"], check=True, capture_output=True,
                   env=env, timeout=300)


@dataclass
class NetnsHost:
    ns: str
    bridge: str
    node_ip: str
    state: Path

    @property
    def ufw(self) -> Ufw:
        return Ufw(["unshare", "--mount", "--propagation", "private", "sh", "-c", _WRAPPER,
                    str(self.state), self.ns])


@pytest.fixture
def netns(tmp_path: Path) -> Iterator[NetnsHost]:
    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces")
    _ensure_ufw()
    tag = uuid.uuid4().hex[:6]
    octet = int(tag[:2], 16)
    ns, bridge, veth = f"bvfw{tag}", f"bvfb{tag}", f"bvfv{tag}"
    state = tmp_path / "ufw-state"
    (state / "etc-ufw").mkdir(parents=True)
    _sh("cp", "-a", "/etc/ufw/.", str(state / "etc-ufw"))
    default = Path("/etc/default/ufw").read_text()
    # IPv4 only and no sysctl changes: nothing outside the netns may be affected
    default = "\n".join(line for line in default.splitlines()
                        if not line.startswith(("IPV6=", "IPT_SYSCTL=")))
    (state / "default-ufw").write_text(default + "\nIPV6=no\nIPT_SYSCTL=/dev/null\n")
    host = NetnsHost(ns, bridge, f"10.231.{octet}.2", state)
    try:
        _sh("ip", "netns", "add", ns)
        _sh("ip", "link", "add", bridge, "type", "bridge")
        _sh("ip", "addr", "add", f"10.231.{octet}.1/24", "dev", bridge)
        _sh("ip", "link", "set", bridge, "up")
        _sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
        _sh("ip", "link", "set", veth, "master", bridge, "up")
        _sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{host.node_ip}/24", "dev", "eth0")
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        yield host
    finally:
        subprocess.run([*host.ufw.command, "--force", "disable"], capture_output=True, timeout=30)
        _sh("ip", "link", "del", veth, check=False)
        _sh("ip", "link", "del", bridge, check=False)
        _sh("ip", "netns", "del", ns, check=False)


_SERVER = """
import socket, sys, selectors
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16); sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        conn, _ = key.fileobj.accept(); conn.sendall(b"hi"); conn.close()
"""


@pytest.fixture
def servers(netns: NetnsHost) -> Iterator[tuple[int, int, int]]:
    ports = (18101, 18102, 18103)
    proc = subprocess.Popen(["ip", "netns", "exec", netns.ns, sys.executable, "-c", _SERVER,
                             *map(str, ports)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield ports
    proc.kill()
    proc.wait()


def _connect(ip: str, port: int, timeout: float = 1.0) -> str:
    """'open', 'refused' or 'timeout' for a TCP connect from the host namespace."""
    try:
        with socket.create_connection((ip, port), timeout=timeout) as s:
            return "open" if s.recv(2) == b"hi" else "open-no-data"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"


async def test_rules_applied_in_netns_allow_block_and_remove(
        netns: NetnsHost, servers: tuple[int, int, int]) -> None:
    allowed, rejected, other = servers
    ufw = netns.ufw
    node_id = str(uuid.uuid4())
    await ufw.run(["--force", "enable"])
    assert {_connect(netns.node_ip, p, 0.5) for p in servers} == {"timeout"}  # ufw default deny

    config = FirewallConfig(
        default_in=FirewallAction.DENY, default_out=FirewallAction.ALLOW,
        rules=[FirewallRule(name="rpc", action=FirewallAction.ALLOW, direction=Direction.IN,
                            protocol=NetProtocol.TCP, ips=["10.231.0.0/16"], ports=[allowed]),
               FirewallRule(name="metrics", action=FirewallAction.REJECT, direction=Direction.IN,
                            protocol=NetProtocol.TCP, ports=[rejected])])
    await apply_node_rules(ufw, node_id, netns.node_ip, config, bridge=None)
    assert _connect(netns.node_ip, allowed) == "open"
    assert _connect(netns.node_ip, rejected) == "refused"
    started = time.monotonic()
    assert _connect(netns.node_ip, other) == "timeout"  # default_in deny drops silently
    assert time.monotonic() - started >= 0.9

    status = await ufw.run(["status", "numbered"])
    assert status.count(node_id) == 4  # 2 rules + 2 defaults, found by the node id comment

    # re-applying replaces, not duplicates
    await apply_node_rules(ufw, node_id, netns.node_ip, config, bridge=None)
    assert (await ufw.run(["status", "numbered"])).count(node_id) == 4

    # a rule ufw refuses fails the dry run: the live rules stay as they were
    bad = FirewallConfig(rules=[FirewallRule(name="zero", action=FirewallAction.ALLOW,
                                             direction=Direction.IN, protocol=NetProtocol.TCP,
                                             ports=[0])])
    with pytest.raises(ExternalError, match="ufw --dry-run"):
        await apply_node_rules(ufw, node_id, netns.node_ip, bad, bridge=None)
    assert (await ufw.run(["status", "numbered"])).count(node_id) == 4
    assert _connect(netns.node_ip, allowed) == "open"

    # the bridge (route) form is accepted by real ufw too
    routed = ufw_rules(node_id, netns.node_ip, config, bridge=netns.bridge)
    for rule in (routed[0], routed[-1]):  # a rule and a default; each ufw call costs ~1 s
        await ufw.run(["--dry-run", *rule])

    # delete: every rule of the node goes, another node's rule stays
    other_id = str(uuid.uuid4())
    other_ip = netns.node_ip.rsplit(".", 1)[0] + ".3"
    await apply_node_rules(ufw, other_id, other_ip, FirewallConfig(), bridge=None)
    assert await remove_node_rules(ufw, node_id) == 4
    status = await ufw.run(["status", "numbered"])
    assert node_id not in status and status.count(other_id) == 2
    assert _connect(netns.node_ip, allowed, 0.5) == "timeout"


def test_machine_ufw_state_untouched() -> None:
    # guards the guard: the wrapper must never leave ufw enabled in the machine's own config
    conf = Path("/etc/ufw/ufw.conf")
    if conf.exists():
        assert "ENABLED=yes" not in conf.read_text()
