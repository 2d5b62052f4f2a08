"""Pages of the registers app: one module of routes per part of the work."""

from __future__ import annotations

app_name = "registers"

urlpatterns: list[object] = []
