"""The official calendar in the admin: days and years editable, and a warning on the
admin index and the calendar lists while the next 60 days reach a year not covered.

The calendar lists show the warning as a message; the index through its template
``admin/common/index.html`` (set as the site's ``index_template`` below), which extends
the stock index and asks the ``calendar_coverage_warning`` tag.

Saves and deletes go through the actions (``common.actions``): permission from the roles
(``common.manage_calendar``), an audit entry, and the model's signals give the calendar a
new revision token (``common.models``), so every process picks the edit up.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy, ngettext

from grassroots.common import actions, workdays
from grassroots.common.http import user_of
from grassroots.common.models import CalendarDay, CalendarYear
from grassroots.org.permissions import can

INDEX_TEMPLATE = "admin/common/index.html"
HORIZON_DAYS = 60


def coverage_warning() -> str:
    """The warning to show while the next 60 days are not covered, or ""."""
    gap = workdays.coverage_gap(horizon_days=HORIZON_DAYS)
    if not gap:
        return ""
    years = ", ".join(str(year) for year in gap)
    return ngettext(
        "The official calendar of %(years)s is not entered: within the next %(days)d days, "
        "holidays and make-up workdays of that year are unknown and only Monday–Friday "
        "count as working days. Import the State Council notice "
        "(grassroots import-calendar FILE --year %(first)d --complete) or mark the year "
        "complete under Calendar years.",
        "The official calendars of %(years)s are not entered: within the next %(days)d "
        "days, holidays and make-up workdays of those years are unknown and only "
        "Monday–Friday count as working days. Import the State Council notices "
        "(grassroots import-calendar FILE --year %(first)d --complete) or mark the years "
        "complete under Calendar years.",
        len(gap),
    ) % {"years": years, "days": HORIZON_DAYS, "first": gap[0]}


class CalendarAdminMixin:
    """Permissions from the platform's roles; writes through the audited actions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "common.manage_calendar")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "common.manage_calendar")

    has_add_permission = has_module_permission

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "common.manage_calendar")

    has_delete_permission = has_change_permission

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actions.save_calendar_entry(obj, actor=user_of(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_calendar_entry(obj, actor=user_of(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            actions.delete_calendar_entry(obj, actor=user_of(request))


class CoverageWarningMixin:
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        warning = coverage_warning()
        if warning and request.method == "GET":
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)  # type: ignore[misc,no-any-return]


class NoticeYearFilter(admin.SimpleListFilter):
    title = gettext_lazy("notice year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = (
            CalendarDay.objects.order_by("-notice_year")
            .values_list("notice_year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdecimal():
            return queryset.filter(notice_year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdminMixin, CoverageWarningMixin, admin.ModelAdmin[CalendarDay]):
    list_display = ["date", "weekday", "kind", "name", "notice_year", "note", "updated_at"]
    list_filter = [NoticeYearFilter, "kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "notice_year", "note"]
    list_per_page = 100

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS_ABBR[obj.date.weekday()])


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdminMixin, CoverageWarningMixin, admin.ModelAdmin[CalendarYear]):
    list_display = ["year", "complete", "source", "published", "updated_at"]
    list_filter = ["complete"]
    search_fields = ["source", "note"]
    fields = ["year", "complete", "source", "published", "note"]


# The stock index, extended with the warning (templates/admin/common/index.html).
admin.site.index_template = INDEX_TEMPLATE
