"""The meetings pages: the list (filters, pages, Excel), a meeting's page (the starting
point of a 党建月会, attendance, minutes, resolutions), the forms to plan, correct, record
as held, cancel and reopen, the minutes' upload and file, and the city office's monthly
planning.

Who: ``partybuilding.view`` to read (403 without it anywhere; a meeting outside the
viewer's scope is a 404); the unit itself writes (``actions.meetings.may_record``, 403).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import can
from grassroots.partybuilding import files
from grassroots.partybuilding.actions import meetings as actions
from grassroots.partybuilding.errors import IllegalTransition, PartybuildingConflict
from grassroots.partybuilding.forms_meetings import (
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    RecordForm,
    apply_error,
    attendance_rows,
    valid_data,
)
from grassroots.partybuilding.models import Meeting
from grassroots.partybuilding.permissions import CONFIGURE, RECORD, VIEW
from grassroots.partybuilding.queries_meetings import (
    agenda_start,
    filtered,
    last_attendance,
    meetings_visible_to,
    starting_point,
    units_for,
    visible_meeting,
)
from grassroots.partybuilding.states import MeetingKind, MeetingStatus
from grassroots.registers.views.windows import history_of

PAGE_SIZE: Final = 30
#: Blank attendance rows added below the known ones on the record form.
BLANK_ROWS: Final = 5


def require_view(user: User) -> None:
    if not can(user, VIEW):
        raise PermissionDenied


def refused(exc: DomainError) -> int:
    return 409 if isinstance(exc, IllegalTransition | PartybuildingConflict) else 400


def querystring(request: HttpRequest) -> str:
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    return urlencode(keep)


def visible(user: User, pk: int) -> Meeting:
    meeting = visible_meeting(user, pk)
    if meeting is None:
        raise Http404(_("No such meeting in your area."))
    return meeting


def require_record(user: User, meeting: Meeting) -> None:
    if not actions.may_record(user, meeting.unit):
        raise PermissionDenied(_("Only the unit itself records its meetings."))


# --- the list ----------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_view(user)
    form = MeetingFilterForm(request.GET or None, units=units_for(user))
    meetings = filtered(meetings_visible_to(user), valid_data(form)).order_by(
        "-period", "unit__path", "kind", "pk"
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partybuilding/meeting_list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring(request),
            "may_record": can(user, RECORD),
            "may_configure": can(user, CONFIGURE),
            "this_month": f"{timezone.localdate():%Y-%m}",
        },
    )


# --- one meeting -----------------------------------------------------------------------------


def _detail(
    request: HttpRequest, user: User, meeting: Meeting, status: int = 200, **context: Any
) -> HttpResponse:
    may = actions.may_record(user, meeting.unit)
    point = None
    if meeting.kind == MeetingKind.PARTY_MONTHLY:
        point = starting_point(meeting.unit, timezone.localdate())
    if may and meeting.status == MeetingStatus.HELD:
        context.setdefault("minutes_form", MinutesForm())
    return render(
        request,
        "partybuilding/meeting_detail.html",
        {
            "meeting": meeting,
            "may_record": may,
            "point": point,
            "attendance": list(meeting.attendance.all()),
            "resolutions": list(meeting.resolutions.all()),
            "history": history_of(meeting),
            **context,
        },
        status=status,
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _detail(request, user, visible(user, pk))


def _form_page(
    request: HttpRequest, form: MeetingForm, meeting: Meeting | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "partybuilding/meeting_form.html",
        {"form": form, "meeting": meeting},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Plan a meeting of one of the viewer's own units."""
    user = user_of(request)
    units = [u for u in units_for(user, RECORD) if actions.may_record(user, u)]
    if not units:
        raise PermissionDenied
    if request.method != "POST":
        asked = request.GET.get("unit", "")
        initial = {
            "unit": next((u.code for u in units if u.code == asked), units[0].code),
            "kind": MeetingKind.PARTY_MONTHLY,
            "period": f"{timezone.localdate():%Y-%m}",
        }
        return _form_page(request, MeetingForm(units=units, initial=initial), None)
    form = MeetingForm(request.POST, units=units)
    if not form.is_valid():
        return _form_page(request, form, None, 400)
    try:
        meeting = actions.plan_meeting(actor=user, **form.cleaned_data)
    except DomainError as exc:
        apply_error(form, exc)
        return _form_page(request, form, None, refused(exc))
    messages.success(request, _("Meeting planned."))
    return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[meeting.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = visible(user, pk)
    require_record(user, meeting)
    if request.method != "POST":
        initial = {
            k: getattr(meeting, k) for k in ("title", "planned_on", "location", "agenda", "note")
        }
        return _form_page(request, MeetingForm(initial=initial), meeting)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, meeting, 400)
    try:
        actions.update_meeting(meeting.pk, actor=user, **form.cleaned_data)
    except DomainError as exc:
        apply_error(form, exc)
        return _form_page(request, form, meeting, refused(exc))
    messages.success(request, _("Meeting saved."))
    return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[meeting.pk]))


def _record_page(
    request: HttpRequest,
    meeting: Meeting,
    form: RecordForm,
    rows: list[dict[str, Any]],
    status: int = 200,
) -> HttpResponse:
    shown = [*rows, *({"voting": "1"} for _ in range(BLANK_ROWS))]
    return render(
        request,
        "partybuilding/meeting_record.html",
        {"meeting": meeting, "form": form, "rows": shown, "count": len(shown)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a planned meeting as held, with its attendance (one card per person)."""
    user = user_of(request)
    meeting = visible(user, pk)
    require_record(user, meeting)
    if request.method != "POST":
        if meeting.status != MeetingStatus.PLANNED:
            messages.info(request, _("This meeting is not waiting to be recorded."))
            return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[pk]))
        agenda = meeting.agenda
        if not agenda and meeting.kind == MeetingKind.PARTY_MONTHLY:
            agenda = agenda_start(starting_point(meeting.unit, timezone.localdate()))
        initial = {
            "held_on": timezone.localdate(),
            "location": meeting.location,
            "agenda": agenda,
            "note": meeting.note,
        }
        rows = [
            {"name": a.name, "post": a.post, "voting": "1" if a.voting else ""}
            for a in last_attendance(meeting)
        ]
        return _record_page(request, meeting, RecordForm(initial=initial), rows)
    form = RecordForm(request.POST)
    rows = attendance_rows(request.POST)
    if not form.is_valid():
        return _record_page(request, meeting, form, rows, 400)
    try:
        actions.record_held(meeting.pk, actor=user, attendance=rows, **form.cleaned_data)
    except DomainError as exc:
        apply_error(form, exc)
        return _record_page(request, meeting, form, rows, refused(exc))
    messages.success(request, _("Meeting recorded as held."))
    return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[meeting.pk]))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = visible(user, pk)
    require_record(user, meeting)
    try:
        actions.cancel_meeting(meeting.pk, actor=user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _detail(request, user, meeting, refused(exc), cancel_error=exc.message)
    messages.success(request, _("Meeting cancelled."))
    return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[pk]))


@login_required
@require_POST
def meeting_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = visible(user, pk)
    require_record(user, meeting)
    try:
        actions.reopen_meeting(meeting.pk, actor=user)
    except DomainError as exc:
        return _detail(request, user, meeting, refused(exc), cancel_error=exc.message)
    messages.success(request, _("Meeting planned again."))
    return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[pk]))


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = visible(user, pk)
    require_record(user, meeting)
    form = MinutesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, user, meeting, 400, minutes_form=form)
    try:
        actions.upload_minutes(meeting.pk, actor=user, upload=form.cleaned_data["file"])
    except DomainError as exc:
        apply_error(form, exc)
        return _detail(request, user, meeting, refused(exc), minutes_form=form)
    messages.success(request, _("Minutes uploaded."))
    return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[pk]))


@login_required
@require_GET
def meeting_minutes_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = user_of(request)
    meeting = visible(user, pk)
    return files.serve(meeting, download_name=meeting.original_name)


@login_required
@require_POST
def meetings_plan_monthly(request: HttpRequest) -> HttpResponse:
    """The city office plans a month's 党建月会 for every township and village."""
    user = user_of(request)
    if not can(user, CONFIGURE):
        raise PermissionDenied
    try:
        plan = actions.plan_monthly(request.POST.get("period", ""), actor=user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("partybuilding:meetings"))
    messages.success(
        request,
        _("%(period)s: %(created)d monthly meetings planned, %(existing)d already planned.")
        % {"period": plan.period, "created": plan.created, "existing": plan.existing},
    )
    url = reverse("partybuilding:meetings")
    return HttpResponseRedirect(
        f"{url}?{urlencode({'period': plan.period, 'kind': 'party_monthly'})}"
    )
