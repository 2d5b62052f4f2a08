"""The Django admin for the special registers: read-only and in the viewer's scope
(``registers.view`` over the record's unit). Records change only through the actions
(``registers.actions``), never through an admin form. The parties of construction cases
are shown masked (name and phone); households by their number only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grassroots.common.masking import mask_name, mask_phone
from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths, scope_q
from grassroots.registers.models import (
    Assistance,
    CasePhoto,
    CollectiveIncome,
    ConstructionCase,
    Homestead,
    HomesteadCase,
    IncomeTarget,
    MonitoredHousehold,
    Policy,
    Review,
    Window,
)
from grassroots.registers.permissions import VIEW


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Listed and shown to those who may see the registers, within their scope; never
    changed here."""

    #: The paths that place a row in the tree (the scope filter): the model's own.
    scope_fields: tuple[str, ...] = ("unit__path",)
    #: Fields never shown (a masked copy may be shown instead).
    hidden_fields: tuple[str, ...] = ()
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        paths = grant_paths(request.user, VIEW)
        return queryset.filter(scope_q(self.scope_fields, paths))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [
            f.name
            for f in self.model._meta.get_fields()
            if isinstance(f, models.Field) and f.concrete and f.name not in self.hidden_fields
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.get_readonly_fields(request, obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = [
        "unit",
        "homestead_area_limit",
        "rectify_workdays",
        "baseline",
        "window_first_year",
        "window_last_year",
        "review_every_days",
        "updated_at",
    ]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]


@admin.register(Homestead)
class HomesteadAdmin(ReadOnlyAdmin):
    scope_fields = ("unit__path", "household__grid__path")
    list_display = ["parcel_number", "unit", "household", "area", "approved_on", "active"]
    list_filter = ["active", "approved_on"]
    search_fields = ["parcel_number", "household__number", "approval_document"]
    list_select_related = ["unit", "household"]


@admin.register(HomesteadCase)
class HomesteadCaseAdmin(ReadOnlyAdmin):
    scope_fields = ("unit__path", "household__grid__path")
    list_display = ["pk", "kind", "unit", "household", "status", "found_on", "due_on"]
    list_filter = ["kind", "status", "found_on"]
    search_fields = ["household__number", "finding"]
    list_select_related = ["unit", "household"]
    date_hierarchy = "found_on"


@admin.register(ConstructionCase)
class ConstructionCaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "kind",
        "unit",
        "party_masked",
        "phone_masked",
        "status",
        "is_new",
        "found_on",
        "due_on",
    ]
    list_filter = ["kind", "status", "is_new", "source", "found_on"]
    search_fields = ["number", "address"]
    list_select_related = ["unit"]
    date_hierarchy = "found_on"
    hidden_fields = ("party_name", "party_phone")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "party_masked", "phone_masked"]

    @admin.display(description=_("party"))
    def party_masked(self, obj: ConstructionCase) -> str:
        return mask_name(obj.party_name) if obj.party_name else ""

    @admin.display(description=_("party's phone"))
    def phone_masked(self, obj: ConstructionCase) -> str:
        return mask_phone(obj.party_phone) if obj.party_phone else ""


@admin.register(CasePhoto)
class CasePhotoAdmin(ReadOnlyAdmin):
    scope_fields = ("case__unit__path",)
    list_display = ["case", "stage", "content_type", "size", "created_at"]
    list_filter = ["stage"]
    search_fields = ["case__number", "sha256"]
    list_select_related = ["case"]


@admin.register(Window)
class WindowAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "unit", "area", "plan_year", "status", "restored_area"]
    list_filter = ["status", "plan_year"]
    search_fields = ["code", "name"]
    list_select_related = ["unit"]


@admin.register(MonitoredHousehold)
class MonitoredHouseholdAdmin(ReadOnlyAdmin):
    scope_fields = ("unit__path", "household__grid__path")
    list_display = [
        "household",
        "unit",
        "kind",
        "status",
        "since",
        "income_per_capita",
        "last_reviewed_on",
        "review_due_on",
    ]
    list_filter = ["kind", "status", "review_due_on"]
    search_fields = ["household__number", "unit__name"]
    list_select_related = ["unit", "household"]


@admin.register(Assistance)
class AssistanceAdmin(ReadOnlyAdmin):
    scope_fields = ("monitored__unit__path", "monitored__household__grid__path")
    list_display = ["monitored", "kind", "started_on", "description", "amount"]
    list_filter = ["kind", "started_on"]
    search_fields = ["monitored__household__number", "description"]
    list_select_related = ["monitored__household"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    scope_fields = ("monitored__unit__path", "monitored__household__grid__path")
    list_display = ["monitored", "reviewed_on", "income_per_capita", "risk_removed"]
    list_filter = ["risk_removed", "reviewed_on"]
    search_fields = ["monitored__household__number"]
    list_select_related = ["monitored__household"]


@admin.register(CollectiveIncome)
class CollectiveIncomeAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "source", "amount", "updated_at"]
    list_filter = ["year", "source"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]


@admin.register(IncomeTarget)
class IncomeTargetAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "amount", "task_id", "updated_at"]
    list_filter = ["year"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]
