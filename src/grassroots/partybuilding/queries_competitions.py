"""Named reads of the culture competitions: the list, one competition with its rounds,
entries, judges and anti-averaging diagnostics, a judge's sheet, and the published
results the portal shows.

Who sees a competition: ``partybuilding.view`` over its organiser, or a judge named on
it (who sees the entries and their own sheet, not the other judges' scores).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from grassroots.assessment.diagnostics import RaterDiagnostics
from grassroots.org.models import VILLAGE_LEVEL, Unit, User
from grassroots.org.permissions import can
from grassroots.org.queries import subtree_q
from grassroots.partybuilding import scoring_competitions as scoring
from grassroots.partybuilding.models import (
    Competition,
    CompetitionJudge,
    Entry,
    JudgeScore,
    Round,
)
from grassroots.partybuilding.permissions import ORGANISE, VIEW
from grassroots.partybuilding.states import CompetitionStatus


def competitions_for(user: User) -> QuerySet[Competition]:
    """The competitions ``user`` may see (as a viewer of the organiser, or as a judge),
    with their counts of rounds, entries and judges."""
    seen = Competition.objects.visible_to(user).values("pk")
    judged = CompetitionJudge.objects.filter(user_id=user.pk).values("competition_id")
    rows: QuerySet[Competition] = (
        Competition.objects.filter(Q(pk__in=seen) | Q(pk__in=judged))
        .select_related("organiser")
        .annotate(
            n_rounds=Count("rounds", distinct=True),
            n_entries=Count("rounds__entries", distinct=True),
            n_judges=Count("judges", distinct=True),
        )
    )
    return rows


def competition_for(user: User, pk: object) -> Competition:
    """One competition ``user`` may see, else 404."""
    text = str(pk)
    if not text.isdecimal() or len(text) > 12:
        raise Http404(_("No such competition."))
    competition = competitions_for(user).filter(pk=int(text)).first()
    if competition is None:
        raise Http404(_("No such competition."))
    return competition


def judge_of(user: User, competition: Competition) -> CompetitionJudge | None:
    return CompetitionJudge.objects.filter(competition=competition, user_id=user.pk).first()


def years_of(user: User) -> list[int]:
    return sorted(set(competitions_for(user).values_list("year", flat=True)), reverse=True)


def villages_under(competition: Competition) -> QuerySet[Unit]:
    """The active villages and communities under the organiser (entry choices)."""
    return (
        Unit.objects.filter(subtree_q("path", competition.organiser_path))
        .filter(kind__in=VILLAGE_LEVEL, active=True)
        .order_by("path")
    )


def organisers_for(user: User) -> QuerySet[Unit]:
    """The units ``user`` may organise a competition for."""
    from grassroots.org.queries import grant_paths, scope_q
    from grassroots.partybuilding.actions.competitions import ORGANISER_KINDS

    paths = grant_paths(user, ORGANISE)
    return (
        Unit.objects.filter(scope_q(("path",), paths), kind__in=ORGANISER_KINDS, active=True)
        .order_by("path")
        .only("pk", "name", "code", "path", "kind")
    )


@dataclass
class JudgeRow:
    """A judge on the competition page: submission, flags and justification."""

    judge: CompetitionJudge
    scored: int
    flags: tuple[str, ...]

    @property
    def flag_text(self) -> str:
        return scoring.flag_text(self.flags)

    @property
    def needs_justification(self) -> bool:
        return bool(self.flags) and not self.judge.justification.strip()


@dataclass
class RoundView:
    """A round on the competition page: its entries (by rank once results exist), the
    judges' diagnostics and the spread of the results."""

    round: Round
    entries: list[Entry]
    diagnostics: list[tuple[CompetitionJudge, RaterDiagnostics, list[str]]] = field(
        default_factory=list
    )
    spread: scoring.Spread | None = None


@dataclass
class CompetitionView:
    competition: Competition
    rounds: list[RoundView]
    judges: list[JudgeRow]
    entries: int
    scores: int
    may_organise: bool
    may_view: bool

    @property
    def all_submitted(self) -> bool:
        return bool(self.judges) and all(j.judge.submitted_at for j in self.judges)


def _entries_qs() -> QuerySet[Entry]:
    return Entry.objects.select_related("unit").order_by("rank", "unit__path", "pk")


def rounds_of(competition: Competition) -> list[Round]:
    return list(
        competition.rounds.order_by("order", "pk").prefetch_related(
            Prefetch("entries", queryset=_entries_qs())
        )
    )


def competition_view(user: User, competition: Competition) -> CompetitionView:
    """Everything the competition page shows; the diagnostics and the judges' state only
    to a viewer of the organiser."""
    may_view = can(user, VIEW, competition)
    rounds = rounds_of(competition)
    judges = list(competition.judges.select_related("user").order_by("pk"))
    sheets: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(dict)
    scored: dict[int, int] = defaultdict(int)
    n_scores = 0
    if may_view:
        for judge_id, entry_id, round_id, score in JudgeScore.objects.filter(
            judge__competition=competition
        ).values_list("judge_id", "entry_id", "entry__round_id", "score"):
            sheets[round_id].setdefault(judge_id, {})[entry_id] = score
            scored[judge_id] += 1
            n_scores += 1
    by_pk = {j.pk: j for j in judges}
    flags = scoring.judge_flags([sheets.get(r.pk, {}) for r in rounds], competition.max_score)
    views = []
    for r in rounds:
        entries = list(r.entries.all())
        view = RoundView(r, entries)
        round_sheets = sheets.get(r.pk, {})
        if may_view and len(entries) >= 2 and round_sheets:
            diag = scoring.round_diagnostics(round_sheets, competition.max_score)
            view.diagnostics = [
                (by_pk[j], d, [str(scoring.FLAG_LABELS.get(f, f)) for f in d.flags])
                for j, d in diag.items()
                if j in by_pk
            ]
        finals = [e.final_score for e in entries if e.final_score is not None]
        if may_view and finals:
            view.spread = scoring.spread(finals)
        views.append(view)
    return CompetitionView(
        competition=competition,
        rounds=views,
        judges=[JudgeRow(j, scored[j.pk], flags.get(j.pk, ())) for j in judges] if may_view else [],
        entries=sum(len(v.entries) for v in views),
        scores=n_scores,
        may_organise=can(user, ORGANISE, competition),
        may_view=may_view,
    )


@dataclass
class SheetRow:
    entry: Entry
    score: Decimal | None
    comment: str
    value: str = ""


def sheet_rows(
    competition: Competition, judge: CompetitionJudge
) -> list[tuple[Round, list[SheetRow]]]:
    """A judge's sheet: each round with its entries and the judge's scores."""
    mine = {s.entry_id: s for s in JudgeScore.objects.filter(judge=judge)}
    out = []
    for r in competition.rounds.order_by("order", "pk").prefetch_related(
        Prefetch(
            "entries", queryset=Entry.objects.select_related("unit").order_by("unit__path", "pk")
        )
    ):
        rows = []
        for e in r.entries.all():
            s = mine.get(e.pk)
            rows.append(SheetRow(e, s.score if s else None, s.comment if s else ""))
        out.append((r, rows))
    return out


def judged_by(user: User) -> QuerySet[CompetitionJudge]:
    """The user's judge rows on competitions in judging or later, newest first."""
    return (
        CompetitionJudge.objects.filter(user_id=user.pk)
        .exclude(competition__status=CompetitionStatus.DRAFT)
        .select_related("competition", "competition__organiser")
        .order_by("-competition__year", "-competition_id")
    )


def all_scores(competition: Competition) -> list[Any]:
    """Every score of the competition with its judge, entry, round and village (export)."""
    return list(
        JudgeScore.objects.filter(judge__competition=competition)
        .select_related("judge__user", "entry__unit", "entry__round")
        .order_by(
            "entry__round__order", "entry__round_id", "entry__unit__path", "entry_id", "judge_id"
        )
    )


# --- the portal ------------------------------------------------------------------------


def published() -> QuerySet[Competition]:
    """The published competitions, newest first."""
    return (
        Competition.objects.filter(status=CompetitionStatus.PUBLISHED)
        .select_related("organiser")
        .order_by("-published_at", "-pk")
    )
