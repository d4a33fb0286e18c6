"""The command loop: doorbell -> Pending -> cache -> Ack -> run oldest first -> Update.

api-contract.md §2.3/§2.5, bv-host.md §3.3. One task runs commands strictly one after another.

The cache (``commands_cache.pb``, an encoded ``CommandServicePendingResponse`` holding the
remaining commands newest first, as the original) is written atomically, and it doubles as a
journal: once a command has run, its result is stored *in the cached command itself*
(``exit_code``/``exit_message``/``retry_hint_seconds``) before ``Update`` is sent, and the command
leaves the cache only after the API took the Update. So:

* a crash after a command ran but before its Update -> on restart the stored result is sent,
  the command is **not** run again (the original re-ran it);
* a crash while a command runs -> it runs again on restart; handlers must be idempotent
  (create of an existing node id is OK, delete of a missing node is OK...);
* a command is never lost: it stays cached until its Update is accepted, and the API keeps
  unfinished commands in ``Pending`` anyway.

A failed command stops this round, as the original; unlike the original, the loop does not wait
for the next doorbell only: leftover work or an error re-rings it after ``retry_delay``
(doubling up to ``max_retry_delay`` while errors repeat), so nothing stalls with a quiet broker.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from google.protobuf.message import DecodeError

from bv_core.errors import BvError, Conflict, ExternalError, NotFound
from bv_core.models import NodeState
from bv_core.persistence import atomic_write
from bv_core.proto.blockjoy.v1 import command_pb2

from .client import FleetClient
from .convert import node_state_from_api
from .errors import FleetNotFound

__all__ = [
    "BLOCKING_JOB_RETRY_HINT",
    "Bell",
    "BlockingJobRunning",
    "CommandLoop",
    "CommandResult",
    "ExitCode",
    "NodeCommandHandler",
    "NotSupported",
    "ServiceStatus",
    "UpgradeFailed",
    "UpgradeRolledBack",
]

log = logging.getLogger(__name__)

BLOCKING_JOB_RETRY_HINT = 3600  # seconds, the only retry hint the original sends


class ExitCode(enum.IntEnum):
    """``blockjoy.v1.CommandExitCode`` values."""

    OK = command_pb2.COMMAND_EXIT_CODE_OK
    INTERNAL_ERROR = command_pb2.COMMAND_EXIT_CODE_INTERNAL_ERROR
    NODE_NOT_FOUND = command_pb2.COMMAND_EXIT_CODE_NODE_NOT_FOUND
    BLOCKING_JOB_RUNNING = command_pb2.COMMAND_EXIT_CODE_BLOCKING_JOB_RUNNING
    SERVICE_NOT_READY = command_pb2.COMMAND_EXIT_CODE_SERVICE_NOT_READY
    SERVICE_BROKEN = command_pb2.COMMAND_EXIT_CODE_SERVICE_BROKEN
    NOT_SUPPORTED = command_pb2.COMMAND_EXIT_CODE_NOT_SUPPORTED
    NODE_UPGRADE_ROLLBACK = command_pb2.COMMAND_EXIT_CODE_NODE_UPGRADE_ROLLBACK
    NODE_UPGRADE_FAILURE = command_pb2.COMMAND_EXIT_CODE_NODE_UPGRADE_FAILURE


class ServiceStatus(enum.Enum):
    """The daemon's own health, as the internal API's Health reports it."""

    UNDEFINED = "undefined"  # still starting
    OK = "ok"
    UPDATING = "updating"  # self-update in progress
    BROKEN = "broken"


# -- what handlers raise to pick an exit code (anything else -> INTERNAL_ERROR) --------------


class BlockingJobRunning(Conflict):
    """Upgrade (or update) refused while an ``upgrade_blocking`` job runs -> BLOCKING_JOB_RUNNING."""

    def __init__(self) -> None:
        super().__init__("can't proceed while 'upgrade_blocking' job is running. "
                         f"Try again after {BLOCKING_JOB_RETRY_HINT} seconds.")


class UpgradeRolledBack(ExternalError):
    """The upgrade failed and the rollback worked -> NODE_UPGRADE_ROLLBACK."""

    def __init__(self, error: str) -> None:
        super().__init__(f"node upgrade failed with: '{error}'; but then successfully rolled back")


class UpgradeFailed(ExternalError):
    """The upgrade failed and so did the rollback; the node is Failed -> NODE_UPGRADE_FAILURE."""

    def __init__(self, error: str, rollback_error: str) -> None:
        super().__init__(f"node upgrade failed with: '{error}'; and then rollback failed with: "
                         f"'{rollback_error}'; node ended in failed state")


class NotSupported(BvError):
    """A command this host does not do -> NOT_SUPPORTED."""

    def __init__(self) -> None:
        super().__init__("command is not supported")


class NodeCommandHandler(Protocol):
    """What the daemon does for each node command; every method must be idempotent.

    ``create``/``upgrade`` get the API's ``Node`` and the already validated local state built
    from it (``convert.node_state_from_api``); ``update`` gets the ``NodeUpdate`` message
    (``convert.apply_node_update`` applies it to a state). Raise ``bv_core.errors.NotFound``
    for an unknown node (start/stop/restart/delete/update -> NODE_NOT_FOUND), or the errors
    above; any other exception becomes INTERNAL_ERROR with its message.
    """

    async def create(self, node: Any, state: NodeState) -> None: ...
    async def delete(self, node_id: str) -> None: ...
    async def start(self, node_id: str) -> None: ...
    async def stop(self, node_id: str) -> None: ...
    async def restart(self, node_id: str) -> None: ...
    async def upgrade(self, node: Any, state: NodeState) -> None: ...
    async def update(self, update: Any) -> None: ...


class Bell:
    """A doorbell that collapses rings: any number of rings before ``wait`` returns count once."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.rings = 0  # total rings, for logs and tests

    def ring(self) -> None:
        self.rings += 1
        self._event.set()

    async def wait(self, timeout: float | None = None) -> bool:
        """True when rung, False when ``timeout`` seconds passed first."""
        try:
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError:
            return False
        self._event.clear()
        return True


class CommandResult:
    __slots__ = ("code", "message", "retry_hint")

    def __init__(self, code: ExitCode, message: str | None = None,
                 retry_hint: int | None = None) -> None:
        self.code = code
        self.message = message
        self.retry_hint = retry_hint

    def __repr__(self) -> str:
        return f"CommandResult({self.code.name}, {self.message!r}, {self.retry_hint})"


class CommandLoop:
    """Runs the host's commands; ``run(bell)`` forever, or ``process_pending()`` once."""

    def __init__(
        self,
        client: FleetClient,
        host_id: str,
        handler: NodeCommandHandler,
        cache_path: Path,
        *,
        service_status: Callable[[], ServiceStatus] = lambda: ServiceStatus.OK,
        convert: Callable[[Any], NodeState] = node_state_from_api,
        retry_delay: float = 5.0,
        max_retry_delay: float = 60.0,
    ) -> None:
        self.client = client
        self.host_id = host_id
        self.handler = handler
        self.cache_path = cache_path
        self.service_status = service_status
        self.convert = convert
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay

    # -- the cache ---------------------------------------------------------------------------

    def load_cache(self) -> list[Any]:
        """Remaining commands, newest first (pop() gives the oldest). Missing file = empty.

        An unreadable cache is moved aside (``.corrupt``) and treated as empty: the API still
        lists every command without a result, so nothing unfinished is lost.
        """
        try:
            data = self.cache_path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ExternalError(f"cannot read commands cache {self.cache_path}: "
                                f"{exc.strerror or exc}") from exc
        try:
            return list(command_pb2.CommandServicePendingResponse.FromString(data).commands)
        except DecodeError:
            aside = self.cache_path.with_name(self.cache_path.name + ".corrupt")
            log.error("commands cache %s is unreadable; moved to %s and fetching commands again",
                      self.cache_path, aside)
            self.cache_path.replace(aside)
            return []

    def save_cache(self, commands: list[Any]) -> None:
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExternalError(f"cannot create {self.cache_path.parent}: "
                                f"{exc.strerror or exc}") from exc
        data = command_pb2.CommandServicePendingResponse(commands=commands).SerializeToString()
        atomic_write(self.cache_path, data, mode=0o600)

    # -- one round ---------------------------------------------------------------------------

    async def process_pending(self) -> bool:
        """Run what is cached, or fetch, cache and ack new commands first.

        Returns True when commands are left for a later round (one failed, or the service
        is not ready); raises fleet errors (FleetUnavailable...) when the API cannot be reached.
        """
        cache = self.load_cache()
        if not cache:
            fetched = await self.client.pending_commands(self.host_id)
            if not fetched:
                return False
            cache = list(reversed(fetched))
            self.save_cache(cache)
            for command in fetched:
                try:
                    await self.client.ack_command(command.command_id)
                except BvError as exc:  # the original only warns: Update still completes it
                    log.warning("ack of command %s failed: %s", command.command_id, exc)
        while cache:
            command = cache[-1]
            if not command.HasField("exit_code"):
                result = await self._gated_run(command)
                command.exit_code = result.code
                if result.message is not None:
                    command.exit_message = result.message
                if result.retry_hint is not None:
                    command.retry_hint_seconds = result.retry_hint
                self.save_cache(cache)  # journal the result before telling the API
            try:
                await self.client.update_command(
                    command.command_id, command.exit_code,
                    command.exit_message if command.HasField("exit_message") else None,
                    command.retry_hint_seconds if command.HasField("retry_hint_seconds") else None)
            except FleetNotFound:  # the API dropped the command; retrying would never succeed
                log.warning("command %s is unknown to the API; dropping its result",
                            command.command_id)
            cache.pop()
            self.save_cache(cache)
            if command.exit_code != ExitCode.OK:
                return bool(cache)
        return False

    async def _gated_run(self, command: Any) -> CommandResult:
        status = self.service_status()
        if status is ServiceStatus.BROKEN:
            return CommandResult(ExitCode.SERVICE_BROKEN, "BV service is broken, call support")
        if status is not ServiceStatus.OK:
            return CommandResult(ExitCode.SERVICE_NOT_READY, "BV service not ready, try again later")
        result = await self.execute(command)
        log.info("command %s (%s) -> %s%s", command.command_id, _describe(command), result.code.name,
                 f": {result.message}" if result.message else "")
        return result

    async def execute(self, command: Any) -> CommandResult:
        """Run one command and map its outcome to an exit code (never raises BvError)."""
        kind = command.WhichOneof("command")
        try:
            if kind == "node":
                await self._node_command(command.node)
            elif kind == "host":
                if command.host.WhichOneof("command") != "pending":
                    raise NotSupported()  # host start/stop/restart; pending is only a nudge
            else:
                raise NotSupported()  # an empty or newer command kind: answer instead of stalling
        except NotSupported as exc:
            return CommandResult(ExitCode.NOT_SUPPORTED, str(exc))
        except BlockingJobRunning as exc:
            return CommandResult(ExitCode.BLOCKING_JOB_RUNNING, str(exc), BLOCKING_JOB_RETRY_HINT)
        except UpgradeRolledBack as exc:
            return CommandResult(ExitCode.NODE_UPGRADE_ROLLBACK, str(exc))
        except UpgradeFailed as exc:
            return CommandResult(ExitCode.NODE_UPGRADE_FAILURE, str(exc))
        except _NodeNotFound:
            return CommandResult(ExitCode.NODE_NOT_FOUND, "node not found")
        except Exception as exc:  # the API must hear about every failure, whatever it was
            if not isinstance(exc, BvError):
                log.exception("command %s failed with an unexpected error", command.command_id)
            return CommandResult(ExitCode.INTERNAL_ERROR, f"BV internal error: '{exc}'")
        return CommandResult(ExitCode.OK)

    async def _node_command(self, cmd: Any) -> None:
        kind = cmd.WhichOneof("command")
        try:
            node_id = str(uuid.UUID(cmd.node_id))
        except ValueError:
            raise BvError(f"invalid node id {cmd.node_id!r} in {kind} command") from None
        h = self.handler
        if kind == "create":
            await h.create(cmd.create.node, self._state(cmd.create.node, node_id))
        elif kind == "upgrade":
            await h.upgrade(cmd.upgrade.node, self._state(cmd.upgrade.node, node_id))
        elif kind in ("start", "stop", "restart", "delete", "update"):
            try:
                if kind == "update":
                    await h.update(cmd.update)
                else:
                    await getattr(h, kind)(node_id)
            except NotFound as exc:
                raise _NodeNotFound() from exc
        else:
            raise NotSupported()

    def _state(self, node: Any, node_id: str) -> NodeState:
        state = self.convert(node)
        if str(state.id) != node_id:
            raise BvError(f"command is for node {node_id} but carries node {state.id}")
        return state

    # -- forever -----------------------------------------------------------------------------

    async def run(self, bell: Bell) -> None:
        """Process on every ring; re-ring by itself while work is left or the API fails."""
        delay = self.retry_delay
        retry_in: float | None = None
        while True:
            await bell.wait(retry_in)
            try:
                left = await self.process_pending()
            except BvError as exc:
                log.warning("processing commands failed: %s; retrying in %.1f s", exc, delay)
                retry_in, delay = delay, min(delay * 2, self.max_retry_delay)
                continue
            except Exception:  # a bug or an OS error must not end command processing for good
                log.exception("processing commands failed unexpectedly; retrying in %.1f s", delay)
                retry_in, delay = delay, min(delay * 2, self.max_retry_delay)
                continue
            delay = self.retry_delay
            retry_in = self.retry_delay if left else None


class _NodeNotFound(Exception):
    pass


def _describe(command: Any) -> str:
    kind = command.WhichOneof("command")
    if kind == "node":
        return f"node {command.node.node_id} {command.node.WhichOneof('command')}"
    if kind == "host":
        return f"host {command.host.WhichOneof('command')}"
    return "empty"

