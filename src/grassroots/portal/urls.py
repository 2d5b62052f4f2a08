from __future__ import annotations

from django.urls import path

from grassroots.portal import assessment, bulletins, culture, lists, projects, tolerance, views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("report/done/", views.report_done, name="report_done"),
    path("captcha/<slug:token>.png", views.captcha_image, name="captcha"),
    path("lookup/", views.lookup, name="lookup"),
    path("track/<str:number>/", views.track, name="track"),
    path("track/<str:number>/rate/", views.rate, name="rate"),
    path("projects/", projects.projects, name="projects"),
    *culture.urlpatterns,
    path("tolerance/", tolerance.notices, name="tolerance"),
    path(
        "tolerance/<str:number>/objection/",
        tolerance.objection,
        name="tolerance_objection",
    ),
    path("assessment/", assessment.index, name="assessment"),
    path("assessment/lists/", lists.history, name="lists"),
    path("assessment/<slug:sha256>.json", assessment.publication_json, name="assessment_json"),
    path("assessment/<slug:sha256>/", assessment.publication, name="assessment_publication"),
    path(
        "assessment/<slug:sha256>/bulletin.<slug:fmt>",
        bulletins.download,
        name="assessment_bulletin",
    ),
]
