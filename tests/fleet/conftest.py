"""Fixtures for the fleet (connected mode) tests: the fake fleet API and a real mosquitto."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.mqtt_broker import mqtt_broker  # noqa: E402, F401
