"""The generated descriptors carry the fleet API's names and numbers (api-contract.md §8.2, §8.3, §9).

The agent joins a real fleet API only if every field we use has the original number, every enum
value the original number and every RPC the original path. The tables below are copied from the
reference, not from our .proto files, so a renumbering in proto/ fails here.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor

import bv_core.proto

for _m in pkgutil.walk_packages(bv_core.proto.__path__, "bv_core.proto."):
    importlib.import_module(_m.name)

POOL = descriptor_pool.Default()
C = "blockjoy.common.v1."
V = "blockjoy.v1."

# fmt: off
# (message, field, number) — §8.2/§8.3, with §9 where the head differs.
FIELDS: list[tuple[str, str, int]] = [
    # common.v1
    (C + "Resource", "resource_type", 1), (C + "Resource", "resource_id", 2),
    (C + "HostStatus", "host_id", 1), (C + "HostStatus", "connection_status", 2),
    (C + "NodeStatus", "state", 1), (C + "NodeStatus", "next", 2), (C + "NodeStatus", "protocol", 3),
    (C + "ProtocolStatus", "state", 1), (C + "ProtocolStatus", "health", 2),
    (C + "NodeJob", "name", 1), (C + "NodeJob", "status", 2), (C + "NodeJob", "exit_code", 3),
    (C + "NodeJob", "message", 4), (C + "NodeJob", "logs", 5), (C + "NodeJob", "restarts", 6),
    (C + "NodeJob", "progress", 7),
    (C + "NodeJobProgress", "total", 1), (C + "NodeJobProgress", "current", 2),
    (C + "NodeJobProgress", "message", 3),
    (C + "NodeLauncher", "by_host", 1), (C + "NodeLauncher", "by_region", 2),
    (C + "ByHost", "host_counts", 1), (C + "HostCount", "host_id", 1), (C + "HostCount", "node_count", 2),
    (C + "NodeConfig", "vm", 1), (C + "NodeConfig", "image", 2), (C + "NodeConfig", "firewall", 3),
    (C + "VmConfig", "cpu_cores", 1), (C + "VmConfig", "memory_bytes", 2),
    (C + "VmConfig", "disk_bytes", 3), (C + "VmConfig", "ramdisks", 4),
    (C + "RamdiskConfig", "mount", 1), (C + "RamdiskConfig", "size_bytes", 2),
    (C + "ImageConfig", "image_id", 1), (C + "ImageConfig", "image_uri", 2),
    (C + "ImageConfig", "archive_id", 3), (C + "ImageConfig", "store_key", 4),
    (C + "ImageConfig", "values", 5), (C + "ImageConfig", "min_babel_version", 6),
    (C + "PropertyValueConfig", "key", 1), (C + "PropertyValueConfig", "key_group", 2),
    (C + "PropertyValueConfig", "value", 3),
    (C + "FirewallConfig", "default_in", 1), (C + "FirewallConfig", "default_out", 2),
    (C + "FirewallConfig", "rules", 3),
    (C + "FirewallRule", "key", 1), (C + "FirewallRule", "description", 2),
    (C + "FirewallRule", "protocol", 3), (C + "FirewallRule", "direction", 4),
    (C + "FirewallRule", "action", 5), (C + "FirewallRule", "ips", 6), (C + "FirewallRule", "ports", 7),
    (C + "IpName", "ip", 1), (C + "IpName", "name", 2), (C + "PortName", "port", 1),
    (C + "PortName", "name", 2),
    (C + "ProtocolVersionKey", "protocol_key", 1), (C + "ProtocolVersionKey", "variant_key", 2),
    (C + "VersionMetadata", "metadata_key", 1), (C + "VersionMetadata", "value", 2),
    (C + "VersionMetadata", "description", 3),
    (C + "Tags", "tags", 1), (C + "Tag", "name", 1),
    # CommandService
    (V + "Command", "command_id", 1), (V + "Command", "exit_code", 2), (V + "Command", "exit_message", 3),
    (V + "Command", "retry_hint_seconds", 4), (V + "Command", "created_at", 5),
    (V + "Command", "acked_at", 6), (V + "Command", "node", 7), (V + "Command", "host", 8),
    (V + "HostCommand", "host_id", 1), (V + "HostCommand", "start", 2), (V + "HostCommand", "stop", 3),
    (V + "HostCommand", "restart", 4), (V + "HostCommand", "pending", 5),
    (V + "NodeCommand", "host_id", 1), (V + "NodeCommand", "node_id", 2),
    (V + "NodeCommand", "node_name", 3), (V + "NodeCommand", "create", 4),
    (V + "NodeCommand", "start", 5), (V + "NodeCommand", "stop", 6), (V + "NodeCommand", "restart", 7),
    (V + "NodeCommand", "update", 8), (V + "NodeCommand", "upgrade", 9), (V + "NodeCommand", "delete", 10),
    (V + "NodeCreate", "node", 1), (V + "NodeUpgrade", "node", 1),
    (V + "NodeUpdate", "node_id", 1), (V + "NodeUpdate", "config_id", 2),
    (V + "NodeUpdate", "auto_upgrade", 3), (V + "NodeUpdate", "new_org_id", 4),
    (V + "NodeUpdate", "new_org_name", 5), (V + "NodeUpdate", "new_display_name", 6),
    (V + "NodeUpdate", "new_note", 7), (V + "NodeUpdate", "new_values", 8),
    (V + "NodeUpdate", "new_firewall", 9),
    (V + "CommandServicePendingRequest", "host_id", 1),
    (V + "CommandServicePendingRequest", "filter_type", 2),
    (V + "CommandServicePendingResponse", "commands", 1),
    (V + "CommandServiceAckRequest", "command_id", 1),
    (V + "CommandServiceUpdateRequest", "command_id", 1),
    (V + "CommandServiceUpdateRequest", "exit_code", 2),
    (V + "CommandServiceUpdateRequest", "exit_message", 3),
    (V + "CommandServiceUpdateRequest", "retry_hint_seconds", 4),
    (V + "CommandServiceUpdateResponse", "command", 1),
    # Node
    (V + "Node", "node_id", 1), (V + "Node", "node_name", 2), (V + "Node", "display_name", 3),
    (V + "Node", "old_node_id", 4), (V + "Node", "image_id", 5), (V + "Node", "config_id", 6),
    (V + "Node", "config", 7), (V + "Node", "org_id", 8), (V + "Node", "org_name", 9),
    (V + "Node", "host_id", 10), (V + "Node", "host_org_id", 11), (V + "Node", "host_network_name", 12),
    (V + "Node", "host_display_name", 13), (V + "Node", "region_id", 14), (V + "Node", "region_key", 15),
    (V + "Node", "region_name", 16), (V + "Node", "protocol_id", 17), (V + "Node", "protocol_name", 18),
    (V + "Node", "protocol_version_id", 19), (V + "Node", "version_key", 20),
    (V + "Node", "semantic_version", 21), (V + "Node", "auto_upgrade", 22),
    (V + "Node", "ip_address", 23), (V + "Node", "ip_gateway", 24), (V + "Node", "dns_name", 25),
    (V + "Node", "p2p_address", 26), (V + "Node", "dns_url", 27), (V + "Node", "block_height", 28),
    (V + "Node", "block_age", 29), (V + "Node", "note", 30), (V + "Node", "node_status", 31),
    (V + "Node", "jobs", 32), (V + "Node", "tags", 34), (V + "Node", "created_by", 35),
    (V + "Node", "created_at", 36), (V + "Node", "updated_at", 37), (V + "Node", "version_metadata", 39),
    (V + "NodeServiceReportStatusRequest", "node_id", 1),
    (V + "NodeServiceReportStatusRequest", "config_id", 2),
    (V + "NodeServiceReportStatusRequest", "status", 3),
    (V + "NodeServiceReportStatusRequest", "p2p_address", 4),
    (V + "NodeServiceCreateRequest", "org_id", 1), (V + "NodeServiceCreateRequest", "image_id", 2),
    (V + "NodeServiceCreateRequest", "old_node_id", 3), (V + "NodeServiceCreateRequest", "launcher", 4),
    (V + "NodeServiceCreateRequest", "new_values", 5), (V + "NodeServiceCreateRequest", "add_rules", 6),
    (V + "NodeServiceCreateRequest", "tags", 7), (V + "NodeServiceCreateResponse", "nodes", 1),
    (V + "NewImagePropertyValue", "key", 1), (V + "NewImagePropertyValue", "value", 2),
    (V + "NodeServiceStartRequest", "node_id", 1), (V + "NodeServiceStopRequest", "node_id", 1),
    (V + "NodeServiceDeleteRequest", "node_id", 1),
    (V + "NodeServiceUpgradeImageRequest", "node_ids", 1),
    (V + "NodeServiceUpgradeImageRequest", "image_id", 2),
    (V + "NodeServiceUpgradeImageRequest", "org_id", 3),
    (V + "NodeServiceListRequest", "org_ids", 1), (V + "NodeServiceListRequest", "offset", 2),
    (V + "NodeServiceListRequest", "limit", 3), (V + "NodeServiceListRequest", "host_ids", 9),
    (V + "NodeServiceListRequest", "node_states", 12),
    (V + "NodeServiceListResponse", "nodes", 1), (V + "NodeServiceListResponse", "total", 2),
    # Metrics
    (V + "MetricsServiceHostRequest", "metrics", 1), (V + "MetricsServiceNodeRequest", "metrics", 1),
    (V + "HostMetrics", "host_id", 1), (V + "HostMetrics", "used_cpu_hundreths", 2),
    (V + "HostMetrics", "used_memory_bytes", 3), (V + "HostMetrics", "used_disk_bytes", 4),
    (V + "HostMetrics", "load_one_percent", 5), (V + "HostMetrics", "load_five_percent", 6),
    (V + "HostMetrics", "load_fifteen_percent", 7), (V + "HostMetrics", "network_received_bytes", 8),
    (V + "HostMetrics", "network_sent_bytes", 9), (V + "HostMetrics", "uptime_seconds", 10),
    (V + "HostMetrics", "used_ips", 11),
    (V + "NodeMetrics", "node_id", 1), (V + "NodeMetrics", "node_status", 2),
    (V + "NodeMetrics", "height", 3), (V + "NodeMetrics", "block_age", 4),
    (V + "NodeMetrics", "consensus", 5), (V + "NodeMetrics", "jobs", 6),
    # Host
    (V + "Host", "host_id", 1), (V + "Host", "org_id", 2), (V + "Host", "org_name", 3),
    (V + "Host", "region", 4), (V + "Host", "network_name", 5), (V + "Host", "display_name", 6),
    (V + "Host", "schedule_type", 7), (V + "Host", "os", 8), (V + "Host", "os_version", 9),
    (V + "Host", "bv_version", 10), (V + "Host", "ip_address", 11), (V + "Host", "ip_gateway", 12),
    (V + "Host", "ip_addresses", 13), (V + "Host", "cpu_cores", 14), (V + "Host", "memory_bytes", 15),
    (V + "Host", "disk_bytes", 16), (V + "Host", "node_count", 17), (V + "Host", "tags", 18),
    (V + "Host", "created_by", 19), (V + "Host", "created_at", 20), (V + "Host", "updated_at", 21),
    (V + "Region", "region_id", 1), (V + "Region", "region_key", 2), (V + "Region", "display_name", 3),
    (V + "Region", "sku_code", 4),
    (V + "HostServiceCreateHostRequest", "provision_token", 1),
    (V + "HostServiceCreateHostRequest", "is_private", 2),
    (V + "HostServiceCreateHostRequest", "network_name", 3),
    (V + "HostServiceCreateHostRequest", "display_name", 4),
    (V + "HostServiceCreateHostRequest", "region_id", 5),
    (V + "HostServiceCreateHostRequest", "schedule_type", 6),
    (V + "HostServiceCreateHostRequest", "os", 7),
    (V + "HostServiceCreateHostRequest", "os_version", 8),
    (V + "HostServiceCreateHostRequest", "bv_version", 9),
    (V + "HostServiceCreateHostRequest", "ip_address", 10),
    (V + "HostServiceCreateHostRequest", "ip_gateway", 11),
    (V + "HostServiceCreateHostRequest", "ips", 12),
    (V + "HostServiceCreateHostRequest", "cpu_cores", 13),
    (V + "HostServiceCreateHostRequest", "memory_bytes", 14),
    (V + "HostServiceCreateHostRequest", "disk_bytes", 15),
    (V + "HostServiceCreateHostRequest", "tags", 16),
    (V + "HostServiceCreateHostResponse", "host", 1), (V + "HostServiceCreateHostResponse", "token", 2),
    (V + "HostServiceCreateHostResponse", "refresh", 3),
    (V + "HostServiceCreateHostResponse", "provision_org_id", 4),
    (V + "HostServiceGetRegionRequest", "region_id", 1),
    (V + "HostServiceGetRegionRequest", "region_key", 2),
    (V + "HostServiceGetRegionResponse", "region", 1),
    (V + "HostServiceUpdateHostRequest", "host_id", 1),
    (V + "HostServiceUpdateHostRequest", "network_name", 2),
    (V + "HostServiceUpdateHostRequest", "display_name", 3),
    (V + "HostServiceUpdateHostRequest", "region_id", 4),
    (V + "HostServiceUpdateHostRequest", "os", 5),
    (V + "HostServiceUpdateHostRequest", "os_version", 6),
    (V + "HostServiceUpdateHostRequest", "bv_version", 7),
    (V + "HostServiceUpdateHostRequest", "cpu_cores", 8),
    (V + "HostServiceUpdateHostRequest", "memory_bytes", 9),
    (V + "HostServiceUpdateHostRequest", "disk_bytes", 10),
    (V + "HostServiceUpdateHostRequest", "schedule_type", 11),
    (V + "HostServiceUpdateHostResponse", "host", 1),
    # Auth, ApiKey, Discovery, Bundle, Crypt
    (V + "ApiKeyServiceCreateRequest", "label", 1),
    (V + "ApiKeyServiceCreateRequest", "resource", 2),
    (V + "ApiKeyServiceCreateResponse", "api_key", 1),
    (V + "ApiKeyServiceCreateResponse", "created_at", 2),
    (V + "AuthServiceRefreshRequest", "token", 1), (V + "AuthServiceRefreshRequest", "refresh", 2),
    (V + "AuthServiceRefreshResponse", "token", 1), (V + "AuthServiceRefreshResponse", "refresh", 2),
    (V + "AuthServiceLoginRequest", "email", 1), (V + "AuthServiceLoginRequest", "password", 2),
    (V + "AuthServiceLoginResponse", "token", 1), (V + "AuthServiceLoginResponse", "refresh", 2),
    (V + "DiscoveryServiceServicesResponse", "notification_url", 1),
    (V + "BundleServiceListVersionsResponse", "bundle_ids", 1),
    (V + "BundleServiceRetrieveRequest", "bundle_id", 1), (V + "BundleServiceRetrieveResponse", "url", 1),
    (V + "BundleIdentifier", "version", 1),
    (V + "CryptServiceGetSecretRequest", "resource", 1), (V + "CryptServiceGetSecretRequest", "key", 2),
    (V + "CryptServiceGetSecretResponse", "value", 1),
    (V + "CryptServicePutSecretRequest", "resource", 1), (V + "CryptServicePutSecretRequest", "key", 2),
    (V + "CryptServicePutSecretRequest", "value", 3),
    # Archive
    (V + "ArchiveServiceGetDownloadMetadataRequest", "archive_id", 1),
    (V + "ArchiveServiceGetDownloadMetadataRequest", "org_id", 2),
    (V + "ArchiveServiceGetDownloadMetadataRequest", "data_version", 3),
    (V + "ArchiveServiceGetDownloadMetadataResponse", "data_version", 1),
    (V + "ArchiveServiceGetDownloadMetadataResponse", "total_size", 2),
    (V + "ArchiveServiceGetDownloadMetadataResponse", "compression", 3),
    (V + "ArchiveServiceGetDownloadMetadataResponse", "chunks", 4),
    (V + "ArchiveServiceGetDownloadChunksRequest", "archive_id", 1),
    (V + "ArchiveServiceGetDownloadChunksRequest", "org_id", 2),
    (V + "ArchiveServiceGetDownloadChunksRequest", "data_version", 3),
    (V + "ArchiveServiceGetDownloadChunksRequest", "chunk_indexes", 4),
    (V + "ArchiveServiceGetDownloadChunksResponse", "chunks", 1),
    (V + "ArchiveServiceGetUploadSlotsRequest", "archive_id", 1),
    (V + "ArchiveServiceGetUploadSlotsRequest", "org_id", 2),
    (V + "ArchiveServiceGetUploadSlotsRequest", "data_version", 3),
    (V + "ArchiveServiceGetUploadSlotsRequest", "url_expires", 4),
    (V + "ArchiveServiceGetUploadSlotsRequest", "slot_indexes", 5),
    (V + "ArchiveServiceGetUploadSlotsResponse", "data_version", 1),
    (V + "ArchiveServiceGetUploadSlotsResponse", "slots", 2),
    (V + "UploadSlot", "index", 1), (V + "UploadSlot", "key", 2), (V + "UploadSlot", "url", 3),
    (V + "ArchiveServicePutDownloadManifestRequest", "archive_id", 1),
    (V + "ArchiveServicePutDownloadManifestRequest", "org_id", 2),
    (V + "ArchiveServicePutDownloadManifestRequest", "data_version", 3),
    (V + "ArchiveServicePutDownloadManifestRequest", "total_size", 4),
    (V + "ArchiveServicePutDownloadManifestRequest", "compression", 5),
    (V + "ArchiveServicePutDownloadManifestRequest", "chunks", 6),
    (V + "ArchiveChunk", "index", 1), (V + "ArchiveChunk", "key", 2), (V + "ArchiveChunk", "url", 3),
    (V + "ArchiveChunk", "checksum", 4), (V + "ArchiveChunk", "size", 5),
    (V + "ArchiveChunk", "destinations", 6),
    (V + "ChunkTarget", "path", 1), (V + "ChunkTarget", "position_bytes", 2),
    (V + "ChunkTarget", "size_bytes", 3),
    (V + "Checksum", "sha1", 1), (V + "Checksum", "sha256", 2), (V + "Checksum", "blake3", 3),
    (V + "Compression", "zstd", 1),
    # Image
    (V + "Image", "image_id", 1), (V + "Image", "protocol_version_id", 2), (V + "Image", "org_id", 3),
    (V + "Image", "build_version", 4), (V + "Image", "image_uri", 5), (V + "Image", "description", 6),
    (V + "Image", "properties", 7), (V + "Image", "firewall", 8), (V + "Image", "min_cpu_cores", 9),
    (V + "Image", "min_memory_bytes", 10), (V + "Image", "min_disk_bytes", 11),
    (V + "Image", "min_babel_version", 12), (V + "Image", "ramdisks", 13), (V + "Image", "visibility", 14),
    (V + "Image", "created_at", 15), (V + "Image", "updated_at", 16), (V + "Image", "dns_scheme", 17),
    (V + "ImageProperty", "image_property_id", 1), (V + "ImageProperty", "image_id", 2),
    (V + "ImageProperty", "key", 3), (V + "ImageProperty", "key_group", 4),
    (V + "ImageProperty", "is_group_default", 5), (V + "ImageProperty", "new_archive", 6),
    (V + "ImageProperty", "default_value", 7), (V + "ImageProperty", "dynamic_value", 8),
    (V + "ImageProperty", "ui_type", 9), (V + "ImageProperty", "display_name", 10),
    (V + "ImageProperty", "display_group", 11), (V + "ImageProperty", "description", 12),
    (V + "ImageProperty", "add_cpu_cores", 13), (V + "ImageProperty", "add_memory_bytes", 14),
    (V + "ImageProperty", "add_disk_bytes", 15),
    (V + "AddImageProperty", "key", 1), (V + "AddImageProperty", "key_group", 2),
    (V + "AddImageProperty", "is_group_default", 3), (V + "AddImageProperty", "new_archive", 4),
    (V + "AddImageProperty", "default_value", 5), (V + "AddImageProperty", "dynamic_value", 6),
    (V + "AddImageProperty", "ui_type", 7), (V + "AddImageProperty", "display_name", 8),
    (V + "AddImageProperty", "display_group", 9), (V + "AddImageProperty", "description", 10),
    (V + "AddImageProperty", "add_cpu_cores", 11), (V + "AddImageProperty", "add_memory_bytes", 12),
    (V + "AddImageProperty", "add_disk_bytes", 13),
    (V + "ArchivePointer", "new_archive_keys", 1), (V + "ArchivePointer", "store_key", 3),
    (V + "ArchivePointer", "disallowed", 4),
    (V + "Archive", "archive_id", 1), (V + "Archive", "image_id", 2), (V + "Archive", "store_key", 3),
    (V + "Archive", "image_property_ids", 4),
    (V + "ImageServiceGetImageRequest", "version_key", 1),
    (V + "ImageServiceGetImageRequest", "org_id", 2),
    (V + "ImageServiceGetImageRequest", "semantic_version", 3),
    (V + "ImageServiceGetImageRequest", "build_version", 4),
    (V + "ImageServiceGetImageResponse", "image", 1),
    (V + "ImageServiceAddImageRequest", "protocol_version_id", 1),
    (V + "ImageServiceAddImageRequest", "org_id", 2),
    (V + "ImageServiceAddImageRequest", "image_uri", 3),
    (V + "ImageServiceAddImageRequest", "description", 4),
    (V + "ImageServiceAddImageRequest", "properties", 5),
    (V + "ImageServiceAddImageRequest", "firewall", 6),
    (V + "ImageServiceAddImageRequest", "min_cpu_cores", 7),
    (V + "ImageServiceAddImageRequest", "min_memory_bytes", 8),
    (V + "ImageServiceAddImageRequest", "min_disk_bytes", 9),
    (V + "ImageServiceAddImageRequest", "min_babel_version", 10),
    (V + "ImageServiceAddImageRequest", "ramdisks", 11),
    (V + "ImageServiceAddImageRequest", "archive_pointers", 12),
    (V + "ImageServiceAddImageRequest", "dns_scheme", 13),
    (V + "ImageServiceAddImageResponse", "image", 1), (V + "ImageServiceAddImageResponse", "archives", 2),
    (V + "ImageServiceUpdateImageRequest", "image_id", 1),
    (V + "ImageServiceUpdateImageRequest", "visibility", 2),
    (V + "ImageServiceUpdateImageResponse", "image", 1),
    # Protocol (ProtocolVersion and AddVersion renumbered in api-proto 757c865, §9)
    (V + "Protocol", "protocol_id", 1), (V + "Protocol", "org_id", 2), (V + "Protocol", "key", 3),
    (V + "Protocol", "name", 4), (V + "Protocol", "description", 5), (V + "Protocol", "ticker", 6),
    (V + "Protocol", "visibility", 7), (V + "Protocol", "created_at", 8), (V + "Protocol", "updated_at", 9),
    (V + "Protocol", "versions", 10),
    (V + "ProtocolVersion", "protocol_version_id", 1), (V + "ProtocolVersion", "org_id", 2),
    (V + "ProtocolVersion", "protocol_id", 3), (V + "ProtocolVersion", "version_key", 4),
    (V + "ProtocolVersion", "metadata", 5), (V + "ProtocolVersion", "semantic_version", 6),
    (V + "ProtocolVersion", "sku_code", 7), (V + "ProtocolVersion", "description", 8),
    (V + "ProtocolVersion", "visibility", 9), (V + "ProtocolVersion", "created_at", 10),
    (V + "ProtocolVersion", "updated_at", 11),
    (V + "ProtocolServiceListProtocolsRequest", "org_ids", 1),
    (V + "ProtocolServiceListProtocolsRequest", "offset", 2),
    (V + "ProtocolServiceListProtocolsRequest", "limit", 3),
    (V + "ProtocolServiceListProtocolsRequest", "search", 8),
    (V + "ProtocolServiceListProtocolsRequest", "sort", 9),
    (V + "ProtocolServiceListProtocolsResponse", "protocols", 1),
    (V + "ProtocolServiceListProtocolsResponse", "total", 2),
    (V + "ProtocolSearch", "operator", 1), (V + "ProtocolSearch", "protocol_id", 2),
    (V + "ProtocolSearch", "name", 3),
    (V + "ProtocolSort", "field", 1), (V + "ProtocolSort", "order", 2),
    (V + "ProtocolServiceGetProtocolRequest", "protocol_id", 1),
    (V + "ProtocolServiceGetProtocolRequest", "protocol_key", 2),
    (V + "ProtocolServiceGetProtocolRequest", "org_id", 3),
    (V + "ProtocolServiceGetProtocolResponse", "protocol", 1),
    (V + "ProtocolServiceAddProtocolRequest", "org_id", 1),
    (V + "ProtocolServiceAddProtocolRequest", "key", 2),
    (V + "ProtocolServiceAddProtocolRequest", "name", 3),
    (V + "ProtocolServiceAddProtocolRequest", "description", 4),
    (V + "ProtocolServiceAddProtocolRequest", "ticker", 5),
    (V + "ProtocolServiceUpdateProtocolRequest", "protocol_id", 1),
    (V + "ProtocolServiceUpdateProtocolRequest", "name", 2),
    (V + "ProtocolServiceUpdateProtocolRequest", "description", 3),
    (V + "ProtocolServiceUpdateProtocolRequest", "visibility", 4),
    (V + "ProtocolServiceGetLatestRequest", "version_key", 1),
    (V + "ProtocolServiceGetLatestRequest", "org_id", 2),
    (V + "ProtocolServiceGetLatestResponse", "protocol_version", 1),
    (V + "ProtocolServiceAddVersionRequest", "org_id", 1),
    (V + "ProtocolServiceAddVersionRequest", "version_key", 2),
    (V + "ProtocolServiceAddVersionRequest", "metadata", 3),
    (V + "ProtocolServiceAddVersionRequest", "semantic_version", 4),
    (V + "ProtocolServiceAddVersionRequest", "sku_code", 5),
    (V + "ProtocolServiceAddVersionRequest", "description", 6),
    (V + "ProtocolServiceAddVersionResponse", "version", 1),
    (V + "ProtocolServiceUpdateVersionRequest", "protocol_version_id", 1),
    (V + "ProtocolServiceUpdateVersionRequest", "sku_code", 2),
    (V + "ProtocolServiceUpdateVersionRequest", "description", 3),
    (V + "ProtocolServiceUpdateVersionRequest", "visibility", 4),
    (V + "ProtocolServiceUpdateVersionResponse", "protocol_version", 1),
]

# Scalar fields the contract marks "?" (proto3 `optional`: presence is on the wire).
OPTIONAL: list[tuple[str, str]] = [
    (C + "HostStatus", "connection_status"), (C + "NodeStatus", "next"),
    (C + "NodeJob", "exit_code"), (C + "NodeJob", "message"), (C + "NodeJobProgress", "total"),
    (C + "NodeJobProgress", "current"), (C + "PropertyValueConfig", "key_group"),
    (C + "FirewallRule", "description"), (C + "IpName", "name"), (C + "PortName", "name"),
    (C + "VersionMetadata", "description"),
    (V + "Command", "exit_code"), (V + "Command", "exit_message"), (V + "Command", "retry_hint_seconds"),
    (V + "CommandServiceUpdateRequest", "exit_code"),
    (V + "CommandServiceUpdateRequest", "exit_message"),
    (V + "CommandServiceUpdateRequest", "retry_hint_seconds"),
    (V + "CommandServicePendingRequest", "filter_type"),
    (V + "NodeUpdate", "auto_upgrade"), (V + "NodeUpdate", "new_org_id"),
    (V + "NodeUpdate", "new_display_name"),
    (V + "Node", "old_node_id"), (V + "Node", "host_org_id"), (V + "Node", "p2p_address"),
    (V + "Node", "dns_url"), (V + "Node", "block_height"), (V + "Node", "block_age"),
    (V + "Node", "note"), (V + "NodeServiceReportStatusRequest", "p2p_address"),
    (V + "NodeServiceUpgradeImageRequest", "org_id"),
    (V + "HostMetrics", "used_cpu_hundreths"), (V + "HostMetrics", "load_one_percent"),
    (V + "HostMetrics", "uptime_seconds"), (V + "NodeMetrics", "height"),
    (V + "NodeMetrics", "consensus"),
    (V + "HostServiceUpdateHostRequest", "bv_version"),
    (V + "HostServiceUpdateHostRequest", "disk_bytes"),
    (V + "AuthServiceRefreshRequest", "refresh"),
    (V + "ArchiveServiceGetDownloadMetadataRequest", "data_version"),
    (V + "ArchiveServiceGetUploadSlotsRequest", "data_version"),
    (V + "ArchiveServiceGetUploadSlotsRequest", "url_expires"), (V + "ArchiveChunk", "url"),
    (V + "Image", "dns_scheme"), (V + "ImageServiceGetImageRequest", "semantic_version"),
    (V + "ImageServiceGetImageRequest", "build_version"),
    (V + "ImageServiceUpdateImageRequest", "visibility"),
    (V + "ProtocolVersion", "description"),
]

# (enum, value name, number) — every value of every enum we define, from §2.5, §8.2, §8.3.
ENUMS: list[tuple[str, str, int]] = [
    *[(C + "ResourceType", f"RESOURCE_TYPE_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "USER", "ORG", "HOST", "NODE"])],
    *[(C + "HostConnectionStatus", f"HOST_CONNECTION_STATUS_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "ONLINE", "OFFLINE"])],
    *[(C + "ScheduleType", f"SCHEDULE_TYPE_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "AUTOMATIC", "MANUAL"])],
    *[(C + "NodeState", f"NODE_STATE_{n}", i) for i, n in enumerate(
        ["UNSPECIFIED", "STARTING", "RUNNING", "STOPPED", "FAILED", "UPGRADING", "DELETING", "DELETED"])],
    *[(C + "NextState", f"NEXT_STATE_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "STOPPING", "DELETING", "UPGRADING"])],
    *[(C + "NodeHealth", f"NODE_HEALTH_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "HEALTHY", "NEUTRAL", "UNHEALTHY"])],
    *[(C + "NodeJobStatus", f"NODE_JOB_STATUS_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "PENDING", "RUNNING", "FINISHED", "FAILED", "STOPPED"])],
    *[(C + "FirewallProtocol", f"FIREWALL_PROTOCOL_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "TCP", "UDP", "BOTH"])],
    *[(C + "FirewallDirection", f"FIREWALL_DIRECTION_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "INBOUND", "OUTBOUND"])],
    *[(C + "FirewallAction", f"FIREWALL_ACTION_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "ALLOW", "DROP", "REJECT"])],
    *[(C + "UiType", f"UI_TYPE_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "SWITCH", "TEXT", "PASSWORD", "ENUM"])],
    *[(C + "Visibility", f"VISIBILITY_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "PUBLIC", "PRIVATE", "DEVELOPMENT"])],
    *[(C + "SearchOperator", f"SEARCH_OPERATOR_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "OR", "AND"])],
    *[(C + "SortOrder", f"SORT_ORDER_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "ASCENDING", "DESCENDING"])],
    *[(V + "ProtocolSortField", f"PROTOCOL_SORT_FIELD_{n}", i)
      for i, n in enumerate(["UNSPECIFIED", "KEY", "NAME"])],
    *[(V + "CommandExitCode", f"COMMAND_EXIT_CODE_{n}", i) for i, n in enumerate([
        "UNSPECIFIED", "OK", "INTERNAL_ERROR", "NODE_NOT_FOUND", "BLOCKING_JOB_RUNNING",
        "SERVICE_NOT_READY", "SERVICE_BROKEN", "NOT_SUPPORTED", "NODE_UPGRADE_ROLLBACK",
        "NODE_UPGRADE_FAILURE"])],
]

# Every RPC of the agent's call map (§1.4, plus NodeService.List from bv-host-2.16.md §2.3):
# the gRPC path /blockjoy.v1.<Service>/<Rpc> must exist.
RPCS: dict[str, list[str]] = {
    "AuthService": ["Login", "Refresh"],
    "HostService": ["CreateHost", "UpdateHost", "GetRegion"],
    "NodeService": ["Create", "List", "UpgradeImage", "ReportStatus", "Start", "Stop", "Delete"],
    "CommandService": ["Pending", "Ack", "Update"],
    "ImageService": ["GetImage", "AddImage", "UpdateImage"],
    "ProtocolService": ["ListProtocols", "GetProtocol", "AddProtocol", "UpdateProtocol",
                        "GetLatest", "AddVersion", "UpdateVersion"],
    "ArchiveService": ["GetDownloadMetadata", "GetDownloadChunks", "GetUploadSlots",
                       "PutDownloadManifest"],
    "BundleService": ["ListVersions", "Retrieve"],
    "CryptService": ["GetSecret", "PutSecret"],
    "DiscoveryService": ["Services"],
    "MetricsService": ["Host", "Node"],
    "ApiKeyService": ["Create"],
}

# Numbers of fields we leave out must never be reused (§8.1 rule 2).
RESERVED: list[tuple[str, int]] = [
    (V + "Node", 33), (V + "Node", 38), (V + "Host", 22),
    (V + "HostServiceUpdateHostRequest", 12), (V + "HostServiceUpdateHostRequest", 13),
    (C + "RegionCount", 3), (C + "RegionCount", 4),
]

# fmt: on


def _message(name: str) -> Descriptor:
    return POOL.FindMessageTypeByName(name)


def test_tables_cover_enough_of_the_contract() -> None:
    assert len(FIELDS) >= 40
    assert len({f[0] for f in FIELDS}) >= 20


@pytest.mark.parametrize(("message", "field", "number"), FIELDS, ids=lambda v: str(v))
def test_field_has_contract_number(message: str, field: str, number: int) -> None:
    fields = _message(message).fields_by_name
    assert field in fields, f"{message} has no field {field}"
    assert fields[field].number == number


def test_field_numbers_are_unique_per_message() -> None:
    # A table line per field cannot see two fields sharing a number; protoc forbids it, but a
    # hand-edited descriptor or a bad merge would not.
    for message in {m for m, _, _ in FIELDS}:
        numbers = [f.number for f in _message(message).fields]
        assert len(numbers) == len(set(numbers)), message


@pytest.mark.parametrize(("message", "field"), OPTIONAL, ids=lambda v: str(v))
def test_optional_field_tracks_presence(message: str, field: str) -> None:
    desc = _message(message).fields_by_name[field]
    assert not desc.is_repeated
    assert desc.has_presence, f"{message}.{field} must be proto3 optional"


@pytest.mark.parametrize(("enum", "value", "number"), ENUMS, ids=lambda v: str(v))
def test_enum_value_has_contract_number(enum: str, value: str, number: int) -> None:
    values = POOL.FindEnumTypeByName(enum).values_by_name
    assert value in values, f"{enum} has no value {value}"
    assert values[value].number == number


def test_enums_have_no_values_beyond_the_contract() -> None:
    expected: dict[str, set[str]] = {}
    for enum, value, _ in ENUMS:
        expected.setdefault(enum, set()).add(value)
    for enum, values in expected.items():
        assert set(POOL.FindEnumTypeByName(enum).values_by_name) == values, enum


@pytest.mark.parametrize(
    ("service", "rpc"), [(s, r) for s, rs in RPCS.items() for r in rs], ids=lambda v: str(v)
)
def test_rpc_path_exists(service: str, rpc: str) -> None:
    method = POOL.FindServiceByName(V + service).FindMethodByName(rpc)
    assert method is not None
    assert method.full_name == f"blockjoy.v1.{service}.{rpc}"
    # Every fleet API RPC the agent calls is unary.
    assert not method.client_streaming and not method.server_streaming


def test_oneofs_group_the_contract_alternatives() -> None:
    command = _message(V + "Command")
    assert [f.name for f in command.oneofs_by_name["command"].fields] == ["node", "host"]
    node_cmd = _message(V + "NodeCommand")
    assert [f.name for f in node_cmd.oneofs_by_name["command"].fields] == [
        "create",
        "start",
        "stop",
        "restart",
        "update",
        "upgrade",
        "delete",
    ]
    checksum = _message(V + "Checksum")
    assert [f.name for f in checksum.oneofs[0].fields] == ["sha1", "sha256", "blake3"]


@pytest.mark.parametrize(("message", "number"), RESERVED, ids=lambda v: str(v))
def test_left_out_numbers_are_reserved(message: str, number: int) -> None:
    desc = _message(message)
    assert number not in {f.number for f in desc.fields}
    # The runtime descriptor drops reservations; the serialized file descriptor keeps them.
    file_proto = descriptor_pb2.FileDescriptorProto.FromString(desc.file.serialized_pb)
    (msg_proto,) = [m for m in file_proto.message_type if m.name == desc.name]
    assert any(r.start <= number < r.end for r in msg_proto.reserved_range)


def test_mqtt_status_payload_round_trips() -> None:
    # The retained ONLINE/OFFLINE payload must decode with the original field numbers.
    from bv_core.proto.blockjoy.common.v1 import host_pb2

    # Hand-encoded: field 1 (len) "h1", field 2 (varint) OFFLINE=2.
    raw = b"\x0a\x02h1\x10\x02"
    status = host_pb2.HostStatus.FromString(raw)
    assert status.host_id == "h1"
    assert status.connection_status == host_pb2.HOST_CONNECTION_STATUS_OFFLINE
    assert status.SerializeToString() == raw


def test_command_golden_bytes_decode() -> None:
    # A hand-encoded Command (the server's NodeStart for one node) decodes field by field.
    from bv_core.proto.blockjoy.v1 import command_pb2

    node_cmd = (
        b"\x0a\x01h" + b"\x12\x01n" + b"\x1a\x02nm" + b"\x2a\x00"
    )  # host_id, node_id, node_name, start={}
    raw = b"\x0a\x01c" + b"\x3a" + bytes([len(node_cmd)]) + node_cmd
    cmd = command_pb2.Command.FromString(raw)
    assert cmd.command_id == "c"
    assert cmd.WhichOneof("command") == "node"
    assert cmd.node.WhichOneof("command") == "start"
    assert (cmd.node.host_id, cmd.node.node_id, cmd.node.node_name) == ("h", "n", "nm")
    assert not cmd.HasField("exit_code")
