"""The error-tolerance pages (容错纠错): the list of cases, the application form and a
case's page with the forms of what the viewer may do.

Who sees what (``queries_tolerance.cases_visible_to``): the organisation department, the
leader of the case's unit and the supervision committee (read-only); the cadre a case
names and whoever applied see their own. A case out of the viewer's sight is a 404; a form
the viewer may not use on a case they see is a 403 before anything is parsed. Each form
posts to :func:`act`, which parses it and calls ONE action; the action's error comes back
on the field it names with HTTP 400, an illegal move or a lost race with 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.cadres import checklist as cl
from grassroots.cadres.actions import tolerance as actions
from grassroots.cadres.context import section
from grassroots.cadres.errors import CadresConflict, CadresError, IllegalTransition
from grassroots.cadres.forms import apply_error, valid_data
from grassroots.cadres.forms_tolerance import (
    REFUSE,
    TOLERATE,
    AnswerForm,
    ApplyForm,
    ChecklistForm,
    CompleteMeasureForm,
    DecisionForm,
    FilterForm,
    MeasureForm,
    WithdrawForm,
)
from grassroots.cadres.models import CorrectiveMeasure, Objection, ToleranceCase
from grassroots.cadres.permissions import APPLY_TOLERANCE, MANAGE, VIEW_TOLERANCE
from grassroots.cadres.queries_tolerance import (
    awaiting_answers,
    cases_visible_to,
    metric_label,
    overdue_measures,
    own_cadre,
    visible_case,
    with_counts,
)
from grassroots.cadres.states import (
    Applicant,
    MeasureState,
    ObjectionState,
    ToleranceState,
)
from grassroots.common.http import user_of
from grassroots.common.masking import mask_phone
from grassroots.org.models import User
from grassroots.org.permissions import can

PAGE_SIZE = 30
BOX_SIZE = 10
TAB = "tolerance"


def _may_list(user: User) -> bool:
    return can(user, VIEW_TOLERANCE) or can(user, APPLY_TOLERANCE) or own_cadre(user) is not None


def _may_apply(user: User) -> bool:
    return can(user, APPLY_TOLERANCE) or own_cadre(user) is not None


# --- the list --------------------------------------------------------------------------------


def _filtered(cases: QuerySet[ToleranceCase], form: FilterForm) -> QuerySet[ToleranceCase]:
    data = valid_data(form)  # what parsed; the rest is shown with its error
    if state := data.get("state"):
        cases = cases.filter(state=state)
    if unit := data.get("unit"):
        cases = cases.filter(unit__code=unit)
    if month := data.get("month"):
        cases = cases.filter(affected_month=month)
    if text := (data.get("q") or "").strip():
        cases = cases.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(cadre__name__icontains=text)
        )
    return cases


@login_required
@require_safe
def tolerance_list(request: HttpRequest) -> HttpResponse:
    """The cases the viewer may read, newest first, with filters; beside them the
    measures overdue and the cases waiting for the answer to an objection."""
    user = user_of(request)
    if not _may_list(user):
        raise PermissionDenied
    visible = cases_visible_to(user)
    units = list(visible.order_by("unit__path").values_list("unit__code", "unit__name").distinct())
    form = FilterForm(
        request.GET or None, units=[(code, f"{name} ({code})") for code, name in units]
    )
    cases = with_counts(_filtered(visible, form)).order_by("-applied_at", "-pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    now = timezone.now()
    overdue = overdue_measures(user, timezone.localdate())
    waiting = awaiting_answers(user, now)
    return render(
        request,
        "cadres/tolerance_list.html",
        section(
            user,
            TAB,
            page=page,
            form=form,
            querystring=urlencode(keep),
            overdue=list(overdue[:BOX_SIZE]),
            overdue_count=overdue.count(),
            waiting=list(waiting[:BOX_SIZE]),
            may_apply=_may_apply(user),
            now=now,
        ),
    )


# --- the application -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tolerance_new(request: HttpRequest) -> HttpResponse:
    """The application form; on success, the new case's page."""
    user = user_of(request)
    if not _may_apply(user):
        raise PermissionDenied
    today = timezone.localdate()
    if request.method != "POST":
        form = ApplyForm(user=user, today=today)
        return _new_page(request, user, form)
    form = ApplyForm(request.POST, user=user, today=today)
    if not form.is_valid():
        return _new_page(request, user, form, status=400)
    d = form.cleaned_data
    try:
        case = actions.apply_tolerance(
            actor=user,
            unit=d["unit"],
            cadre=d["cadre"],
            title=d["title"],
            facts=d["facts"],
            occurred_on=d["occurred_on"],
            affected_month=d["affected_month"],
            metric=d.get("metric") or "",
            items=d["items"],
        )
    except CadresError as exc:
        apply_error(form, exc)
        return _new_page(request, user, form, status=400)
    messages.success(request, _("Application %(number)s was filed.") % {"number": case.number})
    return HttpResponseRedirect(reverse("cadres:tolerance_case", args=[case.pk]))


def _new_page(request: HttpRequest, user: User, form: ApplyForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "cadres/tolerance_new.html",
        section(user, TAB, form=form, conditions=cl.CONDITIONS),
        status=status,
    )


# --- a case ----------------------------------------------------------------------------------


def _is_applicant(user: User, case: ToleranceCase) -> bool:
    if case.applied_by_id == user.pk:
        return True
    return (
        case.applicant == Applicant.SELF
        and case.cadre is not None
        and case.cadre.user_id is not None
        and case.cadre.user_id == user.pk
    )


def _may_correct(user: User, case: ToleranceCase) -> bool:
    return can(user, MANAGE, case) or can(user, APPLY_TOLERANCE, case)


#: ``perform(case, user, form)``: the one action of a verb, from its valid form.
Perform = Callable[[ToleranceCase, User, Any], object]


@dataclass(frozen=True)
class Verb:
    """One form on a case's page."""

    name: str
    label: str | Promise
    form_class: type[forms.Form]
    perform: Perform
    #: Whether the viewer may use this form on the case at all (403 otherwise).
    allowed: Callable[[ToleranceCase, User], bool]
    #: Whether the case's state offers it now (the action checks again).
    open_in: tuple[str, ...]


def _verify(case: ToleranceCase, user: User, form: ChecklistForm) -> object:
    return actions.verify_tolerance(case.pk, actor=user, entries=form.entries())


def _decide(case: ToleranceCase, user: User, form: DecisionForm) -> object:
    d = form.cleaned_data
    return actions.decide_tolerance(
        case.pk,
        actor=user,
        tolerate=d["outcome"] == TOLERATE,
        reason=d["reason"],
        meeting_on=d["meeting_on"],
        members=d["members"],
        present=d["present"],
        votes_for=d["votes_for"],
        votes_against=d["votes_against"],
        abstentions=d["abstentions"],
    )


def _answer(case: ToleranceCase, user: User, form: AnswerForm) -> object:
    d = form.cleaned_data
    if not Objection.objects.filter(pk=d["objection"], case=case).exists():
        raise Http404
    return actions.answer_objection(
        d["objection"], actor=user, uphold=d["outcome"] == AnswerForm.UPHOLD, answer=d["answer"]
    )


def _complete(case: ToleranceCase, user: User, form: CompleteMeasureForm) -> object:
    d = form.cleaned_data
    if not CorrectiveMeasure.objects.filter(pk=d["measure"], case=case).exists():
        raise Http404
    return actions.complete_measure(d["measure"], actor=user, done_on=d["done_on"], note=d["note"])


def _manages(case: ToleranceCase, user: User) -> bool:
    return can(user, MANAGE, case)


TL = ToleranceState
VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb(
            "verify",
            gettext_lazy("Record the verification"),
            ChecklistForm,
            _verify,
            _manages,
            (TL.APPLIED,),
        ),
        Verb(
            "decide",
            gettext_lazy("Record the decision"),
            DecisionForm,
            _decide,
            _manages,
            (TL.APPLIED,),
        ),
        Verb(
            "withdraw",
            gettext_lazy("Withdraw the application"),
            WithdrawForm,
            lambda c, u, f: actions.withdraw_tolerance(
                c.pk, actor=u, reason=f.cleaned_data["reason"]
            ),
            lambda c, u: _is_applicant(u, c),
            (TL.APPLIED,),
        ),
        Verb(
            "answer",
            gettext_lazy("Answer the objection"),
            AnswerForm,
            _answer,
            _manages,
            (TL.PUBLICITY, TL.REFUSED),
        ),
        Verb(
            "measure",
            gettext_lazy("Add a corrective measure"),
            MeasureForm,
            lambda c, u, f: actions.add_measure(
                c.pk,
                actor=u,
                description=f.cleaned_data["description"],
                responsible=f.cleaned_data["responsible"],
                due_on=f.cleaned_data["due_on"],
            ),
            lambda c, u: _may_correct(u, c),
            (TL.PUBLICITY, TL.EFFECTIVE),
        ),
        Verb(
            "complete",
            gettext_lazy("Mark the measure done"),
            CompleteMeasureForm,
            _complete,
            lambda c, u: _may_correct(u, c),
            (TL.PUBLICITY, TL.EFFECTIVE),
        ),
    )
}


def _offered(verb: str, case: ToleranceCase, user: User) -> bool:
    v = VERBS[verb]
    return case.state in v.open_in and v.allowed(case, user)


@dataclass(frozen=True)
class ShownObjection:
    pk: int
    name: str
    phone: str  # masked
    text: str
    filed_at: dt.datetime
    state: str
    state_label: str
    answer: str
    answered_at: dt.datetime | None
    answered_by: str
    form: AnswerForm | None


def _case_context(
    request: HttpRequest,
    user: User,
    case: ToleranceCase,
    *,
    failed: tuple[str, forms.Form] | None = None,
    problem: str = "",
) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate()
    failed_name, failed_form = failed if failed else ("", None)

    def form_for(name: str, factory: Callable[[], forms.Form]) -> forms.Form | None:
        if not _offered(name, case, user):
            return None
        if failed_name == name and failed_form is not None:
            return failed_form
        return factory()

    objections = list(
        Objection.objects.filter(case=case).select_related("answered_by").order_by("filed_at", "pk")
    )
    shown_objections = []
    for o in objections:
        answer_form: AnswerForm | None = None
        if o.state == ObjectionState.OPEN and _offered("answer", case, user):
            bound = failed_form if failed_name == "answer" else None
            if isinstance(bound, AnswerForm) and str(bound.data.get("objection")) == str(o.pk):
                answer_form = bound
            else:
                answer_form = AnswerForm(initial={"objection": o.pk}, prefix=None)
        shown_objections.append(
            ShownObjection(
                pk=o.pk,
                name=o.name,
                phone=mask_phone(o.phone) if o.phone else "",
                text=o.text,
                filed_at=o.filed_at,
                state=o.state,
                state_label=o.get_state_display(),
                answer=o.answer,
                answered_at=o.answered_at,
                answered_by=o.answered_by.display_name if o.answered_by else "",
                form=answer_form,
            )
        )
    measures = list(case.measures.order_by("due_on", "pk"))
    complete_forms: dict[int, forms.Form] = {}
    if _offered("complete", case, user):
        for m in measures:
            if m.state != MeasureState.OPEN:
                continue
            bound = failed_form if failed_name == "complete" else None
            if isinstance(bound, CompleteMeasureForm) and str(bound.data.get("measure")) == str(
                m.pk
            ):
                complete_forms[m.pk] = bound
            else:
                complete_forms[m.pk] = CompleteMeasureForm(
                    initial={"measure": m.pk, "done_on": today}
                )
    rows = [
        {
            "measure": m,
            "overdue": m.state == MeasureState.OPEN and m.due_on < today,
            "form": complete_forms.get(m.pk),
        }
        for m in measures
    ]
    open_objections = sum(1 for o in objections if o.state == ObjectionState.OPEN)
    notice_over = case.notice_ends is not None and case.notice_ends <= now
    return section(
        user,
        TAB,
        case=case,
        findings=cl.findings(case.checklist),
        verdict=cl.verdict(case.checklist).value,
        objections=shown_objections,
        open_objections=open_objections,
        measures=rows,
        notice_over=notice_over,
        awaiting_answer=case.state == ToleranceState.PUBLICITY and notice_over and open_objections,
        metric_label=metric_label(case.metric),
        waiver_reason=f"{case.number} {case.title}",
        checklist_form=form_for(
            "verify", lambda: ChecklistForm(initial=ChecklistForm.initial_from(case.checklist))
        ),
        decision_form=form_for("decide", lambda: DecisionForm(initial={"meeting_on": today})),
        withdraw_form=form_for("withdraw", WithdrawForm),
        measure_form=form_for("measure", MeasureForm),
        may_see_public=case.state == ToleranceState.PUBLICITY and not notice_over,
        problem=problem,
        open_verb=failed_name,
        outcomes={"tolerate": TOLERATE, "refuse": REFUSE},
    )


def _case_page(
    request: HttpRequest, user: User, case: ToleranceCase, status: int = 200, **kw: Any
) -> HttpResponse:
    return render(
        request,
        "cadres/tolerance_case.html",
        _case_context(request, user, case, **kw),
        status=status,
    )


@login_required
@require_safe
def tolerance_case(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _case_page(request, user, visible_case(user, pk))


@login_required
@require_POST
def tolerance_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Parse one verb's form and call its action; see the module docstring for answers."""
    user = user_of(request)
    case = visible_case(user, pk)
    chosen = VERBS.get(verb)
    if chosen is None:
        raise Http404
    if not chosen.allowed(case, user):
        raise PermissionDenied
    form = chosen.form_class(request.POST)
    if not form.is_valid():
        return _case_page(request, user, case, 400, failed=(verb, form))
    try:
        chosen.perform(case, user, form)
    except (IllegalTransition, CadresConflict) as exc:
        return _case_page(request, user, visible_case(user, pk), 409, problem=str(exc.message))
    except CadresError as exc:
        apply_error(form, exc)
        return _case_page(request, user, case, 400, failed=(verb, form))
    messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
    return HttpResponseRedirect(reverse("cadres:tolerance_case", args=[pk]))
