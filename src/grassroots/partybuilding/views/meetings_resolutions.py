"""The resolutions' pages: add one to a held meeting (with its vote), a resolution's page
(the vote, whether it passed, the tasks it opened), and the form that opens its tasks in
supervision (承诺事项, issued by the unit's parent).

Who: as the meeting's pages (``views.meetings``): read with ``partybuilding.view``, 404
outside the scope; write as the unit itself (403).
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.partybuilding.actions import meetings as actions
from grassroots.partybuilding.forms_meetings import ResolutionForm, apply_error, task_rows
from grassroots.partybuilding.models import Meeting, Resolution
from grassroots.partybuilding.queries_meetings import visible_resolution
from grassroots.partybuilding.states import MeetingStatus
from grassroots.partybuilding.views.meetings import refused, require_record, visible
from grassroots.registers.views.windows import history_of

#: Blank task rows on the form.
TASK_ROWS: Final = 3


def _resolution(user: User, pk: int) -> Resolution:
    resolution = visible_resolution(user, pk)
    if resolution is None:
        raise Http404(_("No such resolution in your area."))
    return resolution


def _new_page(
    request: HttpRequest, meeting: Meeting, form: ResolutionForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "partybuilding/meeting_resolution_form.html",
        {"meeting": meeting, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resolution_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a resolution to the held meeting ``pk``."""
    user = user_of(request)
    meeting = visible(user, pk)
    require_record(user, meeting)
    if request.method != "POST":
        if meeting.status != MeetingStatus.HELD:
            messages.error(
                request,
                _("Resolutions belong to a meeting recorded as held: record the meeting first."),
            )
            return HttpResponseRedirect(reverse("partybuilding:meeting_detail", args=[pk]))
        rows = list(meeting.attendance.all())
        voting = [a for a in rows if a.voting]
        initial = {
            "members_total": len(voting) or "",
            "members_present": sum(1 for a in voting if a.present) or "",
        }
        return _new_page(request, meeting, ResolutionForm(initial=initial))
    form = ResolutionForm(request.POST)
    if not form.is_valid():
        return _new_page(request, meeting, form, 400)
    try:
        resolution = actions.add_resolution(meeting.pk, actor=user, **form.cleaned_data)
    except DomainError as exc:
        apply_error(form, exc)
        return _new_page(request, meeting, form, refused(exc))
    if resolution.passed:
        messages.success(request, _("Resolution %(n)s passed.") % {"n": resolution.number})
    else:
        messages.warning(
            request, _("Resolution %(n)s recorded: not passed.") % {"n": resolution.number}
        )
    return HttpResponseRedirect(reverse("partybuilding:resolution_detail", args=[resolution.pk]))


def _detail(
    request: HttpRequest,
    user: User,
    resolution: Resolution,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    may = actions.may_record(user, resolution.unit)
    context.setdefault(
        "task_rows", [{} for _ in range(TASK_ROWS)] if may and resolution.passed else []
    )
    return render(
        request,
        "partybuilding/meeting_resolution.html",
        {
            "resolution": resolution,
            "meeting": resolution.meeting,
            "tasks": [link.task for link in resolution.tasks.all()],
            "may_record": may,
            "history": history_of(resolution),
            "today": timezone.localdate(),
            **context,
        },
        status=status,
    )


@login_required
@require_GET
def resolution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _detail(request, user, _resolution(user, pk))


@login_required
@require_http_methods(["POST"])
def resolution_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the tasks the resolution decided (all the rows given, or none)."""
    user = user_of(request)
    resolution = _resolution(user, pk)
    if not actions.may_record(user, resolution.unit):
        raise PermissionDenied(_("Only the unit itself records its meetings."))
    rows = task_rows(request.POST)
    try:
        created = actions.create_tasks_from_resolution(resolution.pk, actor=user, tasks=rows)
    except DomainError as exc:
        shown = rows + [{} for _ in range(max(0, TASK_ROWS - len(rows)))]
        return _detail(
            request, user, resolution, refused(exc), task_error=exc.message, task_rows=shown
        )
    messages.success(request, _("%(n)d tasks opened in supervision.") % {"n": len(created)})
    return HttpResponseRedirect(reverse("partybuilding:resolution_detail", args=[pk]))
