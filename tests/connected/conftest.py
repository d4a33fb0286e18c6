"""Connected-mode end-to-end fixtures: a real ``blockvisord`` joined to the fake fleet API.

* ``fleet`` (function): a `tests.fakes.fleet_api.FakeFleetApi` on 127.0.0.1 in its own thread,
  whose doorbell (``notifier``) publishes on the host's command topic of the ``mqtt_broker``
  fixture (real mosquitto), like the real API server does after NodeService calls and Updates.
* ``ufw_sandbox`` (function): ufw that only ever runs inside a network namespace this fixture
  creates, in a private mount namespace whose /etc/ufw and /etc/default/ufw are copies under
  tmp_path (enabled inside that netns only), so the machine's firewall
  and ufw configuration are never touched. ``rules()`` = the node rule lines ufw stored.
* ``connected`` (function): a started `ConnectedDaemon`: a `tests.e2e.daemon_support.Daemon`
  whose host config carries the fleet API URL, the host's tokens and the broker URL, with a
  2 s report period, a 1 s poll interval while the broker is down and ufw from ``ufw_sandbox``.
  ``publish()`` rings the doorbell from the test; ``wait_command(id)`` waits for its result.
  Teardown deletes the host's nodes through the API (commands), then the base Daemon cleanup
  and its leftovers check.

Everything here needs root (bridges, namespaces): mark tests ``@pytest.mark.root``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.connected.connected_support import ConnectedDaemon, UfwSandbox  # noqa: E402
from tests.e2e.conftest import bundle_dir, image_store, pytest_collection_modifyitems, test_rootfs  # noqa: E402, F401
from tests.fakes.fleet_api import FakeFleetApi  # noqa: E402
from tests.fakes.mqtt_broker import Mosquitto, mqtt_broker  # noqa: E402, F401


@pytest.fixture
def fleet(mqtt_broker: Mosquitto) -> Iterator[FakeFleetApi]:  # noqa: F811
    host, port = mqtt_broker.url.removeprefix("mqtt://").rsplit(":", 1)

    async def notify(host_id: str, command: bytes) -> None:
        if not mqtt_broker.running:
            return  # the real server's publish fails too; hosts must poll
        try:
            async with aiomqtt.Client(host, int(port), identifier=f"api-{uuid.uuid4().hex[:8]}") as c:
                await c.publish(f"/hosts/{host_id}/commands", command, qos=1)
        except aiomqtt.MqttError:
            pass

    with FakeFleetApi.in_thread(notifier=notify) as api:
        yield api


@pytest.fixture
def ufw_sandbox(tmp_path: Path) -> Iterator[UfwSandbox]:
    if os.geteuid() != 0 or shutil.which("ufw") is None:
        pytest.skip("needs root and ufw")
    ns = f"bvcf{uuid.uuid4().hex[:6]}"
    state = tmp_path / "ufw-state"
    (state / "etc-ufw").mkdir(parents=True)
    subprocess.run(["cp", "-a", "/etc/ufw/.", str(state / "etc-ufw")], check=True)
    default = Path("/etc/default/ufw").read_text()
    default = "\n".join(line for line in default.splitlines()
                        if not line.startswith(("IPV6=", "IPT_SYSCTL=")))
    (state / "default-ufw").write_text(default + "\nIPV6=no\nIPT_SYSCTL=/dev/null\n")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    sandbox = UfwSandbox(ns, state)
    try:
        # enabled (inside the empty netns only): ufw lists, and so deletes, rules only when active
        subprocess.run([*shlex.split(sandbox.command), "--force", "enable"], check=True,
                       capture_output=True, timeout=60)
        yield sandbox
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


@pytest.fixture
def connected(bundle_dir: Path, image_store: Path, fleet: FakeFleetApi, mqtt_broker: Mosquitto,  # noqa: F811
              ufw_sandbox: UfwSandbox, tmp_path: Path) -> Iterator[ConnectedDaemon]:
    # a short root, not tmp_path: babel's socket path must stay under 108 bytes (see tests/e2e)
    root = Path(tempfile.mkdtemp(prefix="bvc-", dir="/tmp"))
    d = ConnectedDaemon(root, bundle_dir, image_store, fleet, mqtt_broker, ufw_sandbox)
    try:
        d.start()
        yield d
        if d.proc is not None and d.proc.poll() is None:
            if not mqtt_broker.running:
                mqtt_broker.start()
            fleet.clear_failures()
            d.delete_all_nodes()
    finally:
        d.cleanup()
        if d.log_path.exists():  # kept with pytest's tmp dirs, for debugging a failed run
            shutil.copy(d.log_path, tmp_path / "blockvisord.log")
        left = d.leftovers()
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"the test left these behind: {left}"


