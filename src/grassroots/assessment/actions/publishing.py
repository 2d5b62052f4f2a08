"""Publish a run (季晒, 年评, or a month) as an immutable snapshot, and freeze it.

Publishing turns a computed run into a ``Publication``: the rankings, grades, lists with the
reason for each entry, rewards and training places as canonical JSON (keys sorted, UTF-8 as
is, no spaces: :func:`canonical_json`) and the SHA-256 of those bytes, which the public portal
shows and lets anyone check. Appeals are open for ``Scheme.appeal_workdays`` working days
after the day of publication (the day itself does not count, ``common.workdays``).

Freezing closes a published run for good. It is allowed once the appeal window has closed
*and* no appeal on the run waits for a decision: freezing earlier would take a unit's right to
appeal away, and freezing with an undecided appeal would leave the appeal nowhere to go.

A published or frozen run is never changed: a correction is always a new version (an accepted
appeal computes one), published in its turn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.assessment.diagnostics import (
    MinimumSpread,
    RuleFailure,
    outcome_diagnostics,
    publishable,
)
from grassroots.assessment.errors import AssessmentError, IllegalTransition
from grassroots.assessment.grading import Grade
from grassroots.assessment.models import (
    Appeal,
    AppealState,
    Indicator,
    Publication,
    Result,
    Run,
    Scheme,
)
from grassroots.assessment.permissions import MANAGE
from grassroots.assessment.states import RunState, can_move
from grassroots.common.workdays import add_workdays
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Version of the snapshot's layout (bumped if the layout ever changes).
SNAPSHOT_FORMAT = 1


def canonical_json(snapshot: Mapping[str, Any]) -> bytes:
    """The one byte form of a snapshot whose SHA-256 is published: keys sorted, non-ASCII
    characters as UTF-8, no spaces. Numbers that are not whole are strings in the snapshot,
    so the bytes are the same whichever database stored the JSON."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def snapshot_sha256(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of the snapshot."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def minimum_spread(scheme: Scheme) -> MinimumSpread:
    """The scheme's ``min_spread`` as the diagnostics check takes it."""
    raw = scheme.min_spread or {}

    def opt(key: str) -> Decimal | None:
        value = raw.get(key)
        if value in (None, ""):
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise AssessmentError(
                _("The scheme's minimum spread %(key)s is not a number.") % {"key": key},
                field="min_spread",
            )
        return number

    return MinimumSpread(
        min_score_cv=opt("min_score_cv"),
        min_reward_gini=opt("min_reward_gini"),
        min_excellent_to_average=opt("min_excellent_to_average"),
    )


def failure_message(failure: RuleFailure) -> str:
    """The failed spread rule, named for people."""
    actual = _("not defined") if failure.actual is None else str(failure.actual)
    values = {"actual": actual, "required": str(failure.required)}
    if failure.rule == "score_cv":
        return (
            _(
                "Rule “score spread”: the coefficient of variation of the totals is "
                "%(actual)s, below the scheme's minimum of %(required)s."
            )
            % values
        )
    if failure.rule == "reward_gini":
        return (
            _(
                "Rule “reward spread”: the Gini coefficient of the rewards is %(actual)s, "
                "below the scheme's minimum of %(required)s."
            )
            % values
        )
    return (
        _(
            "Rule “Excellent against Average”: the median reward of Excellent units is "
            "%(actual)s times that of Average units, below the scheme's minimum of "
            "%(required)s."
        )
        % values
    )


def _vetoes_named(codes: list[str], names: Mapping[str, str]) -> list[str]:
    """Veto codes as the public reads them: ``overdue-veto`` → its indicator's name; an
    annual run's ``2026-03:overdue-veto`` → ``2026-03 <name>``."""
    named = []
    for code in codes:
        period, _sep, rest = code.rpartition(":")
        name = names.get(rest, rest)
        named.append(f"{period} {name}" if period else name)
    return named


def build_snapshot(run: Run) -> dict[str, Any]:
    """The snapshot of a run: scheme, period, version, fingerprint, every result and the
    red and black lists with the reason for each entry. Plain JSON (strings for decimals)."""
    scheme = run.scheme
    names = dict(Indicator.objects.filter(scheme=scheme).values_list("code", "name"))
    rows = list(
        Result.objects.filter(run=run)
        .select_related("unit")
        .order_by("peer_group", "rank", "unit__code")
    )
    results: list[dict[str, Any]] = []
    lists: dict[str, list[dict[str, Any]]] = {"red": [], "black": []}
    for r in rows:
        vetoes = _vetoes_named(list((r.explanation or {}).get("vetoes", [])), names)
        results.append(
            {
                "unit": r.unit.code,
                "name": r.unit.name,
                "peer_group": r.peer_group,
                "rank": r.rank,
                "group_size": r.group_size,
                "total": str(r.total),
                "grade": r.grade,
                "list_status": r.list_status,
                "list_reason": r.list_reason,
                "reward_fen": r.reward_fen,
                "training_places": r.training_places,
                "vetoed": r.vetoed,
            }
        )
        if r.list_status in lists:
            lists[r.list_status].append(
                {
                    "unit": r.unit.code,
                    "name": r.unit.name,
                    "peer_group": r.peer_group,
                    "rank": r.rank,
                    "group_size": r.group_size,
                    "total": str(r.total),
                    "reasons": [c.strip() for c in r.list_reason.split(",") if c.strip()],
                    "vetoes": vetoes,
                }
            )
    return {
        "format": SNAPSHOT_FORMAT,
        "scheme": {
            "code": scheme.code,
            "name": scheme.name,
            "year": scheme.year,
            "level": scheme.level,
            "total_points": str(scheme.total_points),
        },
        "period": run.period,
        "kind": run.kind,
        "version": run.version,
        "fingerprint": run.fingerprint,
        "list_rule": {k: v for k, v in (scheme.list_rule or {}).items() if v is not None},
        "results": results,
        "lists": lists,
    }


def spread_failures(run: Run) -> list[str]:
    """The minimum-spread rules of the scheme that the run's results fail, named for people
    (empty: the run may be published as far as the spread goes). Reads, writes nothing."""
    rows = list(
        Result.objects.filter(run=run).values_list("unit_id", "total", "reward_fen", "grade")
    )
    diagnostics = outcome_diagnostics(
        {u: t for u, t, _f, _g in rows},
        {u: f for u, _t, f, _g in rows},
        {u: Grade(g) for u, _t, _f, g in rows},
    )
    check = publishable(diagnostics, minimum_spread(run.scheme))
    return [failure_message(f) for f in check.failures]


def _spread_check(run: Run) -> None:
    failures = spread_failures(run)
    if failures:
        raise AssessmentError(
            _("This run cannot be published: its results do not spread enough. %(reasons)s")
            % {"reasons": " ".join(failures)},
            code="min_spread",
        )


def _locked(run: Run) -> Run:
    return Run.objects.select_for_update(of=("self",)).select_related("scheme__root").get(pk=run.pk)


@transaction.atomic
def publish_run(run: Run, *, actor: User | None) -> Publication:
    """Publish a computed run: check the scheme's minimum spread, store the snapshot and its
    SHA-256, open the appeal window, move the run to ``published``.

    Refused (nothing changed) when the actor lacks ``assessment.manage`` over the scheme's
    root (PermissionDenied), the run is not ``computed`` or a newer version of the scheme and
    period exists (409), or its results fail a minimum-spread rule (400, naming the rule).
    """
    if actor is not None:
        require(actor, MANAGE, run.scheme.root)
    run = _locked(run)
    if not can_move(run.state, RunState.PUBLISHED):
        raise IllegalTransition(
            _("Only a computed run can be published; this one is %(state)s.")
            % {"state": RunState(run.state).label}
        )
    newer = (
        Run.objects.filter(scheme=run.scheme, period=run.period, version__gt=run.version)
        .order_by("-version")
        .first()
    )
    if newer is not None:
        raise IllegalTransition(
            _("A newer version (v%(version)s) of this scheme and period exists: publish that one.")
            % {"version": newer.version}
        )
    _spread_check(run)
    snapshot = build_snapshot(run)
    now = timezone.now()
    publication = Publication.objects.create(
        run=run,
        scheme=run.scheme,
        period=run.period,
        snapshot=snapshot,
        sha256=snapshot_sha256(snapshot),
        appeal_until=add_workdays(now, run.scheme.appeal_workdays).date(),
        published_by=actor,
        published_at=now,
    )
    updated = Run.objects.filter(pk=run.pk, state=RunState.COMPUTED).update(
        state=RunState.PUBLISHED, updated_at=now
    )
    if updated != 1:  # the row lock makes this impossible; never publish twice
        raise IllegalTransition(_("The run changed meanwhile; reload and try again."))
    run.state = RunState.PUBLISHED
    from grassroots.audit.actions import record

    record(
        "assessment.run.published",
        run,
        actor=actor,
        before={"state": RunState.COMPUTED},
        after={
            "state": RunState.PUBLISHED,
            "sha256": publication.sha256,
            "appeal_until": publication.appeal_until,
        },
        unit=run.scheme.root,
    )
    return publication


@transaction.atomic
def freeze_run(run: Run, *, actor: User | None) -> Run:
    """Freeze a published run for good: allowed once its appeal window has closed and no
    appeal on it waits for a decision (see the module's docstring)."""
    if actor is not None:
        require(actor, MANAGE, run.scheme.root)
    run = _locked(run)
    if not can_move(run.state, RunState.FROZEN):
        raise IllegalTransition(
            _("Only a published run can be frozen; this one is %(state)s.")
            % {"state": RunState(run.state).label}
        )
    publication = Publication.objects.filter(run=run).first()
    if publication is None:  # published without a snapshot: never by ``publish_run``
        raise IllegalTransition(_("This run has no publication to freeze."))
    today = timezone.localdate()
    if today <= publication.appeal_until:
        raise IllegalTransition(
            _("Appeals are open until %(date)s: the run can be frozen after that day.")
            % {"date": publication.appeal_until.isoformat()}
        )
    waiting = Appeal.objects.filter(run=run, state=AppealState.SUBMITTED).count()
    if waiting:
        raise IllegalTransition(
            _("%(n)s appeal(s) on this run wait for a decision: decide them first.")
            % {"n": waiting}
        )
    now = timezone.now()
    Run.objects.filter(pk=run.pk, state=RunState.PUBLISHED).update(
        state=RunState.FROZEN, updated_at=now
    )
    run.state = RunState.FROZEN
    from grassroots.audit.actions import record

    record(
        "assessment.run.frozen",
        run,
        actor=actor,
        before={"state": RunState.PUBLISHED},
        after={"state": RunState.FROZEN, "sha256": publication.sha256},
        unit=run.scheme.root,
    )
    return run
