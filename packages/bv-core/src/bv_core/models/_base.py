"""Base classes, shared enums and constrained scalar types for every model.

Stdlib + msgspec only, so any model module can import it without cycles.
"""

from __future__ import annotations

import enum
import ipaddress
from typing import Annotated

import msgspec

__all__ = [
    "CIDR_EXPECTED",
    "KEBAB_PATTERN",
    "FirewallAction",
    "Direction",
    "FieldError",
    "Kebab",
    "Model",
    "MutableModel",
    "NetProtocol",
    "Port",
    "U8",
    "U32",
    "U64",
    "check_cidr",
    "check_ip",
    "check_unique",
]

# The original's `is_lower_kebab_case`: only a-z, 0-9 and '-'; we also refuse the empty string.
KEBAB_PATTERN = r"^[a-z0-9-]+$"
CIDR_EXPECTED = "an IP address or CIDR network (e.g. 10.0.0.0/8)"

Kebab = Annotated[str, msgspec.Meta(pattern=KEBAB_PATTERN)]
U8 = Annotated[int, msgspec.Meta(ge=0, le=255)]
Port = Annotated[int, msgspec.Meta(ge=0, le=65535)]
U32 = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
# msgspec bounds must fit int64; the original used u64, nothing real comes near 2**63.
U64 = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


class Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Immutable value object; unknown keys in a document are an error (catches typos).

    Subclasses pass ``kw_only=True`` (msgspec does not inherit it) so fields keep the
    original file's order whether or not they have defaults.
    """


class MutableModel(msgspec.Struct, forbid_unknown_fields=True):
    """A record its single owner updates in place and then persists (node state, host config)."""


class FirewallAction(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"
    REJECT = "reject"


class Direction(enum.Enum):
    IN = "in"
    OUT = "out"


class NetProtocol(enum.Enum):
    TCP = "tcp"
    UDP = "udp"
    BOTH = "both"


_MARK = "\x1f"  # unit separator: cannot occur in a field name, safe to split on


class FieldError(ValueError):
    """Raised from ``__post_init__`` to blame a sub-field of the struct being validated.

    msgspec reports __post_init__ errors at the struct's own path; the marker lets us append
    ``field`` (e.g. ``ips[2].ip``) so the operator sees the exact location.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{_MARK}{field}{_MARK}{message}")



def check_ip(value: str, what: str) -> None:
    """Raise ValueError (msgspec adds the field path) unless ``value`` is an IPv4/IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"expected an IP address ({what}), got {value!r}") from None


def check_cidr(value: str, what: str) -> None:
    """Accept an address or a network (host bits allowed, as the original's IpCidr parser)."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"expected {CIDR_EXPECTED} ({what}), got {value!r}") from None


def check_unique(keys: list[str], what: str, field: str, key_field: str = "key") -> None:
    """FieldError at ``field[i].key_field`` for the first key seen twice in ``field``."""
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise FieldError(f"{field}[{i}].{key_field}", f"duplicate {what} {key!r}")
        seen.add(key)
