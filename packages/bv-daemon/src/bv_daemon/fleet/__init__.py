"""Connected mode: the daemon's side of the fleet API (``blockjoy.v1``).

    client.py    FleetClient: channel, bearer token + refresh, retries, deadlines, error mapping
    errors.py    the Fleet* exception families (bv_core.errors based)
"""

from __future__ import annotations
