"""Installs a BlockVisor bundle version with backup, health check and rollback."""

from __future__ import annotations

__version__ = "0.1.0"
