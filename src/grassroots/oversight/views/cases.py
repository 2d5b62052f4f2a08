"""The oversight cases' pages: the list (the committee's home page) with its filters and
export, a new case, a case's page (facts, timeline, files, the forms of the next steps the
viewer may take), the steps, and the files.

Who sees what: ``oversight.view`` over a case's village; a case out of sight is a 404, a
step the viewer may not take on a case they see a 403 before anything is parsed. An
action's error comes back on the field it names with HTTP 400; an illegal move with 409.
ID and mobile numbers typed into the texts are masked on every page and in the export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import can
from grassroots.oversight import evidence as files
from grassroots.oversight.actions import cases as actions
from grassroots.oversight.actions.cases import REFERENCE_RE
from grassroots.oversight.errors import IllegalTransition, OversightConflict, OversightError
from grassroots.oversight.exports import export_workbook
from grassroots.oversight.forms import (
    CloseForm,
    DismissForm,
    FilterForm,
    OpenForm,
    RequestForm,
    RespondForm,
    ReturnForm,
    apply_error,
    valid_data,
)
from grassroots.oversight.masking import mask_text
from grassroots.oversight.models import Case
from grassroots.oversight.permissions import OPEN, RESPOND, VIEW
from grassroots.oversight.queries import (
    cases_visible_to,
    filtered_cases,
    is_overdue,
    listed,
    record_url,
    summary,
    timeline,
    village_to_open,
    villages,
    visible_case,
    visible_evidence,
)
from grassroots.oversight.states import CASE_TRANSITIONS, CaseCategory, CaseSource, CaseStatus

PAGE_SIZE: Final = 30
EXPORT_LIMIT: Final = 20000


def _may_view(user: User) -> None:
    if not can(user, VIEW):
        raise PermissionDenied


def tabs(user: User, tab: str, **extra: Any) -> dict[str, Any]:
    """What every oversight page shows besides its own data (``oversight/_tabs.html``)."""
    return {
        "tab": tab,
        "may_open": can(user, OPEN),
        "may_trail": can(user, "audit.view") and can(user, VIEW),
        **extra,
    }


# --- the list -------------------------------------------------------------------------------


def _listed(request: HttpRequest, user: User) -> tuple[FilterForm, Any]:
    form = FilterForm(request.GET or None, units=villages(user))
    cases = filtered_cases(cases_visible_to(user), valid_data(form), timezone.localdate())
    return form, cases


def _keep(request: HttpRequest) -> str:
    return urlencode(
        [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    )


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the viewer sees, newest first, filtered; counts and the export link."""
    user = user_of(request)
    _may_view(user)
    form, cases = _listed(request, user)
    today = timezone.localdate()
    page = Paginator(listed(cases), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"case": c, "matter": mask_text(c.matter), "overdue": is_overdue(c, today)}
        for c in page.object_list
    ]
    return render(
        request,
        "oversight/case_list.html",
        tabs(
            user,
            "cases",
            form=form,
            page=page,
            rows=rows,
            counts=summary(cases, today),
            querystring=_keep(request),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The cases the list shows (its query string) as a workbook; numbers masked."""
    user = user_of(request)
    _may_view(user)
    _form, cases = _listed(request, user)
    rows = list(
        cases.select_related("opened_by", "closed_by").order_by("-opened_on", "-pk")[:EXPORT_LIMIT]
    )
    day = timezone.localdate().isoformat()
    return xlsx_response(
        export_workbook(rows, timezone.localdate()),
        f"监督事项台账-{day}.xlsx",
        f"oversight-cases-{day}.xlsx",
    )


# --- a new case -----------------------------------------------------------------------------


def _prefill(request: HttpRequest, user: User) -> dict[str, Any]:
    """``?source=flagged&reference=…&unit=…`` from the flagged decisions: the village must
    be one the viewer may open a case in (404 otherwise)."""
    initial: dict[str, Any] = {"source": CaseSource.INSPECTION}
    source = request.GET.get("source", "")
    if source in CaseSource.values:
        initial["source"] = source
        if source == CaseSource.FLAGGED:
            initial["category"] = CaseCategory.DECISION
    reference = request.GET.get("reference", "")
    if reference and REFERENCE_RE.match(reference) and len(reference) <= 64:
        initial["reference"] = reference
    if "unit" in request.GET:
        unit = village_to_open(user, request.GET["unit"])
        if unit is None:
            raise Http404
        initial["unit"] = unit.code
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case in a village of the viewer's ``oversight.open`` scope."""
    user = user_of(request)
    if not can(user, OPEN):
        raise PermissionDenied
    units = villages(user, OPEN)
    if not units:
        raise PermissionDenied
    if request.method != "POST":
        initial = _prefill(request, user)
        if len(units) == 1:
            initial.setdefault("unit", units[0].code)
        form = OpenForm(initial=initial, units=units)
        return _new_page(request, user, form)
    form = OpenForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        return _new_page(request, user, form, 400)
    d = form.cleaned_data
    try:
        case = actions.open_case(
            actor=user,
            unit=d["unit"],
            matter=d["matter"],
            category=d["category"],
            source=d["source"],
            reference=d["reference"],
            findings=d["findings"],
            files=d["evidence"],
        )
    except OversightError as exc:
        apply_error(form, exc)
        return _new_page(request, user, form, 400)
    messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
    return HttpResponseRedirect(reverse("oversight:case_detail", args=[case.pk]))


def _new_page(request: HttpRequest, user: User, form: OpenForm, status: int = 200) -> HttpResponse:
    return render(request, "oversight/case_new.html", tabs(user, "new", form=form), status=status)


# --- a case ---------------------------------------------------------------------------------

Perform = Callable[[Case, User, dict[str, Any]], object]


@dataclass(frozen=True)
class Move:
    """One step offered on a case's page."""

    name: str
    label: str | Promise
    target: str
    action: str
    form_class: type[forms.Form]
    perform: Perform
    #: Only from these statuses (empty: wherever the table allows the target).
    sources: frozenset[str] = frozenset()


MOVES: Final[dict[str, Move]] = {
    m.name: m
    for m in (
        Move(
            "request",
            gettext_lazy("Request rectification"),
            CaseStatus.RECTIFYING,
            OPEN,
            RequestForm,
            lambda c, u, d: actions.request_rectification(
                c, actor=u, request=d["request"], deadline=d["deadline"]
            ),
            frozenset({CaseStatus.OPEN}),
        ),
        Move(
            "respond",
            gettext_lazy("Report the rectification"),
            CaseStatus.RESPONDED,
            RESPOND,
            RespondForm,
            lambda c, u, d: actions.respond(
                c, actor=u, response=d["response"], files=d["evidence"]
            ),
        ),
        Move(
            "return",
            gettext_lazy("Return for more rectification"),
            CaseStatus.RECTIFYING,
            OPEN,
            ReturnForm,
            lambda c, u, d: actions.return_case(c, actor=u, note=d["note"], deadline=d["deadline"]),
            frozenset({CaseStatus.RESPONDED}),
        ),
        Move(
            "close",
            gettext_lazy("Close the case"),
            CaseStatus.CLOSED,
            OPEN,
            CloseForm,
            lambda c, u, d: actions.close_case(
                c, actor=u, conclusion=d["conclusion"], files=d["evidence"]
            ),
        ),
        Move(
            "dismiss",
            gettext_lazy("Dismiss (unfounded)"),
            CaseStatus.DISMISSED,
            OPEN,
            DismissForm,
            lambda c, u, d: actions.dismiss(c, actor=u, reason=d["reason"]),
        ),
    )
}


def _offered(move: Move, case: Case) -> bool:
    allowed = CASE_TRANSITIONS.get(case.status, frozenset())
    return move.target in allowed and (not move.sources or case.status in move.sources)


def _auto_id(name: str) -> str:
    return f"{name}-%s"


def _case_context(
    user: User, case: Case, *, failed: tuple[str, forms.Form] | None = None, problem: str = ""
) -> dict[str, Any]:
    today = timezone.localdate()
    failed_name, failed_form = failed if failed else ("", None)
    moves = []
    for move in MOVES.values():
        if not _offered(move, case) or not can(user, move.action, case):
            continue
        form = (
            failed_form
            if failed_name == move.name and failed_form is not None
            else move.form_class(auto_id=_auto_id(move.name))
        )
        moves.append({"name": move.name, "label": move.label, "form": form})
    steps = [
        {"step": s, "note": mask_text(s.note), "files": list(s.evidence.all())}
        for s in timeline(case)
    ]
    return tabs(
        user,
        "cases",
        case=case,
        text={
            "matter": mask_text(case.matter),
            "findings": mask_text(case.findings),
            "request": mask_text(case.request),
            "response": mask_text(case.response),
            "conclusion": mask_text(case.conclusion),
        },
        overdue=is_overdue(case, today),
        days_left=(case.deadline - today).days if case.deadline else None,
        steps=steps,
        moves=moves,
        open_move=failed_name,
        problem=problem,
        may_flags=case.source == CaseSource.FLAGGED,
        record_url=record_url(case),
    )


def _case_page(
    request: HttpRequest, user: User, case: Case, status: int = 200, **kw: Any
) -> HttpResponse:
    return render(
        request, "oversight/case_detail.html", _case_context(user, case, **kw), status=status
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _case_page(request, user, visible_case(user, pk))


def _step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Parse one step's form and call its action (see the module docstring for answers)."""
    user = user_of(request)
    case = visible_case(user, pk)
    move = MOVES[verb]
    if not can(user, move.action, case):
        raise PermissionDenied
    form = move.form_class(request.POST, request.FILES, auto_id=_auto_id(verb))
    if not form.is_valid():
        return _case_page(request, user, case, 400, failed=(verb, form))
    try:
        move.perform(case, user, form.cleaned_data)
    except (IllegalTransition, OversightConflict) as exc:
        return _case_page(request, user, visible_case(user, pk), 409, problem=exc.message)
    except OversightError as exc:
        apply_error(form, exc)
        return _case_page(request, user, case, 400, failed=(verb, form))
    messages.success(request, _("Recorded: %(step)s.") % {"step": move.label})
    return HttpResponseRedirect(reverse("oversight:case_detail", args=[pk]))


@login_required
@require_POST
def case_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "request")


@login_required
@require_POST
def case_respond(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "respond")


@login_required
@require_POST
def case_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "return")


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "close")


@login_required
@require_POST
def case_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "dismiss")


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a case, to whoever sees the case (404 otherwise): photos inline,
    documents as downloads."""
    return files.serve(visible_evidence(user_of(request), pk))
