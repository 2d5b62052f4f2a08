"""The decision log (决策在先): every decision the apps declare (``common.decisions``) in
the viewer's scope, with the resolution that authorised it and its status, and the
decisions the oversight committee sees flagged.

Status of a decision:

* ``authorised`` — linked to a passed resolution decided on or before the day it acted;
* ``late`` — linked, but the resolution came after the day it acted (after the fact);
* ``missing`` — the rules require a resolution and none is linked;
* ``not_required`` — no link and the rules do not require one (a kind not required, or a
  fund matter below the configured amount).

Flagged: ``missing`` and ``late``. Whatever the number of decisions, the log costs one
query per source, one for the rules, one for the links (by reference) and one for the
units' names.

Importing this module registers the lookup ``common.decisions.authorisation`` answers
with and the status the record pages show (``common.templatetags.decisions``); the
party-building app's ``decisions`` module imports it, so the registry's autodiscovery
does it before the first lookup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots.common.decisions import (
    Authorisation,
    Decision,
    decisions_in,
    register_lookup,
)
from grassroots.common.templatetags import decisions as decision_tags
from grassroots.org.models import PATH_SEPARATOR, Unit, is_within
from grassroots.org.queries import grant_paths
from grassroots.partybuilding.models import DecisionLink, DecisionRule, Resolution
from grassroots.partybuilding.permissions import VIEW
from grassroots.partybuilding.states import MatterKind

if TYPE_CHECKING:
    from grassroots.org.models import User


class DecisionStatus(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised by a resolution")  # 已决策
    LATE = "late", _("Resolution after the fact")  # 先斩后奏
    MISSING = "missing", _("No resolution")  # 未经决策
    NOT_REQUIRED = "not_required", _("No resolution needed")  # 无需决策


FLAGGED: Final = frozenset({DecisionStatus.MISSING, DecisionStatus.LATE})

#: The kinds of resolution that may authorise a decision of each matter (a fund
#: resolution may carry a livelihood project's or a reward's money, and the other way).
COMPATIBLE: Final[dict[str, frozenset[str]]] = {
    MatterKind.LIVELIHOOD: frozenset({MatterKind.LIVELIHOOD, MatterKind.FUND}),
    MatterKind.FUND: frozenset({MatterKind.FUND, MatterKind.LIVELIHOOD, MatterKind.REWARD}),
    MatterKind.REWARD: frozenset({MatterKind.REWARD, MatterKind.FUND}),
    MatterKind.CADRE: frozenset({MatterKind.CADRE}),
    MatterKind.LAND: frozenset({MatterKind.LAND}),
    MatterKind.OTHER: frozenset({MatterKind.OTHER}),
}


@dataclass(frozen=True, slots=True)
class LogRow:
    """One decision of the log with its unit's name, its link (if any) and status."""

    decision: Decision
    unit_name: str
    required: bool
    link: DecisionLink | None
    status: str

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED

    @property
    def matter_label(self) -> str:
        return str(MatterKind(self.decision.matter).label)

    @property
    def status_label(self) -> str:
        return str(DecisionStatus(self.status).label)

    @property
    def resolution(self) -> Resolution | None:
        return None if self.link is None else self.link.resolution


@dataclass(frozen=True, slots=True)
class LogFilters:
    """What the log is narrowed to (all optional)."""

    matter: str = ""
    status: str = ""
    unit: Unit | None = None
    year: int | None = None
    text: str = ""


# --- rules ------------------------------------------------------------------------------


def current_rules() -> dict[str, DecisionRule]:
    """The rules by matter (one query)."""
    return {rule.matter: rule for rule in DecisionRule.objects.all()}


def requires(rule: DecisionRule | None, decision: Decision) -> bool:
    """Whether ``rule`` requires a resolution for ``decision``: the matter is required
    and, with a threshold, the decision's amount is at least the threshold (an amount
    not known does not reach it)."""
    if rule is None or not rule.required:
        return False
    if rule.min_amount is None:
        return True
    return decision.amount is not None and decision.amount >= rule.min_amount


def status_of(required: bool, link: DecisionLink | None) -> str:
    if link is not None:
        return DecisionStatus.LATE if link.after_the_fact else DecisionStatus.AUTHORISED
    return DecisionStatus.MISSING if required else DecisionStatus.NOT_REQUIRED


# --- scope --------------------------------------------------------------------------------


def viewer_paths(user: User, action: str = VIEW) -> list[str] | None:
    """The subtrees where ``user`` holds ``action`` (``None``: everywhere, a superuser)."""
    if user.is_superuser:
        return None
    return sorted(grant_paths(user, action))


def narrowed(paths: list[str] | None, unit: Unit | None) -> list[str] | None:
    """``paths`` narrowed to ``unit``'s subtree (nothing when the unit is outside them)."""
    if unit is None:
        return paths
    if paths is None or any(is_within(unit.path, p) for p in paths):
        return [unit.path]
    return []


def ancestors(path: str) -> list[str]:
    """``path`` and the paths of the units above it."""
    parts = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


# --- the log ------------------------------------------------------------------------------


def _year_bounds(year: int | None) -> tuple[dt.date | None, dt.date | None]:
    if year is None:
        return None, None
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def rows_of(decisions: Iterable[Decision]) -> list[LogRow]:
    """The log rows of ``decisions``: rules, links and unit names in three queries."""
    found = list(decisions)
    if not found:
        return []
    rules = current_rules()
    links = {
        link.reference: link
        for link in DecisionLink.objects.filter(
            reference__in=[d.reference for d in found]
        ).select_related("resolution", "resolution__meeting")
    }
    names = dict(Unit.objects.filter(pk__in={d.unit_id for d in found}).values_list("pk", "name"))
    rows = []
    for decision in found:
        required = requires(rules.get(decision.matter), decision)
        link = links.get(decision.reference)
        rows.append(
            LogRow(
                decision=decision,
                unit_name=names.get(decision.unit_id, ""),
                required=required,
                link=link,
                status=status_of(required, link),
            )
        )
    rows.sort(key=lambda r: (r.decision.acted_on, r.decision.reference), reverse=True)
    return rows


def _matches(row: LogRow, filters: LogFilters, until: dt.date | None) -> bool:
    d = row.decision
    if until is not None and d.acted_on > until:
        return False
    if filters.matter and d.matter != filters.matter:
        return False
    if filters.status and row.status != filters.status:
        return False
    if filters.text:
        needle = filters.text.casefold()
        haystack = f"{d.title} {d.reference} {row.unit_name}".casefold()
        if needle not in haystack:
            return False
    return True


def decision_log(
    user: User, filters: LogFilters | None = None, *, action: str = VIEW
) -> list[LogRow]:
    """Every decision under the subtrees where ``user`` holds ``action`` (narrowed by
    ``filters``), newest acted first."""
    filters = filters or LogFilters()
    paths = narrowed(viewer_paths(user, action), filters.unit)
    if paths is not None and not paths:
        return []
    since, until = _year_bounds(filters.year)
    return [r for r in rows_of(decisions_in(paths, since)) if _matches(r, filters, until)]


def flagged_decisions(
    user: User,
    *,
    unit: Unit | None = None,
    since: dt.date | None = None,
    action: str = VIEW,
) -> list[LogRow]:
    """The decisions in ``user``'s scope (``unit``'s subtree; acted on since ``since``)
    that the rules require a resolution for and that have none, or only one decided
    after the day they acted."""
    paths = narrowed(viewer_paths(user, action), unit)
    if paths is not None and not paths:
        return []
    return [r for r in rows_of(decisions_in(paths, since)) if r.flagged]


def find_decision(reference: str, paths: Sequence[str] | None) -> Decision | None:
    """The decision ``reference`` among those under ``paths`` (``None``: everywhere)."""
    return next((d for d in decisions_in(paths) if d.reference == reference), None)


def candidate_resolutions(decision: Decision) -> list[Resolution]:
    """The passed resolutions that may authorise ``decision``: of its unit or a unit
    above it, of a compatible matter, newest first."""
    return list(
        Resolution.objects.filter(
            unit_path__in=ancestors(decision.unit_path),
            passed=True,
            matter__in=COMPATIBLE.get(decision.matter, frozenset()),
        )
        .select_related("unit", "meeting")
        .order_by("-decided_on", "-pk")
    )


# --- the record pages --------------------------------------------------------------------


def resolution_url(resolution: Resolution) -> str:
    """The page of the resolution."""
    return reverse("partybuilding:resolution_detail", args=[resolution.pk])


def votes_text(resolution: Resolution) -> str:
    return gettext(
        "%(present)d of %(total)d voting members present: %(for)d for, %(against)d against, "
        "%(abstain)d abstaining"
    ) % {
        "present": resolution.members_present,
        "total": resolution.members_total,
        "for": resolution.votes_for,
        "against": resolution.votes_against,
        "abstain": resolution.votes_abstain,
    }


@register_lookup
def lookup(reference: str) -> Authorisation | None:
    """The resolution linked to ``reference`` as a record's page shows it (one query)."""
    link = DecisionLink.objects.filter(reference=reference).select_related("resolution").first()
    if link is None:
        return None
    resolution = link.resolution
    return Authorisation(
        number=resolution.number,
        title=resolution.title,
        decided_on=resolution.decided_on,
        votes=votes_text(resolution),
        passed=resolution.passed,
        after_the_fact=link.after_the_fact,
        url=resolution_url(resolution),
    )


@decision_tags.register_status
def record_status(reference: str, unit_path: str, found: Authorisation | None) -> str:
    """The status of the record ``reference`` of the unit ``unit_path`` (empty when it is
    not a decision), given its authorisation ``found`` (``authorisation(reference)``, which
    the caller has looked up): no query when it is linked, else one per source and one
    for the rules."""
    if found is not None:
        return DecisionStatus.LATE if found.after_the_fact else DecisionStatus.AUTHORISED
    decision = find_decision(reference, [unit_path])
    if decision is None:
        return ""
    rule = DecisionRule.objects.filter(matter=decision.matter).first()
    return DecisionStatus.MISSING if requires(rule, decision) else DecisionStatus.NOT_REQUIRED


def amount_text(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"
