from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.inbox import views

app_name = "inbox"
urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="list"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
]
