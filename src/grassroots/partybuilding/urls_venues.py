"""Routes of the venues pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.partybuilding.views import venues, venues_more

urlpatterns: list[URLPattern] = [
    path("venues/", venues.venue_list, name="venues"),
    path("venues/export/", venues.venue_export, name="venues_export"),
    path("venues/new/", venues.venue_new, name="venue_new"),
    path("venues/map/", venues_more.venues_map, name="venues_map"),
    path("venues/import/", venues_more.venues_import, name="venues_import"),
    path("venues/import/template/", venues_more.venues_template, name="venues_template"),
    path("venues/checklist/", venues_more.checklist, name="checklist"),
    path("venues/<int:pk>/", venues.venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", venues.venue_edit, name="venue_edit"),
    path("venues/<int:pk>/status/", venues.venue_status, name="venue_status"),
    path("venues/<int:pk>/inspect/", venues.venue_inspect, name="venue_inspect"),
    path("venues/photos/<int:pk>/", venues.inspection_photo, name="inspection_photo"),
]
