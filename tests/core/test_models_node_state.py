"""Node state.json and nodes-manager state.json: round trips, the original's shapes, bad input."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bv_core.errors import ModelError, NotFound
from bv_core.models import (
    CpuAssignmentChange,
    CpuAssignmentStep,
    FirewallAction,
    NetProtocol,
    NodeImage,
    NodesManagerState,
    NodeState,
    ProtocolImageKey,
    ScheduledTask,
    VmConfig,
    VmStatus,
    encode_json,
    load_node_state,
    load_nodes_manager_state,
    save_node_state,
    save_nodes_manager_state,
)

CheckError = Callable[[ModelError, str, str, str], None]


def test_full_state_parses(data_dir: Path) -> None:
    state = load_node_state(data_dir / "node_state.json")
    assert state.id == uuid.UUID("7c0b6a4e-2f9d-4d1e-9a3b-2b8a6f0e5c11")
    assert state.expected_status is VmStatus.RUNNING
    assert state.firewall.default_in is FirewallAction.DENY
    assert state.firewall.rules[0].protocol is NetProtocol.BOTH
    assert state.firewall.rules[2].protocol is None
    assert state.vm_config.ramdisks[0].ram_disk_size_mb == 100
    steps = state.upgrade_state.steps
    assert steps[0] == "Stop"
    assert steps[1] == CpuAssignmentStep(cpu_assignment=CpuAssignmentChange(acquired_cpus=2))
    assert state.upgrade_state.state_backup is not None
    assert state.upgrade_state.state_backup.image.version == "1.1.0"
    assert state.upgrade_state.data_stamp is not None
    assert state.upgrade_state.data_stamp.nanos_since_epoch == 123456789
    assert state.apptainer_config is not None and state.apptainer_config.memory_limit is False


def test_round_trip_through_file_is_identity(data_dir: Path, tmp_path: Path) -> None:
    state = load_node_state(data_dir / "node_state.json")
    out = tmp_path / "state.json"
    save_node_state(out, state)
    again = load_node_state(out)
    assert again == state
    # same JSON document as the original's file (field names, nesting, enum spellings)
    assert json.loads(out.read_text()) == json.loads((data_dir / "node_state.json").read_text())
    assert list(json.loads(out.read_text())) == list(
        json.loads((data_dir / "node_state.json").read_text())
    )


@pytest.mark.parametrize(
    "step",
    [
        "Stop", "Vm", "Plugin", "Firewall", "Restart", "ReInit",
        {"CpuAssignment": "None"},
        {"CpuAssignment": {"AcquiredCpus": 3}},
        {"CpuAssignment": {"ReleasedCpus": [4, 5]}},
    ],
)
def test_every_upgrade_step_round_trips(
    json_fixture: Callable[[str], Any], tmp_path: Path, step: object
) -> None:
    doc = json_fixture("node_state.json")
    doc["upgrade_state"]["steps"] = [step]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    state = load_node_state(path)
    assert json.loads(encode_json(state))["upgrade_state"]["steps"] == [step]


def test_minimal_state_gets_defaults_and_reads_files_without_optional_keys(
    json_fixture: Callable[[str], Any], tmp_path: Path
) -> None:
    doc = json_fixture("node_state.json")
    for key in ("tags", "started_at"):  # the original's serde defaults
        del doc[key]
    del doc["upgrade_state"]["data_stamp"]  # absent in A-era files
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    state = load_node_state(path)
    assert state.tags == [] and state.started_at is None
    assert state.upgrade_state.data_stamp is None


def test_state_built_in_code_is_mutable_and_persists(tmp_path: Path) -> None:
    state = NodeState(
        id=uuid.uuid4(), name="n1", protocol_id="p", ip="10.0.0.2", gateway="10.0.0.1",
        image_key=ProtocolImageKey(protocol_key="p", variant_key="v"),
        vm_config=VmConfig(vcpu_count=1, mem_size_mb=512, disk_size_gb=1),
        image=NodeImage(id="i", version="1.0.0", config_id="c", archive_id="a",
                        store_key="p-v-v1", uri="docker://p/v", min_babel_version="2.16.0"),
    )
    assert state.expected_status is VmStatus.STOPPED
    assert state.firewall.default_in is FirewallAction.REJECT  # original's default firewall
    state.expected_status = VmStatus.RUNNING
    state.upgrade_state.steps.append("Stop")
    path = tmp_path / "state.json"
    save_node_state(path, state)
    assert load_node_state(path) == state


# (JSON path as steps, op, value, error path, fragment)
BAD: list[Any] = [
    pytest.param(["name"], "delete", None, "$.name", "required field is missing", id="missing-name"),
    pytest.param(["image", "store_key"], "delete", None, "$.image.store_key",
                 "required field is missing", id="missing-nested"),
    pytest.param(["vm_config", "vcpu_count"], "set", "4", "$.vm_config.vcpu_count",
                 "expected `int`, got `str`", id="wrong-type"),
    pytest.param(["properties"], "set", {"a": 1}, "$.properties[...]", "expected `str`",
                 id="wrong-type-map-value"),
    pytest.param(["expected_status"], "set", "Paused", "$.expected_status",
                 "one of Running, Stopped, Busy, Failed", id="unknown-status"),
    pytest.param(["firewall", "rules", 1, "action"], "set", "drop", "$.firewall.rules[1].action",
                 "one of allow, deny, reject", id="unknown-firewall-action"),
    pytest.param(["upgrade_state", "steps", 0], "set", "Reboot", "$.upgrade_state.steps[0]",
                 "got 'Reboot'", id="unknown-upgrade-step"),
    pytest.param(["upgrade_state", "steps", 1, "CpuAssignment"], "set", {"Acquired": 1},
                 "$.upgrade_state.steps[1].CpuAssignment.Acquired", "unknown field",
                 id="unknown-cpu-change"),
    pytest.param(["upgrade_state", "steps", 1, "CpuAssignment"], "set", {},
                 "$.upgrade_state.steps[1].CpuAssignment", "exactly one of", id="empty-cpu-change"),
    pytest.param(["vm_config", "mem_size_mb"], "rename", "mem-size-mb", "$.vm_config.mem-size-mb",
                 "unknown field (allowed: disk_size_gb, mem_size_mb", id="kebab-field-name"),
    pytest.param(["vm_config", "vcpu_count"], "set", 0, "$.vm_config.vcpu_count", ">= 1",
                 id="zero-cpus"),
    pytest.param(["firewall", "rules", 0, "ports", 0], "set", 65536,
                 "$.firewall.rules[0].ports[0]", "<= 65535", id="port-out-of-range"),
    pytest.param(["upgrade_state", "data_stamp", "nanos_since_epoch"], "set", 10**9,
                 "$.upgrade_state.data_stamp.nanos_since_epoch", "<= 999999999", id="nanos-range"),
    pytest.param(["assigned_cpus", 0], "set", -1, "$.assigned_cpus[0]", ">= 0", id="negative-cpu"),
    pytest.param(["ip"], "set", "10.0.0.300", "$.ip", "IP address", id="bad-ip"),
    pytest.param(["firewall", "rules", 1, "ips", 1], "set", "2001:db8::/200",
                 "$.firewall.rules[1].ips[1]", "CIDR", id="bad-cidr"),
    pytest.param(["id"], "set", "not-a-uuid", "$.id", "valid UUID", id="bad-uuid"),
]


@pytest.mark.parametrize(("where", "op", "value", "path", "fragment"), BAD)
def test_bad_state_names_file_field_and_expectation(
    json_fixture: Callable[[str], Any], mutate: Callable[..., Any], check_error: CheckError,
    tmp_path: Path, where: list[Any], op: str, value: Any, path: str, fragment: str,
) -> None:
    bad = tmp_path / "state.json"
    bad.write_text(json.dumps(mutate(json_fixture("node_state.json"), where, op, value)))
    with pytest.raises(ModelError) as err:
        load_node_state(bad)
    check_error(err.value, str(bad), path, fragment)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "valid JSON"), (b'{"id": ', "valid JSON"), (b"[]", "expected `object`")],
    ids=["empty", "truncated", "array"],
)
def test_unparseable_state(tmp_path: Path, check_error: CheckError, content: bytes,
                           fragment: str) -> None:
    bad = tmp_path / "state.json"
    bad.write_bytes(content)
    with pytest.raises(ModelError) as err:
        load_node_state(bad)
    check_error(err.value, str(bad), "$", fragment)


def test_missing_state_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"state\.json: no such file"):
        load_node_state(tmp_path / "state.json")


# ---- nodes-manager state -------------------------------------------------------------------

def test_nodes_manager_state_round_trip(data_dir: Path, tmp_path: Path) -> None:
    state = load_nodes_manager_state(data_dir / "nodes_state.json")
    assert [t.task.plugin_fn_call.name for t in state.scheduled_tasks] == ["prune_db", "upload"]
    out = tmp_path / "state.json"
    save_nodes_manager_state(out, state)
    assert load_nodes_manager_state(out) == state
    assert json.loads(out.read_text()) == json.loads((data_dir / "nodes_state.json").read_text())
    assert NodesManagerState().scheduled_tasks == []
    with pytest.raises(AttributeError):
        state.scheduled_tasks[0].name = "x"  # type: ignore[misc]
    assert isinstance(msgspec.structs.replace(state.scheduled_tasks[0], name="x"), ScheduledTask)


NODES_BAD: list[Any] = [
    pytest.param(["scheduled_tasks", 0, "schedule"], "delete", None,
                 "$.scheduled_tasks[0].schedule", "required field is missing", id="missing"),
    pytest.param(["scheduled_tasks", 0, "schedule"], "set", "", "$.scheduled_tasks[0].schedule",
                 "length >= 1", id="empty-schedule"),
    pytest.param(["scheduled_tasks", 1, "task"], "set", {"Shell": {"cmd": "x"}},
                 "$.scheduled_tasks[1].task.Shell", "unknown field (allowed: PluginFnCall)",
                 id="unknown-task-kind"),
    pytest.param(["scheduled_tasks", 0, "node_id"], "set", 7, "$.scheduled_tasks[0].node_id",
                 "expected `uuid`, got `int`", id="wrong-type"),
    pytest.param(["scheduled_tasks"], "rename", "scheduled-tasks", "$.scheduled-tasks",
                 "unknown field", id="kebab-key"),
]


@pytest.mark.parametrize(("where", "op", "value", "path", "fragment"), NODES_BAD)
def test_bad_nodes_manager_state(
    json_fixture: Callable[[str], Any], mutate: Callable[..., Any], check_error: CheckError,
    tmp_path: Path, where: list[Any], op: str, value: Any, path: str, fragment: str,
) -> None:
    bad = tmp_path / "state.json"
    bad.write_text(json.dumps(mutate(json_fixture("nodes_state.json"), where, op, value)))
    with pytest.raises(ModelError) as err:
        load_nodes_manager_state(bad)
    check_error(err.value, str(bad), path, fragment)
