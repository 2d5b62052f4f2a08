"""Routes of the oversight cases."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.oversight.views import cases

urlpatterns: list[URLPattern] = [
    path("", cases.case_list, name="home"),
]
