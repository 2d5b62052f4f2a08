"""Admin pages of the assessment: schemes and indicators are edited; runs, scores and
results are read-only (they change only through ``compute_run``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.assessment.models import Indicator, Result, Run, Scheme, Score


class IndicatorInline(admin.TabularInline[Indicator, Scheme]):
    model = Indicator
    extra = 0
    fields = (
        "position",
        "code",
        "name",
        "category",
        "weight",
        "source",
        "metric",
        "normaliser",
        "direction",
        "rule",
        "params",
    )


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin[Scheme]):
    list_display = ("code", "name", "year", "level", "root", "total_points", "reward_pool_fen")
    list_filter = ("year", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("root",)
    inlines = [IndicatorInline]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "period", "version", "state", "computed_at", "fingerprint")
    list_filter = ("state", "scheme")


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ("run", "unit", "peer_group", "rank", "total", "grade", "list_status")
    list_filter = ("grade", "list_status")
    list_select_related = ("run__scheme", "unit")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("run", "unit", "indicator", "raw_value", "shrunk_value", "points")
    list_select_related = ("run__scheme", "unit", "indicator")
