from __future__ import annotations

from django.urls import path

from grassroots.events import help_views, views, weekly_views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.thumbnail, name="thumbnail"),
    path("help/metrics/", help_views.metrics_help, name="help_metrics"),
    path("weekly/<str:code>/", weekly_views.weekly_one_thing, name="weekly"),
]
