"""`bv node info/status/capabilities/run/check/reload-plugin` against the fake daemon."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bv_runner import Bv
from fake_daemon import CAPABILITIES, FakeDaemon


def test_info_running_node_text(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True, tags=("eu", "fast"), properties={"network": "main"})
    r = bv("node", "info", "alpha")
    assert r.code == 0, r.err
    text = r.out
    for line in ["Name:            alpha", "Id:              00000000-0000-0000-0000-000000000001",
                 "Image:           demochain/devnet/1.0.0", "Status:          Running",
                 "Ip:              10.0.0.10", "Gateway:         10.0.0.1",
                 "Protocol Status: broadcasting (Healthy)", "Block height:    100",
                 "Block age:       3", "In consensus:    false", "  network: main",
                 "Requirements:    cpu: 1, memory: 512MB, disk: 1GB", "Assigned CPUs:   0",
                 "Tags:            eu, fast"]:
        assert line in r.lines, (line, text)
    assert re.search(r"^Uptime \[h:m:s\]:  01:02:0\d$", text, re.M)
    # jobs: status with timestamp, and only the first 3 log lines plus the hint
    assert "    Status:      2025-11-24 16:00:00 UTC| Running" in r.lines
    assert "    Status:      Finished with exit code 0" in r.lines
    logs_at = r.lines.index("    Logs:")
    assert r.lines[logs_at + 1:logs_at + 5] == [
        "      a", "      b", "      c",
        "      ... use `bv node job alpha info init_data` to get more"]


def test_info_stopped_node_skips_live_parts(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("beta")
    r = bv("node", "info", "00000000-0000-0000-0000-000000000001")
    assert r.code == 0
    assert "Status:          Stopped" in r.lines and "Uptime [h:m:s]:  -" in r.lines
    assert not any(line.startswith(("Block height", "Jobs")) for line in r.lines)
    assert not any(rpc in ("GetNodeMetrics", "ListJobs") for rpc, _ in fake.calls)


def test_info_json_carries_state_metrics_jobs(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    doc = json.loads(bv("-o", "json", "node", "info", "alpha").out)
    assert doc["state"]["assigned_cpus"] == [0]
    assert doc["info"]["vm"] == {"vcpu_count": 1, "mem_size_mb": 512, "disk_size_gb": 1, "ramdisks": []}
    assert doc["metrics"]["height"] == 100 and doc["metrics"]["protocol_health"] == "Healthy"
    assert [j["name"] for j in doc["jobs"]] == ["demochain", "init_data"]
    assert doc["jobs"][1]["logs"] == ["a", "b", "c", "d", "e"]
    assert doc["jobs"][0]["timestamp"] == "2025-11-24T16:00:00Z"


def test_info_metrics_failure_is_shown_not_fatal(bv: Bv, fake: FakeDaemon) -> None:
    import grpc

    fake.add_node("alpha", running=True)
    fake.fail_next["GetNodeMetrics"] = (grpc.StatusCode.UNKNOWN, "plugin error: height: connection refused")
    r = bv("node", "info", "alpha")
    assert r.code == 0
    assert "Metrics:         unavailable (plugin error: height: connection refused)" in r.lines


def test_info_unknown_node(bv: Bv) -> None:
    r = bv("node", "info", "ghost")
    assert (r.code, r.out, r.err) == (1, "", "Error: node `ghost` not found\n")


def test_status_words(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    fake.add_node("beta")
    assert bv("node", "status", "alpha").out == "Running\n"
    assert bv("node", "status", "alpha", "beta").lines == ["alpha: Running", "beta: Stopped"]
    assert json.loads(bv("-o", "json", "node", "status", "beta").out) == [
        {"node": "beta", "status": "Stopped"}]
    assert bv("node", "status").code == 2


def test_capabilities(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha")
    assert bv("node", "caps", "alpha").lines == CAPABILITIES
    assert json.loads(bv("-o", "json", "node", "capabilities", "alpha").out) == CAPABILITIES


def test_run_method_and_params(bv: Bv, fake: FakeDaemon, tmp_path: Path) -> None:
    fake.add_node("alpha", running=True)
    assert bv("node", "run", "height", "alpha").out == "101\n"
    assert bv("node", "run", "upload", "alpha", "--param", "x; rm -rf /").out == "param=x; rm -rf /\n"
    param = tmp_path / "p.json"
    param.write_text('{"a": 1}')
    assert bv("node", "run", "upload", "alpha", "--param-file", str(param)).out == 'param={"a": 1}\n'
    r = bv("node", "run", "upload", "alpha", "--param-file", str(tmp_path / "missing"))
    assert r.code == 1 and f"cannot read --param-file {tmp_path / 'missing'}" in r.err
    r = bv("node", "run", "upload", "alpha", "--param", "a", "--param-file", str(param))
    assert r.code == 2 and "either --param or --param-file" in r.err
    doc = json.loads(bv("-o", "json", "node", "run", "height", "alpha").out)
    assert doc == {"node": "alpha", "method": "height", "result": "102"}


def test_run_unknown_method_lists_options(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "run", "no_such", "alpha")
    assert r.code == 1
    assert r.err == "Error: Method not found. Options are:\n" + "\n".join(CAPABILITIES) + "\n"
    # an unknown node is not reported as an unknown method
    r = bv("node", "run", "height", "ghost")
    assert r.err == "Error: node `ghost` not found\n"


def test_run_plugin_error(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "run", "address", "alpha")
    assert (r.code, r.err) == (1, "Error: plugin error: address: no key yet\n")


def test_check_reports_each_status_method(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha", running=True)
    r = bv("node", "check", "alpha")
    assert r.code == 1  # address fails in the fake
    rows = {line.split()[0]: line.split()[1] for line in r.lines[1:]}
    assert rows == {"protocol_status": "ok", "height": "ok", "block_age": "ok", "name": "ok",
                    "address": "FAILED"}
    doc = json.loads(bv("-o", "json", "node", "check", "alpha").out)
    assert {d["method"]: d["ok"] for d in doc}["height"] is True
    assert next(d for d in doc if d["method"] == "address")["result"] == "plugin error: address: no key yet"


def test_reload_plugin(bv: Bv, fake: FakeDaemon) -> None:
    fake.add_node("alpha")
    r = bv("node", "reload-plugin", "alpha")
    assert (r.code, r.out) == (0, "Reloaded plugin of node `alpha`\n")
    assert fake.calls[-1][0] == "ReloadPlugin" and fake.calls[-1][1].node == "alpha"


def test_info_failed_node_shows_reason(bv: Bv, fake: FakeDaemon) -> None:
    node = fake.add_node("alpha")
    node.info.status = 4  # NODE_STATUS_FAILED
    node.failure = "retries count exceeded, marked as failed: babel recovery failed: no socket"
    r = bv("node", "info", "alpha")
    assert ("Status:          Failed (retries count exceeded, marked as failed: babel recovery "
            "failed: no socket)") in r.lines
    doc = json.loads(bv("-o", "json", "node", "info", "alpha").out)
    assert doc["status"] == "Failed" and doc["status_reason"].startswith("retries count exceeded")
    fake.add_node("beta")
    assert json.loads(bv("-o", "json", "node", "info", "beta").out)["status_reason"] is None


def test_info_prefers_the_status_reason_field_over_the_trailer(bv: Bv, fake: FakeDaemon) -> None:
    node = fake.add_node("gamma")
    node.info.status = 4  # NODE_STATUS_FAILED
    node.info.status_reason = "attach failed: from the field"
    node.failure = "from the old trailer"  # older daemons send only this
    doc = json.loads(bv("-o", "json", "node", "info", "gamma").out)
    assert doc["status_reason"] == "attach failed: from the field"
