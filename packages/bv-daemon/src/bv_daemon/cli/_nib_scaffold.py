"""``nib image create``: render a new image directory from the bundled templates.

Layout written (the image layout ``bv_daemon.images`` and blockvisord read):

    <dir>/babel.yaml          image definition, every field commented
    <dir>/plugin/main.rhai    plugin using ``fn plugin_config()``
    <dir>/Dockerfile          rootfs recipe for docker users
    <dir>/rootfs.sh           rootfs recipe without docker (debootstrap) -> <dir>/rootfs/
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

from bv_core.errors import Conflict, InvalidInput
from bv_core.models import parse_image_metadata

__all__ = ["FILES", "render", "scaffold", "sku_for"]

# template name -> path in the image directory
FILES = {
    "babel.yaml.template": "babel.yaml",
    "main.rhai.template": "plugin/main.rhai",
    "Dockerfile.template": "Dockerfile",
    "rootfs.sh.template": "rootfs.sh",
}
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def sku_for(protocol: str, variant: str) -> str:
    """A valid SKU guess: protocol, client and node type, 3 upper-case characters each."""
    parts = variant.rsplit("-", 2)
    sections = [protocol, parts[0], parts[-1]]
    return "-".join((re.sub(r"[^A-Za-z0-9]", "", s).upper()[:3] or "X") for s in sections)


def render(text: str, params: dict[str, str]) -> str:
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: params.get(m.group(1), m.group(0)), text)


def scaffold(protocol: str, variant: str, target: Path, *, force: bool = False) -> list[Path]:
    """Write the image files into ``target``; returns the written paths."""
    for what, key in (("protocol", protocol), ("variant", variant)):
        if not _KEBAB.match(key):
            raise InvalidInput(f"'{what}: {key}' isn't lower-kebab-case (a-z, 0-9 and '-')")
    parts = variant.rsplit("-", 2)
    params = {
        "protocol_key": protocol, "variant_key": variant, "sku_code": sku_for(protocol, variant),
        "client": parts[0], "network": parts[1] if len(parts) == 3 else "",
        "node_type": parts[-1],
    }
    existing = [target / rel for rel in FILES.values() if (target / rel).exists()]
    if existing and not force:
        raise Conflict(f"{existing[0]} exists; use another --path or --force to overwrite")
    templates = resources.files("bv_daemon.cli") / "templates"
    written = []
    for name, rel in FILES.items():
        text = render(templates.joinpath(name).read_text(encoding="utf-8"), params)
        if rel == "babel.yaml":
            parse_image_metadata(text, str(target / rel))  # never hand out a broken template
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        if rel.endswith(".sh"):
            os.chmod(dest, 0o755)
        written.append(dest)
    return written
