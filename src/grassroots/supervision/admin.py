"""The Django admin for target supervision: read-only, in the viewer's scope. Tasks
change only through the actions (``supervision.actions``), never through a form."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from grassroots.org.permissions import can
from grassroots.supervision.models import (
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskAction,
    Urge,
)
from grassroots.supervision.permissions import VIEW


class ReadOnlyInline(admin.TabularInline[Any, Task]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = readonly_fields = ("title", "due_date", "done_at", "done_by", "note")


class ReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = readonly_fields = (
        "submitted_at",
        "value",
        "percent",
        "state",
        "submitted_by",
        "verified_by",
        "verified_at",
        "return_reason",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("submitted_by", "verified_by")


class ExtensionInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = readonly_fields = (
        "requested_at",
        "previous_deadline",
        "requested_deadline",
        "reason",
        "state",
        "decided_by",
        "note",
    )


class UrgeInline(ReadOnlyInline):
    model = Urge
    fields = readonly_fields = ("created_at", "kind", "by", "unit", "deadline", "note")


class ActionInline(ReadOnlyInline):
    model = TaskAction
    fields = readonly_fields = ("created_at", "kind", "actor", "actor_unit", "note")
    ordering = ["created_at", "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor", "actor_unit")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin[Task]):
    """Read-only: the lifecycle is enforced by the actions, never by a form."""

    list_display = [
        "title",
        "doc_number",
        "kind",
        "level",
        "unit",
        "issuer",
        "deadline",
        "state",
        "verified_percent",
    ]
    list_filter = ["kind", "level", "state", "feasibility"]
    search_fields = ["title", "doc_number"]
    list_select_related = ["unit", "issuer"]
    date_hierarchy = "deadline"
    show_full_result_count = False
    list_per_page = 50
    inlines = [MilestoneInline, ReportInline, ExtensionInline, UrgeInline, ActionInline]
    fields = readonly_fields = (
        "title",
        "doc_number",
        "kind",
        "description",
        "level",
        "parent",
        "unit",
        "issuer",
        "start_date",
        "deadline",
        "target_value",
        "target_measure",
        "split_basis",
        "state",
        "verified_value",
        "verified_percent",
        "completed_at",
        "closed_at",
        "cancelled_at",
        "cancel_reason",
        "escalation_level",
        "budget",
        "location",
        "beneficiaries",
        "feasibility",
        "public_explanation",
        "explained_at",
        "version",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        qs: QuerySet[Task] = Task.objects.visible_to(request.user)
        return qs.select_related("unit", "issuer", "parent")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, VIEW, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
