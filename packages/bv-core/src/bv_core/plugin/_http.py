"""``HttpPluginHost``: run_jrpc/run_rest over real HTTP (stdlib urllib, no extra dependency).

The daemon's host sends these requests from inside the node; this mixin sends them from the
current process, which is what tests, benchmarks and tools that talk to a reachable node use.
Any HTTP status is a result (the script decides); only transport failures raise.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import ExternalError
from ._host import DEFAULT_REQUEST_TIMEOUT, HttpResult, JrpcRequest, RestRequest

if TYPE_CHECKING:
    import urllib.request

__all__ = ["HttpPluginHost", "jrpc_body"]


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    # Imported on first use: urllib.request pulls in ssl and http.client (slow to import),
    # which the linter and the CLI never need. Node endpoints are reached directly, never
    # through a proxy from the environment.
    import urllib.request

    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def jrpc_body(request: JrpcRequest) -> bytes:
    """The JSON-RPC 2.0 request document (``params`` left out when not given)."""
    doc: dict[str, Any] = {"jsonrpc": "2.0", "id": 0, "method": request.method}
    if request.params is not None:
        doc["params"] = request.params
    return orjson.dumps(doc)


class HttpPluginHost:
    """Mixin implementing ``run_jrpc`` (POST) and ``run_rest`` (GET) with urllib."""

    def run_jrpc(self, request: JrpcRequest, timeout: float | None) -> HttpResult:
        headers = {"content-type": "application/json"}
        headers.update({k.lower(): v for k, v in request.headers})
        return _send(request.host, jrpc_body(request), headers, "POST", timeout)

    def run_rest(self, request: RestRequest, timeout: float | None) -> HttpResult:
        return _send(request.url, None, dict(request.headers), "GET", timeout)


def _send(
    url: str, data: bytes | None, headers: dict[str, str], method: str, timeout: float | None
) -> HttpResult:
    import urllib.error
    import urllib.request

    try:
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        with _opener().open(req, timeout=timeout or DEFAULT_REQUEST_TIMEOUT) as resp:
            return HttpResult(resp.status, resp.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as err:
        body = err.read().decode("utf-8", "replace") if err.fp is not None else ""
        return HttpResult(err.code, body)
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise ExternalError(f"request to {url} failed: {reason}") from err
