"""Fetching a bundle: download the tarball, check its published sha256, unpack it safely.

Used by bvup (and mirrored by the daemon's self-updater). The store publishes
``<version>/bvd-bundle.tgz`` and, next to it, ``bvd-bundle.tgz.sha256`` (``sha256sum`` format).
The sidecar is looked up by inserting ``.sha256`` into the download URL's path; when the store
has none (a presigned URL signs one object only) the tarball is accepted and the installer's own
SHA256SUMS check of every bundle file is what guards the install.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bv_core.errors import InvalidInput
from bv_core.tarballs import safe_extract

from ._errors import BundleError

__all__ = ["checksum_url", "download_bundle", "unpack_bundle"]

log = logging.getLogger("installer")


def checksum_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + ".sha256"))


def _expected_sha256(url: str, timeout: float) -> str | None:
    try:
        with urllib.request.urlopen(checksum_url(url), timeout=timeout) as resp:
            text = resp.read(4096).decode("ascii", "replace")
    except urllib.error.HTTPError as err:
        if err.code in (403, 404):
            return None
        raise BundleError(f"checksum download {checksum_url(url)} failed: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        raise BundleError(f"checksum download {checksum_url(url)} failed: {err}") from None
    digest = text.split()[0] if text.split() else ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
        raise BundleError(f"{checksum_url(url)} does not hold a sha256 digest")
    return digest.lower()


def download_bundle(url: str, dest: Path, timeout: float = 900.0) -> Path:
    """Downloads ``url`` to ``dest`` (a .tgz path) and verifies the published sha256 if any."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    expected = _expected_sha256(url, timeout=min(timeout, 60.0))
    part = dest.with_name(dest.name + ".part")
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as out:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                h.update(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as err:
        part.unlink(missing_ok=True)
        raise BundleError(f"bundle download {url} failed: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        part.unlink(missing_ok=True)
        raise BundleError(f"bundle download {url} failed: {err}") from None
    if expected is not None and h.hexdigest() != expected:
        part.unlink(missing_ok=True)
        raise BundleError(f"bundle download {url} does not match its published sha256 "
                          f"(got {h.hexdigest()[:16]}..., expected {expected[:16]}...)")
    if expected is None:
        log.warning("no published sha256 for %s; relying on the bundle's SHA256SUMS", url)
    part.rename(dest)
    return dest


def unpack_bundle(tarball: Path, into: Path) -> Path:
    """Unpacks a bundle tarball (top-level ``bundle/``) into ``into``; returns ``into/bundle``."""
    target = into / "bundle"
    shutil.rmtree(target, ignore_errors=True)
    into.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(tarball, "r:*") as tar:
            names = tar.getnames()
            if not names or any(n != "bundle" and not n.startswith("bundle/") for n in names):
                raise BundleError(f"{tarball} is not a bundle: every entry must be under bundle/")
            safe_extract(tar, into)  # refuses absolute paths, .., devices, setuid
    except (tarfile.TarError, OSError, InvalidInput) as err:
        raise BundleError(f"cannot unpack {tarball}: {err}") from None
    return target
