"""`bv` start-up: what each command imports, and the tables that make the lazy loading work.

Scripts run `bv` in loops, so its import set is part of its behaviour: `--help`/`--version` must
not load grpc, protobuf or asyncio, and `bv node list` must load only the one message module it
uses. Checked in fresh interpreters by listing ``sys.modules`` after `main()` returns (``-X
importtime`` does not see modules loaded through importlib.import_module, as lazy commands are).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from fake_daemon import FakeDaemon

from bv_core.proto.blockvisor.internal.v1 import service_pb2

HEAVY = ("grpc", "google.protobuf", "asyncio", "uvloop", "msgspec", "bv_core.models", "bv_core.rhai")
PB2 = "bv_core.proto."


# What the `bv` console script runs, then the names of every module it loaded to $MODULES_OUT.
ENTRY = """
import os, sys
from bv_daemon.cli.bv import main
code = main()
with open(os.environ["MODULES_OUT"], "w") as out:
    out.write("\\n".join(sorted(sys.modules)))
sys.exit(code)
"""


def _imported(*args: str, tmp: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `bv ARGS` in a fresh interpreter: its exit status, output and loaded modules."""
    listing = tmp / "modules.txt"
    proc = subprocess.run([sys.executable, "-c", ENTRY, *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "MODULES_OUT": str(listing)})
    modules = set(listing.read_text().splitlines())
    assert "bv_daemon.cli.bv" in modules  # the listing is real
    return proc, modules


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith(HEAVY) or m.startswith(PB2))


@pytest.mark.parametrize("args", [("--help",), ("node", "--help"), ("node", "list", "--help"),
                                  ("node", "job", "--help"), ("-o", "json", "--version")])
def test_help_imports_no_grpc_protobuf_or_asyncio(args: tuple[str, ...], tmp_path: Path) -> None:
    proc, modules = _imported(*args, tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.strip()
    assert _heavy(modules) == []


def test_version_imports_neither_grpc_nor_click(tmp_path: Path) -> None:
    proc, modules = _imported("--version", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout == "bv, version 0.1.0\n"
    assert _heavy(modules) == []
    assert not any(m == "click" or m.startswith("click.") for m in modules)


def test_fast_version_matches_clicks_version_option() -> None:
    from bv_daemon import __version__
    from bv_daemon.cli.bv import main

    outputs = []
    for argv in (["--version"], ["-o", "json", "--version"]):  # fast path, then click's option
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(argv) == 0
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] == f"bv, version {__version__}\n"


def test_node_list_loads_only_its_message_module(short_dir: Path, fake: FakeDaemon) -> None:
    fake.add_node("startup-a", running=True)
    fake.add_node("startup-b")
    proc, modules = _imported("--socket", str(short_dir / "bv.sock"), "node", "list", tmp=short_dir)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert [line.split()[1] for line in proc.stdout.splitlines()[1:]] == ["startup-a", "startup-b"]
    messages = sorted(m for m in modules if m.startswith(PB2) and m.endswith("_pb2"))
    assert messages == ["bv_core.proto.blockvisor.internal.v1.node_pb2"]
    assert not any(m.endswith("_pb2_grpc") for m in modules)
    # Unary calls go over the CLI's own HTTP/2 client: no grpcio, and so no asyncio either.
    assert not any(m == "grpc" or m.startswith(("grpc.", "asyncio")) for m in modules)
    # Only the commands that ran were imported.
    assert "bv_daemon.cli._node_commands" in modules
    assert {"bv_daemon.cli._host_commands", "bv_daemon.cli._job_commands",
            "bv_daemon.cli._node_inspect_commands", "bv_daemon.cli._daemon_commands"}.isdisjoint(modules)


def test_unreachable_daemon_fails_before_importing_grpc(short_dir: Path) -> None:
    proc, modules = _imported("--socket", str(short_dir / "nobody.sock"), "status", tmp=short_dir)
    assert proc.returncode == 0  # `bv status` reports a stopped service, it does not fail
    assert proc.stdout.strip() == "Service stopped"
    assert not any(m == "grpc" or m.startswith("grpc.") for m in modules)


def test_rpc_table_matches_the_generated_service() -> None:
    from bv_daemon.cli._client import RPC_TYPES

    service = service_pb2.DESCRIPTOR.services_by_name["BlockvisorService"]
    generated = {}
    for method in service.methods:
        assert not method.client_streaming, f"{method.name}: client streaming is not supported by the CLI"
        module = Path(method.output_type.file.name).stem + "_pb2"
        generated[method.name] = (module, method.output_type.name, method.server_streaming)
    assert RPC_TYPES == generated


def _lazy_tables() -> list[tuple[click.Group, dict[str, str]]]:
    from bv_daemon.cli._node_commands import NODE_COMMANDS, node_group
    from bv_daemon.cli._root import COMMANDS, bv

    return [(bv, COMMANDS), (node_group, NODE_COMMANDS)]


def test_every_lazy_command_loads_under_its_own_name() -> None:
    for group, table in _lazy_tables():
        ctx = click.Context(group, info_name=group.name)
        for name in table:
            command = group.get_command(ctx, name)
            assert isinstance(command, click.Command), f"{group.name} {name}: {table[name]}"
            assert command.name == name


def test_help_lists_lazy_commands_and_typos_suggest_them(capsys: pytest.CaptureFixture[str]) -> None:
    from bv_daemon.cli.bv import main

    assert main(["node", "--help"]) == 0
    listing = capsys.readouterr().out
    for name in ("list", "info", "job (j)", "jobs", "logs", "capabilities (caps)", "reload-plugin"):
        assert f"  {name} " in listing
    assert main(["node", "capabilitis"]) == 2
    assert "Did you mean 'capabilities'?" in capsys.readouterr().err
