"""Starts a process inside a running bwrap node, apart from the node's main process.

The bwrap backend runs this file with the host interpreter (`python3 -I _nsspawn.py ...`, stdlib
only, so any install layout works) to start babel inside an already running sandbox: it joins
the sandbox's cgroup, IPC, UTS, network, PID and mount namespaces and root (what `nsenter -t
PID -C -i -u -n -p -m -r` does), optionally narrows the capability set the way bwrap's
`--cap-drop ALL --cap-add ...` does for the main process (nsenter cannot, and no tool for it can
be assumed in the node rootfs), then forks the command into the node's PID namespace.

    _nsspawn.py --target PID --status FILE [--caps MASK] -- COMMAND...

stdout receives one JSON object and is then closed: `{"pid": N}` (the command's host pid) or
`{"error": "..."}`. The launcher stays the command's host-side parent: it forwards SIGTERM/SIGINT
to it, waits for it, appends `{"pid": N, "exit-code": C}` to FILE (C = 128 + signal number when
killed) and exits. The command's stdout and stderr are the launcher's stderr. Nothing may be imported once inside
the node's root (the host's stdlib is not there): every module is imported at the top. Because the
command lives in the node's PID namespace, killing the namespace's init takes it down too, and
the processes it leaves behind when it exits are adopted by that init, not by the host.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
from collections.abc import Sequence

__all__ = ["CAP_NUMBERS", "cap_mask", "main"]

# linux/capability.h, in number order
_CAP_NAMES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
)  # fmt: skip
CAP_NUMBERS = {name: n for n, name in enumerate(_CAP_NAMES)}

# Joined in nsenter's order; the mount namespace last, since /proc/<pid>/... paths are opened
# from the host's view beforehand.
_NAMESPACES = ("cgroup", "ipc", "uts", "net", "pid", "mnt")
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522


def cap_mask(names: Sequence[str]) -> int:
    """The bit mask of capability names; KeyError names an unknown one."""
    mask = 0
    for name in names:
        mask |= 1 << CAP_NUMBERS[name.upper()]
    return mask


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _check(res: int, what: str) -> None:
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _narrow_caps(libc: ctypes.CDLL, mask: int, last_cap: int) -> None:
    # As bwrap: drop the rest from the bounding set, clear ambient, then set what is kept; a root
    # process execs with (inheritable | bounding), so the command ends up with exactly `mask`.
    for cap in range(last_cap + 1):
        if not mask >> cap & 1:
            _check(libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop capability {cap}")
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)  # absent on old kernels
    data = (_CapData * 2)()
    for i in range(2):
        word = (mask >> (32 * i)) & 0xFFFFFFFF
        data[i].effective = data[i].permitted = data[i].inheritable = word
    header = _CapHeader(_CAP_VERSION_3, 0)
    _check(libc.capset(ctypes.byref(header), data), "capset")


def _enter(libc: ctypes.CDLL, target: int) -> None:
    """Joins the target's namespaces (those that differ from ours) and its root directory."""
    fds = []
    for ns in _NAMESPACES:
        theirs, ours = f"/proc/{target}/ns/{ns}", f"/proc/self/ns/{ns}"
        st_t, st_o = os.stat(theirs), os.stat(ours)
        if (st_t.st_dev, st_t.st_ino) != (st_o.st_dev, st_o.st_ino):
            fds.append((ns, os.open(theirs, os.O_RDONLY)))
    root = os.open(f"/proc/{target}/root", os.O_RDONLY | os.O_DIRECTORY)
    for ns, fd in fds:
        _check(libc.setns(fd, 0), f"join {ns} namespace of pid {target}")
        os.close(fd)
    os.fchdir(root)
    os.chroot(".")
    os.chdir("/")
    os.close(root)


def _exec(command: list[str]) -> None:
    # os.execvp would import modules lazily, which fails once chrooted into the node (the host's
    # stdlib is not there): search PATH by hand.
    name = command[0]
    if "/" in name:
        os.execv(name, command)
    error: OSError = FileNotFoundError(2, os.strerror(2))
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        try:
            os.execv(os.path.join(d or ".", name), command)
        except (FileNotFoundError, NotADirectoryError, PermissionError) as err:
            if not isinstance(err, FileNotFoundError | NotADirectoryError):
                error = err
    raise error


def _report(doc: dict[str, object]) -> None:
    os.write(1, json.dumps(doc).encode() + b"\n")
    # Close the pipe so the caller's read ends; keep fd 1 valid.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _parse(argv: list[str]) -> tuple[int, str, int | None, list[str]]:
    if "--" not in argv:
        raise ValueError("usage: _nsspawn.py --target PID --status FILE [--caps MASK] -- CMD...")
    split = argv.index("--")
    opts, command = argv[:split], argv[split + 1 :]
    values = dict(zip(opts[::2], opts[1::2], strict=True))
    caps = values.get("--caps")
    if not command:
        raise ValueError("no command given")
    return int(values["--target"]), values["--status"], None if caps is None else int(caps), command


def main(argv: list[str]) -> int:
    try:
        target, status_path, caps, command = _parse(argv)
    except (ValueError, KeyError) as err:
        _report({"error": f"bad arguments: {err}"})
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        status_fd = os.open(status_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last_cap = int(f.read())
        _enter(libc, target)
    except OSError as err:
        _report({"error": f"cannot enter the node (pid {target}): {err.strerror or err}"})
        return 125
    child = os.fork()
    if child == 0:
        try:
            os.dup2(2, 1)
            if caps is not None:
                _narrow_caps(libc, caps, last_cap)
            _exec(command)
        except OSError as err:
            os.write(2, f"cannot start {command[0]}: {err.strerror or err}\n".encode())
        os._exit(127)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    _report({"pid": child})
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    code = 128 - code if code < 0 else code
    os.write(status_fd, json.dumps({"pid": child, "exit-code": code}).encode() + b"\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
