"""Routes of care (重点人群关爱) and visits (走访): staff pages under ``/residents/``, the
grid worker's phone pages under ``/residents/m/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.residents.views import care, visits

urlpatterns: list[URLPattern] = [
    path("keygroups/", care.keygroups, name="keygroups"),
    path("care/", care.care_list, name="care"),
    path("care/add/<int:resident_pk>/", care.care_add, name="care_add"),
    path("care/overdue/", care.overdue, name="overdue"),
    path("care/<int:pk>/", care.care_detail, name="care_detail"),
    path("care/<int:pk>/end/", care.care_end, name="care_end"),
    path("visits/photos/<int:pk>/", care.visit_photo, name="visit_photo"),
    path("m/visits/", visits.m_visits, name="m_visits"),
    path("m/visits/<int:pk>/", visits.m_visit, name="m_visit"),
]
