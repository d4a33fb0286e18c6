"""The daemon's local API: the internal gRPC service on a root-only Unix socket."""

from __future__ import annotations
