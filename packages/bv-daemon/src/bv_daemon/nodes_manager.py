"""All nodes of the host: lookup by id or name, create/start/stop/restart/update/upgrade/delete,
IP and resource accounting, attach at daemon start, scheduled tasks (bv-host.md §2.1-§2.12).

Create journal: a new node's directory gets a ``.creating`` marker *before* its state.json, and
the marker is removed only once the node is fully built. A daemon killed mid-create leaves the
marker; attach then removes the half-built node (machine, mounts, directory), so no half node
is ever listed and no resources leak.

Broken nodes (a state.json that cannot be read, or an attach that failed) are listed as Failed
with the reason; every operation except delete refuses them.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bv_core.errors import BvError, Conflict, InvalidInput, NotFound
from bv_core.models import (
    NodeImage,
    NodesManagerState,
    NodeState,
    PluginFnCall,
    ScheduledTaskKind,
    StateBackup,
    VmStatus,
    load_node_state,
    load_nodes_manager_state,
    save_nodes_manager_state,
)
from bv_core.models import ScheduledTask as TaskModel
from bv_daemon import __version__
from bv_daemon._states import NodeStatus
from bv_daemon.cpu_registry import CpuRegistry
from bv_daemon.dev_nodes import (
    Unimplemented,
    dev_image,
    dev_image_dir,
    dev_node_state,
    dev_variant,
    parse_dev_request,
)
from bv_daemon.failpoints import failpoint
from bv_daemon.images import Image, ImageStore
from bv_daemon.node import Node, image_dir_of
from bv_daemon.node_factory import (
    generated_name,
    new_node_state,
    node_image,
    node_properties,
    validate_name,
    vm_config,
)
from bv_daemon.platform.base import MachineSpec, MachineStatus
from bv_daemon.runtime import Runtime
from bv_daemon.scheduler import ScheduledTask
from bv_daemon.upgrade import run_upgrade

__all__ = ["CREATING_MARKER", "BrokenNode", "BuildHook", "NodesManager", "Progress"]

log = logging.getLogger(__name__)

CREATING_MARKER = ".creating"
ATTACH_CONCURRENCY = 8
Progress = Callable[[str, str], None]
BuildHook = Callable[[NodeState], Awaitable[None]]


@dataclass
class BrokenNode:
    """A node directory the daemon could not load or attach: reported Failed with ``reason``."""

    id: str
    dir: Path
    reason: str
    state: NodeState | None = None


class NodesManager:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.images = ImageStore(rt.paths.images)
        self.nodes: dict[str, Node] = {}
        self.broken: dict[str, BrokenNode] = {}
        self.cpus = CpuRegistry(psutil.cpu_count() or 1)
        self._create_lock = asyncio.Lock()  # name/IP/CPU allocation is one critical section
        self.background: set[asyncio.Task[None]] = set()

    # -- lookup -----------------------------------------------------------------------------------
    def find(self, ref: str) -> Node:
        """A node by id or name; broken nodes raise a Conflict naming the reason."""
        if ref in self.nodes:
            return self.nodes[ref]
        for node in self.nodes.values():
            if node.state.name == ref:
                return node
        broken = self.find_broken(ref)
        if broken is not None:
            raise Conflict(f"node {ref} is broken: {broken.reason}")
        raise NotFound(f"node {ref} not found")

    def find_broken(self, ref: str) -> BrokenNode | None:
        for b in self.broken.values():
            if b.id == ref or (b.state is not None and b.state.name == ref):
                return b
        return None

    def _states(self) -> list[NodeState]:
        out = [n.state for n in self.nodes.values()]
        out += [b.state for b in self.broken.values() if b.state is not None]
        return out

    def states(self) -> list[NodeState]:
        """Every node's state, broken nodes with a readable state included (IPs, names in use)."""
        return self._states()

    # -- attach at daemon start -------------------------------------------------------------------
    async def load(self) -> None:
        self.rt.paths.nodes.mkdir(parents=True, exist_ok=True)
        tasks = self._load_tasks()
        if self.rt.scheduler is not None:
            for task in tasks:
                try:
                    self.rt.scheduler.add(task)
                except BvError as err:
                    log.warning("dropping scheduled task %s: %s", task.name, err)
        to_attach = []
        for entry in sorted(self.rt.paths.nodes.iterdir()):
            if not entry.is_dir():
                continue
            if (entry / CREATING_MARKER).exists():
                log.warning("node %s: removing a node whose creation did not finish", entry.name)
                await self._remove_half_node(entry)
                continue
            if not (entry / "state.json").exists():
                continue
            to_attach.append(entry)
        # Attaching a running node restarts its babel (seconds): a few at a time, so a host
        # with many nodes is ready in a fraction of the serial time.
        limit = asyncio.Semaphore(ATTACH_CONCURRENCY)

        async def attach(entry: Path) -> None:
            async with limit:
                await self._attach(entry)

        await asyncio.gather(*(attach(e) for e in to_attach))

    def _load_tasks(self) -> list[ScheduledTask]:
        path = self.rt.paths.nodes_state
        if not path.exists():
            return []
        try:
            st = load_nodes_manager_state(path)
        except BvError as err:
            log.error("ignoring unreadable %s: %s", path, err)
            return []
        return [ScheduledTask(str(t.node_id), t.name, t.schedule, t.task.plugin_fn_call.name,
                              t.task.plugin_fn_call.param) for t in st.scheduled_tasks]

    def save_tasks(self) -> None:
        if self.rt.scheduler is None:
            return
        tasks = [TaskModel(node_id=t.node_id, name=t.name, schedule=t.schedule,  # type: ignore[arg-type]
                           task=ScheduledTaskKind(plugin_fn_call=PluginFnCall(name=t.function, param=t.param)))
                 for t in self.rt.scheduler.tasks]
        save_nodes_manager_state(self.rt.paths.nodes_state, NodesManagerState(scheduled_tasks=tasks))

    async def _attach(self, entry: Path) -> None:
        try:
            state = load_node_state(entry / "state.json")
        except BvError as err:
            self.broken[entry.name] = BrokenNode(entry.name, entry, f"cannot load state.json: {err}")
            log.error("node %s: %s", entry.name, self.broken[entry.name].reason)
            return
        node = Node(state, self.rt)
        try:
            self.cpus.mark_acquired(state.assigned_cpus)
            ms = await node.machine.attach()
            if ms.container_alive:
                try:
                    await node.refresh_babel()
                except BvError as err:
                    # Not fatal: the node shows Failed and recovery restarts babel.
                    log.warning("node %s: restarting babel from the current bundle: %s", state.name, err)
                ms = await node.machine.state()
            if ms.status is MachineStatus.RUNNING:
                try:
                    await node.babel.wait_ready(5.0)
                    await node.babel.check_job_runner(self.rt.bundle.job_runner)
                except BvError as err:
                    log.warning("node %s: babel not reachable after attach: %s", state.name, err)
                    await node.babel.close()
            if state.expected_status is VmStatus.RUNNING:
                await node.engine.start()
        except BvError as err:
            self.broken[node.id] = BrokenNode(node.id, entry, f"attach failed: {err}", state)
            log.error("node %s: attach failed: %s", state.name, err)
            return
        self.nodes[node.id] = node
        if state.upgrade_state.active:
            self._spawn(self._resume_upgrade(node))
        log.info("node %s (%s) attached", state.name, node.id)

    async def _resume_upgrade(self, node: Node) -> None:
        async with node.lock:
            try:
                await run_upgrade(node, None, self.cpus)
                log.info("node %s: interrupted upgrade finished", node.state.name)
            except BvError as err:
                node.failure = str(err)
                log.error("node %s: resuming the interrupted upgrade: %s", node.state.name, err)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _remove_half_node(self, node_dir: Path) -> None:
        try:
            state = load_node_state(node_dir / "state.json")
            spec = Node(state, self.rt).spec()
        except (BvError, FileNotFoundError):
            spec = _placeholder_spec(node_dir)
        try:
            await self.rt.platform.machine(spec).delete()
        except BvError as err:
            log.error("node %s: cleaning up a half-created node: %s", node_dir.name, err)
        await asyncio.to_thread(shutil.rmtree, node_dir, True)

    # -- create -----------------------------------------------------------------------------------
    def resolve_image(self, protocol: str, variant: str | None, version: str | None,
                      image_path: str | None = None) -> Image:
        if image_path:
            return self.images.load(Path(image_path), variant)
        return self.images.resolve(protocol, variant, version)

    def _check_resources(self, state: NodeState) -> None:
        if self.rt.maintenance_mode:
            return
        used_mem = sum(s.vm_config.mem_size_mb for s in self._states())
        used_cpu = sum(s.vm_config.vcpu_count for s in self._states() if not s.dev_mode)
        total_mem = psutil.virtual_memory().total // 1_000_000
        cpus = psutil.cpu_count() or 1
        if used_mem + state.vm_config.mem_size_mb > total_mem:
            raise Conflict(f"not enough memory to allocate for the node: required={state.vm_config.mem_size_mb} MB, "
                           f"available={max(total_mem - used_mem, 0)} MB")
        if not state.dev_mode and used_cpu + state.vm_config.vcpu_count > cpus:
            raise Conflict(f"not enough vcpu to allocate for the node: required={state.vm_config.vcpu_count}, "
                           f"available={max(cpus - used_cpu, 0)}")

    def _free_ip(self) -> str:
        used = {s.ip for s in self._states()}
        for ip in self.rt.net.pool:
            if ip not in used:
                return ip
        raise Conflict(f"no free IP address left in the node pool ({len(self.rt.net.pool)} addresses)")

    async def create(
        self, image: Image, *, name: str | None, properties: dict[str, str], tags: list[str],
        progress: Progress | None = None,
    ) -> Node:
        say = progress or (lambda step, msg: None)
        props = node_properties(image, properties)
        async with self._create_lock:
            node_name = validate_name(name) if name else generated_name(image.protocol_key)
            if any(s.name == node_name for s in self._states()):
                raise Conflict(f"node with name `{node_name}` exists")
            state = new_node_state(image, name=node_name, ip=self._free_ip(), gateway=self.rt.net.node_gateway,
                                   properties=props, display_name=node_name, tags=tags, bv_version=__version__)
            self._check_resources(state)
            if self.rt.cpu_limit:
                state.assigned_cpus = self.cpus.acquire(state.vm_config.vcpu_count)
            node = self._reserve(state)
        await self._build(node, image, say)
        return node

    async def create_dev(self, raw_state: bytes, progress: Progress | None = None) -> Node:
        """A dev node (nib image play) from nib's JSON node state; see `bv_daemon.dev_nodes`."""
        say = progress or (lambda step, msg: None)
        doc = parse_dev_request(raw_state)
        image = self.images.load(dev_image_dir(doc), dev_variant(doc))
        async with self._create_lock:
            ip = doc.get("ip") or ""
            if not isinstance(ip, str):
                raise InvalidInput("dev node ip must be a string")
            if ip and any(s.ip == ip for s in self._states()):
                raise Conflict(f"ip {ip} is already used by another node")
            state = dev_node_state(doc, image, ip=ip or self._free_ip(), gateway=self.rt.net.node_gateway,
                                   bv_version=__version__)
            if any(s.name == state.name for s in self._states()):
                raise Conflict(f"node with name `{state.name}` exists")
            if any(str(s.id) == str(state.id) for s in self._states()):
                raise Conflict(f"node with id `{state.id}` exists")
            self._check_resources(state)
            node = self._reserve(state)  # dev nodes are never CPU-pinned
        await self._build(node, image, say)
        return node

    async def create_from_state(
        self, state: NodeState, image: Image, *, before_commit: BuildHook | None = None,
        on_failure: BuildHook | None = None, progress: Progress | None = None,
    ) -> Node:
        """Build a node whose state was decided elsewhere (the fleet API's NodeCreate).

        Under the allocation lock: the name and IP must be free, the IP in this host's pool and
        the resources available; CPUs are pinned when limits are on. Then the node is built as
        `create` does. ``before_commit`` runs once the node is built, before the create journal
        marker goes (e.g. firewall rules); if anything fails the half node is removed, its CPUs
        released and ``on_failure`` awaited (its own errors are logged, the first is raised).
        """
        node_id = str(state.id)
        async with self._create_lock:
            for other in self._states():
                if other.name == state.name:
                    raise Conflict(f"node {node_id}: name {state.name!r} is used by node {other.id}")
                if other.ip == state.ip:
                    raise Conflict(f"node {node_id}: IP {state.ip} is used by node {other.id}")
            if state.ip not in self.rt.net.pool:
                pool = self.rt.net.pool
                where = f"{pool[0]} - {pool[-1]}" if pool else "empty"
                raise InvalidInput(f"node {node_id}: IP {state.ip} is not in this host's node IP pool ({where})")
            self._check_resources(state)
            if self.rt.cpu_limit and not state.dev_mode:
                state.assigned_cpus = self.cpus.acquire(state.vm_config.vcpu_count)
            node = self._reserve(state)
        await self._build(node, image, progress or (lambda step, msg: None),
                          before_commit=before_commit, on_failure=on_failure)
        return node

    def _reserve(self, state: NodeState) -> Node:
        """Under the create lock: the node's directory with the create journal marker."""
        node = Node(state, self.rt)
        node.paths.dir.mkdir(parents=True)
        (node.paths.dir / CREATING_MARKER).touch()
        self.nodes[node.id] = node
        return node

    async def _build(self, node: Node, image: Image, say: Progress, *,
                     before_commit: BuildHook | None = None, on_failure: BuildHook | None = None) -> None:
        state = node.state
        try:
            async with node.lock:
                node.save()
                say("create-rootfs", f"building the rootfs from {image.protocol_key} {image.version}")
                await node.create_machine()
                say("load-plugin", "loading the plugin")
                await node.load_plugin()  # a plugin syntax error fails the create
                if before_commit is not None:
                    await before_commit(state)
                await failpoint("create-built")
                (node.paths.dir / CREATING_MARKER).unlink()
        except BaseException as err:
            log.error("node %s: create failed: %s", state.name, err)
            self.nodes.pop(node.id, None)
            self.cpus.release(state.assigned_cpus)
            await asyncio.shield(self._remove_half_node(node.paths.dir))
            if on_failure is not None:
                try:
                    await asyncio.shield(on_failure(state))
                except BvError as cleanup_err:
                    log.error("node %s: cleanup after a failed create: %s", state.name, cleanup_err)
            raise
        log.info("node %s (%s) created from %s %s%s", state.name, node.id, image.protocol_key, image.version,
                 " (dev node)" if state.dev_mode else "")

    # -- operations on one node -------------------------------------------------------------------
    async def start(self, ref: str) -> Node:
        node = self.find(ref)
        async with node.lock:
            if node.state.expected_status is not VmStatus.RUNNING:
                await node.start()
                node.backoff.succeeded()
            elif await node.computed_status() is not NodeStatus.RUNNING:
                await node.start()  # idempotent: finishes a half-done start
        return node

    async def stop(self, ref: str, force: bool) -> Node:
        node = self.find(ref)
        async with node.lock:
            if node.state.expected_status is not VmStatus.STOPPED or force:
                await node.stop(force)
            elif await node.computed_status() is not NodeStatus.STOPPED:
                await node.stop(True)
            node.backoff.succeeded()
        return node

    async def restart(self, ref: str, force: bool) -> Node:
        node = self.find(ref)
        async with node.lock:
            await node.restart(force)
        return node

    async def delete(self, ref: str) -> str:
        broken = self.find_broken(ref)
        if broken is not None:
            await self._remove_half_node(broken.dir)
            self.broken.pop(broken.id, None)
            return broken.id
        node = self.find(ref)
        async with node.lock:
            await node.delete()
            self.cpus.release(node.state.assigned_cpus)
            self.nodes.pop(node.id, None)
            if self.rt.scheduler is not None:
                self.rt.scheduler.delete_node(node.id)
        log.info("node %s (%s) deleted", node.state.name, node.id)
        return node.id

    async def update(self, ref: str, *, display_name: str | None, properties: dict[str, str],
                     org_id: str | None, org_name: str | None) -> Node:
        node = self.find(ref)
        async with node.lock:
            if await node.computed_status() is NodeStatus.FAILED:
                raise Conflict(f"can't update node {node.state.name} in Failed state")
            state = node.state
            if properties:
                image = self.images.load(image_dir_of(state), state.image_key.variant_key)
                state.properties = node_properties(image, properties, base=state.properties)
                state.initialized = False
            if display_name is not None:
                state.display_name = display_name
            if org_id is not None:
                state.org_id = org_id
            if org_name is not None:
                state.org_name = org_name
            node.save()
            if properties and state.expected_status is VmStatus.RUNNING:
                await node.plugin_call(lambda p: p.init())
                state.initialized = True
                node.save()
        return node

    async def upgrade(self, ref: str, image: Image, progress: Progress | None = None) -> Node:
        node = self.find(ref)
        if node.state.dev_mode:
            raise Unimplemented("dev node upgrade is not supported (use nib image upgrade)")
        return await self._upgrade(node, image, node_image(image, __version__), progress)

    async def upgrade_dev(self, raw_state: bytes, progress: Progress | None = None) -> Node:
        """nib image upgrade: a dev node (by ``id`` or ``name`` of the JSON state) to the local
        image directory named by its ``image.uri``, same variant."""
        doc = parse_dev_request(raw_state)
        ref = doc.get("id") or doc.get("name")
        if not isinstance(ref, str) or not ref:
            raise InvalidInput("dev node upgrade: state_json needs the node's id or name")
        node = self.find(ref)
        if not node.state.dev_mode:
            raise Unimplemented("can't upgrade non dev node with dev image")
        image = self.images.load(dev_image_dir(doc), node.state.image_key.variant_key)
        return await self._upgrade(node, image, dev_image(image, __version__), progress)

    async def _upgrade(self, node: Node, image: Image, new_image: NodeImage, progress: Progress | None) -> Node:
        state = node.state
        if new_image.id == state.image.id and not state.upgrade_state.active:
            return node
        if image.store_key != state.image.store_key:
            raise InvalidInput(f"cannot upgrade node to version that uses different data set: `{image.store_key}`")
        if image.protocol_key != state.image_key.protocol_key:
            raise InvalidInput(f"cannot upgrade a {state.image_key.protocol_key} node to image {image.protocol_key}")
        desired = StateBackup(
            properties=node_properties(image, {}, base={k: v for k, v in state.properties.items()
                                                        if k in {p.key for p in image.variant.properties}}),
            firewall=state.firewall, display_name=state.display_name, org_id=state.org_id,
            org_name=state.org_name, protocol_name=state.protocol_name, dns_name=state.dns_name,
            tags=list(state.tags), vm_config=vm_config(image), image=new_image, initialized=False,
        )  # fmt: skip
        async with node.lock:
            await run_upgrade(node, desired, self.cpus, progress)
        return node

    # -- daemon exit ------------------------------------------------------------------------------
    async def detach(self) -> None:
        for task in list(self.background):
            task.cancel()
        for node in self.nodes.values():
            await node.shutdown_for_daemon_exit()
        self.save_tasks()


def _placeholder_spec(node_dir: Path) -> MachineSpec:
    # Enough for the backend to find and remove what it made (pid file, cgroup, netns, mounts).
    return MachineSpec(node_id=node_dir.name, name="removed-node", rootfs_source=Path("/nonexistent"),
                       node_dir=node_dir, data_dir=node_dir / "data", ip="10.255.255.2", gateway="10.255.255.1")
