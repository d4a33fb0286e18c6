"""The local image store of standalone mode: ``<BV_ROOT>/var/lib/blockvisor/images``.

Layout, one directory per image version (never changed once written, because node rootfs
overlays use ``rootfs/`` as their read-only lower layer):

    images/<protocol_key>/<version>/babel.yaml
    images/<protocol_key>/<version>/plugin/main.rhai (+ modules)
    images/<protocol_key>/<version>/rootfs/          the full node root filesystem

``import_image`` assembles such a directory from a source image dir (``babel.yaml`` + ``plugin/``),
a base rootfs and overlay dirs laid on top (the bundled example: the cached Debian rootfs plus
``images/example/rootfs``). The base is hard-linked, not copied, and overlay files replace links
instead of writing through them, so the base stays untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bv_core.errors import BvError, ExternalError, InvalidInput, NotFound
from bv_core.models import ImageMetadata, ImageVariant, load_image_metadata

__all__ = ["Image", "ImageStore", "import_image", "semver_key"]


@dataclass(frozen=True)
class Image:
    """One resolved image version and variant, ready to build a node from."""

    dir: Path
    metadata: ImageMetadata
    variant: ImageVariant

    @property
    def plugin_dir(self) -> Path:
        return self.dir / "plugin"

    @property
    def rootfs(self) -> Path:
        return self.dir / "rootfs"

    @property
    def protocol_key(self) -> str:
        return self.metadata.protocol_key

    @property
    def version(self) -> str:
        return self.metadata.version

    @property
    def store_key(self) -> str:
        """The protocol-data key of the variant's first store_key pointer (or the variant key)."""
        for pointer in self.variant.archive_pointers:
            key = getattr(pointer.pointer, "key", None)
            if isinstance(key, str):
                return key
        return f"{self.protocol_key}-{self.variant.variant_key}"


def semver_key(version: str) -> tuple[tuple[int, ...], str]:
    """Sort key for versions: numeric parts compared as numbers, a pre-release sorts first."""
    core, _, pre = version.partition("-")
    nums = []
    for part in core.split("."):
        try:
            nums.append(int(part))
        except ValueError:
            nums.append(-1)
    # "1.0.0" > "1.0.0-rc1": an empty pre-release must sort after any text.
    return tuple(nums), pre or "\uffff"


class ImageStore:
    """Reads the store; ``resolve`` turns (protocol, variant, version) into an `Image`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def protocols(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def versions(self, protocol: str) -> list[str]:
        pdir = self.root / protocol
        if not pdir.is_dir():
            return []
        found = [v.name for v in pdir.iterdir() if (v / "babel.yaml").is_file()]
        return sorted(found, key=semver_key)

    def available(self) -> str:
        """``demochain 1.0.0, 2.0.0; other 0.1.0`` for error messages."""
        parts = [f"{p} {', '.join(self.versions(p))}" for p in self.protocols() if self.versions(p)]
        return "; ".join(parts) or "none (the image store is empty)"

    def load(self, image_dir: Path, variant: str | None) -> Image:
        """The image in ``image_dir`` (a store entry or any directory of the same layout)."""
        meta_path = image_dir / "babel.yaml"
        if not meta_path.is_file():
            raise NotFound(f"no image at {image_dir}: babel.yaml missing")
        metadata = load_image_metadata(meta_path)
        if not variant:
            keys = [v.key for v in metadata.variants]
            if len(keys) != 1:
                raise InvalidInput(
                    f"image {metadata.protocol_key} has several variants, choose one of: {', '.join(keys)}"
                )
            variant = keys[0]
        resolved = metadata.variant(variant)
        for part in ("plugin/main.rhai", "rootfs"):
            if not (image_dir / part).exists():
                raise NotFound(f"image {metadata.protocol_key}/{metadata.version} at {image_dir} has no {part}")
        return Image(image_dir, metadata, resolved)

    def resolve(self, protocol: str, variant: str | None, version: str | None) -> Image:
        """The image of ``protocol`` at ``version`` (None or "latest" = highest version)."""
        versions = self.versions(protocol)
        if not versions:
            raise NotFound(f"unknown image {protocol}; available: {self.available()}")
        if version in (None, "", "latest"):
            version = versions[-1]
        elif version not in versions:
            raise NotFound(
                f"unknown image {protocol}/{version}; available: {protocol} {', '.join(versions)}"
            )
        return self.load(self.root / protocol / version, variant)

    def all_images(self) -> list[ImageMetadata]:
        out = []
        for protocol in self.protocols():
            for version in self.versions(protocol):
                try:
                    out.append(load_image_metadata(self.root / protocol / version / "babel.yaml"))
                except BvError:
                    continue  # a broken entry must not hide the others from `bv image list`
        return out


def import_image(
    source: Path,
    store: Path,
    *,
    base_rootfs: Path | None = None,
    overlays: tuple[Path, ...] = (),
    prewarm: tuple[Path, ...] = (),
) -> Path:
    """Assemble ``store/<protocol>/<version>`` from ``source`` (babel.yaml + plugin/ [+ rootfs/]).

    The rootfs is ``base_rootfs`` hard-linked (or ``source/rootfs`` when no base is given) with
    each overlay copied on top. ``prewarm`` lists shiv zipapps (babel, job runner) to unpack once
    inside the image with its own python3, so nodes skip that on their first start. Idempotent:
    an existing complete entry is returned as is. Returns the image directory.
    """
    metadata = load_image_metadata(source / "babel.yaml")
    dest = store / metadata.protocol_key / metadata.version
    if (dest / ".complete").exists():
        return dest
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        shutil.copy2(source / "babel.yaml", tmp / "babel.yaml")
        shutil.copytree(source / "plugin", tmp / "plugin")
        rootfs = tmp / "rootfs"
        base = base_rootfs if base_rootfs is not None else source / "rootfs"
        _run(["cp", "-al", f"{base}/.", str(rootfs)] if base_rootfs is not None
             else ["cp", "-a", f"{base}/.", str(rootfs)], "copy base rootfs")
        for overlay in overlays:
            # --remove-destination: never write through a hard link into the base rootfs.
            _run(["cp", "-a", "--remove-destination", f"{overlay}/.", str(rootfs)], "copy overlay")
        for app in prewarm:
            _prewarm(rootfs, app)
        (tmp / ".complete").write_text("")
        shutil.rmtree(dest, ignore_errors=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _prewarm(rootfs: Path, app: Path) -> None:
    target = rootfs / "usr/bin" / app.name
    target.unlink(missing_ok=True)
    shutil.copy2(app, target)
    # shiv unpacks into ~/.shiv keyed by the build id; the node runs with HOME=/root.
    _run(["chroot", str(rootfs), "/usr/bin/env", "HOME=/root", "python3", f"/usr/bin/{app.name}",
          "--help"], f"prewarm {app.name}")


def _run(argv: list[str], what: str) -> None:
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise ExternalError(f"image import: {what} failed: {res.stderr.strip()[-300:]}")
