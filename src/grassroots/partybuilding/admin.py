"""The Django admin for party building and culture: read-only and in the viewer's scope
(``partybuilding.view`` over the record's unit). Records change only through the actions,
never through an admin form; performers' phones are shown masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths, scope_q
from grassroots.partybuilding.models import (
    ChecklistItem,
    Competition,
    DecisionLink,
    DecisionRule,
    FamilyMotto,
    Inspection,
    Meeting,
    Performer,
    Resolution,
    Song,
    Venue,
    VillageHistory,
)
from grassroots.partybuilding.permissions import VIEW


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Listed and shown to those who may see party building, within their scope; never
    changed here."""

    #: The paths that place a row in the tree (the scope filter); None: not placed.
    scope_fields: tuple[str, ...] | None = ("unit_path",)
    hidden_fields: tuple[str, ...] = ()
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or self.scope_fields is None:
            return queryset
        return queryset.filter(scope_q(self.scope_fields, grant_paths(request.user, VIEW)))

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


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "unit",
        "kind",
        "period",
        "status",
        "held_on",
        "present_count",
        "expected_count",
    ]
    list_filter = ["kind", "status", "period"]
    search_fields = ["title", "unit__name", "unit__code"]
    list_select_related = ["unit"]


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "title",
        "unit",
        "matter",
        "decided_on",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "members_total",
        "passed",
    ]
    list_filter = ["matter", "passed"]
    search_fields = ["number", "title", "unit__name"]
    list_select_related = ["unit"]
    date_hierarchy = "decided_on"


@admin.register(DecisionLink)
class DecisionLinkAdmin(ReadOnlyAdmin):
    list_display = ["reference", "matter", "unit", "resolution", "acted_on", "linked_at"]
    list_filter = ["matter"]
    search_fields = ["reference", "resolution__number"]
    list_select_related = ["unit", "resolution"]


@admin.register(DecisionRule)
class DecisionRuleAdmin(ReadOnlyAdmin):
    scope_fields = None
    list_display = ["matter", "required", "min_amount", "updated_at"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    scope_fields = None
    list_display = ["label", "category", "points", "required", "active", "order"]
    list_filter = ["category", "required", "active"]


@admin.register(Venue)
class VenueAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "unit",
        "kind",
        "status",
        "last_score",
        "meets_standard",
        "last_inspected_on",
    ]
    list_filter = ["kind", "status", "meets_standard"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    scope_fields = ("venue__unit_path",)
    list_display = ["venue", "inspected_on", "score", "meets_standard"]
    list_filter = ["meets_standard"]
    list_select_related = ["venue"]
    date_hierarchy = "inspected_on"


@admin.register(Song)
class SongAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "composer", "lyricist"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]


@admin.register(VillageHistory)
class VillageHistoryAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "order"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]


@admin.register(FamilyMotto)
class FamilyMottoAdmin(ReadOnlyAdmin):
    list_display = ["family", "motto", "unit"]
    search_fields = ["family", "motto", "unit__name"]
    list_select_related = ["unit"]


@admin.register(Performer)
class PerformerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "unit", "specialty", "troupe", "leader", "active", "phone_masked"]
    list_filter = ["specialty", "leader", "active"]
    search_fields = ["unit__name", "troupe"]
    list_select_related = ["unit"]
    hidden_fields = ("phone", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "phone_masked"]

    @admin.display(description=_("phone"))
    def phone_masked(self, obj: Performer) -> str:
        return obj.masked_phone


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyAdmin):
    scope_fields = ("organiser_path",)
    list_display = ["title", "organiser", "year", "status", "published_at"]
    list_filter = ["status", "year"]
    search_fields = ["title"]
    list_select_related = ["organiser"]
