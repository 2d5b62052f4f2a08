"""Selection for a vacancy (选任): open it, rank the pool's reserves by readiness, record
the committee's decision against the ranking (民主集中制), or cancel it.

Every action checks ``cadres.manage`` over the vacancy's unit (the organisation
department), locks what it changes, and writes one audit entry. Locks are always taken
in the same order — the vacancy, then the reserve entry, then the cadre, then the key
post — so two decisions never wait on each other in a circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres import scoring
from grassroots.cadres.actions._base import checked_vote, lock, move, set_vote
from grassroots.cadres.errors import CadresConflict, CadresError
from grassroots.cadres.models import (
    Cadre,
    Candidate,
    KeyPost,
    PostRecord,
    ReserveEntry,
    Vacancy,
)
from grassroots.cadres.permissions import MANAGE
from grassroots.cadres.queries_selection import pool_for, profiles_for, rules_for
from grassroots.cadres.states import (
    RESERVE_TRANSITIONS,
    VACANCY_TRANSITIONS,
    Level,
    ReserveStatus,
    VacancyState,
)
from grassroots.org.models import Unit
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import User

TITLE_MAX = 100
REASON_MAX = 2000
VACANCY_TABLE = cast("Mapping[str, frozenset[str]]", VACANCY_TRANSITIONS)
RESERVE_TABLE = cast("Mapping[str, frozenset[str]]", RESERVE_TRANSITIONS)


def _text(value: object, field: str, *, required: bool, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise CadresError(_("This is required."), field=field)
    if len(text) > limit:
        raise CadresError(
            _("At most %(n)d characters, please.") % {"n": limit},
            field=field,
        )
    return text


def _vacancy_state(vacancy: Vacancy) -> dict[str, Any]:
    return {
        "state": vacancy.state,
        "chosen": vacancy.chosen_id,
        "ranked_at": vacancy.ranked_at,
    }


# --- open --------------------------------------------------------------------------------


@transaction.atomic
def open_vacancy(
    *,
    actor: User,
    unit: Unit,
    title: str = "",
    level: str = "",
    key_post: KeyPost | None = None,
) -> Vacancy:
    """Open a vacancy of ``unit`` (in the actor's ``cadres.manage`` scope), optionally for
    one of its key posts (title and level then default to the key post's, and must
    agree with it); one open vacancy per key post."""
    require(actor, MANAGE, unit)
    if key_post is not None:
        key_post = lock(KeyPost, key_post.pk)
        if key_post.unit_id != unit.pk:
            raise CadresError(_("Choose a key post of this unit."), field="key_post")
        if Vacancy.objects.filter(key_post=key_post, state=VacancyState.OPEN).exists():
            raise CadresError(_("This key post already has an open vacancy."), field="key_post")
        title = title if isinstance(title, str) and title.strip() else key_post.title
        level = level or key_post.level
        if level != key_post.level:
            raise CadresError(
                _("The key post is of level “%(level)s”.")
                % {"level": key_post.get_level_display()},
                field="level",
            )
    title = _text(title, "title", required=True, limit=TITLE_MAX)
    if level not in Level.values:
        raise CadresError(_("Choose a level."), field="level")
    vacancy = Vacancy.objects.create(
        unit=unit,
        key_post=key_post,
        title=title,
        level=level,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    record(
        "cadres.vacancy.opened",
        vacancy,
        actor=actor,
        after={"unit": unit.code, "title": title, "level": level, "key_post": key_post},
    )
    return vacancy


# --- rank --------------------------------------------------------------------------------


@transaction.atomic
def rank_vacancy(vacancy_id: int, *, actor: User) -> Vacancy:
    """Rank the reserves for an open vacancy (``queries_selection.pool_for``: in the pool,
    nominated for the vacancy's level, anywhere the actor manages) by readiness, under
    the policy of the vacancy's unit. The ranking replaces the previous one; the weights
    used are copied onto the vacancy (the policy may change afterwards)."""
    vacancy = lock(Vacancy, vacancy_id, "unit")
    require(actor, MANAGE, vacancy)
    if vacancy.state != VacancyState.OPEN:
        raise CadresConflict(_("Only an open vacancy can be ranked."), field="state")
    today = timezone.localdate()
    rules = rules_for(vacancy, today)
    entries = list(pool_for(vacancy, actor))
    ranked = scoring.rank([scoring.readiness(p, rules) for p in profiles_for(entries, today)])
    reason_max = Candidate._meta.get_field("ineligible_reason").max_length or 200
    before = _vacancy_state(vacancy)
    Candidate.objects.filter(vacancy=vacancy).delete()
    Candidate.objects.bulk_create(
        Candidate(
            vacancy=vacancy,
            entry_id=r.readiness.key,
            eligible=r.readiness.eligible,
            ineligible_reason=r.readiness.reason_code()[:reason_max],
            score=r.readiness.total,
            breakdown=r.readiness.breakdown(),
            rank=r.rank,
        )
        for r in ranked
    )
    vacancy.weights = dict(rules.weights)
    vacancy.ranked_at = timezone.now()
    vacancy.save(update_fields=["weights", "ranked_at"])
    record(
        "cadres.vacancy.ranked",
        vacancy,
        actor=actor,
        before=before,
        after={
            **_vacancy_state(vacancy),
            "candidates": len(ranked),
            "eligible": sum(1 for r in ranked if r.rank is not None),
            "weights": vacancy.weights,
            "max_age": rules.max_age,
            "min_grassroots_years": rules.min_grassroots_years,
        },
    )
    return vacancy


# --- decide ------------------------------------------------------------------------------


@transaction.atomic
def decide_vacancy(
    vacancy_id: int,
    *,
    actor: User,
    chosen: int | None,
    members: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    meeting_on: dt.date | None,
    skip_reason: str = "",
) -> Vacancy:
    """Record the committee's decision (民主集中制) and appoint the chosen reserve.

    Refused, with nothing written, when: the vacancy is not open (409); it was never
    ranked; the vote does not add up, has no quorum (two thirds of the members present)
    or is not carried (more than half of *all* members for) — ``rules.check_vote``; the
    chosen reserve is not an eligible candidate of this ranking, or is not in the pool
    any more (an appointment comes from the pool); an eligible candidate ranked higher,
    still in the pool, is passed over without a written reason.

    Then, in one transaction: the reserve entry leaves the pool as appointed, the cadre's
    open post is closed and the new one opened (linked to the vacancy), the cadre's unit,
    post and level follow, the key post (if any) gets its holder — and a key post they
    held before is freed — and the vacancy is filled with the vote recorded."""
    vacancy = lock(Vacancy, vacancy_id, "unit")
    require(actor, MANAGE, vacancy)
    before = _vacancy_state(vacancy)
    move(vacancy, "state", VacancyState.FILLED, VACANCY_TABLE)
    if vacancy.ranked_at is None:
        raise CadresError(_("Rank the candidates before recording a decision."), field="chosen")
    today = timezone.localdate()
    if not isinstance(meeting_on, dt.date):
        raise CadresError(_("Enter the date of the meeting."), field="meeting_on")
    if meeting_on > today:
        raise CadresError(_("The meeting cannot be in the future."), field="meeting_on")
    vote = checked_vote(
        members=members,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    candidate = (
        Candidate.objects.filter(vacancy=vacancy, entry_id=chosen).first()
        if isinstance(chosen, int)
        else None
    )
    if candidate is None:
        raise CadresError(_("Choose one of the ranked candidates."), field="chosen")
    if not candidate.eligible:
        raise CadresError(
            _("This candidate is not eligible: %(why)s.")
            % {"why": "; ".join(scoring.describe_reasons(candidate.ineligible_reason))},
            field="chosen",
        )
    entry = lock(ReserveEntry, candidate.entry_id)
    if entry.status != ReserveStatus.IN_POOL:
        raise CadresError(
            _(
                "This candidate is no longer in the reserve pool (%(status)s): only a "
                "reserve in the pool can be appointed."
            )
            % {"status": entry.get_status_display()},
            field="chosen",
        )
    higher = Candidate.objects.filter(
        vacancy=vacancy,
        eligible=True,
        rank__lt=candidate.rank,
        entry__status=ReserveStatus.IN_POOL,
    ).exists()
    reason = _text(skip_reason, "skip_reason", required=False, limit=REASON_MAX)
    if higher and not reason:
        raise CadresError(
            _(
                "A higher-ranked candidate is passed over: write the reason for the "
                "committee's choice."
            ),
            field="skip_reason",
        )
    cadre = lock(Cadre, entry.cadre_id, "unit")
    key_post = lock(KeyPost, vacancy.key_post_id) if vacancy.key_post_id else None

    # -- the appointment --
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        exit_reason = _("Appointed to %(unit)s %(post)s (vacancy no. %(id)d).") % {
            "unit": vacancy.unit.name,
            "post": vacancy.title,
            "id": vacancy.pk,
        }
    move(entry, "status", ReserveStatus.APPOINTED, RESERVE_TABLE)
    entry.exited_on = today
    entry.exit_reason = exit_reason
    entry.save(update_fields=["status", "exited_on", "exit_reason"])

    old = {"unit": cadre.unit.code, "post": cadre.post, "level": cadre.level}
    PostRecord.objects.filter(cadre=cadre, ended_on__isnull=True).update(ended_on=today)
    PostRecord.objects.create(
        cadre=cadre,
        unit=vacancy.unit,
        post=vacancy.title,
        level=vacancy.level,
        started_on=today,
        vacancy=vacancy,
    )
    cadre.unit = vacancy.unit
    cadre.post = vacancy.title
    cadre.level = vacancy.level
    cadre.save(update_fields=["unit", "post", "level", "updated_at"])

    freed = list(
        KeyPost.objects.filter(holder=cadre)
        .exclude(pk=vacancy.key_post_id or 0)
        .values_list("pk", flat=True)
    )
    if freed:
        KeyPost.objects.filter(pk__in=freed).update(holder=None)
    if key_post is not None:
        key_post.holder = cadre
        key_post.save(update_fields=["holder"])

    vacancy.chosen = entry
    vacancy.skip_reason = reason if higher else ""
    voted = set_vote(vacancy, vote, meeting_on=meeting_on, actor=actor, now=now)
    vacancy.save(update_fields=["state", "chosen", "skip_reason", *voted])
    record(
        "cadres.vacancy.decided",
        vacancy,
        actor=actor,
        before={**before, "cadre": old},
        after={
            **_vacancy_state(vacancy),
            "cadre": {"id": cadre.pk, "unit": vacancy.unit.code, "post": cadre.post},
            "rank": candidate.rank,
            "score": candidate.score,
            "vote": {
                "members": vote.members,
                "present": vote.present,
                "for": vote.votes_for,
                "against": vote.votes_against,
                "abstentions": vote.abstentions,
                "meeting_on": meeting_on,
            },
            "key_post": key_post,
            "freed_key_posts": freed,
            "skip_reason": vacancy.skip_reason,
        },
    )
    return vacancy


# --- cancel ------------------------------------------------------------------------------


@transaction.atomic
def cancel_vacancy(vacancy_id: int, *, actor: User, reason: str) -> Vacancy:
    """Withdraw an open vacancy, with the reason (kept, with its ranking)."""
    vacancy = lock(Vacancy, vacancy_id, "unit")
    require(actor, MANAGE, vacancy)
    before = _vacancy_state(vacancy)
    move(vacancy, "state", VacancyState.CANCELLED, VACANCY_TABLE)
    vacancy.cancel_reason = _text(reason, "reason", required=True, limit=REASON_MAX)
    vacancy.save(update_fields=["state", "cancel_reason"])
    record(
        "cadres.vacancy.cancelled",
        vacancy,
        actor=actor,
        before=before,
        after=_vacancy_state(vacancy),
        note=vacancy.cancel_reason,
    )
    return vacancy
