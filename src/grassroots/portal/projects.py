"""The public list of livelihood projects (民生工程, /public/projects/), no login.

"具备条件的要抓紧办, 不具备条件的要向群众做好解释说明": residents see every project the
city deployed (``Task.objects.public_projects()``, the projects themselves, not the shares
they were split into), whether it can be carried out now, how far it has got (verified
progress only) and, when it cannot, the public explanation. Only the fields that
``public_projects`` names are shown: title, responsible unit, location, beneficiaries,
budget, dates, feasibility, status, progress and the explanation — never a person, a
phone number, an internal note or the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from grassroots.supervision.models import Feasibility, Task
from grassroots.supervision.states import DisplayStatus

PER_PAGE: Final = 30
#: The feasibility filter of the page (``?feasibility=``).
FILTERS: Final = tuple(Feasibility.values)


@dataclass(frozen=True, slots=True)
class PublicProject:
    """What the public sees of one livelihood project."""

    title: str
    unit: str
    location: str
    beneficiaries: str
    budget: Decimal | None
    start_date: object
    deadline: object
    feasibility: str
    feasibility_label: str
    status: str
    status_label: str
    percent: Decimal
    explanation: str


def _public(task: Task) -> PublicProject:
    status = DisplayStatus(task.display_status)  # type: ignore[attr-defined]
    return PublicProject(
        title=task.title,
        unit=task.unit.name,
        location=task.location,
        beneficiaries=task.beneficiaries,
        budget=task.budget,
        start_date=task.start_date,
        deadline=task.deadline,
        feasibility=task.feasibility,
        feasibility_label=str(Feasibility(task.feasibility).label),
        status=status.value,
        status_label=str(status.label),
        percent=task.verified_percent,
        explanation=task.public_explanation,
    )


@require_safe
def projects(request: HttpRequest) -> HttpResponse:
    """The livelihood projects, not-feasible ones with their explanation; filter by
    feasibility, search by title, place or unit; 30 a page."""
    today = timezone.localdate()
    base = Task.objects.public_projects().filter(parent__isnull=True)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:40]  # NUL: PostgreSQL refuses it
    if search:
        base = base.filter(
            Q(title__icontains=search)
            | Q(location__icontains=search)
            | Q(unit__name__icontains=search)
        )
    chosen = request.GET.get("feasibility", "")
    if chosen not in FILTERS:
        chosen = ""
    tasks = base.filter(feasibility=chosen) if chosen else base
    found = dict(
        base.order_by()
        .values_list("feasibility")
        .annotate(n=Count("id"))
        .values_list("feasibility", "n")
    )
    counts = {value: found.get(value, 0) for value in FILTERS}
    page = Paginator(tasks.with_status(today).order_by("deadline", "id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    keep = {"feasibility": chosen, "q": search}
    return render(
        request,
        "portal/projects.html",
        {
            "page": page,
            "projects": [_public(task) for task in page.object_list],
            "chosen": chosen,
            "search": search,
            "search_query": urlencode({"q": search}) if search else "",
            "page_query": urlencode({k: v for k, v in keep.items() if v}),
            "filters": [(value, str(Feasibility(value).label), counts[value]) for value in FILTERS],
            "total": sum(counts.values()),
        },
    )
