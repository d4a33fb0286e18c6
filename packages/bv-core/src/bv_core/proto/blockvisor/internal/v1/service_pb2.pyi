from bv_core.proto.blockvisor.internal.v1 import daemon_pb2 as _daemon_pb2
from bv_core.proto.blockvisor.internal.v1 import host_pb2 as _host_pb2
from bv_core.proto.blockvisor.internal.v1 import image_pb2 as _image_pb2
from bv_core.proto.blockvisor.internal.v1 import job_pb2 as _job_pb2
from bv_core.proto.blockvisor.internal.v1 import node_pb2 as _node_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
