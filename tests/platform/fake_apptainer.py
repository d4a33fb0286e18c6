"""A fake `apptainer` executable for the apptainer backend tests (the real one cannot run here)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FAKE_APPTAINER", "FakeApptainer"]

# A stand-in for the `apptainer` CLI (which cannot run here): records every argv as a JSON line in
# $FAKE_APPTAINER_STATE/calls.jsonl and emulates just enough behaviour - sandbox build, instances
# as detached sleeper processes with a pid file, `exec` running the command on the host (babel
# becomes a sleeper), `instance list --json`, `instance stop` killing the instance and its execs.
FAKE_APPTAINER = r"""#!/usr/bin/env python3
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path

state = Path(os.environ["FAKE_APPTAINER_STATE"])
state.mkdir(parents=True, exist_ok=True)
args = sys.argv[1:]
with open(state / "calls.jsonl", "a") as f:
    f.write(json.dumps(args) + "\n")

def alive(pid):
    try:
        st = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return st not in ("Z", "X")

def instances(name=None):
    out = []
    for f in sorted((state / "instances").glob("*.json")):
        doc = json.loads(f.read_text())
        if alive(doc["pid"]) and (name is None or doc["instance"] == name):
            out.append(doc)
    return out

def sleeper():
    return subprocess.Popen(["sleep", "1000000"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True).pid

def opt(name):
    return args[args.index(name) + 1]

cmd = args[0]
if cmd == "inspect":
    if (Path(args[-1]) / ".fake-built").exists():
        print(json.dumps({"data": {"attributes": {"deffile": "bootstrap: localimage"}}}))
        sys.exit(0)
    print("FATAL: not a sandbox", file=sys.stderr); sys.exit(255)
if cmd == "build":
    dest, src = Path(args[-2]), args[-1]
    if os.path.isdir(src):
        shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
    else:
        dest.mkdir(parents=True, exist_ok=True)
    (dest / ".fake-built").write_text(src)
    sys.exit(0)
if cmd == "instance" and args[1] == "run":
    name = args[-1]
    if instances(name):
        print(f"FATAL: instance {name} already exists", file=sys.stderr); sys.exit(255)
    pid = sleeper()
    (state / "instances").mkdir(exist_ok=True)
    (state / "instances" / f"{name}.json").write_text(json.dumps({"instance": name, "pid": pid, "img": args[-2]}))
    Path(opt("--pid-file")).write_text(f"{pid}\n")
    sys.exit(0)
if cmd == "instance" and args[1] == "list":
    print(json.dumps({"instances": instances(args[-1] if args[-1] != "--json" else None)}))
    sys.exit(0)
if cmd == "instance" and args[1] == "stop":
    found = instances(args[2])
    if not found:
        print(f"FATAL: no instance found with name {args[2]}", file=sys.stderr); sys.exit(255)
    for f in (state / "execs").glob(f"{args[2]}.*"):
        try:
            os.kill(int(f.name.split(".")[-1]), signal.SIGKILL)
        except ProcessLookupError:
            pass
        f.unlink()
    os.kill(found[0]["pid"], signal.SIGTERM)
    (state / "instances" / f"{args[2]}.json").unlink()
    sys.exit(0)
if cmd == "exec":
    i = next(i for i, a in enumerate(args) if a.startswith("instance://"))
    name, argv = args[i][len("instance://"):], args[i + 1:]
    if not instances(name):
        print(f"FATAL: instance {name} not running", file=sys.stderr); sys.exit(255)
    if argv[0] == "ping":
        sys.exit(0)
    if argv[0].endswith("babel"):
        (state / "execs").mkdir(exist_ok=True)
        (state / "execs" / f"{name}.{os.getpid()}").touch()
        os.execvp("sleep", ["sleep", "1000000"])
    os.execvp(argv[0], argv)
print(f"fake apptainer: unsupported {args}", file=sys.stderr)
sys.exit(2)
"""


@dataclass(frozen=True)
class FakeApptainer:
    binary: Path
    state: Path

    def calls(self) -> list[list[str]]:
        f = self.state / "calls.jsonl"
        return [json.loads(line) for line in f.read_text().splitlines()] if f.exists() else []
