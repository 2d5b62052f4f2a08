"""Route of the registers' home page."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import home

urlpatterns: list[URLPattern] = [
    path("", home.home, name="home"),
]
