"""The venues pages (标准化活动阵地, 文化院坝): the list with filters and the Excel export,
a venue's page (facts, status history, inspections item by item with photos), the forms to
register and correct a venue and to move its status, the phone-friendly inspection form,
and the inspection photos. The coverage map, the checklist and the import are in
``views.venues_more``.

Who: the pages need ``partybuilding.view`` (403 without it anywhere); a venue outside the
viewer's scope is a 404; the forms need ``partybuilding.record`` over the venue, the
inspection ``partybuilding.inspect`` over it (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import ChoiceField
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.audit.models import AuditEntry
from grassroots.common.downloads import xlsx_response
from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import can, require
from grassroots.partybuilding import files
from grassroots.partybuilding.actions import venues as actions
from grassroots.partybuilding.errors import IllegalTransition, PartybuildingConflict
from grassroots.partybuilding.errors import PartybuildingError as PartybuildingError
from grassroots.partybuilding.forms_venues import (
    InspectionForm,
    NewVenueForm,
    StatusForm,
    VenueFilterForm,
    VenueForm,
    apply_error,
    valid_data,
)
from grassroots.partybuilding.imports_venues import EXPORT_HEADERS, rows_workbook, venue_rows
from grassroots.partybuilding.models import ChecklistItem, Venue
from grassroots.partybuilding.permissions import INSPECT, RECORD, VIEW
from grassroots.partybuilding.queries_venues import (
    checklist_by_category,
    filtered,
    inspections_of,
    units_for,
    venues_for,
    villages_for,
    visible_photo,
    visible_venue,
)
from grassroots.partybuilding.states import VENUE_TRANSITIONS, VenueStatus

PAGE_SIZE: Final = 30
HISTORY_SHOWN: Final = 50
EXPORT_LIMIT: Final = 20000
CSS: Final = "grassroots/partybuilding-venues.css"

HISTORY_LABELS: Final = {
    "partybuilding.venue.created": gettext_lazy("Venue registered"),
    "partybuilding.venue.updated": gettext_lazy("Record corrected"),
    "partybuilding.venue.status_changed": gettext_lazy("Status changed"),
    "partybuilding.venue.inspected": gettext_lazy("Inspected"),
}


@dataclass(frozen=True)
class ItemRow:
    """A checklist item on the inspection form, as last posted."""

    item: ChecklistItem
    checked: bool
    note: str


def require_view(user: User) -> None:
    if not can(user, VIEW):
        raise PermissionDenied


def refused(exc: DomainError) -> int:
    """409 for a conflict or an illegal move, else 400."""
    return 409 if isinstance(exc, IllegalTransition | PartybuildingConflict) else 400


def querystring(request: HttpRequest) -> str:
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    return urlencode(keep)


def history_of(venue: Venue) -> list[AuditEntry]:
    """The venue's audit entries, newest first, each with ``label`` and ``status_from`` /
    ``status_to`` (the statuses' names) for a status change."""
    entries = list(
        AuditEntry.objects.for_object(venue._meta.label_lower, str(venue.pk))
        .only("created_at", "actor_label", "action", "note", "before", "after")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
    names = dict(VenueStatus.choices)
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
        if entry.action == "partybuilding.venue.status_changed":
            entry.status_from = names.get((entry.before or {}).get("status", ""), "")
            entry.status_to = names.get((entry.after or {}).get("status", ""), "")
        elif entry.action == "partybuilding.venue.inspected":
            entry.score = (entry.after or {}).get("score", "")
    return entries


def _visible(user: User, pk: int) -> Venue:
    venue = visible_venue(user, pk)
    if venue is None:
        raise Http404(_("No such venue in your area."))
    return venue


# --- the list and the export ----------------------------------------------------------------


def _filters(request: HttpRequest, user: User) -> tuple[VenueFilterForm, dict[str, Any]]:
    form = VenueFilterForm(request.GET or None, units=units_for(user))
    return form, valid_data(form)


@login_required
@require_GET
def venue_list(request: HttpRequest) -> HttpResponse:
    """The venues the viewer sees, filtered by kind, status, standard, area and text."""
    user = user_of(request)
    require_view(user)
    form, data = _filters(request, user)
    venues = filtered(venues_for(user), data).order_by("unit__path", "kind", "name")
    page = Paginator(venues, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(venue, actions.masked(venue.manager)) for venue in page.object_list]
    return render(
        request,
        "partybuilding/venue_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": querystring(request),
            "may_record": can(user, RECORD),
            "may_configure": can(user, "partybuilding.configure"),
            "css": CSS,
        },
    )


@login_required
@require_GET
def venue_export(request: HttpRequest) -> HttpResponse:
    """The venues of the list (as its filters narrow them) in the import's columns, with
    the latest inspection."""
    user = user_of(request)
    require_view(user)
    _form, data = _filters(request, user)
    venues = filtered(venues_for(user), data).order_by("unit__path", "kind", "name")
    book = rows_workbook("阵地台账", EXPORT_HEADERS, venue_rows(venues[:EXPORT_LIMIT]))
    day = timezone.localdate().isoformat()
    return xlsx_response(book, f"阵地台账-{day}.xlsx", f"venues-{day}.xlsx")


# --- one venue --------------------------------------------------------------------------


def _detail(
    request: HttpRequest, user: User, venue: Venue, status: int = 200, **context: Any
) -> HttpResponse:
    may_record = can(user, RECORD, venue)
    if may_record:
        choices = [(s, VenueStatus(s).label) for s in sorted(VENUE_TRANSITIONS[venue.status])]
        form = context.get("status_form") or StatusForm(
            initial={"completed_on": timezone.localdate()}
        )
        field = form.fields["status"]
        assert isinstance(field, ChoiceField)  # noqa: S101 -- declared so in the form
        field.choices = choices
        context["status_form"] = form if choices else None
    return render(
        request,
        "partybuilding/venue_detail.html",
        {
            "venue": venue,
            "manager": actions.masked(venue.manager),
            "may_record": may_record,
            "may_inspect": can(user, INSPECT, venue) and venue.status != VenueStatus.PLANNED,
            "inspections": inspections_of(venue),
            "history": history_of(venue),
            "css": CSS,
            **context,
        },
        status=status,
    )


@login_required
@require_GET
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    require_view(user)
    return _detail(request, user, _visible(user, pk))


def _form_page(
    request: HttpRequest, form: VenueForm, venue: Venue | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "partybuilding/venue_form.html",
        {"form": form, "venue": venue, "css": CSS},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def venue_new(request: HttpRequest) -> HttpResponse:
    """Register a venue (``partybuilding.record`` over a village)."""
    user = user_of(request)
    require(user, RECORD)
    villages = villages_for(user, RECORD)
    if not villages:
        raise PermissionDenied
    if request.method != "POST":
        initial = {"unit": villages[0].code} if len(villages) == 1 else {}
        return _form_page(request, NewVenueForm(units=villages, initial=initial), None)
    form = NewVenueForm(request.POST, units=villages)
    if not form.is_valid():
        return _form_page(request, form, None, 400)
    try:
        venue = actions.create_venue(actor=user, **form.cleaned_data)
    except PartybuildingError as exc:
        apply_error(form, exc)
        return _form_page(request, form, None, refused(exc))
    messages.success(request, _("Venue %(name)s registered.") % {"name": venue.name})
    return HttpResponseRedirect(reverse("partybuilding:venue_detail", args=[venue.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a venue's facts (``partybuilding.record`` over it)."""
    user = user_of(request)
    venue = _visible(user, pk)
    require(user, RECORD, venue)
    villages = villages_for(user, RECORD)
    if venue.unit.pk not in {u.pk for u in villages}:
        villages = [venue.unit, *villages]
    if request.method != "POST":
        initial = {name: getattr(venue, name) for name in actions.FIELDS}
        initial["unit"] = venue.unit.code
        return _form_page(request, VenueForm(units=villages, initial=initial), venue)
    form = VenueForm(request.POST, units=villages)
    if not form.is_valid():
        return _form_page(request, form, venue, 400)
    try:
        actions.update_venue(venue.pk, actor=user, **form.cleaned_data)
    except PartybuildingError as exc:
        apply_error(form, exc)
        return _form_page(request, form, venue, refused(exc))
    messages.success(request, _("Venue %(name)s saved.") % {"name": form.cleaned_data["name"]})
    return HttpResponseRedirect(reverse("partybuilding:venue_detail", args=[venue.pk]))


@login_required
@require_POST
def venue_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the venue's status (the venue page's form)."""
    user = user_of(request)
    venue = _visible(user, pk)
    require(user, RECORD, venue)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, user, venue, 400, status_form=form)
    try:
        actions.move_venue(venue.pk, actor=user, **form.cleaned_data)
    except PartybuildingError as exc:
        apply_error(form, exc)
        venue.refresh_from_db()
        return _detail(request, user, venue, refused(exc), status_form=form)
    messages.success(request, _("Status changed."))
    return HttpResponseRedirect(reverse("partybuilding:venue_detail", args=[venue.pk]))


# --- the inspection ---------------------------------------------------------------------


def _inspect_page(
    request: HttpRequest,
    venue: Venue,
    form: InspectionForm,
    status: int = 200,
    *,
    met: set[str] | None = None,
    notes: dict[str, str] | None = None,
    items_error: str = "",
) -> HttpResponse:
    met = met or set()
    notes = notes or {}
    groups = [
        (
            group.label,
            [
                ItemRow(item, str(item.pk) in met, notes.get(str(item.pk), ""))
                for item in group.items
            ],
        )
        for group in checklist_by_category()
    ]
    return render(
        request,
        "partybuilding/venue_inspect.html",
        {
            "venue": venue,
            "form": form,
            "groups": groups,
            "items_error": items_error,
            "css": CSS,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def venue_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """Inspect a venue against the checklist in use (``partybuilding.inspect`` over it):
    a checkbox per item, grouped by category, a note per item, photos."""
    user = user_of(request)
    venue = _visible(user, pk)
    require(user, INSPECT, venue)
    if request.method != "POST":
        form = InspectionForm(initial={"inspected_on": timezone.localdate()})
        return _inspect_page(request, venue, form)
    form = InspectionForm(request.POST, request.FILES)
    met = {v for v in request.POST.getlist("met") if v}
    notes = {
        key[5:]: value
        for key in request.POST
        if key.startswith("note_") and (value := request.POST.get(key, "")).strip()
    }
    if not form.is_valid():
        return _inspect_page(request, venue, form, 400, met=met, notes=notes)
    try:
        inspection = actions.record_inspection(
            venue.pk,
            actor=user,
            inspected_on=form.cleaned_data["inspected_on"],
            met=met,
            notes=notes,
            photos=form.cleaned_data["photos"],
            note=form.cleaned_data["note"],
        )
    except PartybuildingError as exc:
        items_error = str(exc.message) if exc.field == "items" else ""
        if not items_error:
            apply_error(form, exc)
        return _inspect_page(
            request, venue, form, refused(exc), met=met, notes=notes, items_error=items_error
        )
    verdict = _("meets the standard") if inspection.meets_standard else _("does not meet it")
    messages.success(
        request,
        _("Inspection recorded: %(score)s points, %(verdict)s.")
        % {"score": inspection.score, "verdict": verdict},
    )
    return HttpResponseRedirect(reverse("partybuilding:venue_detail", args=[venue.pk]))


@login_required
@require_GET
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    """An inspection photo, to whoever sees its venue (404 otherwise)."""
    user = user_of(request)
    photo = visible_photo(user, pk)
    if photo is None:
        raise Http404
    return files.serve(photo)
