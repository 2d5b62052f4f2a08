"""The Django admin for cadres: read-only and in the viewer's scope. Records change only
through the actions (``cadres.actions``), never through an admin form; ID numbers and
phones are shown masked here (the file page, which logs every look, shows them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grassroots.cadres.models import (
    Cadre,
    Candidate,
    CorrectiveMeasure,
    FileView,
    Grade,
    KeyMoment,
    KeyPost,
    Mentorship,
    Objection,
    Policy,
    PostRecord,
    ReserveEntry,
    Tempering,
    ToleranceCase,
    TrainingRecord,
    Vacancy,
)
from grassroots.cadres.permissions import MANAGE, VIEW_FILE, VIEW_TOLERANCE
from grassroots.cadres.queries import cadres_visible_to
from grassroots.common.masking import mask_id_number, mask_phone
from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths, scope_q


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Listed and shown to those who may see files, within their scope; never changed."""

    #: The path of the unit that places a row in the tree (for the scope filter).
    scope_field = "cadre__unit__path"
    #: The cadres action that lets a role see the rows.
    view_action = VIEW_FILE
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        paths = grant_paths(request.user, self.view_action)
        return super().get_queryset(request).filter(scope_q((self.scope_field,), paths))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [
            f.name
            for f in self.model._meta.get_fields()
            if isinstance(f, models.Field) and f.concrete and f.name not in self.hidden_fields
        ]

    #: Fields never shown (personal numbers; a masked copy may be shown instead).
    hidden_fields: tuple[str, ...] = ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.get_readonly_fields(request, obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, self.view_action)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.view_action)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cadre)
class CadreAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "post", "level", "status"]
    list_filter = ["status", "level", "education", "gender"]
    search_fields = ["name"]
    list_select_related = ["unit"]
    hidden_fields = ("id_number", "phone")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return cadres_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "masked_id_number", "masked_phone"]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Cadre) -> str:
        return mask_id_number(obj.id_number) if obj.id_number else ""

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: Cadre) -> str:
        return mask_phone(obj.phone) if obj.phone else ""


@admin.register(ReserveEntry)
class ReserveEntryAdmin(ReadOnlyAdmin):
    scope_field = "unit__path"
    list_display = ["cadre", "unit", "target_level", "status", "nominated_at"]
    list_filter = ["status", "target_level"]
    list_select_related = ["cadre", "unit"]


@admin.register(KeyPost)
class KeyPostAdmin(ReadOnlyAdmin):
    scope_field = "unit__path"
    list_display = ["title", "unit", "level", "holder"]
    list_select_related = ["unit", "holder"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "course", "hours", "ended_on", "result"]
    list_select_related = ["cadre"]


@admin.register(Mentorship)
class MentorshipAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "mentor", "started_on", "ended_on"]
    list_select_related = ["cadre", "mentor"]


@admin.register(Tempering)
class TemperingAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "kind", "unit", "started_on", "planned_end", "state"]
    list_filter = ["state", "kind"]
    list_select_related = ["cadre", "unit"]


@admin.register(KeyMoment)
class KeyMomentAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "kind", "outcome", "occurred_on", "title"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["cadre"]


@admin.register(Grade)
class GradeAdmin(ReadOnlyAdmin):
    scope_field = "unit__path"
    list_display = ["cadre", "year", "unit", "grade"]
    list_filter = ["year", "grade"]
    list_select_related = ["cadre", "unit"]


@admin.register(FileView)
class FileViewAdmin(ReadOnlyAdmin):
    """Who looked at which file: the organisation department's to read."""

    view_action = MANAGE
    list_display = ["viewed_at", "viewer", "cadre", "what"]
    list_select_related = ["viewer", "cadre"]


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    scope_field = "unit__path"
    list_display = [
        "unit",
        "reserve_ratio",
        "yearly_training_hours",
        "excellent_quota_percent",
        "public_notice_workdays",
    ]
    list_select_related = ["unit"]


@admin.register(PostRecord)
class PostRecordAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "unit", "post", "level", "started_on", "ended_on"]
    list_select_related = ["cadre", "unit"]


@admin.register(Vacancy)
class VacancyAdmin(ReadOnlyAdmin):
    scope_field = "unit__path"
    list_display = ["title", "unit", "level", "state", "opened_at"]
    list_filter = ["state", "level"]
    list_select_related = ["unit"]


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    scope_field = "vacancy__unit__path"
    list_display = ["vacancy", "entry", "rank", "score", "eligible"]
    # The vacancy names its unit, the entry its cadre: joined, not a query per row.
    list_select_related = ["vacancy__unit", "entry__cadre"]


@admin.register(ToleranceCase)
class ToleranceCaseAdmin(ReadOnlyAdmin):
    scope_field = "unit__path"
    view_action = VIEW_TOLERANCE
    list_display = ["number", "title", "unit", "cadre", "state", "affected_month"]
    list_filter = ["state"]
    search_fields = ["number", "title"]
    list_select_related = ["unit", "cadre"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    scope_field = "case__unit__path"
    view_action = VIEW_TOLERANCE
    hidden_fields = ("phone",)
    list_display = ["case", "filed_at", "state"]
    list_select_related = ["case"]


@admin.register(CorrectiveMeasure)
class CorrectiveMeasureAdmin(ReadOnlyAdmin):
    scope_field = "case__unit__path"
    view_action = VIEW_TOLERANCE
    list_display = ["case", "responsible", "due_on", "state"]
    list_select_related = ["case"]
