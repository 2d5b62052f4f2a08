"""The manual-entry page (/assessment/entries/): the entries the viewer may see, filtered
by scheme, indicator and period; for the office a form to enter one figure with its
evidence and the spreadsheet import (all or nothing, problems by line); the evidence files,
served as downloads to those who may see the entry."""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.assessment.actions.entries import COLUMNS, enter_value, import_entries
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.evidence import content_type_of
from grassroots.assessment.forms_ratings import (
    EntryFilterForm,
    EntryForm,
    ImportForm,
    apply_error,
)
from grassroots.assessment.models import Indicator, ManualEntry, Scheme, Source
from grassroots.assessment.permissions import MANAGE, VIEW
from grassroots.assessment.views.ratings import manage_paths, managed_schemes
from grassroots.common.http import user_of
from grassroots.common.tabular import ImportRefused
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.org.queries import scope_q

PAGE_SIZE = 50


def _entry_indicators(schemes: QuerySet[Scheme]) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(scheme__in=schemes, source=Source.ENTRY)
        .select_related("scheme")
        .order_by("scheme__code", "position", "code")
    )


def _unit_in_scope(user: User, code: str) -> Unit | None:
    """The unit of this code, if the user may manage the assessment there (else None, as
    for an unknown code)."""
    units = Unit.objects.filter(code=code.strip()).defer("geometry")
    paths = manage_paths(user)
    if paths is not None:
        units = units.filter(scope_q(("path",), paths))
    return units.first()


def _page(
    request: HttpRequest,
    user: User,
    *,
    entry_form: EntryForm | None = None,
    import_form: ImportForm | None = None,
    import_errors: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    office = can(user, MANAGE)
    schemes = managed_schemes(user)
    visible = Scheme.objects.filter(
        pk__in=ManualEntry.objects.visible_to(user).values("indicator__scheme_id")
    ) | Scheme.objects.filter(pk__in=schemes.values("pk"))
    filters = EntryFilterForm(
        request.GET or None,
        schemes=visible.order_by("-year", "code"),
        indicators=_entry_indicators(visible),
    )
    entries = (
        ManualEntry.objects.visible_to(user)
        .select_related("indicator__scheme", "unit", "entered_by")
        .order_by("-period", "indicator__code", "unit__code")
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data["scheme"]:
            entries = entries.filter(indicator__scheme=data["scheme"])
        if data["indicator"]:
            entries = entries.filter(indicator=data["indicator"])
        if data["period"]:
            entries = entries.filter(period=data["period"].strip().upper())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessment/ratings/entries.html",
        {
            "office": office,
            "filters": filters,
            "page": page,
            "querystring": query.urlencode(),
            "entry_form": entry_form
            or (EntryForm(indicators=_entry_indicators(schemes)) if office else None),
            "import_form": import_form or (ImportForm(schemes=schemes) if office else None),
            "import_errors": import_errors or [],
            "columns": [names[0] for names in COLUMNS.values()],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entries(request: HttpRequest) -> HttpResponse:
    """GET: the list; POST ``action=enter`` (one figure) or ``action=import`` (a file)."""
    user = user_of(request)
    require(user, VIEW)
    if request.method != "POST":
        return _page(request, user)
    require(user, MANAGE)
    schemes = managed_schemes(user)
    if request.POST.get("action") == "import":
        upload = ImportForm(request.POST, request.FILES, schemes=schemes)
        if not upload.is_valid():
            return _page(request, user, import_form=upload, status=400)
        try:
            summary = import_entries(
                upload.cleaned_data["scheme"], upload.cleaned_data["file"], actor=user
            )
        except ImportRefused as exc:
            upload.add_error("file", str(exc))
            return _page(request, user, import_form=upload, import_errors=exc.errors, status=400)
        messages.success(
            request,
            _("%(rows)d figures imported (%(created)d new, %(updated)d corrected).")
            % {"rows": summary.rows, "created": summary.created, "updated": summary.updated},
        )
        return HttpResponseRedirect(reverse("assessment:entries"))
    form = EntryForm(request.POST, request.FILES, indicators=_entry_indicators(schemes))
    if not form.is_valid():
        return _page(request, user, entry_form=form, status=400)
    data = form.cleaned_data
    unit = _unit_in_scope(user, data["unit"])
    if unit is None:
        form.add_error("unit", _("No unit in your scope has this code."))
        return _page(request, user, entry_form=form, status=400)
    try:
        entry = enter_value(
            data["indicator"],
            unit,
            data["period"],
            data["value"],
            note=data["note"],
            evidence=data["evidence"],
            actor=user,
        )
    except AssessmentError as exc:
        apply_error(form, exc)
        return _page(request, user, entry_form=form, status=exc.http_status)
    messages.success(
        request,
        _("Recorded: %(unit)s, %(indicator)s, %(period)s = %(value)s.")
        % {
            "unit": unit.name,
            "indicator": entry.indicator.name,
            "period": entry.period,
            "value": entry.value,
        },
    )
    return HttpResponseRedirect(reverse("assessment:entries"))


@login_required
@require_GET
def entry_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An entry's evidence file, as a download, to those who may see the entry."""
    user = user_of(request)
    entry = ManualEntry.objects.visible_to(user).filter(pk=pk).first()
    if entry is None or not entry.evidence:
        raise Http404
    try:
        handle = entry.evidence.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = os.path.basename(entry.evidence.name)
    response = FileResponse(
        handle, content_type=content_type_of(name), as_attachment=True, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
