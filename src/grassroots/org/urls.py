from __future__ import annotations

from django.urls import path

from grassroots.org import twofactor_views, views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("2fa/", twofactor_views.verify, name="twofactor_verify"),
    path("2fa/enrol/", twofactor_views.enrol, name="twofactor_enrol"),
    path("2fa/reset/<int:pk>/", twofactor_views.reset, name="twofactor_reset"),
]
