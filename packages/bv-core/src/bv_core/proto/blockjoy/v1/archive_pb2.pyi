from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ArchiveServiceGetDownloadMetadataRequest(_message.Message):
    __slots__ = ("archive_id", "org_id", "data_version")
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    archive_id: str
    org_id: str
    data_version: int
    def __init__(self, archive_id: _Optional[str] = ..., org_id: _Optional[str] = ..., data_version: _Optional[int] = ...) -> None: ...

class ArchiveServiceGetDownloadMetadataResponse(_message.Message):
    __slots__ = ("data_version", "total_size", "compression", "chunks")
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    data_version: int
    total_size: int
    compression: Compression
    chunks: int
    def __init__(self, data_version: _Optional[int] = ..., total_size: _Optional[int] = ..., compression: _Optional[_Union[Compression, _Mapping]] = ..., chunks: _Optional[int] = ...) -> None: ...

class ArchiveServiceGetDownloadChunksRequest(_message.Message):
    __slots__ = ("archive_id", "org_id", "data_version", "chunk_indexes")
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEXES_FIELD_NUMBER: _ClassVar[int]
    archive_id: str
    org_id: str
    data_version: int
    chunk_indexes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, archive_id: _Optional[str] = ..., org_id: _Optional[str] = ..., data_version: _Optional[int] = ..., chunk_indexes: _Optional[_Iterable[int]] = ...) -> None: ...

class ArchiveServiceGetDownloadChunksResponse(_message.Message):
    __slots__ = ("chunks",)
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[ArchiveChunk]
    def __init__(self, chunks: _Optional[_Iterable[_Union[ArchiveChunk, _Mapping]]] = ...) -> None: ...

class ArchiveServiceGetUploadSlotsRequest(_message.Message):
    __slots__ = ("archive_id", "org_id", "data_version", "url_expires", "slot_indexes")
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    URL_EXPIRES_FIELD_NUMBER: _ClassVar[int]
    SLOT_INDEXES_FIELD_NUMBER: _ClassVar[int]
    archive_id: str
    org_id: str
    data_version: int
    url_expires: int
    slot_indexes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, archive_id: _Optional[str] = ..., org_id: _Optional[str] = ..., data_version: _Optional[int] = ..., url_expires: _Optional[int] = ..., slot_indexes: _Optional[_Iterable[int]] = ...) -> None: ...

class ArchiveServiceGetUploadSlotsResponse(_message.Message):
    __slots__ = ("data_version", "slots")
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    data_version: int
    slots: _containers.RepeatedCompositeFieldContainer[UploadSlot]
    def __init__(self, data_version: _Optional[int] = ..., slots: _Optional[_Iterable[_Union[UploadSlot, _Mapping]]] = ...) -> None: ...

class UploadSlot(_message.Message):
    __slots__ = ("index", "key", "url")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    index: int
    key: str
    url: str
    def __init__(self, index: _Optional[int] = ..., key: _Optional[str] = ..., url: _Optional[str] = ...) -> None: ...

class ArchiveServicePutDownloadManifestRequest(_message.Message):
    __slots__ = ("archive_id", "org_id", "data_version", "total_size", "compression", "chunks")
    ARCHIVE_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    archive_id: str
    org_id: str
    data_version: int
    total_size: int
    compression: Compression
    chunks: _containers.RepeatedCompositeFieldContainer[ArchiveChunk]
    def __init__(self, archive_id: _Optional[str] = ..., org_id: _Optional[str] = ..., data_version: _Optional[int] = ..., total_size: _Optional[int] = ..., compression: _Optional[_Union[Compression, _Mapping]] = ..., chunks: _Optional[_Iterable[_Union[ArchiveChunk, _Mapping]]] = ...) -> None: ...

class ArchiveServicePutDownloadManifestResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ArchiveChunk(_message.Message):
    __slots__ = ("index", "key", "url", "checksum", "size", "destinations")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    DESTINATIONS_FIELD_NUMBER: _ClassVar[int]
    index: int
    key: str
    url: str
    checksum: Checksum
    size: int
    destinations: _containers.RepeatedCompositeFieldContainer[ChunkTarget]
    def __init__(self, index: _Optional[int] = ..., key: _Optional[str] = ..., url: _Optional[str] = ..., checksum: _Optional[_Union[Checksum, _Mapping]] = ..., size: _Optional[int] = ..., destinations: _Optional[_Iterable[_Union[ChunkTarget, _Mapping]]] = ...) -> None: ...

class ChunkTarget(_message.Message):
    __slots__ = ("path", "position_bytes", "size_bytes")
    PATH_FIELD_NUMBER: _ClassVar[int]
    POSITION_BYTES_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    path: str
    position_bytes: int
    size_bytes: int
    def __init__(self, path: _Optional[str] = ..., position_bytes: _Optional[int] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class Checksum(_message.Message):
    __slots__ = ("sha1", "sha256", "blake3")
    SHA1_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    BLAKE3_FIELD_NUMBER: _ClassVar[int]
    sha1: bytes
    sha256: bytes
    blake3: bytes
    def __init__(self, sha1: _Optional[bytes] = ..., sha256: _Optional[bytes] = ..., blake3: _Optional[bytes] = ...) -> None: ...

class Compression(_message.Message):
    __slots__ = ("zstd",)
    ZSTD_FIELD_NUMBER: _ClassVar[int]
    zstd: int
    def __init__(self, zstd: _Optional[int] = ...) -> None: ...
