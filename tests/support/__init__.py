"""Shared test helpers (rootfs builders, fixtures) used by several test directories."""
