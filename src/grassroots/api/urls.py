from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from grassroots.api import assessment, assessment_publishing, events, supervision, views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("categories", events.CategoryViewSet, basename="category")
router.register("events", events.EventViewSet, basename="event")
router.register("attachments", events.AttachmentViewSet, basename="attachment")
router.register("tasks", supervision.TaskViewSet, basename="task")
assessment.register(router)
assessment_publishing.register(router)

app_name = "api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
