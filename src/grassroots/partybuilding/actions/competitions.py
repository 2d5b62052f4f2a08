"""Culture competitions (文化竞演): prepare (rounds, the villages' entries, the judges),
judge, close and publish.

Who: organising needs ``partybuilding.organise`` over the competition's organiser
(PermissionDenied otherwise); scoring needs the actor to be a judge named on the
competition (PermissionDenied otherwise), and the competition to be in judging.

Rules (``PartybuildingError`` on the field at fault, nothing written; a wrong state is
``IllegalTransition``, 409):
- the competition, its rounds, entries and judges change only while it is being prepared;
- an entry comes from a village or community under the organiser;
- judging opens with one round at least, every round with two entries at least, and three
  judges at least;
- a score is from 0 to the competition's highest score with at most two decimals; a sheet
  is submitted once every entry is scored, and then no longer changes;
- scoring closes once every judge has submitted and every flagged judge (anti-averaging,
  ``scoring_competitions``) has written a justification; the results (final score, rank,
  prize) are computed then, by merit;
- publishing puts the results on the portal for good.

Every write of a competition holds the lock of its row; each is audited
(``partybuilding.competition.*``, placed at the organiser).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.inbox.actions import Message, deliver
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind, User
from grassroots.org.permissions import require
from grassroots.org.queries import subtree_q
from grassroots.partybuilding import scoring_competitions as scoring
from grassroots.partybuilding.actions._base import lock, move
from grassroots.partybuilding.errors import (
    IllegalTransition,
    PartybuildingConflict,
    PartybuildingError,
)
from grassroots.partybuilding.models import (
    Competition,
    CompetitionJudge,
    Entry,
    JudgeScore,
    Round,
)
from grassroots.partybuilding.permissions import ORGANISE
from grassroots.partybuilding.states import COMPETITION_TRANSITIONS, CompetitionStatus

#: Units that may organise a competition: the city and above, a township or a street.
ORGANISER_KINDS: Final = frozenset(
    {UnitKind.PROVINCE, UnitKind.PREFECTURE, UnitKind.COUNTY, *TOWNSHIP_LEVEL}
)
MIN_JUDGES: Final = 3
MIN_ENTRIES: Final = 2
TITLE_MAX: Final = 200
TEXT_MAX: Final = 4000
PRIZES_MAX: Final = 99
MAX_SCORE_LIMIT: Final = Decimal("1000")
FIRST_YEAR: Final = 2000
_TWO_DECIMALS: Final = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


# --- parsing ---------------------------------------------------------------------------


def text_of(value: object, field: str, max_length: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise PartybuildingError(_("The text holds a character that is not allowed."), field=field)
    if len(text) > max_length:
        raise PartybuildingError(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    if required and not text:
        raise PartybuildingError(_("This field is required."), field=field)
    return text


def whole_of(value: object, field: str, low: int, high: int) -> int:
    text = "" if value is None else str(value).strip()
    if not text.isdecimal() or len(text) > 6 or not low <= int(text) <= high:
        raise PartybuildingError(
            _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            field=field,
        )
    return int(text)


def score_of(value: object, high: Decimal) -> Decimal | None:
    """A score as typed (None when empty), or ValueError when it is not from 0 to ``high``
    with at most two decimals."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not _TWO_DECIMALS.match(text):
        raise ValueError(text)
    try:
        score = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(text) from exc
    if not Decimal(0) <= score <= high:
        raise ValueError(text)
    return score


def _max_score(value: object) -> Decimal:
    text = "" if value is None else str(value).strip()
    if not _TWO_DECIMALS.match(text) or not Decimal(0) < Decimal(text) <= MAX_SCORE_LIMIT:
        raise PartybuildingError(
            _("The highest score is a number above 0 and at most 1000, with two decimals at most."),
            field="max_score",
        )
    return Decimal(text)


# --- helpers ---------------------------------------------------------------------------


def _organised(competition_id: int, actor: User) -> Competition:
    competition = lock(Competition, competition_id, "organiser")
    require(actor, ORGANISE, competition)
    return competition


def _preparing(competition: Competition) -> None:
    if competition.status != CompetitionStatus.DRAFT:
        raise IllegalTransition(
            competition.get_status_display(), str(CompetitionStatus.DRAFT.label), field="status"
        )


def _audit(verb: str, competition: Competition, actor: User, obj: Any = None, **kw: Any) -> None:
    record(
        f"partybuilding.competition.{verb}",
        obj if obj is not None else competition,
        actor=actor,
        unit=competition.organiser,
        **kw,
    )


def _state(c: Competition) -> dict[str, Any]:
    return {
        "title": c.title,
        "year": c.year,
        "max_score": c.max_score,
        "first_prizes": c.first_prizes,
        "second_prizes": c.second_prizes,
        "third_prizes": c.third_prizes,
        "status": c.status,
        "description": c.description[:200],
    }


def _fields(data: Mapping[str, object]) -> dict[str, Any]:
    year_now = timezone.localdate().year
    return {
        "title": text_of(data.get("title"), "title", TITLE_MAX, required=True),
        "year": whole_of(data.get("year"), "year", FIRST_YEAR, year_now + 1),
        "description": text_of(data.get("description"), "description", TEXT_MAX),
        "max_score": _max_score(data.get("max_score", "100")),
        "first_prizes": whole_of(data.get("first_prizes", 1), "first_prizes", 0, PRIZES_MAX),
        "second_prizes": whole_of(data.get("second_prizes", 2), "second_prizes", 0, PRIZES_MAX),
        "third_prizes": whole_of(data.get("third_prizes", 3), "third_prizes", 0, PRIZES_MAX),
    }


# --- the competition -------------------------------------------------------------------


@transaction.atomic
def create_competition(organiser: Unit, data: Mapping[str, object], *, actor: User) -> Competition:
    """A new competition in preparation, organised by ``organiser`` (the city, a township
    or a street the actor organises for). Audit ``partybuilding.competition.created``."""
    if organiser.kind not in ORGANISER_KINDS:
        raise PartybuildingError(
            _("A competition is organised by the city, a township or a street, not by %(unit)s.")
            % {"unit": organiser.name},
            field="organiser",
        )
    values = _fields(data)
    competition = Competition(
        organiser=organiser, organiser_path=organiser.path, created_by=actor, **values
    )
    require(actor, ORGANISE, competition)
    competition.save()
    _audit("created", competition, actor, after=_state(competition))
    return competition


@transaction.atomic
def edit_competition(
    competition_id: int, data: Mapping[str, object], *, actor: User
) -> Competition:
    """Change a competition in preparation. Audit ``partybuilding.competition.updated``."""
    competition = _organised(competition_id, actor)
    _preparing(competition)
    values = _fields(data)
    before = _state(competition)
    for name, value in values.items():
        setattr(competition, name, value)
    competition.save()
    if _state(competition) != before:
        _audit("updated", competition, actor, before=before, after=_state(competition))
    return competition


# --- rounds ----------------------------------------------------------------------------


def _round_fields(data: Mapping[str, object]) -> dict[str, Any]:
    held = data.get("held_on")
    return {
        "name": text_of(data.get("name"), "name", 100, required=True),
        "order": whole_of(data.get("order", 1), "order", 1, 99),
        "held_on": held or None,
    }


@transaction.atomic
def add_round(competition_id: int, data: Mapping[str, object], *, actor: User) -> Round:
    """A new round. Audit ``partybuilding.competition.round_added``."""
    competition = _organised(competition_id, actor)
    _preparing(competition)
    the_round = Round.objects.create(competition=competition, **_round_fields(data))
    _audit("round_added", competition, actor, after={"round": the_round.name})
    return the_round


@transaction.atomic
def edit_round(round_id: int, data: Mapping[str, object], *, actor: User) -> Round:
    """Rename or re-order a round. Audit ``partybuilding.competition.round_updated``."""
    the_round = Round.objects.filter(pk=round_id).select_related("competition").first()
    if the_round is None:
        raise PartybuildingError(_("No such round."), field="round")
    competition = _organised(the_round.competition_id, actor)
    _preparing(competition)
    before = {"round": the_round.name, "order": the_round.order}
    for name, value in _round_fields(data).items():
        setattr(the_round, name, value)
    the_round.save()
    _audit(
        "round_updated",
        competition,
        actor,
        before=before,
        after={"round": the_round.name, "order": the_round.order},
    )
    return the_round


@transaction.atomic
def remove_round(round_id: int, *, actor: User) -> None:
    """Remove a round and its entries. Audit ``partybuilding.competition.round_removed``."""
    the_round = Round.objects.filter(pk=round_id).first()
    if the_round is None:
        raise PartybuildingError(_("No such round."), field="round")
    competition = _organised(the_round.competition_id, actor)
    _preparing(competition)
    _audit(
        "round_removed",
        competition,
        actor,
        before={"round": the_round.name, "entries": the_round.entries.count()},
    )
    the_round.delete()


# --- entries ---------------------------------------------------------------------------


def village_under(competition: Competition, unit: object) -> Unit:
    """``unit`` if it is an active village or community under the organiser."""
    if not isinstance(unit, Unit):
        raise PartybuildingError(_("Choose a village."), field="unit")
    if (
        unit.kind not in VILLAGE_LEVEL
        or not unit.active
        or not Unit.objects.filter(
            subtree_q("path", competition.organiser_path), pk=unit.pk
        ).exists()
    ):
        raise PartybuildingError(
            _("%(unit)s is not a village under %(organiser)s.")
            % {"unit": unit.name, "organiser": competition.organiser.name},
            field="unit",
        )
    return unit


def _entry_fields(competition: Competition, data: Mapping[str, object]) -> dict[str, Any]:
    return {
        "unit": village_under(competition, data.get("unit")),
        "title": text_of(data.get("title"), "title", 200, required=True),
        "category": text_of(data.get("category"), "category", 64),
        "performers": text_of(data.get("performers"), "performers", 500),
    }


def _entry_round(competition: Competition, round_id: object) -> Round:
    text = str(round_id.pk if isinstance(round_id, Round) else round_id or "")
    if not text.isdecimal() or len(text) > 12:
        raise PartybuildingError(_("Choose a round of this competition."), field="round")
    the_round = Round.objects.filter(competition=competition, pk=int(text)).first()
    if the_round is None:
        raise PartybuildingError(_("Choose a round of this competition."), field="round")
    return the_round


def _save_entry(entry: Entry) -> None:
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise PartybuildingConflict(
            _("%(unit)s already has the programme “%(title)s” in this round.")
            % {"unit": entry.unit.name, "title": entry.title},
            field="title",
        ) from exc


@transaction.atomic
def add_entry(
    competition_id: int, round_id: object, data: Mapping[str, object], *, actor: User
) -> Entry:
    """A village's programme in a round. Audit ``partybuilding.competition.entry_added``."""
    competition = _organised(competition_id, actor)
    _preparing(competition)
    the_round = _entry_round(competition, round_id)
    entry = Entry(round=the_round, **_entry_fields(competition, data))
    _save_entry(entry)
    _audit(
        "entry_added",
        competition,
        actor,
        after={"round": the_round.name, "unit": entry.unit.code, "title": entry.title},
    )
    return entry


@transaction.atomic
def edit_entry(entry_id: int, data: Mapping[str, object], *, actor: User) -> Entry:
    """Correct an entry. Audit ``partybuilding.competition.entry_updated``."""
    entry = Entry.objects.filter(pk=entry_id).select_related("round", "unit").first()
    if entry is None:
        raise PartybuildingError(_("No such entry."), field="entry")
    competition = _organised(entry.round.competition_id, actor)
    _preparing(competition)
    before = {"unit": entry.unit.code, "title": entry.title, "category": entry.category}
    values = _entry_fields(competition, data)
    if data.get("round"):
        entry.round = _entry_round(competition, data.get("round"))
    for name, value in values.items():
        setattr(entry, name, value)
    _save_entry(entry)
    _audit(
        "entry_updated",
        competition,
        actor,
        before=before,
        after={"unit": entry.unit.code, "title": entry.title, "category": entry.category},
    )
    return entry


@transaction.atomic
def remove_entry(entry_id: int, *, actor: User) -> None:
    """Remove an entry. Audit ``partybuilding.competition.entry_removed``."""
    entry = Entry.objects.filter(pk=entry_id).select_related("round", "unit").first()
    if entry is None:
        raise PartybuildingError(_("No such entry."), field="entry")
    competition = _organised(entry.round.competition_id, actor)
    _preparing(competition)
    _audit(
        "entry_removed",
        competition,
        actor,
        before={"round": entry.round.name, "unit": entry.unit.code, "title": entry.title},
    )
    entry.delete()


# --- judges ----------------------------------------------------------------------------


@transaction.atomic
def name_judge(competition_id: int, username: object, *, actor: User) -> CompetitionJudge:
    """Name the active user ``username`` a judge. Audit
    ``partybuilding.competition.judge_named``."""
    competition = _organised(competition_id, actor)
    _preparing(competition)
    name = text_of(username, "username", 150, required=True)
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise PartybuildingError(
            _("No active user has the user name “%(name)s”.") % {"name": name}, field="username"
        )
    if CompetitionJudge.objects.filter(competition=competition, user=user).exists():
        raise PartybuildingConflict(
            _("%(name)s is already a judge of this competition.") % {"name": user.display_name},
            field="username",
        )
    judge = CompetitionJudge.objects.create(competition=competition, user=user)
    _audit("judge_named", competition, actor, after={"judge": user.display_name})
    return judge


@transaction.atomic
def remove_judge(judge_id: int, *, actor: User) -> None:
    """Remove a judge (and any scores). Audit ``partybuilding.competition.judge_removed``."""
    judge = CompetitionJudge.objects.filter(pk=judge_id).select_related("user").first()
    if judge is None:
        raise PartybuildingError(_("No such judge."), field="judge")
    competition = _organised(judge.competition_id, actor)
    _preparing(competition)
    _audit("judge_removed", competition, actor, before={"judge": judge.user.display_name})
    judge.delete()


# --- the judges' sheets ----------------------------------------------------------------


def _judging(competition_id: int, actor: User) -> tuple[Competition, CompetitionJudge]:
    competition = lock(Competition, competition_id, "organiser")
    judge = (
        CompetitionJudge.objects.select_for_update()
        .filter(competition=competition, user=actor)
        .first()
    )
    if judge is None or not actor.is_active:
        raise PermissionDenied(_("You are not a judge of this competition."))
    if competition.status != CompetitionStatus.JUDGING:
        raise IllegalTransition(
            competition.get_status_display(), str(CompetitionStatus.JUDGING.label), field="status"
        )
    return competition, judge


def _entries(competition: Competition) -> list[Entry]:
    return list(
        Entry.objects.filter(round__competition=competition)
        .select_related("round", "unit")
        .order_by("round__order", "round_id", "pk")
    )


@transaction.atomic
def save_scores(
    competition_id: int,
    scores: Mapping[int, object],
    *,
    actor: User,
    comments: Mapping[int, object] | None = None,
) -> int:
    """Save the judge's scores (entry id → score; an empty score is removed). Every score
    is checked before any is written: one out of range is refused naming its entry.
    Returns how many scores changed. Audit ``partybuilding.competition.scored``."""
    competition, judge = _judging(competition_id, actor)
    if judge.submitted_at is not None:
        raise PartybuildingConflict(
            _("Your sheet is submitted; its scores no longer change."), field="scores"
        )
    entries = {e.pk: e for e in _entries(competition)}
    wanted: dict[int, tuple[Decimal | None, str]] = {}
    for key, raw in scores.items():
        entry = entries.get(key)
        if entry is None:
            raise PartybuildingError(_("No such entry in this competition."), field="scores")
        try:
            value = score_of(raw, competition.max_score)
        except ValueError:
            raise PartybuildingError(
                _(
                    "“%(title)s” of %(village)s: give a score from 0 to %(max)s, "
                    "with two decimals at most."
                )
                % {
                    "title": entry.title,
                    "village": entry.unit.name,
                    "max": scoring.plain(competition.max_score),
                },
                field=f"score_{key}",
            ) from None
        comment = text_of((comments or {}).get(key, ""), f"comment_{key}", 500)
        wanted[key] = (value, comment)
    current = {s.entry_id: s for s in JudgeScore.objects.filter(judge=judge)}
    changed = 0
    for key, (value, comment) in wanted.items():
        row = current.get(key)
        if value is None:
            if row is not None:
                row.delete()
                changed += 1
        elif row is None:
            JudgeScore.objects.create(judge=judge, entry_id=key, score=value, comment=comment)
            changed += 1
        elif (row.score, row.comment) != (value, comment):
            row.score, row.comment = value, comment
            row.save(update_fields=["score", "comment", "updated_at"])
            changed += 1
    if changed:
        _audit("scored", competition, actor, judge, after={"changed": changed})
    return changed


def sheets_by_round(competition: Competition) -> list[dict[int, dict[int, Decimal]]]:
    """Per round: judge id → entry id → score (every judge's saved scores)."""
    rounds: dict[int, dict[int, dict[int, Decimal]]] = {
        r: {} for r in competition.rounds.order_by("order", "pk").values_list("pk", flat=True)
    }
    for judge_id, entry_id, round_id, score in JudgeScore.objects.filter(
        judge__competition=competition
    ).values_list("judge_id", "entry_id", "entry__round_id", "score"):
        rounds.setdefault(round_id, {}).setdefault(judge_id, {})[entry_id] = score
    return list(rounds.values())


@transaction.atomic
def submit_sheet(
    competition_id: int, *, actor: User, justification: object = ""
) -> tuple[str, ...]:
    """Submit the judge's sheet once every entry is scored; returns its flags (checked
    against every sheet saved so far). Audit ``partybuilding.competition.sheet_submitted``."""
    competition, judge = _judging(competition_id, actor)
    if judge.submitted_at is not None:
        raise PartybuildingConflict(_("Your sheet is already submitted."), field="scores")
    missing = [
        e
        for e in _entries(competition)
        if not JudgeScore.objects.filter(judge=judge, entry=e).exists()
    ]
    if missing:
        raise PartybuildingError(
            _("Score every entry before submitting: %(entries)s has no score yet.")
            % {"entries": "、".join(f"{e.unit.name}《{e.title}》" for e in missing[:5])},
            field="scores",
        )
    text = text_of(justification, "justification", TEXT_MAX)
    judge.submitted_at = timezone.now()
    if text:
        judge.justification = text
    judge.save(update_fields=["submitted_at", "justification"])
    flags = scoring.judge_flags(sheets_by_round(competition), competition.max_score).get(
        judge.pk, ()
    )
    _audit("sheet_submitted", competition, actor, judge, after={"flags": list(flags)})
    return flags


@transaction.atomic
def justify_sheet(competition_id: int, justification: object, *, actor: User) -> CompetitionJudge:
    """The judge's written justification of their scores (while judging). Audit
    ``partybuilding.competition.sheet_justified``."""
    competition, judge = _judging(competition_id, actor)
    text = text_of(justification, "justification", TEXT_MAX, required=True)
    judge.justification = text
    judge.save(update_fields=["justification"])
    _audit("sheet_justified", competition, actor, judge, note=text[:200])
    return judge


# --- the competition's moves -----------------------------------------------------------


def _open(competition: Competition) -> list[CompetitionJudge]:
    rounds = list(competition.rounds.order_by("order", "pk"))
    if not rounds:
        raise PartybuildingError(_("Add a round before judging opens."), field="rounds")
    for the_round in rounds:
        if the_round.entries.count() < MIN_ENTRIES:
            raise PartybuildingError(
                _("The round “%(round)s” needs two entries at least before judging opens.")
                % {"round": the_round.name},
                field="entries",
            )
    judges = list(competition.judges.select_related("user"))
    if len(judges) < MIN_JUDGES:
        raise PartybuildingError(
            _("Name three judges at least before judging opens (now %(n)d).") % {"n": len(judges)},
            field="judges",
        )
    return judges


def _close(competition: Competition) -> None:
    judges = list(competition.judges.select_related("user"))
    late = [j.user.display_name for j in judges if j.submitted_at is None]
    if late:
        raise PartybuildingError(
            _("Scoring cannot close: these judges have not submitted their sheets: %(names)s.")
            % {"names": "、".join(late)},
            field="judges",
        )
    flags = scoring.judge_flags(sheets_by_round(competition), competition.max_score)
    unjustified = [
        f"{j.user.display_name}({scoring.flag_text(flags[j.pk])})"
        for j in judges
        if j.pk in flags and not j.justification.strip()
    ]
    if unjustified:
        raise PartybuildingError(
            _(
                "Scoring cannot close: these judges' sheets were flagged by the "
                "anti-averaging check and carry no justification: %(names)s."
            )
            % {"names": "、".join(unjustified)},
            field="judges",
        )
    compute_results(competition)


def compute_results(competition: Competition) -> None:
    """Fill every entry's final score, rank and prize from the judges' scores (the
    competition is locked by the caller)."""
    scores: dict[int, dict[int, list[Decimal]]] = {}
    for entry_id, round_id, score in JudgeScore.objects.filter(
        entry__round__competition=competition
    ).values_list("entry_id", "entry__round_id", "score"):
        scores.setdefault(round_id, {}).setdefault(entry_id, []).append(score)
    entries = list(Entry.objects.filter(round__competition=competition))
    for entry in entries:
        scores.setdefault(entry.round_id, {}).setdefault(entry.pk, [])
    results: dict[int, scoring.Result] = {}
    for by_entry in scores.values():
        results.update(
            scoring.round_results(
                by_entry,
                competition.first_prizes,
                competition.second_prizes,
                competition.third_prizes,
            )
        )
    for entry in entries:
        result = results[entry.pk]
        entry.final_score, entry.rank, entry.prize = result.final_score, result.rank, result.prize
    Entry.objects.bulk_update(entries, ["final_score", "rank", "prize"])


def _clear_results(competition: Competition) -> None:
    Entry.objects.filter(round__competition=competition).update(
        final_score=None, rank=None, prize=""
    )


@transaction.atomic
def transition(competition_id: int, target: str, *, actor: User) -> Competition:
    """Move a competition: open judging (checks the rounds, entries and judges; tells each
    judge in their inbox), back to preparation (the sheets are reopened), close scoring
    (checks every sheet; computes the results), back to judging (the results are
    cleared), publish. Audit ``partybuilding.competition.<status>``."""
    competition = _organised(competition_id, actor)
    before = competition.status
    if target not in CompetitionStatus.values:
        raise PartybuildingError(_("Unknown status."), field="status")
    move(competition, "status", target, COMPETITION_TRANSITIONS)
    judges: list[CompetitionJudge] = []
    if target == CompetitionStatus.JUDGING and before == CompetitionStatus.DRAFT:
        judges = _open(competition)
    elif target == CompetitionStatus.DRAFT:
        CompetitionJudge.objects.filter(competition=competition).update(submitted_at=None)
    elif target == CompetitionStatus.CLOSED:
        _close(competition)
    elif target == CompetitionStatus.JUDGING:
        _clear_results(competition)
    elif target == CompetitionStatus.PUBLISHED:
        competition.published_at = timezone.now()
    competition.save(update_fields=["status", "published_at", "updated_at"])
    _audit(target, competition, actor, before={"status": before}, after={"status": target})
    if judges:
        _tell_judges(competition, judges)
    return competition


def _tell_judges(competition: Competition, judges: list[CompetitionJudge]) -> None:
    url = reverse("partybuilding:judge_sheet", args=[competition.pk])
    subject = _("You are a judge of “%(title)s”") % {"title": competition.title}
    body = _(
        "Judging is open. Score every entry from 0 to %(max)s on your sheet and submit it."
    ) % {"max": scoring.plain(competition.max_score)}
    deliver(
        Message(
            recipient_id=j.user_id,
            subject=subject,
            body=body,
            url=url,
            object_type="partybuilding.competition",
            object_id=str(competition.pk),
        )
        for j in judges
        if j.user.is_active
    )
