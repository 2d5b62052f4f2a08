"""Route of the party-building home page."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.partybuilding.views import home

urlpatterns: list[URLPattern] = [
    path("", home.home, name="home"),
]
