"""The decisions flagged to the oversight committees (决策在先): those the decision rules
require a resolution for and that have none, or only one decided after they acted —
read through the party-building app's named query.

Who: ``oversight.view`` (403 without it anywhere): a committee member sees their
village's, the township's discipline office every village of its township. Each row
offers to open a case (``oversight:case_new`` with ``source=flagged``) to those who may.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from grassroots.common.http import user_of
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, User
from grassroots.org.permissions import can
from grassroots.oversight.permissions import OPEN, VIEW
from grassroots.partybuilding.queries_decisions import flagged_decisions

PAGE_SIZE: Final = 50
FIRST_YEAR: Final = 2000


class FlagFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        top = min((u.depth for u in units), default=0)
        self.fields["unit"].choices = [("", _("All my units"))] + [  # type: ignore[attr-defined]
            (u.code, "\u3000" * (u.depth - top) + u.name) for u in units
        ]
        last = timezone.localdate().year + 1
        self.fields["year"].choices = [("", _("All years"))] + [  # type: ignore[attr-defined]
            (str(y), str(y)) for y in range(last, FIRST_YEAR - 1, -1)
        ]


def _units(user: User) -> list[Unit]:
    return list(
        Unit.objects.visible_to(user, VIEW)
        .filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL], active=True)
        .order_by("path")
    )


@login_required
@require_GET
def flags(request: HttpRequest) -> HttpResponse:
    """The flagged decisions in the viewer's area, newest acted first."""
    user = user_of(request)
    if not can(user, VIEW):
        raise PermissionDenied
    form = FlagFilterForm(request.GET or None, units=_units(user))
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit = form.units.get(data.get("unit") or "")
    year = data.get("year")
    rows = flagged_decisions(
        user, unit=unit, since=dt.date(year, 1, 1) if year else None, action=VIEW
    )
    if year:
        rows = [r for r in rows if r.decision.acted_on.year == year]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_open = can(user, OPEN)
    villages: set[int] = set()
    if may_open:
        villages = set(
            Unit.objects.filter(
                pk__in={r.decision.unit_id for r in page.object_list}, kind__in=VILLAGE_LEVEL
            ).values_list("pk", flat=True)
        )
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    return render(
        request,
        "oversight/flags.html",
        {
            "form": form,
            "page": page,
            "count": len(rows),
            "openable": villages,
            "querystring": urlencode(keep),
            "tab": "flags",
            "may_open": may_open,
            "may_trail": can(user, "audit.view") and can(user, VIEW),
        },
    )
