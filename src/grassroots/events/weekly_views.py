"""The 每周一件事 page of a unit: a village's last weeks with the events it resolved, or,
for a township or the city, its villages × the last weeks."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from grassroots.events.weekly import WEEK, monday_of, tally, village_weeks
from grassroots.org.models import VILLAGE_LEVEL, Unit
from grassroots.org.permissions import can

DEFAULT_WEEKS = 8
MAX_WEEKS = 26
PAGE_SIZE = 50


def _weeks(request: HttpRequest) -> int:
    raw = request.GET.get("weeks", "")
    return min(int(raw), MAX_WEEKS) if raw.isdecimal() and int(raw) > 0 else DEFAULT_WEEKS


@login_required
def weekly_one_thing(request: HttpRequest, code: str) -> HttpResponse:
    unit = Unit.objects.filter(code=code, active=True).first()
    if unit is None or not can(request.user, "events.view", unit):
        raise Http404
    count = _weeks(request)
    if unit.kind in VILLAGE_LEVEL:
        weeks = village_weeks(unit, count)
        return render(
            request,
            "events/weekly_one_thing.html",
            {"unit": unit, "village_weeks": weeks, "done": sum(w.done for w in weeks)},
        )
    current = monday_of(timezone.localdate())
    mondays = [current - WEEK * i for i in range(count - 1, -1, -1)]
    villages = (
        Unit.objects.active()
        .within(unit)
        .filter(kind__in=VILLAGE_LEVEL)
        .select_related("parent")
        .defer("geometry", "parent__geometry")
        .order_by("path")
    )
    page = Paginator(villages, PAGE_SIZE).get_page(request.GET.get("page"))
    found = tally(unit, mondays, [v.pk for v in page])
    rows = [{"village": v, "weeks": found.get(v.pk, [])} for v in page]
    return render(
        request,
        "events/weekly_one_thing.html",
        {
            "unit": unit,
            "mondays": mondays,
            "sundays": [m + dt.timedelta(days=6) for m in mondays],
            "rows": rows,
            "page": page,
            "querystring": f"weeks={count}",
        },
    )
