"""Typed models of every document BlockVisor reads or writes, validated at the edge.

    babel.yaml ........... ImageMetadata        parse_image_metadata / load_image_metadata / dump_image_metadata
    node state.json ...... NodeState            load_node_state / save_node_state
    nodes/state.json ..... NodesManagerState    load_nodes_manager_state / save_nodes_manager_state
    /etc/blockvisor.json . HostConfig           load_host_config / save_host_config
    archive manifests .... DownloadManifest, DownloadMetadata, UploadManifest, UploadSlots, Chunk

Any bad document raises ``bv_core.errors.ModelError`` naming the file, the field path and what
was expected. Models are msgspec Structs; ``decode_json``/``encode_json``/``load_json``/
``save_json``/``convert`` do the same for any other model (job config, plugin config...), and
``Model``/``MutableModel``/``FieldError`` are the building blocks for them.
"""

from __future__ import annotations

from ._archive import Checksum as Checksum
from ._archive import ChecksumAlgorithm as ChecksumAlgorithm
from ._archive import Chunk as Chunk
from ._archive import DownloadManifest as DownloadManifest
from ._archive import DownloadMetadata as DownloadMetadata
from ._archive import FileLocation as FileLocation
from ._archive import UploadManifest as UploadManifest
from ._archive import UploadSlot as UploadSlot
from ._archive import UploadSlots as UploadSlots
from ._archive import ZstdCompression as ZstdCompression
from ._base import U8 as U8
from ._base import U32 as U32
from ._base import U64 as U64
from ._base import Direction as Direction
from ._base import FirewallAction as FirewallAction
from ._base import Kebab as Kebab
from ._base import Model as Model
from ._base import MutableModel as MutableModel
from ._base import NetProtocol as NetProtocol
from ._base import Port as Port
from ._decode import FieldError as FieldError
from ._decode import convert as convert
from ._decode import decode_json as decode_json
from ._decode import encode_json as encode_json
from ._decode import load_json as load_json
from ._decode import save_json as save_json
from ._host_config import HOST_CONFIG_PATH as HOST_CONFIG_PATH
from ._host_config import ApptainerConfig as ApptainerConfig
from ._host_config import HostConfig as HostConfig
from ._host_config import NetConf as NetConf
from ._host_config import load_host_config as load_host_config
from ._host_config import save_host_config as save_host_config
from ._image import ArchivePointer as ArchivePointer
from ._image import CombinationDisallowed as CombinationDisallowed
from ._image import EnumOption as EnumOption
from ._image import EnumUi as EnumUi
from ._image import ImageFirewallConfig as ImageFirewallConfig
from ._image import ImageFirewallRule as ImageFirewallRule
from ._image import ImageImpact as ImageImpact
from ._image import ImageIp as ImageIp
from ._image import ImageMetadata as ImageMetadata
from ._image import ImagePort as ImagePort
from ._image import ImageProperty as ImageProperty
from ._image import ImageVariant as ImageVariant
from ._image import PasswordUi as PasswordUi
from ._image import Ramdisk as Ramdisk
from ._image import StoreKey as StoreKey
from ._image import StorePointer as StorePointer
from ._image import SwitchUi as SwitchUi
from ._image import TextUi as TextUi
from ._image import UiType as UiType
from ._image import Variant as Variant
from ._image import VariantMetadata as VariantMetadata
from ._image import Visibility as Visibility
from ._image import dump_image_metadata as dump_image_metadata
from ._image import load_image_metadata as load_image_metadata
from ._image import parse_image_metadata as parse_image_metadata
from ._node_state import NODE_STATE_FILENAME as NODE_STATE_FILENAME
from ._node_state import CpuAssignmentChange as CpuAssignmentChange
from ._node_state import CpuAssignmentStep as CpuAssignmentStep
from ._node_state import CpuAssignmentUpdate as CpuAssignmentUpdate
from ._node_state import FirewallConfig as FirewallConfig
from ._node_state import FirewallRule as FirewallRule
from ._node_state import NodeImage as NodeImage
from ._node_state import NodesManagerState as NodesManagerState
from ._node_state import NodeState as NodeState
from ._node_state import PluginFnCall as PluginFnCall
from ._node_state import ProtocolImageKey as ProtocolImageKey
from ._node_state import RamdiskConfiguration as RamdiskConfiguration
from ._node_state import ScheduledTask as ScheduledTask
from ._node_state import ScheduledTaskKind as ScheduledTaskKind
from ._node_state import StateBackup as StateBackup
from ._node_state import SystemTime as SystemTime
from ._node_state import UpgradeState as UpgradeState
from ._node_state import UpgradeStep as UpgradeStep
from ._node_state import VmConfig as VmConfig
from ._node_state import VmStatus as VmStatus
from ._node_state import load_node_state as load_node_state
from ._node_state import load_nodes_manager_state as load_nodes_manager_state
from ._node_state import save_node_state as save_node_state
from ._node_state import save_nodes_manager_state as save_nodes_manager_state

__all__ = [
    "HOST_CONFIG_PATH",
    "NODE_STATE_FILENAME",
    "U8",
    "U32",
    "U64",
    "ApptainerConfig",
    "ArchivePointer",
    "Checksum",
    "ChecksumAlgorithm",
    "Chunk",
    "CombinationDisallowed",
    "CpuAssignmentChange",
    "CpuAssignmentStep",
    "CpuAssignmentUpdate",
    "Direction",
    "DownloadManifest",
    "DownloadMetadata",
    "EnumOption",
    "EnumUi",
    "FieldError",
    "FileLocation",
    "FirewallAction",
    "FirewallConfig",
    "FirewallRule",
    "HostConfig",
    "ImageFirewallConfig",
    "ImageFirewallRule",
    "ImageImpact",
    "ImageIp",
    "ImageMetadata",
    "ImagePort",
    "ImageProperty",
    "ImageVariant",
    "Kebab",
    "Model",
    "MutableModel",
    "NetConf",
    "NetProtocol",
    "NodeImage",
    "NodeState",
    "NodesManagerState",
    "PasswordUi",
    "PluginFnCall",
    "Port",
    "ProtocolImageKey",
    "Ramdisk",
    "RamdiskConfiguration",
    "ScheduledTask",
    "ScheduledTaskKind",
    "StateBackup",
    "StoreKey",
    "StorePointer",
    "SwitchUi",
    "SystemTime",
    "TextUi",
    "UiType",
    "UpgradeState",
    "UpgradeStep",
    "UploadManifest",
    "UploadSlot",
    "UploadSlots",
    "Variant",
    "VariantMetadata",
    "Visibility",
    "VmConfig",
    "VmStatus",
    "ZstdCompression",
    "convert",
    "decode_json",
    "dump_image_metadata",
    "encode_json",
    "load_host_config",
    "load_image_metadata",
    "load_json",
    "load_node_state",
    "load_nodes_manager_state",
    "parse_image_metadata",
    "save_host_config",
    "save_json",
    "save_node_state",
    "save_nodes_manager_state",
]
