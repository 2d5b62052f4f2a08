"""Routes of the roster import and export (placeholder until the views land)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
