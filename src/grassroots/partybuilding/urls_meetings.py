"""Routes of the meetings pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.partybuilding.views import meetings, meetings_excel, meetings_resolutions

urlpatterns: list[URLPattern] = [
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/plan-monthly/", meetings.meetings_plan_monthly, name="meetings_plan"),
    path("meetings/export/", meetings_excel.meetings_export, name="meetings_export"),
    path("meetings/import/", meetings_excel.meetings_import, name="meetings_import"),
    path("meetings/template/", meetings_excel.meetings_template_download, name="meetings_template"),
    path("meetings/missed/", meetings_excel.missed, name="missed"),
    path("meetings/missed/export/", meetings_excel.missed_export, name="missed_export"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/record/", meetings.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/reopen/", meetings.meeting_reopen, name="meeting_reopen"),
    path("meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path(
        "meetings/<int:pk>/minutes/file/",
        meetings.meeting_minutes_file,
        name="meeting_minutes_file",
    ),
    path(
        "meetings/<int:pk>/resolutions/new/",
        meetings_resolutions.resolution_new,
        name="resolution_new",
    ),
    path("resolutions/<int:pk>/", meetings_resolutions.resolution_detail, name="resolution_detail"),
    path(
        "resolutions/<int:pk>/tasks/",
        meetings_resolutions.resolution_tasks,
        name="resolution_tasks",
    ),
]
