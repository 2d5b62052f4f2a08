from __future__ import annotations

from django.urls import path

from grassroots.mobile import views

app_name = "mobile"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("e/<int:pk>/", views.event, name="event"),
    path("e/<int:pk>/close/", views.close_on_spot, name="close_on_spot"),
    path("e/<int:pk>/follow/", views.follow_up, name="follow_up"),
]
