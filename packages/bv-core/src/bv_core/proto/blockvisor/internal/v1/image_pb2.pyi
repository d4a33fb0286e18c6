from bv_core.proto.blockvisor.internal.v1 import node_pb2 as _node_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListImagesRequest(_message.Message):
    __slots__ = ("protocol_key",)
    PROTOCOL_KEY_FIELD_NUMBER: _ClassVar[int]
    protocol_key: str
    def __init__(self, protocol_key: _Optional[str] = ...) -> None: ...

class ImageSummary(_message.Message):
    __slots__ = ("image_key", "version", "build_version", "uri", "path", "description", "min_cpu_cores", "min_memory_bytes", "min_disk_bytes")
    IMAGE_KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    BUILD_VERSION_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MIN_CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    MIN_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MIN_DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    image_key: _node_pb2.ImageKey
    version: str
    build_version: int
    uri: str
    path: str
    description: str
    min_cpu_cores: int
    min_memory_bytes: int
    min_disk_bytes: int
    def __init__(self, image_key: _Optional[_Union[_node_pb2.ImageKey, _Mapping]] = ..., version: _Optional[str] = ..., build_version: _Optional[int] = ..., uri: _Optional[str] = ..., path: _Optional[str] = ..., description: _Optional[str] = ..., min_cpu_cores: _Optional[int] = ..., min_memory_bytes: _Optional[int] = ..., min_disk_bytes: _Optional[int] = ...) -> None: ...

class ListImagesResponse(_message.Message):
    __slots__ = ("images",)
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedCompositeFieldContainer[ImageSummary]
    def __init__(self, images: _Optional[_Iterable[_Union[ImageSummary, _Mapping]]] = ...) -> None: ...
