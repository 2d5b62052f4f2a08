"""Routes of the oversight flags pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.oversight.views import flags

urlpatterns: list[URLPattern] = [
    path("flags/", flags.flags, name="flags"),
]
