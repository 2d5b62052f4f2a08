"""The oversight cases in the admin: read only (every change goes through the actions,
which keep the timeline and the audit log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.oversight.models import Case, CaseEvidence, Step


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(admin.TabularInline[Any, Any]):
    model = Step
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ("number", "unit", "matter", "category", "status", "deadline", "closed_on")
    list_filter = ("status", "category", "source")
    search_fields = ("number", "matter", "reference")
    list_select_related = ("unit",)
    inlines = (StepInline,)


@admin.register(CaseEvidence)
class CaseEvidenceAdmin(ReadOnly):
    list_display = ("case", "original_name", "content_type", "size", "created_at")
    list_select_related = ("case",)
