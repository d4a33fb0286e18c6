"""Presigned object URLs: ``<base>/<key>?X-Expires=<unix>&X-Signature=<hmac>``.

The signature is HMAC-SHA256 over ``METHOD\\nkey\\nexpires`` with a store secret, so a URL
grants exactly one method on one key until it expires. S3 SigV4 does the same job with more
fields; this simpler form is what the local archive store and the test object store speak.
A HEAD is allowed with a GET signature (S3 does the same for presigned GETs).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, urlencode

__all__ = ["check_signature", "presign", "sign"]


def sign(secret: bytes, method: str, key: str, expires: int) -> str:
    msg = f"{method.upper()}\n{key}\n{expires}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def presign(base_url: str, secret: bytes, method: str, key: str, expires: int) -> str:
    """A URL for ``method`` on object ``key`` valid until unix time ``expires``."""
    query = urlencode(
        {"X-Expires": str(expires), "X-Signature": sign(secret, method, key, expires)}
    )
    return f"{base_url.rstrip('/')}/{quote(key)}?{query}"


def check_signature(
    secret: bytes, method: str, key: str, query: Mapping[str, str], now: float
) -> str | None:
    """Why the request must be refused (403), or None when the URL is valid."""
    expires_text = query.get("X-Expires", "")
    signature = query.get("X-Signature", "")
    if not expires_text.isdigit() or not signature:
        return "missing or malformed X-Expires/X-Signature"
    expires = int(expires_text)
    methods = ("GET", "HEAD") if method.upper() == "HEAD" else (method.upper(),)
    if not any(hmac.compare_digest(sign(secret, m, key, expires), signature) for m in methods):
        return "signature does not match"
    if now > expires:
        return f"URL expired at {expires}"
    return None
