"""The fake fleet API plus what bvup and the self-updater need from a bundle store.

``BundleFleetApi`` = ``tests.fakes.fleet_api.FakeFleetApi`` with ``BundleService.Retrieve``
answering ``bundle_urls[version]`` (the shared fake has ListVersions only); ``FileServer`` serves
a directory over HTTP on 127.0.0.1 like a bucket (``<version>/bvd-bundle.tgz`` + ``.sha256``).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from bv_core.proto.blockjoy.v1 import bundle_pb2, bundle_pb2_grpc
from tests.fakes import fleet_api
from tests.fakes.fleet_api import FakeFleetApi


@dataclass
class BundleFleetApi(FakeFleetApi):
    bundle_urls: dict[str, str] = field(default_factory=dict)

    async def start(self) -> BundleFleetApi:
        api = self

        class Bundles(bundle_pb2_grpc.BundleServiceServicer):
            async def ListVersions(self, request: Any, context: Any) -> Any:  # noqa: N802
                await api._enter("BundleService.ListVersions", request, context)
                return bundle_pb2.BundleServiceListVersionsResponse(
                    bundle_ids=[bundle_pb2.BundleIdentifier(version=v) for v in api.bundles])

            async def Retrieve(self, request: Any, context: Any) -> Any:  # noqa: N802
                await api._enter("BundleService.Retrieve", request, context)
                url = api.bundle_urls.get(request.bundle_id.version)
                if url is None:
                    await context.abort(grpc.StatusCode.NOT_FOUND, "Bundle not found.")
                return bundle_pb2.BundleServiceRetrieveResponse(url=url)

        server = grpc.aio.server()
        for add, servicer in fleet_api._servicers(self):
            if add is not bundle_pb2_grpc.add_BundleServiceServicer_to_server:
                add(servicer, server)
        bundle_pb2_grpc.add_BundleServiceServicer_to_server(Bundles(), server)
        self.port = server.add_insecure_port(f"127.0.0.1:{self.port}")
        await server.start()
        self._server = server
        return self


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def file_server(directory: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` serving ``directory`` until the block ends."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
