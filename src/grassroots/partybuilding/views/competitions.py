"""The culture competitions pages (文化竞演): the list, a new competition, one
competition (rounds, entries, judges with their submission, the anti-averaging
diagnostics), its edit, rounds, entries and judges pages, and its moves.

Who: the list and a competition need ``partybuilding.view`` over the organiser or a judge
row (a competition outside both is a 404); the organising pages and moves need
``partybuilding.organise`` over the organiser (403).
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import can, require
from grassroots.partybuilding.actions import competitions as actions
from grassroots.partybuilding.errors import IllegalTransition, PartybuildingConflict
from grassroots.partybuilding.forms_competitions import (
    UNDER_WAY,
    CompetitionFilterForm,
    CompetitionForm,
    EntryForm,
    JudgeForm,
    RoundForm,
)
from grassroots.partybuilding.models import Competition, CompetitionJudge, Entry, Round
from grassroots.partybuilding.permissions import ORGANISE, VIEW
from grassroots.partybuilding.queries_competitions import (
    competition_for,
    competition_view,
    competitions_for,
    organisers_for,
    rounds_of,
    villages_under,
    years_of,
)
from grassroots.partybuilding.scoring_competitions import PRIZE_LABELS
from grassroots.partybuilding.states import CompetitionStatus

PAGE_SIZE: Final = 30
STYLES: Final = ("grassroots/partybuilding-competitions.css",)

M = TypeVar("M", bound=Model)


def refused(exc: DomainError) -> int:
    return 409 if isinstance(exc, IllegalTransition | PartybuildingConflict) else 400


def apply_error(form: Any, exc: DomainError) -> None:
    name = exc.field or ""
    if name in form.fields:
        form.add_error(name, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def _querystring(request: HttpRequest) -> str:
    from urllib.parse import urlencode

    return urlencode(
        [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    )


@login_required
@require_GET
def competition_list(request: HttpRequest) -> HttpResponse:
    """The competitions the viewer sees or judges, filtered by year, status and title."""
    user = user_of(request)
    base = competitions_for(user)
    if not can(user, VIEW) and not base.exists():
        raise PermissionDenied
    form = CompetitionFilterForm(request.GET or None, years=years_of(user))
    rows = base
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("year"):
            rows = rows.filter(year=data["year"])
        if data.get("status") == UNDER_WAY:
            rows = rows.exclude(status=CompetitionStatus.PUBLISHED)
        elif data.get("status"):
            rows = rows.filter(status=data["status"])
        if data.get("q"):
            rows = rows.filter(
                Q(title__icontains=data["q"]) | Q(organiser__name__icontains=data["q"])
            )
    page = Paginator(rows.order_by("-year", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partybuilding/competition_list.html",
        {
            "form": form,
            "page": page,
            "querystring": _querystring(request),
            "may_organise": can(user, ORGANISE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, ORGANISE)
    organisers = list(organisers_for(user))
    form = CompetitionForm(request.POST or None, organisers=organisers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            organiser = next(u for u in organisers if u.code == form.cleaned_data["organiser"])
            try:
                competition = actions.create_competition(organiser, form.cleaned_data, actor=user)
            except DomainError as exc:
                apply_error(form, exc)
                status = refused(exc)
            else:
                messages.success(request, _("Competition created: now add its rounds."))
                return HttpResponseRedirect(
                    reverse("partybuilding:competition_rounds", args=[competition.pk])
                )
    return render(
        request,
        "partybuilding/competition_form.html",
        {"form": form, "competition": None, "styles": STYLES},
        status=status,
    )


def organised(request: HttpRequest, pk: int) -> tuple[User, Competition]:
    """The competition if the viewer sees it (404) and organises it (403)."""
    user = user_of(request)
    competition = competition_for(user, pk)
    require(user, ORGANISE, competition)
    return user, competition


@login_required
@require_GET
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    competition = competition_for(user, pk)
    view = competition_view(user, competition)
    judge = CompetitionJudge.objects.filter(competition=competition, user_id=user.pk).first()
    return render(
        request,
        "partybuilding/competition_detail.html",
        {
            "v": view,
            "c": competition,
            "judge": judge,
            "prizes": PRIZE_LABELS,
            "statuses": CompetitionStatus,
            "styles": STYLES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, competition = organised(request, pk)
    initial = {
        f: getattr(competition, f)
        for f in (
            "title",
            "year",
            "description",
            "max_score",
            "first_prizes",
            "second_prizes",
            "third_prizes",
        )
    }
    form = CompetitionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.edit_competition(competition.pk, form.cleaned_data, actor=user)
            except DomainError as exc:
                apply_error(form, exc)
                status = refused(exc)
            else:
                messages.success(request, _("Competition saved."))
                return HttpResponseRedirect(
                    reverse("partybuilding:competition_detail", args=[competition.pk])
                )
    return render(
        request,
        "partybuilding/competition_form.html",
        {"form": form, "competition": competition, "styles": STYLES},
        status=status,
    )


def _id(value: object) -> int:
    text = str(value or "")
    if not text.isdecimal() or len(text) > 12:
        raise Http404(_("No such record."))
    return int(text)


def _one(rows: QuerySet[M], raw: object, missing: str) -> M:
    """The row ``raw`` (an id from the request) among ``rows``; 404 with ``missing``."""
    row = rows.filter(pk=_id(raw)).first()
    if row is None:
        raise Http404(missing)
    return row


@login_required
@require_http_methods(["GET", "POST"])
def competition_rounds(request: HttpRequest, pk: int) -> HttpResponse:
    """Add, correct (``round_id``) or remove (``remove``) the rounds."""
    user, competition = organised(request, pk)
    editing: Round | None = None
    raw_edit = request.POST.get("round_id") or request.GET.get("edit")
    if raw_edit:
        editing = _one(Round.objects.filter(competition=competition), raw_edit, _("No such round."))
    initial = (
        {"name": editing.name, "order": editing.order, "held_on": editing.held_on}
        if editing
        else {"order": competition.rounds.count() + 1}
    )
    form = RoundForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("remove"):
                target = _one(
                    Round.objects.filter(competition=competition),
                    request.POST["remove"],
                    _("No such round."),
                )
                actions.remove_round(target.pk, actor=user)
                messages.success(request, _("Round removed."))
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                if editing is not None:
                    actions.edit_round(editing.pk, form.cleaned_data, actor=user)
                else:
                    actions.add_round(competition.pk, form.cleaned_data, actor=user)
                messages.success(request, _("Round saved."))
                return HttpResponseRedirect(request.path)
        except DomainError as exc:
            apply_error(form, exc)
            status = refused(exc)
    return render(
        request,
        "partybuilding/competition_rounds.html",
        {
            "c": competition,
            "rounds": rounds_of(competition),
            "form": form,
            "editing": editing,
            "styles": STYLES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_entries(request: HttpRequest, pk: int) -> HttpResponse:
    """Add, correct (``entry_id``) or remove (``remove``) the villages' entries."""
    user, competition = organised(request, pk)
    rounds = rounds_of(competition)
    villages = list(villages_under(competition))
    editing: Entry | None = None
    raw_edit = request.POST.get("entry_id") or request.GET.get("edit")
    if raw_edit:
        editing = _one(
            Entry.objects.filter(round__competition=competition).select_related("unit"),
            raw_edit,
            _("No such entry."),
        )
    initial: dict[str, Any] = {}
    if editing is not None:
        initial = {
            "round": editing.round_id,
            "unit": editing.unit.code,
            "title": editing.title,
            "category": editing.category,
            "performers": editing.performers,
        }
    elif request.GET.get("round", "").isdecimal():
        initial = {"round": request.GET["round"]}
    form = EntryForm(request.POST or None, initial=initial, rounds=rounds, villages=villages)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("remove"):
                target = _one(
                    Entry.objects.filter(round__competition=competition),
                    request.POST["remove"],
                    _("No such entry."),
                )
                actions.remove_entry(target.pk, actor=user)
                messages.success(request, _("Entry removed."))
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                data = dict(form.cleaned_data)
                data["unit"] = next(v for v in villages if v.code == data["unit"])
                if editing is not None:
                    actions.edit_entry(editing.pk, data, actor=user)
                else:
                    actions.add_entry(competition.pk, data["round"], data, actor=user)
                messages.success(request, _("Entry saved."))
                return HttpResponseRedirect(request.path)
        except DomainError as exc:
            apply_error(form, exc)
            status = refused(exc)
    return render(
        request,
        "partybuilding/competition_entries.html",
        {
            "c": competition,
            "rounds": rounds,
            "form": form,
            "editing": editing,
            "styles": STYLES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_judges(request: HttpRequest, pk: int) -> HttpResponse:
    """Name (``username``) or remove (``remove``) the judges."""
    user, competition = organised(request, pk)
    form = JudgeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("remove"):
                target = _one(
                    CompetitionJudge.objects.filter(competition=competition),
                    request.POST["remove"],
                    _("No such judge."),
                )
                actions.remove_judge(target.pk, actor=user)
                messages.success(request, _("Judge removed."))
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                judge = actions.name_judge(
                    competition.pk, form.cleaned_data["username"], actor=user
                )
                messages.success(
                    request, _("%(name)s named a judge.") % {"name": judge.user.display_name}
                )
                return HttpResponseRedirect(request.path)
        except DomainError as exc:
            apply_error(form, exc)
            status = refused(exc)
    return render(
        request,
        "partybuilding/competition_judges.html",
        {
            "c": competition,
            "judges": competition.judges.select_related("user").order_by("pk"),
            "form": form,
            "styles": STYLES,
        },
        status=status,
    )


#: The moves of the competition page: the button's value → the target status.
MOVES: Final = {
    "open": CompetitionStatus.JUDGING,
    "back": CompetitionStatus.DRAFT,
    "close": CompetitionStatus.CLOSED,
    "reopen": CompetitionStatus.JUDGING,
    "publish": CompetitionStatus.PUBLISHED,
}
DONE: Final = {
    "open": gettext_lazy("Judging is open; the judges were told in their inbox."),
    "back": gettext_lazy("The competition is back in preparation."),
    "close": gettext_lazy("Scoring closed; the results are computed."),
    "reopen": gettext_lazy("Judging is open again; the results were cleared."),
    "publish": gettext_lazy("The results are published on the portal."),
}


@login_required
@require_POST
def competition_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user, competition = organised(request, pk)
    move = request.POST.get("move", "")
    target = MOVES.get(move)
    if target is None:
        return _detail_refused(request, user, competition, _("Unknown move."), 400)
    try:
        actions.transition(competition.pk, target, actor=user)
    except DomainError as exc:
        return _detail_refused(request, user, competition, str(exc.message), refused(exc))
    messages.success(request, str(DONE[move]))
    return HttpResponseRedirect(reverse("partybuilding:competition_detail", args=[competition.pk]))


def _detail_refused(
    request: HttpRequest, user: User, competition: Competition, problem: str, status: int
) -> HttpResponse:
    competition.refresh_from_db()
    return render(
        request,
        "partybuilding/competition_detail.html",
        {
            "v": competition_view(user, competition),
            "c": competition,
            "judge": None,
            "prizes": PRIZE_LABELS,
            "statuses": CompetitionStatus,
            "problem": problem,
            "styles": STYLES,
        },
        status=status,
    )
