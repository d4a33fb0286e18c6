"""`bv node list/create/start/stop/restart/upgrade/delete` against the fake daemon."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bv_runner import Bv
from fake_daemon import FakeDaemon


def test_list_empty(bv: Bv) -> None:
    r = bv("node", "list")
    assert (r.code, r.out, r.err) == (0, "No nodes found.\n", "")
    r = bv("-o", "json", "node", "ls")
    assert (r.code, json.loads(r.out)) == (0, [])


def test_list_table_columns_and_uptime(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True, ip="10.0.0.10")
    fake.add_node("beta", ip="10.0.0.11")
    r = bv("node", "list")
    assert r.code == 0
    header, *rows = r.lines
    assert header.split() == ["ID", "Name", "Image", "State", "IP", "Address", "Uptime", "[h:m:s]"]
    assert rows[0].split()[:5] == ["00000000-0000-0000-0000-000000000001", "alpha",
                                   "demochain/devnet/1.0.0", "Running", "10.0.0.10"]
    assert re.fullmatch(r"01:02:0[3-9]", rows[0].split()[5])
    assert rows[1].split()[1:] == ["beta", "demochain/devnet/1.0.0", "Stopped", "10.0.0.11", "-"]
    # columns line up: every row's Name starts where the header's does
    assert all(row.index("alpha" if i == 0 else "beta") == header.index("Name")
               for i, row in enumerate(rows))


def test_list_json_same_facts(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True, tags=("eu",))
    r = bv("-o", "json", "node", "list")
    [node] = json.loads(r.out)
    assert node["name"] == "alpha" and node["status"] == "Running"
    assert node["image"] == "demochain/devnet/1.0.0" and node["tags"] == ["eu"]
    assert 3723 <= node["uptime_seconds"] < 3800


def test_list_running_and_tag_filters(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True, tags=("eu",))
    fake.add_node("beta", tags=("us",))
    fake.add_node("gamma", tags=("us", "eu"))
    names = lambda r: [json.loads(r.out)[i]["name"] for i in range(len(json.loads(r.out)))]  # noqa: E731
    assert names(bv("-o", "json", "node", "list", "--running")) == ["alpha"]
    assert names(bv("-o", "json", "node", "list", "--tag", "us")) == ["beta", "gamma"]
    assert list(fake.calls[-1][1].tags) == ["us"]
    assert bv("node", "list", "--running", "--tag", "us").out == "No nodes found.\n"


def test_create_prints_one_line_per_step_without_tty(bv: Bv, fake: FakeDaemon) -> None:
    r = bv("node", "create", "demochain", "devnet", "--name", "n1", "--prop", "network=main",
           "--tag", "eu", "--version", "1.0.0")
    assert r.code == 0, r.err
    # create-rootfs streams three byte-progress updates; without a TTY it is printed once
    assert r.lines == [
        "[1/3] Resolving image",
        "[2/3] Creating rootfs",
        "[3/3] Loading plugin",
        "Created new node with ID `00000000-0000-0000-0000-000000000001` and name `n1`",
    ]
    request = next(req for rpc, req in fake.calls if rpc == "CreateNode")
    assert dict(request.properties) == {"network": "main"}
    assert list(request.tags) == ["eu"] and request.image_version == "1.0.0"
    assert request.display_name == "n1" and not request.HasField("build_version")


def test_create_json_keeps_stdout_pure(bv: Bv) -> None:
    r = bv("-o", "json", "node", "create", "demochain", "devnet", "--props", '{"network": "test", "n": 3}')
    assert r.code == 0
    doc = json.loads(r.out)
    assert doc["name"] == "node-1" and doc["status"] == "Stopped"
    assert "[2/3] Creating rootfs" in r.err


def test_create_props_parsing_errors_are_usage_errors(bv: Bv, fake: FakeDaemon) -> None:
    for args, needle in [
        (["--props", "{bad"], "--props is not valid JSON"),
        (["--props", "[1]"], "--props must be a JSON object"),
        (["--props", '{"a": {"b": 1}}'], "value of `a` must be"),
        (["--prop", "novalue"], "--prop wants key=value, got 'novalue'"),
        (["--props", "{}", "--prop", "a=b"], "either --props JSON or --prop"),
    ]:
        r = bv("node", "create", "demochain", "devnet", *args)
        assert r.code == 2, args
        assert needle in r.err and r.err.count("\n") == 1, r.err
    assert not any(rpc == "CreateNode" for rpc, _ in fake.calls)


def test_create_daemon_errors(bv: Bv, fake: FakeDaemon) -> None:
    r = bv("node", "create", "nochain", "x")
    assert r.code == 1
    assert r.err == "Error: image `nochain/x` not found in the local image store\n"
    r = bv("node", "create", "demochain", "devnet", "--prop", "network=moon")
    assert (r.code, r.err) == (1, "Error: property `network`: `moon` is not one of main, test\n")
    bv("node", "create", "demochain", "devnet", "--name", "dup")
    r = bv("node", "create", "demochain", "devnet", "--name", "dup")
    assert (r.code, r.err) == (1, "Error: node name `dup` is already used\n")
    assert len(fake.nodes) == 1


def test_start_stop_restart_by_name_and_id(bv: Bv, fake: FakeDaemon) -> None:
    node = fake.add_node("alpha")
    node_id = node.info.id
    r = bv("node", "start", "alpha")
    assert (r.code, r.out) == (0, f"Started node `{node_id}`\n")
    assert node.info.status == 2 - 1  # NODE_STATUS_RUNNING
    r = bv("node", "stop", node_id, "--force")
    assert (r.code, r.out) == (0, f"Stopped node `{node_id}`\n")
    stop = [req for rpc, req in fake.calls if rpc == "StopNode"][-1]
    assert stop.force and stop.node == node_id
    r = bv("node", "restart", "alpha")
    assert (r.code, r.out) == (0, f"Restarted node `{node_id}`\n")


def test_multi_node_goes_on_after_failure(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha")
    fake.add_node("beta")
    r = bv("node", "start", "alpha", "ghost", "beta")
    assert r.code == 1
    assert r.lines == ["Started node `00000000-0000-0000-0000-000000000001`",
                       "Started node `00000000-0000-0000-0000-000000000002`"]
    assert r.err == "Failed to start node `ghost`: node `ghost` not found\n"


def test_all_and_empty_selection(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha")
    fake.add_node("beta")
    r = bv("node", "start")
    assert r.code == 2 and "<ID_OR_NAMES> can't be empty list" in r.err
    r = bv("node", "start", "alpha", "--all")
    assert r.code == 2 and "not several of them" in r.err
    r = bv("-o", "json", "node", "start", "--all")
    results = json.loads(r.out)
    assert [x["result"]["name"] for x in results] == ["alpha", "beta"]
    assert all(x["ok"] and x["result"]["status"] == "Running" for x in results)


def test_upgrade_shows_steps_and_version(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "upgrade", "alpha", "--version", "2.0.0")
    assert r.code == 0
    assert r.lines == ["[1/3] Upgrade: stop", "[2/3] Upgrade: swap-image", "[3/3] Upgrade: start",
                       "Upgraded node `00000000-0000-0000-0000-000000000001` to 2.0.0"]
    r = bv("node", "upgrade", "alpha", "--version", "9.9.9")
    assert r.code == 1
    assert r.err == ("Failed to upgrade node `alpha`: image `demochain/devnet` version `9.9.9` "
                     "not found\n")
    assert bv("node", "upgrade").code == 2


def test_delete_asks_first(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha")
    r = bv("node", "delete", "alpha", input="n\n")
    assert r.code == 1 and "Aborted: nothing deleted" in r.err
    assert "Are you sure you want to delete following node(s)?\n  alpha\n" in r.out
    assert len(fake.nodes) == 1
    r = bv("node", "rm", "alpha", input="y\n")
    assert r.code == 0 and r.lines[-1].endswith("Deleted node `alpha`")
    assert fake.nodes == {}


def test_delete_all_and_tags(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", tags=("a",))
    fake.add_node("beta", tags=("b",))
    fake.add_node("gamma", tags=("b",))
    r = bv("node", "delete", "--tags", "b", "-y")
    assert r.code == 0 and len(r.lines) == 2
    assert [n.info.name for n in fake.nodes.values()] == ["alpha"]
    r = bv("node", "d", "--all", input="y\n")
    assert "Are you sure you want to delete all nodes?" in r.out and fake.nodes == {}
    r = bv("node", "delete", "--all", "-y")
    assert (r.code, r.out) == (0, "No nodes found.\n")


def test_update(bv: Bv, fake: FakeDaemon, tmp_path: Path) -> None:
    node = fake.add_node("alpha", properties={"network": "main"})
    r = bv("node", "update", "alpha", "--prop", "greeting=hi; rm -rf /", "--display-name", "Alpha")
    assert (r.code, r.out) == (0, f"Updated node `{node.info.id}`\n")
    assert dict(node.info.properties) == {"network": "main", "greeting": "hi; rm -rf /"}
    assert node.info.display_name == "Alpha"
    fw = tmp_path / "fw.json"
    fw.write_text('{"default_in": "deny", "rules": []}')
    bv("node", "update", "alpha", "--firewall-file", str(fw))
    assert fake.calls[-1][1].firewall_json == fw.read_bytes()
    fw.write_text("{nope")
    r = bv("node", "update", "alpha", "--firewall-file", str(fw))
    assert r.code == 1 and r.err.startswith(f"Error: --firewall-file {fw} is not valid JSON")
    r = bv("node", "update", "alpha")
    assert r.code == 2 and "nothing to update" in r.err
    assert bv("node", "update", "ghost", "--prop", "a=b").err == "Error: node `ghost` not found\n"
