"""run_sh / run_rest / run_jrpc: one-shot calls inside the node, each bounded by a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import urllib.error
import urllib.request
from typing import Final

import msgspec
import orjson

from bv_core.jobs import shell_argv

from ._exceptions import BadRequest, CallTimeout, CommandFailed

__all__ = ["DEFAULT_HTTP_TIMEOUT_S", "HttpResult", "ShResult", "run_jrpc", "run_rest", "run_sh"]

DEFAULT_HTTP_TIMEOUT_S: Final = 10.0
MAX_HTTP_BODY: Final = 64 * 1024 * 1024


class ShResult(msgspec.Struct, frozen=True):
    exit_code: int
    stdout: str
    stderr: str


class HttpResult(msgspec.Struct, frozen=True):
    status_code: int
    body: str


async def run_sh(body: str, timeout: float | None) -> ShResult:
    """``sh -c body`` in its own process group; on timeout the whole group is killed."""
    if not body.strip():
        raise BadRequest("run_sh: command must not be empty")
    proc = await asyncio.create_subprocess_exec(
        *shell_argv(body, os.environ.get("BV_USER")), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout):
            stdout, stderr = await proc.communicate()
    except TimeoutError:
        raise CallTimeout(f"run_sh timed out after {timeout:.1f}s; the command was killed") from None
    finally:
        # Timeout, cancellation (client gone) or background children: nothing may outlive the call.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    code = proc.returncode
    assert code is not None
    if code < 0:
        raise CommandFailed(f"run_sh: command killed by signal {signal.Signals(-code).name}")
    return ShResult(code, stdout.decode(errors="replace"), stderr.decode(errors="replace"))


def _http(request: urllib.request.Request, timeout: float) -> HttpResult:
    if request.type not in ("http", "https"):
        raise BadRequest(f"unsupported URL scheme in {request.full_url!r}: use http or https")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            return HttpResult(response.status, response.read(MAX_HTTP_BODY).decode(errors="replace"))
    except urllib.error.HTTPError as exc:  # any status code is a result, not an error
        return HttpResult(exc.code, exc.read(MAX_HTTP_BODY).decode(errors="replace"))
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
            raise CallTimeout(f"request to {request.full_url} timed out after {timeout:.1f}s") from exc
        raise CommandFailed(f"request to {request.full_url} failed: {exc}") from exc


async def run_rest(url: str, headers: list[tuple[str, str]], timeout: float | None) -> HttpResult:
    try:
        request = urllib.request.Request(url, headers=dict(headers), method="GET")
    except ValueError as exc:
        raise BadRequest(f"run_rest: bad url {url!r}: {exc}") from None
    return await asyncio.to_thread(_http, request, timeout or DEFAULT_HTTP_TIMEOUT_S)


async def run_jrpc(
    host: str, method: str, params_json: str | None, headers: list[tuple[str, str]], timeout: float | None
) -> HttpResult:
    payload: dict[str, object] = {"jsonrpc": "2.0", "id": 0, "method": method}
    if params_json is not None:
        try:
            payload["params"] = orjson.loads(params_json)
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"run_jrpc: params are not valid JSON: {exc}") from None
    all_headers = {"Content-Type": "application/json", **dict(headers)}
    try:
        request = urllib.request.Request(host, data=orjson.dumps(payload), headers=all_headers, method="POST")
    except ValueError as exc:
        raise BadRequest(f"run_jrpc: bad host {host!r}: {exc}") from None
    return await asyncio.to_thread(_http, request, timeout or DEFAULT_HTTP_TIMEOUT_S)
