"""The registers entry of the module navigation (called from ``RegistersConfig.ready``)."""

from __future__ import annotations


def register_nav() -> None:
    """Registered once the home page exists."""
