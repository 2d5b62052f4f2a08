"""REST routes of the assessment under /api/v1/assessment/ (registered by ``api.urls``)."""

from __future__ import annotations

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this module's viewsets to ``router`` (prefixes start with ``assessment/``)."""
