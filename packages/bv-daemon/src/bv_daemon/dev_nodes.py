"""Dev nodes (``nib image play`` / ``nib image upgrade``, bv-host.md §2.15, bv-host-2.16.md §3.6).

nib sends a node state as JSON (``CreateDevNodeRequest.state_json``): bv_core's `NodeState`
model, where the image to use is a local image directory (``babel.yaml`` + ``plugin/`` +
``rootfs/``) named by ``image.uri`` (``file:///path`` or a plain absolute path). Fields nib may
leave out are filled here: ``id`` (random), ``name`` (a 3-word petname), ``ip`` (the first free
address of the host's pool), ``gateway``, the image key/vm config/firewall (from the image).
The node is always forced to ``dev_mode`` (no CPU pinning; plugin secrets/archives per the dev
rules in `plugin_host`) and starts Stopped.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import msgspec
import orjson

from bv_core.errors import BvError, InvalidInput
from bv_core.models import NodeImage, NodeState, ProtocolImageKey, VmStatus
from bv_daemon.images import Image
from bv_daemon.node_factory import (
    firewall_from_image,
    node_image,
    node_properties,
    validate_name,
    vm_config,
)

__all__ = [
    "DEV_IMAGE_ID_PREFIX",
    "Unimplemented",
    "dev_image",
    "dev_image_dir",
    "dev_node_state",
    "dev_variant",
    "parse_dev_request",
    "petname",
]

DEV_IMAGE_ID_PREFIX = "dev-node-image-id-"

# Short, plain words: a name must be easy to type back in `bv node start <name>`.
_ADVERBS = ("quickly", "gently", "boldly", "calmly", "barely", "deeply", "freely", "kindly", "wildly", "newly",
            "truly", "simply", "mostly", "nearly", "openly", "really", "safely", "warmly", "wisely", "fairly")
_ADJECTIVES = ("brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "kind", "lively", "merry",
               "nice", "proud", "quiet", "rapid", "sunny", "tidy", "vast", "witty", "young", "zesty")
_NOUNS = ("otter", "falcon", "badger", "heron", "lynx", "marten", "newt", "osprey", "panda", "quail",
          "raven", "seal", "tapir", "urchin", "vole", "walrus", "yak", "zebra", "bison", "crane")


class Unimplemented(BvError):
    """An operation this kind of node does not support (gRPC UNIMPLEMENTED)."""


def petname() -> str:
    """``adverb-adjective-noun``, like the original's 3-word petnames (8000 combinations)."""
    return "-".join(secrets.choice(words) for words in (_ADVERBS, _ADJECTIVES, _NOUNS))


def parse_dev_request(raw: bytes) -> dict[str, Any]:
    """The JSON object of a dev node request; a clear error for anything else."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise InvalidInput(f"dev node state_json is not valid JSON: {err}") from None
    if not isinstance(doc, dict):
        raise InvalidInput("dev node state_json must be a JSON object (a node state)")
    return doc


def dev_image_dir(doc: dict[str, Any]) -> Path:
    """The local image directory named by ``image.uri`` of a dev node request."""
    image = doc.get("image")
    uri = image.get("uri") if isinstance(image, dict) else None
    if not isinstance(uri, str) or not uri:
        raise InvalidInput("dev node state_json: image.uri must name the local image directory (file:///path)")
    path = Path(uri.removeprefix("file://"))
    if not path.is_absolute():
        raise InvalidInput(f"dev node image path {uri!r} must be absolute")
    return path


def dev_variant(doc: dict[str, Any]) -> str | None:
    key = doc.get("image_key")
    variant = key.get("variant_key") if isinstance(key, dict) else None
    return variant if isinstance(variant, str) and variant else None


def dev_image(image: Image, bv_version: str) -> NodeImage:
    """The node image record of a dev node: marked as a dev image, pointing at the local dir."""
    return msgspec.structs.replace(node_image(image, bv_version), id=f"{DEV_IMAGE_ID_PREFIX}{image.version}")


def dev_node_state(doc: dict[str, Any], image: Image, *, ip: str, gateway: str, bv_version: str) -> NodeState:
    """A complete dev `NodeState` from nib's (possibly partial) state, ``ip`` already chosen."""
    props = doc.get("properties") or {}
    if not isinstance(props, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in props.items()):
        raise InvalidInput("dev node properties must be a map of strings to strings")
    name = doc.get("name") or petname()
    if not isinstance(name, str):
        raise InvalidInput("dev node name must be a string")
    tags = doc.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("dev node tags must be a list of strings")
    try:
        node_id = uuid.UUID(str(doc["id"])) if doc.get("id") else uuid.uuid4()
    except ValueError:
        raise InvalidInput(f"dev node id {doc.get('id')!r} is not a UUID") from None
    try:
        state = NodeState(
            id=node_id, name=validate_name(name), protocol_id=str(doc.get("protocol_id") or image.protocol_key),
            image_key=ProtocolImageKey(protocol_key=image.protocol_key, variant_key=image.variant.variant_key),
            dev_mode=True, ip=ip, gateway=str(doc.get("gateway") or gateway),
            properties=node_properties(image, props), firewall=firewall_from_image(image.variant.firewall_config),
            display_name=str(doc.get("display_name") or name), org_id=str(doc.get("org_id") or ""),
            org_name=str(doc.get("org_name") or ""), protocol_name=str(doc.get("protocol_name") or image.protocol_key),
            dns_name=str(doc.get("dns_name") or ""), tags=tags, vm_config=vm_config(image),
            image=dev_image(image, bv_version), expected_status=VmStatus.STOPPED,
        )  # fmt: skip
        # Re-validate through the model's own decoder (field constraints __init__ does not check).
        return msgspec.json.decode(msgspec.json.encode(state), type=NodeState)
    except (ValueError, msgspec.ValidationError) as err:
        raise InvalidInput(f"invalid dev node state: {err}") from None
