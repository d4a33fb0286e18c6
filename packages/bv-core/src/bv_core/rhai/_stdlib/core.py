"""Printing, text conversion and timestamps: ``print``/``debug`` (sent to the plugin log
through the call context), ``to_string``/``to_debug`` of any value, and Rhai's
``timestamp()`` with ``elapsed`` and timestamp arithmetic."""

from __future__ import annotations

import time
from typing import Any

from .._format import debug, display
from .._registry import CallContext, FunctionRegistry, NoMatch
from .._values import Timestamp
from ._common import ReceiverUpdate, reg

__all__ = ["install"]


def _print(ctx: CallContext, value: Any) -> None:
    ctx.emit_print(display(value))


def _print_empty(ctx: CallContext) -> None:
    ctx.emit_print("")


def _debug(ctx: CallContext, value: Any) -> None:
    ctx.emit_debug(debug(value))


def _debug_empty(ctx: CallContext) -> None:
    ctx.emit_debug("")


def _to_string(ctx: CallContext, value: Any) -> str:
    return display(value)


def _to_debug(ctx: CallContext, value: Any) -> str:
    return debug(value)


def _as_ts(v: Any) -> Timestamp:
    if type(v) is Timestamp:
        return v
    raise NoMatch


def _seconds(v: Any) -> float:
    if type(v) is int or type(v) is float:
        return float(v)
    raise NoMatch


def _timestamp(ctx: CallContext) -> Timestamp:
    return Timestamp()


def _elapsed(ctx: CallContext, ts: Any) -> float:
    return time.monotonic() - _as_ts(ts).at


def _ts_diff(ctx: CallContext, a: Any, b: Any) -> float:
    return _as_ts(a).at - _as_ts(b).at


def _ts_plus(ctx: CallContext, ts: Any, secs: Any) -> Timestamp:
    return Timestamp(_as_ts(ts).at + _seconds(secs))


def _ts_minus(ctx: CallContext, ts: Any, secs: Any) -> Timestamp:
    return Timestamp(_as_ts(ts).at - _seconds(secs))


def _ts_plus_assign(ctx: CallContext, ts: Any, secs: Any) -> ReceiverUpdate:
    return ReceiverUpdate(_ts_plus(ctx, ts, secs))


def _ts_minus_assign(ctx: CallContext, ts: Any, secs: Any) -> ReceiverUpdate:
    return ReceiverUpdate(_ts_minus(ctx, ts, secs))


def _ts_cmp(op: str) -> Any:
    def compare(ctx: CallContext, a: Any, b: Any) -> bool:
        x, y = _as_ts(a).at, _as_ts(b).at
        return {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]

    return compare


def install(registry: FunctionRegistry) -> None:
    """Register printing, conversion and timestamp functions."""
    reg(registry, "print", 1, _print)
    reg(registry, "print", 0, _print_empty)
    reg(registry, "debug", 1, _debug)
    reg(registry, "debug", 0, _debug_empty)
    reg(registry, "to_string", 1, _to_string)
    reg(registry, "to_debug", 1, _to_debug)
    reg(registry, "timestamp", 0, _timestamp)
    reg(registry, "elapsed get$elapsed", 1, _elapsed)
    reg(registry, "-", 2, _ts_diff)
    reg(registry, "+", 2, _ts_plus)
    reg(registry, "-", 2, _ts_minus)
    reg(registry, "+=", 2, _ts_plus_assign)
    reg(registry, "-=", 2, _ts_minus_assign)
    for op in ("==", "!=", "<", "<=", ">", ">="):
        reg(registry, op, 2, _ts_cmp(op))
