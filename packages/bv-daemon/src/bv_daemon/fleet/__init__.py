"""Connected mode: the daemon's side of the fleet API (``blockjoy.v1``).

    client.py    FleetClient: channel (TLS / plain), bearer token + forward-margin refresh,
                 retries with backoff, a deadline on every call, grpc -> bv_core errors
    errors.py    FleetRejected / FleetNotFound / FleetConflict / FleetUnavailable /
                 FleetAuthError / TokenRefreshFailed
    commands.py  CommandLoop (Pending -> cache journal -> Ack -> run -> Update), Bell,
                 NodeCommandHandler protocol, exit-code exceptions, ServiceStatus
    mqtt.py      MqttDoorbell: rings the Bell on messages, connects and while the broker is down
    convert.py   Node -> NodeState / FirewallConfig / properties, NodeUpdate application
    reports.py   StatusReporter, MetricsReporter, periodic, UpdateHost, host metrics, BrokerDiscovery
    connected.py ConnectedMode: all of the above wired from a HostConfig (what the daemon runs)

The daemon runs ``ConnectedMode`` (see connected.py); nothing here starts tasks on import.
"""

from __future__ import annotations

from .client import FleetClient as FleetClient
from .client import RetryPolicy as RetryPolicy
from .client import Tokens as Tokens
from .client import token_expiry as token_expiry
from .commands import BLOCKING_JOB_RETRY_HINT as BLOCKING_JOB_RETRY_HINT
from .commands import Bell as Bell
from .commands import BlockingJobRunning as BlockingJobRunning
from .commands import CommandLoop as CommandLoop
from .commands import CommandResult as CommandResult
from .commands import ExitCode as ExitCode
from .commands import NodeCommandHandler as NodeCommandHandler
from .commands import NotSupported as NotSupported
from .commands import ServiceStatus as ServiceStatus
from .commands import UpgradeFailed as UpgradeFailed
from .commands import UpgradeRolledBack as UpgradeRolledBack
from .connected import ConnectedMode as ConnectedMode
from .connected import ConnectedSources as ConnectedSources
from .convert import ImageExists as ImageExists
from .convert import UnknownImage as UnknownImage
from .convert import apply_node_update as apply_node_update
from .convert import firewall_from_api as firewall_from_api
from .convert import node_state_from_api as node_state_from_api
from .convert import properties_from_api as properties_from_api
from .errors import FleetAuthError as FleetAuthError
from .errors import FleetConflict as FleetConflict
from .errors import FleetNotFound as FleetNotFound
from .errors import FleetRejected as FleetRejected
from .errors import FleetUnavailable as FleetUnavailable
from .errors import TokenRefreshFailed as TokenRefreshFailed
from .mqtt import BrokerAddress as BrokerAddress
from .mqtt import MqttDoorbell as MqttDoorbell
from .mqtt import MqttProtocol as MqttProtocol
from .reports import BrokerDiscovery as BrokerDiscovery
from .reports import MetricsReporter as MetricsReporter
from .reports import NodeStatusReport as NodeStatusReport
from .reports import StatusReporter as StatusReporter
from .reports import host_metrics_now as host_metrics_now
from .reports import periodic as periodic
from .reports import update_host_request as update_host_request

__all__ = [
    "BLOCKING_JOB_RETRY_HINT",
    "Bell",
    "BlockingJobRunning",
    "BrokerAddress",
    "BrokerDiscovery",
    "CommandLoop",
    "CommandResult",
    "ConnectedMode",
    "ConnectedSources",
    "ExitCode",
    "FleetAuthError",
    "FleetClient",
    "FleetConflict",
    "FleetNotFound",
    "FleetRejected",
    "FleetUnavailable",
    "ImageExists",
    "MetricsReporter",
    "MqttDoorbell",
    "MqttProtocol",
    "NodeCommandHandler",
    "NodeStatusReport",
    "NotSupported",
    "RetryPolicy",
    "ServiceStatus",
    "StatusReporter",
    "Tokens",
    "TokenRefreshFailed",
    "UnknownImage",
    "UpgradeFailed",
    "UpgradeRolledBack",
    "apply_node_update",
    "firewall_from_api",
    "host_metrics_now",
    "node_state_from_api",
    "periodic",
    "properties_from_api",
    "token_expiry",
    "update_host_request",
]
