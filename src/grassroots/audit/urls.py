from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.audit import views

app_name = "audit"
urlpatterns: list[URLPattern] = [
    path("", views.entry_list, name="entry_list"),
]
