"""Every command's ``-o json``: one JSON document on stdout (nothing else), with the key facts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bv_runner import Bv
from fake_daemon import FakeDaemon

NODE_ID = "00000000-0000-0000-0000-000000000001"


def _node_result(doc: Any) -> None:
    [entry] = doc
    assert entry["ok"] is True and entry["node"] == "alpha"
    assert entry["result"]["id"] == NODE_ID and entry["forwarded_to_api"] is False


CASES: list[tuple[list[str], Any]] = [
    (["node", "start", "alpha"], _node_result),
    (["node", "stop", "alpha", "--force"], _node_result),
    (["node", "restart", "alpha"], _node_result),
    (["node", "upgrade", "alpha"], lambda d: d[0]["result"]["image"].endswith("/2.0.0")),
    (["node", "delete", "-y", "alpha"], lambda d: d == [{"node": "alpha", "ok": True}]),
    (["node", "update", "alpha", "--prop", "a=b"], lambda d: d["id"] == NODE_ID),
    (["node", "reload-plugin", "alpha"], lambda d: d == {"node": "alpha", "reloaded": True}),
    (["node", "job", "alpha", "info", "init_data"], lambda d: d["exit_code"] == 0 and d["status"] == "Finished"),
    (["node", "job", "alpha", "start", "demochain"],
     lambda d: d == {"node": "alpha", "job": "demochain", "action": "start", "ok": True}),
    (["node", "job", "alpha", "stop", "--all"], lambda d: d == {"node": "alpha", "stopped": ["demochain"]}),
    (["node", "job", "alpha", "skip", "demochain"], lambda d: d["action"] == "skip"),
    (["node", "job", "alpha", "cleanup", "init_data"], lambda d: d["action"] == "cleanup"),
    (["node", "check", "alpha"], lambda d: [x["method"] for x in d][:2] == ["protocol_status", "height"]),
    (["cluster", "status"], lambda d: d["clustered"] is False),
    (["status"], lambda d: d["running"] is True and d["info"]["bv_version"] == "0.1.0"),
]


@pytest.mark.parametrize(("args", "check"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_json_output(bv: Bv, fake: FakeDaemon, args: list[str], check: Any) -> None:
    fake.add_node("alpha", running=True)
    r = bv("-o", "json", *args)
    assert r.code in (0, 1), r.err  # `node check` exits 1 when a method fails, JSON still printed
    doc = json.loads(r.out)  # the whole of stdout is one document
    result = check(doc)
    assert result is None or result is True, doc
