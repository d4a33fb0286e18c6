"""`bv host info/metrics`, `bv image list`, `bv cluster status`, `bv status` against the fake."""

from __future__ import annotations

import json

from bv_runner import Bv
from fake_daemon import FakeDaemon

from bv_core.proto.blockvisor.internal.v1 import daemon_pb2


def test_host_info(bv: Bv) -> None:
    r = bv("host", "info")
    assert r.code == 0
    for line in ["Hostname:   testhost", "OS name:    Debian GNU/Linux", "CPU count:  2",
                 "Total mem:  4.000 GB", "Total disk: 100.000 GB", "Platform:   bwrap",
                 "Node IPs:   1 used of 3"]:
        assert line in r.lines
    doc = json.loads(bv("-o", "json", "h", "i").out)
    assert doc["memory_bytes"] == 4_000_000_000 and doc["used_ips"] == ["10.0.0.10"]
    assert doc["org_id"] is None


def test_host_metrics(bv: Bv) -> None:
    r = bv("host", "metrics")
    assert r.lines == [
        "Used cpu:          12.50 %",
        "Used mem:          1.500 GB of 4.000 GB",
        "Used disk:         20.000 GB of 100.000 GB",
        "Used IPs:          10.0.0.10",
        "Load (1/5/15 min): 0.50, 0.25, 0.12",
        "Network in:        3.000 GB",
        "Network out:       1.000 GB",
        "Uptime [h:m:s]:    1d 01:01:01",
    ]
    doc = json.loads(bv("-o", "json", "host", "m").out)
    assert doc["uptime_seconds"] == 90061 and doc["load_one"] == 0.5


def test_image_list(bv: Bv, fake: FakeDaemon) -> None:
    r = bv("image", "list")
    assert r.lines[0].split() == ["Protocol", "Variant", "Version", "Build", "Requirements", "Description"]
    assert [line.split()[2] for line in r.lines[1:]] == ["1.0.0", "2.0.0"]
    assert "cpu: 1, memory: 512MB, disk: 1GB" in r.lines[1]
    assert bv("image", "ls", "--protocol", "other").out == "No images found.\n"
    doc = json.loads(bv("-o", "json", "image", "ls").out)
    assert doc[0]["image_key"] == {"protocol_key": "demochain", "variant_key": "devnet"}


def test_cluster_status(bv: Bv, fake: FakeDaemon) -> None:
    assert bv("cluster", "status").out == \
        "Not clustered: this host runs standalone (no fleet API, no cluster).\n"
    fake.mode = daemon_pb2.DAEMON_MODE_CONNECTED
    assert json.loads(bv("-o", "json", "p2p", "s").out) == {"clustered": False, "mode": "connected"}


def test_status_running(bv: Bv) -> None:
    r = bv("status")
    assert r.code == 0
    assert r.lines[:2] == ["Service running: blockvisord 0.1.0 - Ok (standalone)",
                           " BV_PATH: /var/lib/blockvisor"]
    doc = json.loads(bv("-o", "json", "status").out)
    assert doc["running"] is True and doc["info"]["mode"] == "Standalone"
