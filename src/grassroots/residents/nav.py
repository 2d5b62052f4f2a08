"""The residents entry of the module navigation (called from ``ResidentsConfig.ready``)."""

from __future__ import annotations


def register_nav() -> None:
    """Registered once the home page exists."""
