"""Routes of the people and places of the grids: the overview, places, households and
their members, the grid worker's phone pages (``m/``), and the register's import and
export."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.residents.views import excel, households, mobile, places

urlpatterns: list[URLPattern] = [
    path("", places.home, name="home"),
    path("places/", places.place_list, name="places"),
    path("places/new/", places.place_new, name="place_new"),
    path("places/<int:pk>/", places.place_detail, name="place_detail"),
    path("places/<int:pk>/edit/", places.place_edit, name="place_edit"),
    path("households/", households.household_list, name="households"),
    path("households/new/", households.household_new, name="household_new"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", households.household_move, name="household_move"),
    path("households/<int:pk>/status/", households.household_status, name="household_status"),
    path("households/<int:pk>/members/new/", households.member_add, name="member_add"),
    path("members/<int:pk>/edit/", households.member_edit, name="member_edit"),
    path("members/<int:pk>/status/", households.member_status, name="member_status"),
    path("m/", mobile.m_home, name="m_home"),
    path("m/households/new/", mobile.m_household_new, name="m_household_new"),
    path("m/households/<int:pk>/", mobile.m_household, name="m_household"),
    path("m/households/<int:pk>/members/new/", mobile.m_member_add, name="m_member_add"),
    path("m/members/<int:pk>/status/", mobile.m_member_status, name="m_member_status"),
    path("m/places/new/", mobile.m_place_new, name="m_place_new"),
    path("import/", excel.import_page, name="import"),
    path("import/template/", excel.import_template, name="import_template"),
    path("export/", excel.export, name="export"),
]
