"""Pages of the residents app: one module of routes per part of the work."""

from __future__ import annotations

app_name = "residents"

urlpatterns: list[object] = []
