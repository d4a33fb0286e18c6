"""A fake fleet API for ``nib``: the protocol/image registry (ProtocolService, ImageService) plus
``AuthService.Login`` and ``ApiKeyService.Create`` for ``nib login``.

``tests/fakes/fleet_api.py`` serves the host side of the contract (hosts, commands, nodes) and
only ``ImageService.GetImage``; the publishing RPCs live here, as the real server does them
(api-contract.md §1.3, §5): new protocols, versions and images are PRIVATE until an Update*
sets their visibility; ``AddImage`` gives ``build_version`` = latest build of that version + 1;
``GetLatest``/``GetImage`` answer NOT_FOUND for unknown keys.

    with FakeRegistry.in_thread() as reg:      # reg.url = "http://127.0.0.1:<port>"
        ... nib login / nib protocol push / nib image push against reg.url ...
        reg.writes()                           # the RPCs that changed something, in order

Auth: ``Login`` accepts ``users`` (email -> (password, user_id)) and returns a user token;
``ApiKeyService.Create`` needs that token and returns ``API_KEY``; every registry RPC needs
``authorization: Bearer API_KEY`` (else UNAUTHENTICATED). ``calls`` records (rpc, request).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import grpc.aio

from bv_core.proto.blockjoy.common.v1 import protocol_pb2 as common_protocol_pb2
from bv_core.proto.blockjoy.v1 import (
    api_key_pb2,
    api_key_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    image_pb2,
    image_pb2_grpc,
    protocol_pb2,
    protocol_pb2_grpc,
)

__all__ = ["API_KEY", "FakeRegistry"]

API_KEY = "nib-test-api-key"
_WRITES = {"ProtocolService.AddProtocol", "ProtocolService.UpdateProtocol", "ProtocolService.AddVersion",
           "ProtocolService.UpdateVersion", "ImageService.AddImage", "ImageService.UpdateImage"}
_PRIVATE = common_protocol_pb2.VISIBILITY_PRIVATE


@dataclass
class FakeRegistry:
    users: dict[str, tuple[str, str]] = field(default_factory=dict)  # email -> (password, user id)
    protocols: dict[str, protocol_pb2.Protocol] = field(default_factory=dict)  # by protocol_id
    versions: dict[str, protocol_pb2.ProtocolVersion] = field(default_factory=dict)  # by id
    images: dict[str, image_pb2.Image] = field(default_factory=dict)  # by image_id
    archive_pointers: dict[str, list[image_pb2.ArchivePointer]] = field(default_factory=dict)
    api_keys: list[tuple[str, Any]] = field(default_factory=list)  # (label, resource)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def writes(self) -> list[str]:
        return [rpc for rpc, _ in self.calls if rpc in _WRITES]

    def requests(self, rpc: str) -> list[Any]:
        return [req for name, req in self.calls if name == rpc]

    def version_of(self, protocol_key: str, variant_key: str) -> protocol_pb2.ProtocolVersion | None:
        found = [v for v in self.versions.values()
                 if (v.version_key.protocol_key, v.version_key.variant_key) == (protocol_key, variant_key)]
        return found[-1] if found else None

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[FakeRegistry]:
        reg = cls(**kwargs)
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        holder: dict[str, Any] = {}

        async def main() -> None:
            server = grpc.aio.server()
            _add_servicers(reg, server)
            reg.port = server.add_insecure_port(f"127.0.0.1:{reg.port}")
            await server.start()
            holder["stop"] = asyncio.Event()
            ready.set()
            await holder["stop"].wait()
            await server.stop(grace=0.2)

        thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake registry did not start")
        try:
            yield reg
        finally:
            loop.call_soon_threadsafe(holder["stop"].set)
            thread.join(10)
            loop.close()


def _add_servicers(reg: FakeRegistry, server: grpc.aio.Server) -> None:
    ctx = grpc.aio.ServicerContext

    async def enter(rpc: str, request: Any, context: ctx, token: str | None = API_KEY) -> None:
        copy = type(request)()
        copy.CopyFrom(request)
        reg.calls.append((rpc, copy))
        if token is None:
            return
        header = dict(context.invocation_metadata() or ()).get("authorization")
        if header != f"Bearer {token}":
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "Bad auth header.")

    def by_key(protocol_key: str, variant_key: str) -> list[protocol_pb2.ProtocolVersion]:
        return [v for v in reg.versions.values()
                if (v.version_key.protocol_key, v.version_key.variant_key) == (protocol_key, variant_key)]

    class Auth(auth_pb2_grpc.AuthServiceServicer):
        async def Login(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("AuthService.Login", request, context, token=None)
            user = reg.users.get(request.email)
            if user is None or user[0] != request.password:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, "Invalid email or password.")
            assert user is not None
            return auth_pb2.AuthServiceLoginResponse(token=f"user-jwt-{user[1]}", refresh="r")

    class ApiKey(api_key_pb2_grpc.ApiKeyServiceServicer):
        async def Create(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ApiKeyService.Create", request, context, token=None)
            header = dict(context.invocation_metadata() or ()).get("authorization")
            if header != f"Bearer user-jwt-{request.resource.resource_id}":
                await context.abort(grpc.StatusCode.PERMISSION_DENIED, "Not your user.")
            reg.api_keys.append((request.label, request.resource))
            return api_key_pb2.ApiKeyServiceCreateResponse(api_key=API_KEY)

    class Protocol(protocol_pb2_grpc.ProtocolServiceServicer):
        async def ListProtocols(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.ListProtocols", request, context)
            wanted = request.search.name.strip("%").lower() if request.HasField("search") else ""
            found = []
            for p in sorted(reg.protocols.values(), key=lambda p: p.key):
                if wanted in p.name.lower():
                    full = protocol_pb2.Protocol()
                    full.CopyFrom(p)
                    full.versions.extend(v for v in reg.versions.values() if v.protocol_id == p.protocol_id)
                    found.append(full)
            page = found[request.offset:request.offset + (request.limit or len(found))]
            return protocol_pb2.ProtocolServiceListProtocolsResponse(protocols=page, total=len(found))

        async def GetProtocol(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.GetProtocol", request, context)
            for p in reg.protocols.values():
                if request.protocol_key == p.key or request.protocol_id == p.protocol_id:
                    full = protocol_pb2.Protocol()
                    full.CopyFrom(p)
                    full.versions.extend(v for v in reg.versions.values() if v.protocol_id == p.protocol_id)
                    return protocol_pb2.ProtocolServiceGetProtocolResponse(protocol=full)
            await context.abort(grpc.StatusCode.NOT_FOUND, "Protocol not found.")

        async def AddProtocol(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.AddProtocol", request, context)
            if any(p.key == request.key for p in reg.protocols.values()):
                await context.abort(grpc.StatusCode.ALREADY_EXISTS, "Protocol key exists.")
            p = protocol_pb2.Protocol(protocol_id=str(uuid.uuid4()), key=request.key, name=request.name,
                                      visibility=_PRIVATE)
            for f in ("org_id", "description", "ticker"):
                if request.HasField(f):
                    setattr(p, f, getattr(request, f))
            reg.protocols[p.protocol_id] = p
            return protocol_pb2.ProtocolServiceAddProtocolResponse(protocol=p)

        async def UpdateProtocol(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.UpdateProtocol", request, context)
            p = reg.protocols.get(request.protocol_id)
            if p is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Protocol not found.")
            assert p is not None
            for f in ("name", "description", "visibility"):
                if request.HasField(f):
                    setattr(p, f, getattr(request, f))
            return protocol_pb2.ProtocolServiceUpdateProtocolResponse(protocol=p)

        async def GetLatest(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.GetLatest", request, context)
            found = by_key(request.version_key.protocol_key, request.version_key.variant_key)
            if not found:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Protocol version not found.")
            return protocol_pb2.ProtocolServiceGetLatestResponse(protocol_version=found[-1])

        async def AddVersion(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.AddVersion", request, context)
            protocol = [p for p in reg.protocols.values() if p.key == request.version_key.protocol_key]
            if not protocol:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Protocol not found.")
            if any(v.semantic_version == request.semantic_version for v in
                   by_key(request.version_key.protocol_key, request.version_key.variant_key)):
                await context.abort(grpc.StatusCode.ALREADY_EXISTS, "Version exists.")
            v = protocol_pb2.ProtocolVersion(
                protocol_version_id=str(uuid.uuid4()), protocol_id=protocol[0].protocol_id,
                version_key=request.version_key, metadata=request.metadata,
                semantic_version=request.semantic_version, sku_code=request.sku_code, visibility=_PRIVATE)
            for f in ("org_id", "description"):
                if request.HasField(f):
                    setattr(v, f, getattr(request, f))
            reg.versions[v.protocol_version_id] = v
            return protocol_pb2.ProtocolServiceAddVersionResponse(version=v)

        async def UpdateVersion(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ProtocolService.UpdateVersion", request, context)
            v = reg.versions.get(request.protocol_version_id)
            if v is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Protocol version not found.")
            assert v is not None
            for f in ("sku_code", "description", "visibility"):
                if request.HasField(f):
                    setattr(v, f, getattr(request, f))
            return protocol_pb2.ProtocolServiceUpdateVersionResponse(protocol_version=v)

    class Image(image_pb2_grpc.ImageServiceServicer):
        async def GetImage(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ImageService.GetImage", request, context)
            versions = {v.protocol_version_id: v for v in
                        by_key(request.version_key.protocol_key, request.version_key.variant_key)
                        if not request.HasField("semantic_version")
                        or v.semantic_version == request.semantic_version}
            found = [i for i in reg.images.values() if i.protocol_version_id in versions]
            if not found:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Image not found.")
            return image_pb2.ImageServiceGetImageResponse(image=max(found, key=lambda i: i.build_version))

        async def AddImage(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ImageService.AddImage", request, context)
            if request.protocol_version_id not in reg.versions:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Protocol version not found.")
            builds = [i.build_version for i in reg.images.values()
                      if i.protocol_version_id == request.protocol_version_id]
            image = image_pb2.Image(
                image_id=str(uuid.uuid4()), protocol_version_id=request.protocol_version_id,
                build_version=max(builds, default=0) + 1, image_uri=request.image_uri,
                firewall=request.firewall, min_cpu_cores=request.min_cpu_cores,
                min_memory_bytes=request.min_memory_bytes, min_disk_bytes=request.min_disk_bytes,
                min_babel_version=request.min_babel_version, ramdisks=request.ramdisks, visibility=_PRIVATE)
            for f in ("org_id", "description", "dns_scheme"):
                if request.HasField(f):
                    setattr(image, f, getattr(request, f))
            for p in request.properties:
                prop = image_pb2.ImageProperty(image_property_id=str(uuid.uuid4()), image_id=image.image_id)
                for fd in p.DESCRIPTOR.fields:
                    if fd.has_presence and not p.HasField(fd.name):
                        continue
                    setattr(prop, fd.name, getattr(p, fd.name))
                image.properties.append(prop)
            reg.images[image.image_id] = image
            reg.archive_pointers[image.image_id] = list(request.archive_pointers)
            return image_pb2.ImageServiceAddImageResponse(image=image)

        async def UpdateImage(self, request: Any, context: ctx) -> Any:  # noqa: N802
            await enter("ImageService.UpdateImage", request, context)
            image = reg.images.get(request.image_id)
            if image is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "Image not found.")
            assert image is not None
            if request.HasField("visibility"):
                image.visibility = request.visibility
            return image_pb2.ImageServiceUpdateImageResponse(image=image)

    auth_pb2_grpc.add_AuthServiceServicer_to_server(Auth(), server)
    api_key_pb2_grpc.add_ApiKeyServiceServicer_to_server(ApiKey(), server)
    protocol_pb2_grpc.add_ProtocolServiceServicer_to_server(Protocol(), server)
    image_pb2_grpc.add_ImageServiceServicer_to_server(Image(), server)
