"""Routes of the registers' home page and of what all cases share (supervision)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import home, supervise

urlpatterns: list[URLPattern] = [
    path("", home.home, name="home"),
    path("cases/<str:kind>/<int:pk>/supervise/", supervise.supervise, name="case_supervise"),
]
