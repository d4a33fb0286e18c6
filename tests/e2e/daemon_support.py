"""A real `blockvisord` process for tests: bundle, image store, private network, client.

Pieces (all used through the fixtures in ``tests/e2e/conftest.py``):

* ``build_bundle()``: the ``babel`` and ``babel_job_runner`` shiv zipapps (what the daemon copies
  into nodes), built once per source change into ``<repo>/.cache/bundle/<hash>/`` under a file
  lock (xdist workers share it). ~60 s the first time.
* ``build_image_store(bundle)``: the example image "demochain" 1.0.0 and 2.0.0 imported into
  ``<repo>/.cache/images/<hash>/`` (cached Debian rootfs hard-linked + ``images/example/rootfs``,
  babel pre-unpacked), shared read-only by every test daemon.
* ``Daemon``: one daemon with ``BV_ROOT`` in a temp dir, its own bridge and /24, the shared image
  store linked in, a 1 s recovery loop. ``start()``, ``sigterm()``, ``sigkill()``, ``restart()``,
  ``stub()`` (a ``BlockvisorServiceStub`` over the Unix socket) and ``cleanup()`` which removes
  every node (processes, netns, cgroups, mounts) and the bridge.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import ipaddress
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"
PY = sys.executable

__all__ = ["Daemon", "build_bundle", "build_image_store", "free_subnet"]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _tree_hash(*roots: Path) -> str:
    h = hashlib.sha256()
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()
                                                      and "__pycache__" not in p.parts)
        for f in files:
            h.update(str(f.relative_to(REPO)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_bundle() -> Path:
    """Directory holding the babel and babel_job_runner zipapps for the current sources."""
    pkgs = [REPO / "packages" / p for p in ("bv-core", "babel", "job-runner")]
    key = _tree_hash(*[p / "src" for p in pkgs], *[p / "pyproject.toml" for p in pkgs], REPO / "constraints.txt")
    dest = CACHE / "bundle" / key
    with _locked("bundle"):
        if (dest / "babel").exists() and (dest / "babel_job_runner").exists():
            return dest
        tmp = CACHE / "bundle" / f".{key}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "wheels").mkdir(parents=True)
        for p in pkgs:
            subprocess.run([PY, "-m", "build", "--wheel", "--no-isolation", "-o", str(tmp / "wheels"), str(p)],
                           check=True, capture_output=True)
        wheels = {w.name.split("-")[0]: w for w in (tmp / "wheels").glob("*.whl")}
        shiv = str(Path(PY).with_name("shiv"))
        env = {**os.environ, "PIP_CONSTRAINT": str(REPO / "constraints.txt")}
        for out, script, extra in (("babel", "babel", "babel"), ("babel_job_runner", "babel_job_runner", "job_runner")):
            subprocess.run([shiv, "-q", "-c", script, "-o", str(tmp / out), "-p", "/usr/bin/env python3",
                            str(wheels["bv_core"]), str(wheels[extra])], check=True, capture_output=True, env=env)
        shutil.rmtree(tmp / "wheels")
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
        _prune(CACHE / "bundle", keep=dest)
    return dest


def build_image_store(bundle: Path, base_rootfs: Path) -> Path:
    """A store with demochain 1.0.0 and 2.0.0 (read-only once built; shared by all daemons)."""
    from bv_daemon.images import import_image

    example = REPO / "images" / "example"
    key = _tree_hash(example, bundle / "babel", bundle / "babel_job_runner")[:12] + "-" + hashlib.sha256(
        str(base_rootfs.resolve()).encode()).hexdigest()[:6]
    store = CACHE / "images" / f"{key}-n1"
    # Test nodes never depend on the host's DNS: demochain's HTTP server does a reverse lookup at
    # start, which a resolver on the node's own loopback answers at once (refused), offline too.
    net_overlay = CACHE / "images" / "net-overlay"
    with _locked("images"):
        (net_overlay / "etc").mkdir(parents=True, exist_ok=True)
        (net_overlay / "etc/resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        (net_overlay / "etc/hosts").write_text("127.0.0.1 localhost\n")
        for version in ("1.0.0", "2.0.0"):
            import_image(example / version, store, base_rootfs=base_rootfs,
                         overlays=(example / "rootfs", net_overlay),
                         prewarm=(bundle / "babel", bundle / "babel_job_runner"))
        _prune(CACHE / "images", keep=store)
    return store


def _prune(parent: Path, keep: Path, max_age: float = 1800.0) -> None:
    """Drop cache entries of older sources (unused for ``max_age`` s) so the cache stays small."""
    now = time.time()
    for entry in parent.iterdir():
        if entry == keep or not entry.is_dir() or entry.name.startswith(".") or entry.name == "net-overlay":
            continue
        if now - entry.stat().st_mtime > max_age:
            shutil.rmtree(entry, ignore_errors=True)


def _used_networks() -> list[ipaddress.IPv4Network]:
    out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=False).stdout
    nets = []
    for line in out.splitlines():
        parts = line.split()
        if "inet" in parts:
            nets.append(ipaddress.IPv4Interface(parts[parts.index("inet") + 1]).network)
    return nets


def free_subnet() -> ipaddress.IPv4Network:
    used = _used_networks()
    rng = random.Random(os.getpid() ^ uuid.uuid4().int)
    for _ in range(500):
        net = ipaddress.IPv4Network(f"10.{rng.randrange(100, 250)}.{rng.randrange(0, 255)}.0/24")
        if not any(net.overlaps(u) for u in used):
            return net
    raise RuntimeError("no free 10.x.y.0/24 for a test bridge")


class Daemon:
    """One blockvisord process with its own BV_ROOT, bridge and subnet."""

    def __init__(self, root: Path, bundle: Path, image_store: Path, *, recovery_interval: float = 1.0,
                 config: dict[str, Any] | None = None) -> None:
        self.root = root
        self.bundle = bundle
        self.net = free_subnet()
        self.bridge = f"bvd{uuid.uuid4().hex[:8]}"
        self.recovery_interval = recovery_interval
        self.proc: subprocess.Popen[bytes] | None = None
        self.failpoints: list[str] = []  # BV_FAILPOINTS of the next start()
        self.node_ids: set[str] = set()  # every node seen, for the leftovers check
        self.log_path = root / "blockvisord.log"
        var = root / "var/lib/blockvisor"
        var.mkdir(parents=True, exist_ok=True)
        # One symlink per image version, so a test may add versions of its own to this store.
        for version_dir in sorted(image_store.glob("*/*")):
            link = var / "images" / version_dir.parent.name / version_dir.name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(version_dir)
        hosts = list(self.net.hosts())
        cfg: dict[str, Any] = {
            "id": str(uuid.uuid4()), "name": f"test-{self.bridge}", "iface": self.bridge,
            "net_conf": {"gateway_ip": str(hosts[0]), "host_ip": str(hosts[0]), "prefix": 24,
                         "available_ips": [str(h) for h in hosts[1:20]]},
        }
        cfg.update(config or {})
        (root / "etc").mkdir(parents=True, exist_ok=True)
        (root / "etc/blockvisor.json").write_text(json.dumps(cfg))

    @property
    def socket(self) -> Path:
        return self.root / "var/lib/blockvisor/blockvisor.sock"

    @property
    def nodes_dir(self) -> Path:
        return self.root / "var/lib/blockvisor/nodes"

    def env(self) -> dict[str, str]:
        return {**os.environ, "BV_ROOT": str(self.root), "BV_BUNDLE_DIR": str(self.bundle),
                "BV_RECOVERY_INTERVAL": str(self.recovery_interval), "BV_FAILPOINTS": ",".join(self.failpoints),
                "BV_RECOVERY_BACKOFF_SCALE": "0.02"}

    def start(self, timeout: float = 60.0) -> None:
        self.socket.unlink(missing_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PY, "-m", "bv_daemon.blockvisord", "--foreground", "--log-level", "debug"],
            env=self.env(), stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"blockvisord exited with {self.proc.returncode}: {self.log_tail()}")
            if self.socket.exists() and self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"blockvisord not ready within {timeout} s: {self.log_tail()}")

    def _healthy(self) -> bool:
        from bv_core.proto.blockvisor.internal.v1 import daemon_pb2

        try:
            with self.channel() as ch:
                resp = self._stub(ch).GetHealth(daemon_pb2.GetHealthRequest(), timeout=2)
            return bool(resp.status == daemon_pb2.SERVICE_STATUS_OK)
        except grpc.RpcError:
            return False

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    @contextmanager
    def channel(self) -> Iterator[grpc.Channel]:
        ch = grpc.insecure_channel(f"unix://{self.socket}")
        try:
            yield ch
        finally:
            ch.close()

    @staticmethod
    def _stub(ch: grpc.Channel) -> Any:
        from bv_core.proto.blockvisor.internal.v1 import service_pb2_grpc

        return service_pb2_grpc.BlockvisorServiceStub(ch)

    def call_in_background(self, method: str, request: Any) -> Any:
        """Start an RPC without waiting (a future); for RPCs the test interrupts by a kill."""
        ch = grpc.insecure_channel(f"unix://{self.socket}")
        fn = getattr(self._stub(ch), method)
        return fn.future(request) if hasattr(fn, "future") else fn(request)

    def call(self, method: str, request: Any, timeout: float = 120.0) -> Any:
        """One unary RPC, or a streaming one collected into a list."""
        with self.channel() as ch:
            result = getattr(self._stub(ch), method)(request, timeout=timeout)
            if hasattr(result, "__iter__") and not hasattr(result, "ListFields"):
                return list(result)
            return result

    def sigterm(self, timeout: float = 30.0) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            # Show where the shutdown stuck before failing (the bare timeout said nothing).
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(
                f"blockvisord did not exit within {timeout:.0f} s of SIGTERM; log tail:\n"
                f"{self.log_tail(60)}"
            ) from None

    def sigkill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def restart(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.sigterm()
        self.start()

    def cleanup(self) -> None:
        """Delete every node through the API (fallback: the platform), stop, drop the bridge."""
        from bv_core.proto.blockvisor.internal.v1 import node_pb2

        if self.proc is not None and self.proc.poll() is None:
            try:
                for node in self.call("ListNodes", node_pb2.ListNodesRequest(), timeout=30).nodes:
                    self.node_ids.add(node.id)
                    try:
                        self.call("DeleteNode", node_pb2.DeleteNodeRequest(node=node.id), timeout=60)
                    except grpc.RpcError:
                        pass
            except grpc.RpcError:
                pass
            try:
                self.sigterm()
            except subprocess.TimeoutExpired:
                self.sigkill()
        if self.nodes_dir.exists():
            for entry in self.nodes_dir.iterdir():
                if entry.is_dir():
                    self.node_ids.add(entry.name)
                    asyncio.run(_force_delete(entry))
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, check=False)

    def leftovers(self) -> list[str]:
        """Processes, mounts, netns, cgroups and links this daemon's nodes left on the host."""
        found = []
        ps = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=False).stdout
        found += [f"process: {ln.strip()[:120]}" for ln in ps.splitlines() if str(self.root) + "/" in ln]
        found += [f"mount: {ln.split()[4]}" for ln in Path("/proc/self/mountinfo").read_text().splitlines()
                  if f" {self.root}/" in ln]
        if self.bridge in subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=False).stdout:
            found.append(f"bridge: {self.bridge}")
        for node_id in self.node_ids:
            short = node_id.replace("-", "")[:8]
            if Path(f"/run/netns/bv-{short}").exists():
                found.append(f"netns: bv-{short}")
            found += [f"cgroup: {p}" for p in Path("/sys/fs/cgroup").glob(f"*/blockvisor/{node_id}")]
            found += [f"cgroup: {p}" for p in Path("/sys/fs/cgroup").glob(f"blockvisor/{node_id}")]
        return found


async def _force_delete(node_dir: Path) -> None:
    from bv_daemon.platform.base import MachineSpec
    from bv_daemon.platform.bwrap import BwrapPlatform

    spec = MachineSpec(node_id=node_dir.name, name="cleanup", rootfs_source=Path("/nonexistent"),
                       node_dir=node_dir, data_dir=node_dir / "data", ip="10.255.255.2", gateway="10.255.255.1")
    await BwrapPlatform().machine(spec).delete()


# -- helpers for tests ------------------------------------------------------------------------------
def wait_for(what: str, check: Any, timeout: float = 60.0, interval: float = 0.5) -> Any:
    """Poll ``check()`` until it returns a truthy value; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except grpc.RpcError as err:
            last = err
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; last: {last!r}")


def create_node(d: Daemon, name: str, version: str = "1.0.0", props: dict[str, str] | None = None) -> Any:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    events = d.call("CreateNode", node_pb2.CreateNodeRequest(
        image_key=node_pb2.ImageKey(protocol_key="demochain"), image_version=version,
        display_name=name, properties=props or {}))
    assert events[-1].WhichOneof("event") == "result", events
    d.node_ids.add(events[-1].result.node.id)
    return events[-1].result.node


def node_height(d: Daemon, node: str) -> int | None:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    m = d.call("GetNodeMetrics", node_pb2.GetNodeMetricsRequest(node=node), timeout=30)
    return m.height if m.HasField("height") else None


def node_status(d: Daemon, node: str) -> int:
    from bv_core.proto.blockvisor.internal.v1 import node_pb2

    return int(d.call("GetNodeStatus", node_pb2.GetNodeStatusRequest(node=node)).status)


def wait_height_above(d: Daemon, node: str, floor: int, timeout: float = 60.0) -> int:
    return int(wait_for(f"node {node} height > {floor}",
                        lambda: (h := node_height(d, node)) is not None and h > floor and h, timeout))
