"""The bwrap backend running real nodes: namespaces, network, limits, files, lifetime, cleanup."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bv_daemon.platform import _netns
from bv_daemon.platform._proc import ProcRef
from bv_daemon.platform._rootfs import is_mounted
from bv_daemon.platform.base import (
    InvalidSpec,
    MachineNotFound,
    MachineSpec,
    MachineState,
    MachineStateError,
    MachineStatus,
    PlatformError,
)
from bv_daemon.platform.bwrap import BwrapMachine, BwrapPlatform

pytestmark = pytest.mark.root

Track = Callable[[MachineSpec], BwrapMachine]


@pytest.fixture
async def track() -> AsyncIterator[Track]:
    """Makes machines and deletes every one of them at teardown, whatever the test did."""
    made: list[BwrapMachine] = []

    def make(spec: MachineSpec) -> BwrapMachine:
        m = BwrapPlatform().machine(spec)
        made.append(m)
        return m

    try:
        yield make
    finally:
        for m in made:
            await m.delete()


def assert_no_leftovers(m: BwrapMachine, pid: int | None) -> None:
    spec = m.spec
    assert not spec.node_dir.exists()
    assert not _netns.netns_path(spec.node_id).exists()
    link = subprocess.run(
        ["ip", "link", "show", _netns.host_veth(spec.node_id)], capture_output=True
    )
    assert link.returncode != 0
    assert all(not d.exists() for d in m.cgroup.dirs().values())
    assert not is_mounted(spec.rootfs_dir)
    if pid is not None:
        assert not Path(f"/proc/{pid}").exists() or ProcRef.of(pid) is None or not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


async def wait_tcp(host: str, port: int, timeout: float = 10.0) -> bytes:
    """Connects (retrying until `timeout`) and returns what the server sends first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
            try:
                return await asyncio.wait_for(reader.read(100), 5)
            finally:
                writer.close()
        except (OSError, TimeoutError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def test_node_has_own_namespaces_network_limits_and_files(
    make_spec: Callable[..., MachineSpec], track: Track, monkeypatch: pytest.MonkeyPatch
) -> None:
    # babel stand-in: a TCP server on the node's IP that greets with its hostname.
    spec = make_spec(
        name="probe_node",
        mem_mb=64,
        babel_command=("/bin/sh", "-c", "exec nc -ll -p 7000 -e /bin/hostname"),
        env_file='NODE_NAME="probe_node"\nNODE_IP="1.2.3.4"\n',
    )
    monkeypatch.setenv("BV_TEST_LEAK", "1")
    m = track(spec)
    await m.create()
    spec.data_dir.joinpath("chain.db").write_text("blocks")
    await m.start()
    state = await m.state()
    assert state.status is MachineStatus.RUNNING and state.pid is not None

    # Own PID namespace: bwrap's reaper is PID 1, the keeper its child, babel runs beside it.
    res = await m.exec(
        ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; readlink /proc/self/ns/pid"]
    )
    first, ns_inside = res.stdout.decode().splitlines()
    assert first.startswith("bwrap ")
    assert ns_inside != os.readlink("/proc/self/ns/pid")
    top = (await m.exec(["sh", "-c", "ps -o pid,args"])).stdout.decode().splitlines()[1:]
    assert any(line.split()[:3] == ["2", "/bin/sh", "-c"] for line in top)  # the keeper
    assert any(line.split()[1] == "nc" for line in top)

    # Own UTS namespace; hostname from the name with '_' -> '-'.
    assert (await m.exec(["hostname"])).stdout.decode().strip() == "probe-node"

    # Its IP on eth0, and the host reaches the server inside over the bridge.
    addr = (await m.exec(["ip", "-4", "-o", "addr", "show", "dev", "eth0"])).stdout.decode()
    assert f"inet {spec.ip}/{spec.prefix}" in addr
    assert (await wait_tcp(spec.ip, 7000)).decode().strip() == "probe-node"

    # data/ at /blockjoy, node_env in the rootfs and in babel's environment.
    assert (await m.exec(["cat", "/blockjoy/chain.db"])).stdout == b"blocks"
    assert (await m.exec(["cat", "/var/lib/babel/node_env"])).stdout.decode() == spec.env_file
    raw_env = await m.exec(["sh", "-c", "tr '\\0' '\\n' < /proc/$(pidof nc)/environ"])
    env = raw_env.stdout.decode().split()
    assert "NODE_IP=1.2.3.4" in env and "NODE_NAME=probe_node" in env
    assert not [v for v in env if v.startswith("BV_TEST_LEAK=")]  # the daemon's env stays out

    # Memory and CPU limits in the node's own cgroup; the test process was not moved there.
    assert m.cgroup.memory_limit_bytes() == 64_000_000
    assert state.pid in m.cgroup.pids()
    assert os.getpid() not in m.cgroup.pids()
    dirs = m.cgroup.dirs()
    if "cpu" in dirs:
        assert (dirs["cpu"] / "cpu.cfs_quota_us").read_text().strip() == "100000"

    await m.delete()
    assert (await m.state()).status is MachineStatus.STOPPED
    assert_no_leftovers(m, state.pid)


async def test_stop_kills_the_whole_process_tree_and_start_again(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    # The main process ignores SIGTERM and has children: stop must still end everything.
    spec = make_spec(
        babel_command=("/bin/sh", "-c", "trap '' TERM; sleep 100000 & sleep 100000 & wait; wait")
    )
    m = track(spec)
    await m.create()
    await m.start()
    await m.start()  # idempotent: still the same container
    first = await m.state()
    assert first.status is MachineStatus.RUNNING and first.pid is not None
    # reaper, keeper + its sleep, babel's launcher, babel (sh) + two sleeps
    tree = await _cgroup_pids_at_least(m, 7)

    await m.stop(timeout=0.5)
    assert (await m.state()).status is MachineStatus.STOPPED
    assert not any(_alive(p) for p in tree)
    await m.stop()  # idempotent
    # The network survives stop (kept until delete); the cgroup does not.
    assert _netns.netns_path(spec.node_id).exists()
    assert all(not d.exists() for d in m.cgroup.dirs().values())

    await m.start()
    second = await m.state()
    assert second.status is MachineStatus.RUNNING and second.pid != first.pid
    await m.stop(force=True)
    assert (await m.state()).status is MachineStatus.STOPPED


async def test_graceful_stop_lets_the_main_process_finish(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    script = "trap 'echo bye > /blockjoy/bye; exit 0' TERM; touch /blockjoy/ready; while :; do sleep 0.05; done"
    spec = make_spec(babel_command=("/bin/sh", "-c", script))
    m = track(spec)
    await m.create()
    await m.start()
    await _wait_file(spec.data_dir / "ready")  # the TERM trap is installed
    await m.stop(timeout=10)
    assert spec.data_dir.joinpath("bye").read_text() == "bye\n"


async def test_dead_babel_or_container_is_failed_with_reason_and_recovers(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    # Babel exits with 3 when the test drops /blockjoy/crash (once).
    spec = make_spec(
        babel_command=(
            "/bin/sh",
            "-c",
            "while [ ! -e /blockjoy/crash ]; do sleep 0.02; done; rm /blockjoy/crash; exit 3",
        )
    )
    m = track(spec)
    await m.create()
    await m.start()
    running = await m.state()
    spec.data_dir.joinpath("crash").touch()
    state = await _wait_status(m, MachineStatus.FAILED)
    assert state.babel_dead and state.container_alive and state.pid == running.pid
    assert state.reason.startswith("babel is not running (container alive)")
    assert "exited with code 3" in state.reason
    assert (await m.exec(["true"])).exit_code == 0  # the container still runs

    await m.recover()  # babel only
    assert (await m.state()) == running

    # The container's init dies: everything is gone, recover starts it all.
    assert running.pid is not None
    os.kill(running.pid, 9)
    # (babel may be seen dead a moment before the init is: wait for the container to be gone)
    state = await _wait_status(m, MachineStatus.FAILED, container_alive=False)
    assert not state.babel_dead and state.pid is None
    assert "killed by signal 9" in state.reason or "gone" in state.reason
    with pytest.raises(MachineStateError, match="cannot exec, machine is Failed"):
        await m.exec(["true"])
    await m.recover()
    again = await m.state()
    assert again.status is MachineStatus.RUNNING and again.pid != running.pid
    await m.stop(force=True)


# babel stand-in: starts one long-lived "job" the first time (it outlives babel), counts its own
# starts, and exits on SIGTERM.
_JOB_BABEL = (
    "/bin/sh",
    "-c",
    "echo start >> /blockjoy/babel.starts; "
    "[ -e /blockjoy/job.started ] || { touch /blockjoy/job.started; sleep 7777777 & }; "
    "exec sleep 1000000",
)


def _job_pids(m: BwrapMachine) -> list[int]:
    """Host pids of the stand-in's job, found among the node's cgroup members."""
    found = []
    for pid in m.cgroup.pids():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x007777777\x00":
                found.append(pid)
        except FileNotFoundError:
            pass
    return found


async def _job(m: BwrapMachine, timeout: float = 10.0) -> ProcRef:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (pids := _job_pids(m)):
        assert loop.time() < deadline, "the job never started"
        await asyncio.sleep(0.02)
    assert len(pids) == 1, pids
    ref = ProcRef.of(pids[0])
    assert ref is not None
    return ref


def _babel_ref(m: BwrapMachine) -> ProcRef:
    raw = json.loads(m.babel_pid_file.read_text())
    return ProcRef(raw["pid"], raw["start_time"])


async def test_jobs_outlive_babel_death_recovery_and_restart(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    spec = make_spec(babel_command=_JOB_BABEL)
    m = track(spec)
    await m.create()
    await m.start()
    container = await m.state()
    assert container.status is MachineStatus.RUNNING
    job = await _job(m)
    babel = _babel_ref(m)
    assert babel.alive()
    starts = spec.data_dir / "babel.starts"

    # babel dies hard: the machine says so, the container and the job run on.
    os.kill(babel.pid, 9)
    state = await _wait_status(m, MachineStatus.FAILED)
    assert state.babel_dead and state.pid == container.pid
    assert state.reason == "babel is not running (container alive): babel killed by signal 9"
    assert job.alive()

    await m.recover()  # a new babel in the same container; the job untouched
    assert await m.state() == container
    second = _babel_ref(m)
    assert second != babel and second.alive() and job.alive()
    await _wait_lines(starts, 2, m.log_file)

    await m.restart_babel(timeout=5)  # SIGTERM, then a new babel: the job untouched
    assert await m.state() == container
    third = _babel_ref(m)
    assert third not in (babel, second) and third.alive() and not second.alive()
    assert job.alive() and _job_pids(m) == [job.pid]
    await _wait_lines(starts, 3, m.log_file)  # (killed before it ran, it would not count)

    os.kill(third.pid, 9)
    await _wait_status(m, MachineStatus.FAILED)
    await m.start()  # start() too brings back only babel
    assert await m.state() == container and job.alive()
    await _wait_lines(starts, 4, m.log_file)

    await m.stop(timeout=5)
    assert (await m.state()).status is MachineStatus.STOPPED
    assert not job.alive() and not _babel_ref_alive(m)
    assert all(not d.exists() for d in m.cgroup.dirs().values())
    with pytest.raises(MachineStateError, match="cannot restart babel, machine is Stopped"):
        await m.restart_babel()


async def _wait_lines(path: Path, n: int, log: Path, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(lines := path.read_text().split()) < n:
        assert loop.time() < deadline, f"{path}: {lines}; log: {log.read_text()}"
        await asyncio.sleep(0.02)
    assert len(lines) == n, lines


def _babel_ref_alive(m: BwrapMachine) -> bool:
    return m.babel_pid_file.exists() and _babel_ref(m).alive()


async def test_restart_babel_escalates_to_sigkill(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    spec = make_spec(babel_command=("/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"))
    m = track(spec)
    await m.create()
    await m.start()
    before = _babel_ref(m)
    await m.restart_babel(timeout=0.2)
    after = _babel_ref(m)
    assert not before.alive() and after.alive() and after != before
    assert (await m.state()).status is MachineStatus.RUNNING
    await m.stop(timeout=0.2)


async def test_main_process_dying_at_start_fails_start_with_reason(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    m = track(make_spec(babel_command=("/bin/sh", "-c", "echo no chain config >&2; exit 7")))
    await m.create()
    # start() reports the death if it happens before start returns; either way the state tells.
    try:
        await m.start()
    except PlatformError as err:
        assert "exited with code 7: no chain config" in str(err)
    state = await _wait_status(m, MachineStatus.FAILED)
    assert "exited with code 7: no chain config" in state.reason


async def _wait_file(path: Path, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not path.exists():
        assert loop.time() < deadline, f"{path} never appeared"
        await asyncio.sleep(0.02)


async def _wait_status(
    m: BwrapMachine, want: MachineStatus, timeout: float = 10.0, container_alive: bool | None = None
) -> MachineState:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (state := await m.state()).status is not want or container_alive not in (
        None,
        state.container_alive,
    ):
        assert loop.time() < deadline, f"machine stayed {state}"
        await asyncio.sleep(0.02)
    return state


async def test_node_survives_its_creator_and_is_attached_by_a_new_process(
    make_spec: Callable[..., MachineSpec], tmp_path: Path
) -> None:
    spec = make_spec(babel_command=("/bin/sh", "-c", "exec nc -ll -p 7001 -e /bin/echo alive"))
    creator = tmp_path / "creator.py"
    creator.write_text(
        textwrap.dedent(f"""
        import asyncio
        from pathlib import Path
        from bv_daemon.platform.base import MachineSpec
        from bv_daemon.platform.bwrap import BwrapPlatform
        spec = MachineSpec(node_id={spec.node_id!r}, name={spec.name!r},
            rootfs_source=Path({str(spec.rootfs_source)!r}), node_dir=Path({str(spec.node_dir)!r}),
            data_dir=Path({str(spec.data_dir)!r}), ip={spec.ip!r}, gateway={spec.gateway!r},
            prefix={spec.prefix}, bridge={spec.bridge!r}, mem_mb=64,
            babel_command={spec.babel_command!r})
        async def main():
            m = BwrapPlatform().machine(spec)
            await m.create()
            await m.start()
            print((await m.state()).pid)
        asyncio.run(main())
    """)
    )
    m = BwrapPlatform().machine(spec)
    try:
        out = subprocess.run(
            [sys.executable, str(creator)], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        pid = int(out.stdout.strip())
        # The creator has exited; the node runs on and a fresh backend object finds it.
        state = await m.attach()
        assert state.status is MachineStatus.RUNNING and state.pid == pid
        assert (await wait_tcp(spec.ip, 7001)).decode().strip() == "alive"
        await m.stop(timeout=5)
        assert not _alive(pid)
    finally:
        await m.delete()
    assert_no_leftovers(m, None)


async def test_memory_limit_is_enforced_and_python_runs_in_debian_rootfs(
    make_spec: Callable[..., MachineSpec], track: Track, test_rootfs: Path
) -> None:
    spec = make_spec(rootfs_source=test_rootfs, mem_mb=50, babel_command=("sleep", "100000"))
    m = track(spec)
    await m.create()
    await m.start()
    version = await m.exec(["python3", "-c", "import sys; print(sys.version_info[:2] >= (3, 11))"])
    assert version.stdout.decode().strip() == "True", version.stderr
    # exec joins the node's cgroup: touching 200 MB under a 50 MB limit gets OOM-killed.
    hog = await m.exec(
        ["python3", "-c", "b = bytearray(200_000_000); b[::4096] = b'x' * len(b[::4096])"],
        timeout=60,
    )
    assert hog.exit_code in (137, -9), (hog.exit_code, hog.stderr)
    assert (await m.state()).status is MachineStatus.RUNNING


async def test_idempotent_create_and_delete_and_errors(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    spec = make_spec()
    m = track(spec)
    with pytest.raises(MachineNotFound, match="not created"):
        await m.start()
    await m.create()
    await m.create()
    assert await m.exists()
    # The overlay keeps the image untouched: writes land in the node's upper dir.
    (spec.rootfs_dir / "etc" / "marker").write_text("x")
    assert not (spec.rootfs_source / "etc" / "marker").exists()
    await m.delete()
    await m.delete()
    assert not await m.exists()

    bad = make_spec(babel_command=("/usr/bin/babel",))
    mb = track(bad)
    await mb.create()
    with pytest.raises(PlatformError, match="babel command '/usr/bin/babel' not found"):
        await mb.start()

    with pytest.raises(InvalidSpec, match="ip '10.0.0.300'"):
        make_spec(ip="10.0.0.300")
    missing = make_spec(rootfs_source=Path("/nonexistent/image"))
    with pytest.raises(InvalidSpec, match="/nonexistent/image does not exist"):
        await track(missing).create()


async def _cgroup_pids_at_least(m: BwrapMachine, n: int, timeout: float = 10.0) -> list[int]:
    """The pids in the node's cgroup, once there are at least n (the shell forks lazily)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(pids := m.cgroup.pids()) < n:
        assert loop.time() < deadline, f"node cgroup stayed at {pids}"
        await asyncio.sleep(0.02)
    return pids


async def _tree_of_at_least(pid: int, n: int, timeout: float = 10.0) -> list[int]:
    """pid and its descendants, once there are at least n of them (the shell forks lazily)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(tree := [pid, *_descendants(pid)]) < n:
        assert loop.time() < deadline, f"process tree of {pid} stayed at {tree}"
        await asyncio.sleep(0.02)
    return tree


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except FileNotFoundError:
            kids = []
        out.extend(kids)
        todo.extend(kids)
    return out


def test_short_ids_are_stable_and_fit_interface_names() -> None:
    uid = "8c9d1f6e-0000-4000-8000-000000000000"
    assert _netns.netns_name(uid) == "bv-8c9d1f6e"
    assert _netns.host_veth("not-a-uuid") == _netns.host_veth("not-a-uuid")
    assert len(_netns.host_veth("x" * 100)) <= 15


@pytest.mark.parametrize("source", ["tarball", "copy"])
async def test_rootfs_from_tarball_or_copy(
    source: str, make_spec: Callable[..., MachineSpec], busybox_rootfs: Path, tmp_path: Path
) -> None:
    if source == "tarball":
        image = tmp_path / "image.tar.gz"
        subprocess.run(["tar", "-czf", str(image), "-C", str(busybox_rootfs), "."], check=True)
        platform = BwrapPlatform()
    else:
        image = busybox_rootfs
        platform = BwrapPlatform(rootfs_mode="copy")
    spec = make_spec(rootfs_source=image)
    m = platform.machine(spec)
    try:
        await m.create()
        assert not is_mounted(spec.rootfs_dir)  # a private copy, not an overlay
        assert (spec.rootfs_dir / "bin" / "busybox").is_file()
        await m.start()
        assert (await m.exec(["hostname"])).stdout.decode().strip() == spec.hostname
        await m.stop(force=True)
    finally:
        await m.delete()
    assert_no_leftovers(m, None)


def test_cgroup_v2_files(tmp_path: Path) -> None:
    # A stand-in v2 hierarchy: the kernel would create the interface files; pre-create them.
    from bv_daemon.platform._cgroup import NodeCgroup

    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    node = tmp_path / "blockvisor" / "n1"
    node.mkdir(parents=True)
    (tmp_path / "blockvisor" / "cgroup.subtree_control").write_text("")
    for f in ("memory.max", "cpu.max", "cpuset.cpus", "cgroup.procs"):
        (node / f).write_text("")
    cg = NodeCgroup("n1", root=tmp_path)
    cg.setup(mem_mb=128, vcpu=2, cpus=(0, 1))
    assert cg.dirs() == {"unified": node}
    assert (node / "memory.max").read_text() == "128000000"
    assert (node / "cpu.max").read_text() == "200000 100000"
    assert (node / "cpuset.cpus").read_text() == "0,1"
    assert cg.memory_limit_bytes() == 128_000_000
    cg.setup(mem_mb=0, vcpu=0, cpus=())
    assert (node / "memory.max").read_text() == "max" and cg.memory_limit_bytes() is None
    assert (node / "cpu.max").read_text() == "max 100000"


async def test_two_nodes_start_concurrently_on_one_bridge_and_reach_each_other(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    serve = ("/bin/sh", "-c", "exec nc -ll -p 7002 -e /bin/hostname")
    a, b = (
        track(make_spec(name="node_a", babel_command=serve)),
        track(make_spec(name="node_b", babel_command=serve)),
    )
    await asyncio.gather(a.create(), b.create())
    await asyncio.gather(a.start(), b.start())  # both may try to create the bridge
    assert (await wait_tcp(a.spec.ip, 7002)).decode().strip() == "node-a"
    assert (await wait_tcp(b.spec.ip, 7002)).decode().strip() == "node-b"
    got = await a.exec(["sh", "-c", f"nc {b.spec.ip} 7002 </dev/null"])
    assert got.stdout.decode().strip() == "node-b", got.stderr


async def test_exec_timeout_kills_the_command_inside(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    m = track(make_spec())
    await m.create()
    await m.start()
    with pytest.raises(PlatformError, match="timed out after 0.5 s"):
        await m.exec(["sh", "-c", "exec sleep 4242"], timeout=0.5)
    # The command was killed, not left running inside the node.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while "sleep 4242" in (await m.exec(["ps", "-o", "args"])).stdout.decode().splitlines():
        assert loop.time() < deadline, "the timed-out command is still running in the node"
        await asyncio.sleep(0.05)


async def test_capabilities_can_be_narrowed_and_ramdisks_are_mounted(
    make_spec: Callable[..., MachineSpec], track: Track
) -> None:
    from bv_daemon.platform.bwrap import NODE_CAPABILITIES

    probe = (
        "grep CapEff /proc/self/status > /blockjoy/caps; "
        "mount -t tmpfs none /tmp 2>/dev/null; echo $? > /blockjoy/mount.rc; "
        "grep ' /ram ' /proc/mounts > /blockjoy/ram; touch /blockjoy/done; exec sleep 100000"
    )
    spec = make_spec(babel_command=("/bin/sh", "-c", probe), ramdisks=(("/ram", 8),))
    m = BwrapPlatform(capabilities=NODE_CAPABILITIES).machine(spec)
    try:
        await m.create()
        await m.start()
        await _wait_file(spec.data_dir / "done")
        # Docker's default capability set (0xa80425fb); mounting is refused.
        assert spec.data_dir.joinpath("caps").read_text().split() == ["CapEff:", "00000000a80425fb"]
        assert spec.data_dir.joinpath("mount.rc").read_text().strip() != "0"
        assert "tmpfs" in spec.data_dir.joinpath("ram").read_text()
        assert "size=8192k" in spec.data_dir.joinpath("ram").read_text()
    finally:
        await m.delete()

    # The default keeps every capability (babel may mount ramdisks itself, as the original).
    full = track(make_spec(babel_command=("/bin/sh", "-c", probe)))
    await full.create()
    await full.start()
    await _wait_file(full.spec.data_dir / "done")
    assert full.spec.data_dir.joinpath("mount.rc").read_text().strip() == "0"


def test_unknown_capability_is_refused() -> None:
    with pytest.raises(InvalidSpec, match="capability 'CAP_FLY'"):
        BwrapPlatform(capabilities=("CAP_CHOWN", "CAP_FLY"))
