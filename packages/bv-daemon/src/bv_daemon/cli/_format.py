"""Turning internal-API messages into what `bv` prints: table rows, JSON objects, text blocks.

Table rows and JSON objects are built from the same message so both forms carry the same facts;
JSON keeps machine values (seconds, bytes, RFC 3339 times) where the table shows human ones.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from ._output import format_duration

__all__ = [
    "job_row",
    "job_status_text",
    "message_dict",
    "node_image",
    "node_json",
    "node_row",
    "node_uptime",
    "status_name",
    "timestamp_text",
]

NODE_COLUMNS = ("ID", "Name", "Image", "State", "IP Address", "Uptime [h:m:s]")


def status_name(enum_name: str) -> str:
    """``NODE_STATUS_RUNNING`` -> ``Running`` (the words the original CLI prints)."""
    for prefix in ("NODE_STATUS_", "JOB_STATUS_", "SERVICE_STATUS_", "DAEMON_MODE_", "PROTOCOL_HEALTH_"):
        if enum_name.startswith(prefix):
            enum_name = enum_name[len(prefix):]
            break
    return enum_name.capitalize()


def _enum(message: Any, field: str) -> str:
    value = getattr(message, field)
    return status_name(message.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number[value].name)


def message_dict(message: Any) -> dict[str, Any]:
    """A protobuf message as a JSON-ready dict for scripts.

    Unlike protobuf's own JSON mapping, 64-bit integers stay numbers, enums use the words the
    tables show (``Running``), timestamps are RFC 3339 strings and unset optional fields are null.
    """
    # protobuf is loaded already when there is a message; importing it here keeps --help light.
    from google.protobuf.descriptor import FieldDescriptor

    result: dict[str, Any] = {}
    for fd in message.DESCRIPTOR.fields:
        value = getattr(message, fd.name)
        if fd.type == FieldDescriptor.TYPE_BYTES:
            continue  # raw payloads (state_json) are decoded by the caller where wanted
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            result[fd.name] = {k: _scalar(fd.message_type.fields_by_name["value"], v)
                               for k, v in value.items()}
        elif _is_repeated(fd):
            result[fd.name] = [_scalar(fd, v) for v in value]
        elif fd.has_presence and not message.HasField(fd.name):
            result[fd.name] = None
        else:
            result[fd.name] = _scalar(fd, value)
    return result


def _is_repeated(fd: Any) -> bool:
    from google.protobuf.descriptor import FieldDescriptor

    repeated = getattr(fd, "is_repeated", None)
    return bool(repeated) if repeated is not None else fd.label == FieldDescriptor.LABEL_REPEATED


def _scalar(fd: Any, value: Any) -> Any:
    from google.protobuf.descriptor import FieldDescriptor

    if fd.type == FieldDescriptor.TYPE_ENUM:
        return status_name(fd.enum_type.values_by_number[value].name)
    if fd.message_type is not None:
        if fd.message_type.full_name == "google.protobuf.Timestamp":
            when = datetime.fromtimestamp(value.seconds + value.nanos / 1e9, tz=UTC)
            return when.isoformat().replace("+00:00", "Z")
        return message_dict(value)
    return value


def node_image(node: Any) -> str:
    key = node.image_key
    return f"{key.protocol_key}/{key.variant_key}/{node.image.version}"


def node_uptime(node: Any, now: float | None = None) -> float | None:
    if not node.HasField("started_at"):
        return None
    started = float(node.started_at.seconds + node.started_at.nanos / 1e9)
    return max(0.0, (time.time() if now is None else now) - started)


def node_row(node: Any, now: float | None = None) -> dict[str, Any]:
    return {
        "ID": node.id,
        "Name": node.name,
        "Image": node_image(node),
        "State": _enum(node, "status"),
        "IP Address": node.ip or None,
        "Uptime [h:m:s]": format_duration(node_uptime(node, now)),
    }


def node_json(node: Any, *, full: bool = False, now: float | None = None) -> dict[str, Any]:
    """A node for ``-o json``: the listing facts, and with ``full`` every field + the decoded state."""
    uptime = node_uptime(node, now)
    base: dict[str, Any] = {
        "id": node.id,
        "name": node.name,
        "image": node_image(node),
        "status": _enum(node, "status"),
        "expected_status": _enum(node, "expected_status"),
        "ip": node.ip or None,
        "uptime_seconds": None if uptime is None else int(uptime),
        "tags": list(node.tags),
        "dev_mode": node.dev_mode,
        "remote": node.remote,
    }
    if full:
        info = message_dict(node)
        info.pop("state_json", None)
        base["info"] = info
        import orjson

        base["state"] = orjson.loads(node.state_json) if node.state_json else None
    return base


def timestamp_text(ts: Any) -> str:
    when = datetime.fromtimestamp(ts.seconds + ts.nanos / 1e9, tz=UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def job_status_text(job: Any) -> str:
    status = _enum(job, "status")
    if status == "Finished":
        text = "Finished"
        if job.HasField("exit_code"):
            text += f" with exit code {job.exit_code}"
        if job.HasField("message") and job.message:
            text += f" and message `{job.message}`"
        return text
    return status


def job_progress_text(job: Any) -> str | None:
    if not job.HasField("progress"):
        return None
    p = job.progress
    parts = []
    if p.HasField("current") or p.HasField("total"):
        cur = str(p.current) if p.HasField("current") else "?"
        tot = str(p.total) if p.HasField("total") else "?"
        parts.append(f"{cur}/{tot}")
    if p.HasField("message") and p.message:
        parts.append(p.message)
    return " ".join(parts) or None


def job_row(job: Any) -> dict[str, Any]:
    return {
        "Name": job.name,
        "Status": job_status_text(job),
        "Restarts": job.restart_count,
        "Progress": job_progress_text(job),
        "Since": timestamp_text(job.timestamp) if job.HasField("timestamp") else None,
    }
