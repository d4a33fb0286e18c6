"""Typed view of the generated gRPC module (scripts/proto.sh; do not edit)."""

from typing import Any

import bv_core.proto.blockjoy.v1.image_pb2 as _m0


class ImageServiceStub:
    def __init__(self, channel: Any) -> None: ...
    GetImage: Any
    AddImage: Any
    UpdateImage: Any


class ImageServiceServicer:
    def GetImage(self, request: _m0.ImageServiceGetImageRequest, context: Any) -> Any: ...
    def AddImage(self, request: _m0.ImageServiceAddImageRequest, context: Any) -> Any: ...
    def UpdateImage(self, request: _m0.ImageServiceUpdateImageRequest, context: Any) -> Any: ...


def add_ImageServiceServicer_to_server(servicer: ImageServiceServicer, server: Any) -> None: ...


class ImageService:
    GetImage: Any
    AddImage: Any
    UpdateImage: Any
