"""A judge's pages: the competitions they judge, and their score sheet of one (made for
a phone: one entry a card, a numeric keypad, the score beside the programme).

Who: a judge named on the competition (anyone else: 404, the sheet does not exist for
them). The sheet saves (``save``), submits (``submit``) and, for a flagged sheet, takes
the written justification (``justify``) while the competition is in judging.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.partybuilding import scoring_competitions as scoring
from grassroots.partybuilding.actions import competitions as actions
from grassroots.partybuilding.forms_competitions import JustificationForm
from grassroots.partybuilding.models import Competition, CompetitionJudge
from grassroots.partybuilding.queries_competitions import judged_by, sheet_rows
from grassroots.partybuilding.states import CompetitionStatus
from grassroots.partybuilding.views.competitions import STYLES, refused

MAX_FIELDS = 2000
#: The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


@login_required
@require_GET
def judging(request: HttpRequest) -> HttpResponse:
    """The competitions the user judges (in judging or later)."""
    user = user_of(request)
    return render(
        request,
        "partybuilding/judge_list.html",
        {"judges": list(judged_by(user)), "styles": STYLES},
    )


def _judge(request: HttpRequest, pk: int) -> tuple[Competition, CompetitionJudge]:
    user = user_of(request)
    if pk > MAX_ID:  # past any id column: the database would refuse the number itself
        raise Http404(_("No such score sheet."))
    judge = (
        CompetitionJudge.objects.filter(competition_id=pk, user_id=user.pk)
        .select_related("competition", "competition__organiser")
        .first()
    )
    if judge is None or judge.competition.status == CompetitionStatus.DRAFT:
        raise Http404(_("No such score sheet."))
    return judge.competition, judge


def _scores(request: HttpRequest) -> tuple[dict[int, object], dict[int, object]]:
    scores: dict[int, object] = {}
    comments: dict[int, object] = {}
    for key, value in list(request.POST.items())[:MAX_FIELDS]:
        for prefix, into in (("score_", scores), ("comment_", comments)):
            if key.startswith(prefix):
                raw = key[len(prefix) :]
                if not raw.isdecimal() or len(raw) > 12:
                    raise Http404(_("No such entry."))
                into[int(raw)] = value
    return scores, comments


@login_required
@require_http_methods(["GET", "POST"])
def judge_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    competition, judge = _judge(request, pk)
    user = user_of(request)
    status = 200
    problem = ""
    field = ""
    posted: dict[int, object] = {}
    form = JustificationForm(initial={"justification": judge.justification})
    if request.method == "POST":
        what = request.POST.get("do", "save")
        try:
            if what == "justify":
                form = JustificationForm(request.POST)
                if not form.is_valid():
                    status = 400
                else:
                    actions.justify_sheet(
                        competition.pk, form.cleaned_data["justification"], actor=user
                    )
                    messages.success(request, _("Your justification is saved."))
                    return HttpResponseRedirect(request.path)
            else:
                scores, comments = _scores(request)
                posted = scores
                with transaction.atomic():
                    actions.save_scores(competition.pk, scores, actor=user, comments=comments)
                    raised = (
                        actions.submit_sheet(
                            competition.pk,
                            actor=user,
                            justification=request.POST.get("justification", ""),
                        )
                        if what == "submit"
                        else ()
                    )
                if what == "submit":
                    if raised:
                        messages.warning(
                            request,
                            _(
                                "Your sheet is submitted, but the anti-averaging check "
                                "flagged it: %(flags)s. Write your justification below."
                            )
                            % {"flags": scoring.flag_text(raised)},
                        )
                    else:
                        messages.success(request, _("Your sheet is submitted."))
                else:
                    messages.success(request, _("Your scores are saved."))
                return HttpResponseRedirect(request.path)
        except DomainError as exc:
            status = refused(exc)
            problem = str(exc.message)
            field = exc.field or ""
            if field == "justification":
                form = JustificationForm(request.POST)
                form.add_error("justification", problem)
        judge.refresh_from_db()
    rows = sheet_rows(competition, judge)
    for _round, items in rows:
        for row in items:
            if row.entry.pk in posted:
                row.value = str(posted[row.entry.pk])[:8]
            elif row.score is not None:
                row.value = scoring.plain(row.score)
    flags: tuple[str, ...] = ()
    if judge.submitted_at is not None:
        flags = scoring.judge_flags(
            actions.sheets_by_round(competition), competition.max_score
        ).get(judge.pk, ())
    context: dict[str, Any] = {
        "c": competition,
        "judge": judge,
        "rows": rows,
        "problem": problem,
        "problem_field": field,
        "flags": [scoring.FLAG_LABELS.get(f, f) for f in flags],
        "form": form,
        "editable": competition.status == CompetitionStatus.JUDGING and judge.submitted_at is None,
        "judging": competition.status == CompetitionStatus.JUDGING,
        "styles": STYLES,
        "detail_url": reverse("partybuilding:competition_detail", args=[competition.pk]),
    }
    return render(request, "partybuilding/judge_sheet.html", context, status=status)
