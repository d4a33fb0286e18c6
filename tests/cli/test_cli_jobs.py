"""`bv node jobs`, `bv node job <node> ...` and `bv node logs` against the fake daemon."""

from __future__ import annotations

import json

from bv_runner import Bv
from fake_daemon import FakeDaemon


def test_jobs_table_and_alias(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "jobs", "alpha")
    assert r.code == 0
    assert r.lines[0].split() == ["Name", "Status", "Restarts", "Progress", "Since"]
    assert r.lines[1].split() == ["demochain", "Running", "0", "-", "2025-11-24", "16:00:00", "UTC"]
    assert r.lines[2].startswith("init_data  Finished with exit code 0")
    assert bv("node", "job", "alpha", "ls").out == r.out
    assert bv("node", "j", "alpha", "list").out == r.out
    doc = json.loads(bv("-o", "json", "node", "jobs", "alpha").out)
    assert [(j["name"], j["status"], j["exit_code"]) for j in doc] == [
        ("demochain", "Running", None), ("init_data", "Finished", 0)]


def test_job_info(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "job", "alpha", "info", "init_data")
    assert r.lines == ["status:           Finished with exit code 0", "restart_count:    0",
                       "upgrade_blocking: true", "logs:", "  a", "  b", "  c", "  d", "  e"]
    r = bv("node", "job", "alpha", "info", "demochain")
    assert r.lines[0] == "status:           2025-11-24 16:00:00 UTC| Running"
    assert r.lines[-1] == "logs:             <empty>"
    r = bv("node", "job", "alpha", "info", "nope")
    assert (r.code, r.err) == (1, "Error: job `nope` not found on node `alpha`\n")


def test_job_actions(bv: Bv, fake: FakeDaemon) -> None:
    node = fake.add_node("alpha", running=True)
    assert bv("node", "job", "alpha", "stop", "demochain").out == \
        "Stopped job `demochain` of node `alpha`\n"
    assert node.jobs["demochain"].status == 4
    assert bv("node", "job", "alpha", "start", "demochain").out == \
        "Started job `demochain` of node `alpha`\n"
    assert bv("node", "job", "alpha", "skip", "demochain").out == \
        "Skipped job `demochain` of node `alpha`\n"
    assert node.jobs["demochain"].status == 3 and node.jobs["demochain"].exit_code == 0
    assert bv("node", "job", "alpha", "cleanup", "init_data").code == 0
    assert fake.calls[-1][0] == "CleanupJob" and fake.calls[-1][1].job == "init_data"


def test_job_stop_all_and_usage(bv: Bv, fake: FakeDaemon) -> None:
    node = fake.add_node("alpha", running=True)
    r = bv("node", "job", "alpha", "stop", "--all")
    assert r.lines == ["Stopped job `demochain` of node `alpha`"]  # init_data was not running
    assert node.jobs["demochain"].status == 4
    assert bv("node", "job", "alpha", "stop", "--all").out == "No running jobs.\n"
    assert bv("node", "job", "alpha", "stop").code == 2
    assert bv("node", "job", "alpha", "stop", "x", "--all").code == 2


def test_node_logs_all_and_one_job(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    assert bv("node", "logs", "alpha").lines == [
        "babel| babel started", "demochain| block 1", "demochain| block 2", "init_data| init done"]
    assert bv("node", "logs", "alpha", "demochain", "-n", "1").lines == ["block 2"]
    request = fake.calls[-1][1]
    assert (request.job, request.tail_lines, request.follow) == ("demochain", 1, False)
    assert bv("node", "job", "alpha", "logs", "demochain", "--lines", "5").lines == ["block 1", "block 2"]
    r = bv("node", "logs", "alpha", "ghostjob")
    assert (r.code, r.err) == (0, "No logs for 'ghostjob' job found!\n")


def test_node_logs_follow_and_json_lines(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "logs", "alpha", "demochain", "-n", "1", "-f")
    assert r.lines == ["block 2", "block 3", "block 4", "block 5"]
    assert fake.calls[-1][1].follow
    r = bv("-o", "json", "node", "logs", "alpha", "-n", "2")
    assert [json.loads(line) for line in r.lines] == [
        {"source": "demochain", "line": "block 2"}, {"source": "init_data", "line": "init done"}]


def test_jobs_unknown_node(bv: Bv) -> None:
    for args in (["node", "jobs", "ghost"], ["node", "logs", "ghost"], ["node", "job", "ghost", "ls"]):
        r = bv(*args)
        assert (r.code, r.err) == (1, "Error: node `ghost` not found\n"), args
