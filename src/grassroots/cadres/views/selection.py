"""Selection pages (选任): the vacancies, a new vacancy, and a vacancy's page with its
ranking (each candidate's score broken down point by point), the buttons that bring the
key moments up to date and rank, the committee's decision and, once decided, the record
of the decision against the ranking.

Who: the organisation department manages (``cadres.manage``); a township leader sees the
vacancies of their township read-only (``cadres.view_file``), with the breakdown and the
eligibility reasons of the candidates whose files they may see; anyone else gets a 404.
Thin: each page finds its vacancy through the scoped read, calls one action and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.cadres import permissions as p
from grassroots.cadres.actions.key_moments import sync_key_moments
from grassroots.cadres.actions.selection import (
    cancel_vacancy,
    decide_vacancy,
    open_vacancy,
    rank_vacancy,
)
from grassroots.cadres.context import section
from grassroots.cadres.errors import CadresError
from grassroots.cadres.forms import apply_error
from grassroots.cadres.forms_selection import (
    CancelForm,
    DecideForm,
    VacancyFilterForm,
    VacancyForm,
)
from grassroots.cadres.models import Cadre, Candidate, KeyPost, Vacancy
from grassroots.cadres.queries import UNIT_LIMIT, units_for
from grassroots.cadres.queries_selection import (
    passed_over,
    pool_for,
    ranking_of,
    vacancies_visible_to,
    vacancy_for,
)
from grassroots.cadres.scoring import FACTOR_LABELS, FACTORS, describe_reasons, describe_value
from grassroots.cadres.states import VacancyState
from grassroots.cadres.views.files import querystring
from grassroots.common.http import user_of
from grassroots.org.models import User, is_within
from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths

PAGE_SIZE = 30
RANKING_PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> User:
    """The logged-in user, who must see cadre files somewhere (else 404)."""
    user = user_of(request)
    if not can(user, p.VIEW_FILE):
        raise Http404
    return user


# --- the list ----------------------------------------------------------------------------


@login_required
@require_safe
def vacancy_list(request: HttpRequest) -> HttpResponse:
    """The vacancies in the viewer's scope, newest first, by state and text."""
    user = _viewer(request)
    form = VacancyFilterForm(request.GET or None)
    rows = vacancies_visible_to(user).select_related("chosen__cadre")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
        text = form.cleaned_data["q"].strip()
        if text:
            rows = rows.filter(Q(title__icontains=text) | Q(unit__name__icontains=text))
    page = Paginator(rows.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cadres/vacancy_list.html",
        section(
            user,
            "selection",
            form=form,
            page=page,
            querystring=querystring(request),
            may_manage=can(user, p.MANAGE),
        ),
    )


# --- a new vacancy -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_new(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    if not can(user, p.MANAGE):
        raise PermissionDenied
    units = units_for(user, p.MANAGE)
    key_posts = list(KeyPost.objects.visible_to(user, p.MANAGE).select_related("unit")[:UNIT_LIMIT])
    form = VacancyForm(request.POST or None, units=units, key_posts=key_posts)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                vacancy = open_vacancy(
                    actor=user,
                    unit=data["unit"],
                    key_post=data["key_post"],
                    title=data["title"],
                    level=data["level"],
                )
            except CadresError as exc:
                apply_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The vacancy is open: rank the candidates next."))
                return HttpResponseRedirect(reverse("cadres:vacancy", args=[vacancy.pk]))
    return render(
        request, "cadres/vacancy_new.html", section(user, "selection", form=form), status=status
    )


# --- a vacancy's page --------------------------------------------------------------------


def _breakdown(candidate: Candidate) -> list[dict[str, Any]]:
    rows = []
    for line in candidate.breakdown or []:
        factor = line.get("factor", "")
        rows.append(
            {
                "label": FACTOR_LABELS.get(factor, factor),
                "value": describe_value(factor, line.get("value")),
                "normalised": line.get("normalised"),
                "weight": line.get("weight"),
                "points": line.get("points"),
            }
        )
    return rows


def _rows(user: User, candidates: list[Candidate]) -> list[dict[str, Any]]:
    """The ranking as shown: the breakdown and the reasons only for candidates whose
    files the viewer may see."""
    paths = grant_paths(user, p.VIEW_FILE)
    rows = []
    for c in candidates:
        cadre = c.entry.cadre
        open_file = any(is_within(cadre.unit.path, root) for root in paths)
        rows.append(
            {
                "candidate": c,
                "cadre": cadre,
                "open_file": open_file,
                "breakdown": _breakdown(c) if open_file else [],
                "reasons": describe_reasons(c.ineligible_reason) if open_file else [],
            }
        )
    return rows


def _page(
    request: HttpRequest,
    vacancy: Vacancy,
    *,
    decide_form: DecideForm | None = None,
    cancel_form: CancelForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    may_manage = can(user, p.MANAGE, vacancy)
    is_open = vacancy.state == VacancyState.OPEN
    ranking = list(ranking_of(vacancy))
    page = Paginator(ranking, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    if may_manage and is_open and vacancy.ranked_at is not None and decide_form is None:
        decide_form = DecideForm(candidates=ranking)
    if may_manage and is_open and cancel_form is None:
        cancel_form = CancelForm()
    chosen = next((c for c in ranking if c.entry_id == vacancy.chosen_id), None)
    weights = [
        {"label": FACTOR_LABELS[f], "points": vacancy.weights.get(f)}
        for f in FACTORS
        if f in (vacancy.weights or {})
    ]
    return render(
        request,
        "cadres/vacancy_detail.html",
        section(
            user,
            "selection",
            vacancy=vacancy,
            page=page,
            rows=_rows(user, list(page.object_list)),
            eligible_count=sum(1 for c in ranking if c.eligible),
            count=len(ranking),
            weights=weights,
            may_manage=may_manage and is_open,
            decide_form=decide_form if may_manage and is_open else None,
            cancel_form=cancel_form if may_manage and is_open else None,
            chosen=chosen,
            passed_over=passed_over(vacancy) if vacancy.chosen_id else [],
            error=error,
        ),
        status=status,
    )


@login_required
@require_safe
def vacancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    return _page(request, vacancy_for(user, pk))


def _managed(request: HttpRequest, pk: int) -> tuple[User, Vacancy]:
    """A vacancy the viewer may see (else 404) and manage (else 403)."""
    user = _viewer(request)
    vacancy = vacancy_for(user, pk)
    if not can(user, p.MANAGE, vacancy):
        raise PermissionDenied
    return user, vacancy


def _refused(
    request: HttpRequest,
    vacancy: Vacancy,
    exc: CadresError,
    *,
    decide_form: DecideForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    """The page again after the action refused a form: the error on the form's field, and
    above the page too when the vacancy's forms are gone (it was decided or cancelled
    meanwhile)."""
    vacancy.refresh_from_db()
    for form in (decide_form, cancel_form):
        if form is not None:
            apply_error(form, exc)
    return _page(
        request,
        vacancy,
        decide_form=decide_form,
        cancel_form=cancel_form,
        error=str(exc.message) if vacancy.state != VacancyState.OPEN else "",
        status=exc.http_status,
    )


def _back(vacancy: Vacancy) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cadres:vacancy", args=[vacancy.pk]))


@login_required
@require_POST
def vacancy_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring the key moments of the reserves this vacancy considers up to date."""
    user, vacancy = _managed(request, pk)
    if vacancy.state != VacancyState.OPEN:
        return _page(request, vacancy, error=_("Only an open vacancy can be ranked."), status=409)
    ids = list(
        Cadre.objects.visible_to(user, p.MANAGE)
        .filter(pk__in=pool_for(vacancy, user).values("cadre_id"))
        .values_list("pk", flat=True)
    )
    result = sync_key_moments(ids, actor=user)
    messages.success(
        request,
        _(
            "Key moments brought up to date for %(cadres)d cadres: %(created)d new, "
            "%(updated)d changed, %(removed)d removed."
        )
        % result.as_dict(),
    )
    return _back(vacancy)


@login_required
@require_POST
def vacancy_rank(request: HttpRequest, pk: int) -> HttpResponse:
    user, vacancy = _managed(request, pk)
    try:
        vacancy = rank_vacancy(vacancy.pk, actor=user)
    except CadresError as exc:
        vacancy.refresh_from_db()
        return _page(request, vacancy, error=str(exc.message), status=exc.http_status)
    messages.success(request, _("The candidates are ranked."))
    return _back(vacancy)


@login_required
@require_POST
def vacancy_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user, vacancy = _managed(request, pk)
    form = DecideForm(request.POST, candidates=list(ranking_of(vacancy)))
    if not form.is_valid():
        if vacancy.state != VacancyState.OPEN:
            return _page(
                request,
                vacancy,
                error=_("This vacancy has already been decided or cancelled."),
                status=409,
            )
        return _page(request, vacancy, decide_form=form, status=400)
    data = form.cleaned_data
    try:
        decide_vacancy(
            vacancy.pk,
            actor=user,
            chosen=data["chosen"],
            members=data["members"],
            present=data["present"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            abstentions=data["abstentions"],
            meeting_on=data["meeting_on"],
            skip_reason=data["skip_reason"],
        )
    except CadresError as exc:
        return _refused(request, vacancy, exc, decide_form=form)
    messages.success(request, _("The committee's decision is recorded and the appointment made."))
    return _back(vacancy)


@login_required
@require_POST
def vacancy_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user, vacancy = _managed(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _page(request, vacancy, cancel_form=form, status=400)
    try:
        cancel_vacancy(vacancy.pk, actor=user, reason=form.cleaned_data["reason"])
    except CadresError as exc:
        return _refused(request, vacancy, exc, cancel_form=form)
    messages.success(request, _("The vacancy is cancelled."))
    return _back(vacancy)
