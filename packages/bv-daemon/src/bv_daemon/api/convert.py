"""Domain objects -> internal API messages (NodeInfo, JobInfo, NodeMetrics)."""

from __future__ import annotations

import datetime

from bv_core.jobs import Finished, JobInfo, Pending, Running, Stopped
from bv_core.models import NodeState, encode_json
from bv_core.proto.blockvisor.internal.v1 import job_pb2, node_pb2
from bv_daemon._states import NodeStatus
from bv_daemon.node import NodeMetrics

__all__ = ["job_message", "metrics_message", "node_info", "status_message"]

_STATUS = {
    NodeStatus.RUNNING: node_pb2.NODE_STATUS_RUNNING,
    NodeStatus.STOPPED: node_pb2.NODE_STATUS_STOPPED,
    NodeStatus.BUSY: node_pb2.NODE_STATUS_BUSY,
    NodeStatus.FAILED: node_pb2.NODE_STATUS_FAILED,
}
_HEALTH = {
    "healthy": node_pb2.PROTOCOL_HEALTH_HEALTHY,
    "neutral": node_pb2.PROTOCOL_HEALTH_NEUTRAL,
    "unhealthy": node_pb2.PROTOCOL_HEALTH_UNHEALTHY,
}


def status_message(status: NodeStatus) -> int:
    return _STATUS[status]


def _ts(unix: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(unix, tz=datetime.UTC)


def node_info(state: NodeState, status: NodeStatus) -> node_pb2.NodeInfo:
    s = state
    info = node_pb2.NodeInfo(
        id=str(s.id), name=s.name, display_name=s.display_name, status=_STATUS[status],
        expected_status=_STATUS[NodeStatus(s.expected_status.value)],
        image_key=node_pb2.ImageKey(protocol_key=s.image_key.protocol_key, variant_key=s.image_key.variant_key),
        image=node_pb2.NodeImage(
            id=s.image.id, version=s.image.version, config_id=s.image.config_id,
            archive_id=s.image.archive_id, store_key=s.image.store_key, uri=s.image.uri,
            min_babel_version=s.image.min_babel_version,
        ),
        protocol_id=s.protocol_id, protocol_name=s.protocol_name, dev_mode=s.dev_mode, ip=s.ip,
        gateway=s.gateway, properties=dict(s.properties),
        vm=node_pb2.VmConfig(
            vcpu_count=s.vm_config.vcpu_count, mem_size_mb=s.vm_config.mem_size_mb,
            disk_size_gb=s.vm_config.disk_size_gb,
            ramdisks=[node_pb2.RamdiskConfig(mount=r.ram_disk_mount_point, size_mb=r.ram_disk_size_mb)
                      for r in s.vm_config.ramdisks],
        ),
        org_id=s.org_id, org_name=s.org_name, dns_name=s.dns_name, tags=list(s.tags),
        initialized=s.initialized, state_json=encode_json(s),
    )  # fmt: skip
    if s.started_at is not None:
        info.started_at.FromDatetime(_ts(s.started_at))
    return info


def job_message(name: str, info: JobInfo, with_logs: bool = False) -> job_pb2.JobInfo:
    msg = job_pb2.JobInfo(name=name, restart_count=info.restart_count, upgrade_blocking=info.upgrade_blocking)
    st = info.status
    if isinstance(st, Pending):
        msg.status = job_pb2.JOB_STATUS_PENDING
    elif isinstance(st, Running):
        msg.status = job_pb2.JOB_STATUS_RUNNING
    elif isinstance(st, Finished):
        msg.status = job_pb2.JOB_STATUS_FINISHED
        if st.exit_code is not None:
            msg.exit_code = st.exit_code
        if st.message:
            msg.message = st.message
    elif isinstance(st, Stopped):
        msg.status = job_pb2.JOB_STATUS_STOPPED
    if info.progress is not None:
        msg.progress.CopyFrom(job_pb2.JobProgress(total=info.progress.total, current=info.progress.current,
                                                  message=info.progress.message))
    if info.timestamp:
        msg.timestamp.FromDatetime(_ts(info.timestamp))
    if with_logs:
        msg.logs.extend(info.logs)
    return msg


def metrics_message(m: NodeMetrics) -> node_pb2.NodeMetrics:
    msg = node_pb2.NodeMetrics()
    if m.height is not None:
        msg.height = m.height
    if m.block_age is not None:
        msg.block_age = m.block_age
    if m.consensus is not None:
        msg.consensus = m.consensus
    if m.address is not None:
        msg.address = m.address
    if m.protocol_status is not None:
        msg.protocol_state = m.protocol_status.state
        msg.protocol_health = _HEALTH.get(m.protocol_status.health, node_pb2.PROTOCOL_HEALTH_UNSPECIFIED)
    return msg
