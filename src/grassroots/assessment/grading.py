"""Ranking within peer groups, red/black lists, quota grading and the annual combination.

Units are only ever compared with the units of their own peer group (街道 with 街道, 村 with 村).
Ties are never broken by chance: tied units share a rank, and where a tied block would cross a
quota or list boundary the whole block stays out, so a quota is never exceeded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from math import floor
from typing import Any

from grassroots.assessment.explain import ExplainValue, Explanation, points
from grassroots.assessment.fairness import Signal

ZERO = Decimal(0)
ONE = Decimal(1)


class Grade(StrEnum):
    """Assessment grades, best first (the pages show the Chinese names)."""

    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    AVERAGE = "average"  # 一般
    POOR = "poor"  # 较差


@dataclass(frozen=True, slots=True)
class UnitTotal:
    """A unit's total for the period, its peer group and whether it was vetoed (一票否决)."""

    unit: Hashable
    group: Hashable
    total: Decimal
    vetoed: bool = False


def competition_ranks(totals: Iterable[tuple[Hashable, Decimal]]) -> dict[Hashable, int]:
    """Competition ranking ("1224"): a unit's rank is 1 + the number of units with a higher total.

    Tied units share the rank, and the next rank skips as many places as there were ties.
    """
    pairs = list(totals)
    ordered = sorted((t for _, t in pairs), reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, total in enumerate(ordered, start=1):
        first_position.setdefault(total, position)
    return {unit: first_position[total] for unit, total in pairs}


def _by_group(units: Iterable[UnitTotal]) -> dict[Hashable, list[UnitTotal]]:
    groups: dict[Hashable, list[UnitTotal]] = defaultdict(list)
    for u in units:
        groups[u.group].append(u)
    return groups


def rank_within_groups(units: Sequence[UnitTotal]) -> dict[Hashable, int]:
    """Competition rank of every unit among the units of its own peer group."""
    ranks: dict[Hashable, int] = {}
    for members in _by_group(units).values():
        ranks.update(competition_ranks((u.unit, u.total) for u in members))
    return ranks


def _take_blocks(ordered: Sequence[UnitTotal], capacity: int) -> list[UnitTotal]:
    """Take units in order, a tied block at a time, while the whole block fits the capacity."""
    taken: list[UnitTotal] = []
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j].total == ordered[i].total:
            j += 1
        if len(taken) + (j - i) > capacity:
            break
        taken.extend(ordered[i:j])
        i = j
    return taken


# --- red and black lists (红黑榜) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListRule:
    """How a peer group's red and black lists are drawn.

    ``red_top_n``/``black_bottom_n``: at most this many units per list (None: no limit).
    ``red_min_total``/``black_max_total``: absolute thresholds (None: none).
    ``require_significance``: a rate-based entry must lie outside the funnel limits
    (red: significantly better, black: significantly worse; see ``fairness.outside_limits``).
    ``vetoed_on_black_list``: every vetoed unit is put on the black list, beyond the limit.
    A list with neither a limit nor a threshold is empty (the black list then holds vetoes).
    """

    red_top_n: int | None = None
    black_bottom_n: int | None = None
    red_min_total: Decimal | None = None
    black_max_total: Decimal | None = None
    require_significance: bool = False
    vetoed_on_black_list: bool = True


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A unit on the red or black list and the reason codes for its entry."""

    unit: Hashable
    group: Hashable
    total: Decimal
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lists:
    """The red list (best first) and the black list (worst first)."""

    red: tuple[ListEntry, ...]
    black: tuple[ListEntry, ...]


def red_black_lists(
    units: Sequence[UnitTotal],
    rule: ListRule,
    *,
    significance: Mapping[Any, Signal] | None = None,
) -> Lists:
    """Draw the red and black lists, peer group by peer group.

    Red list: the best ``red_top_n`` units that are not vetoed and whose total is at least
    ``red_min_total`` (a tied block that would cross the limit stays out entirely), keeping
    only those whose signal is ABOVE when significance is required — so every entry really is
    among the top of its group. A vetoed unit is
    never on the red list. Black list: the worst units whose total is at most ``black_max_total``,
    limited in the same way, keeping those whose signal is BELOW when required; vetoed
    units are added with the reason ``"vetoed"`` when ``vetoed_on_black_list``. ``significance``
    maps a unit to its signal, already oriented so that ABOVE means better; a unit missing from
    it cannot enter a list that requires significance. No unit is on both lists.
    """
    signals = significance or {}
    red: list[ListEntry] = []
    black: list[ListEntry] = []
    for group, members in _by_group(units).items():
        best_first = sorted(members, key=lambda u: u.total, reverse=True)
        red_ok = [
            u
            for u in best_first
            if not u.vetoed and (rule.red_min_total is None or u.total >= rule.red_min_total)
        ]
        if rule.red_top_n is None and rule.red_min_total is None:
            red_ok = []  # without a limit or a threshold there is no red list
        limit = len(red_ok) if rule.red_top_n is None else rule.red_top_n
        # The limit is taken on the totals first and significance filters inside it, so that
        # "among the top n" stays true of every entry (a unit far down the ranking is never
        # red-listed because one rate of its stands out).
        chosen_red = [
            u
            for u in _take_blocks(red_ok, limit)
            if not rule.require_significance or signals.get(u.unit) is Signal.ABOVE
        ]
        red_ids = {u.unit for u in chosen_red}
        for u in chosen_red:
            reasons = ["top_n"] if rule.red_top_n is not None else []
            if rule.red_min_total is not None:
                reasons.append("above_threshold")
            if rule.require_significance:
                reasons.append("significant")
            red.append(ListEntry(u.unit, group, u.total, tuple(reasons)))
        worst_first = list(reversed(best_first))
        black_ok = [
            u
            for u in worst_first
            if u.unit not in red_ids
            and not (u.vetoed and rule.vetoed_on_black_list)
            and (rule.black_max_total is None or u.total <= rule.black_max_total)
        ]
        if rule.black_bottom_n is None and rule.black_max_total is None:
            black_ok = []  # without a limit or a threshold the black list holds vetoes only
        limit = len(black_ok) if rule.black_bottom_n is None else rule.black_bottom_n
        if rule.vetoed_on_black_list:
            black.extend(
                ListEntry(u.unit, group, u.total, ("vetoed",)) for u in worst_first if u.vetoed
            )
        for u in _take_blocks(black_ok, limit):
            if rule.require_significance and signals.get(u.unit) is not Signal.BELOW:
                continue
            reasons = ["bottom_n"] if rule.black_bottom_n is not None else []
            if rule.black_max_total is not None:
                reasons.append("below_threshold")
            if rule.require_significance:
                reasons.append("significant")
            black.append(ListEntry(u.unit, group, u.total, tuple(reasons)))
    return Lists(red=tuple(red), black=tuple(black))


# --- quota grading ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GradeQuota:
    """Grade quotas of a scheme, applied within each peer group.

    ``excellent_share``: 优秀 for at most this share of the group (e.g. 0.20), rounded down;
    ``excellent_min_total``: and only for units at or above this total.
    ``good_share``/``good_min_total``: the same for 良好 (None: no 良好 quota, 良好 unused).
    ``poor_below``: units below this total are 较差 (vetoed units are always 较差).
    """

    excellent_share: Decimal
    excellent_min_total: Decimal | None = None
    good_share: Decimal | None = None
    good_min_total: Decimal | None = None
    poor_below: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GradeResult:
    """A unit's grade and the explanation of why."""

    unit: Hashable
    group: Hashable
    grade: Grade
    explanation: Explanation


def grade_units(units: Sequence[UnitTotal], quota: GradeQuota) -> dict[Hashable, GradeResult]:
    """Grade every unit within its peer group under the quotas.

    1. 较差: every vetoed unit, and every unit whose total is below ``poor_below``.
    2. 优秀: of the remaining units whose total is at least ``excellent_min_total``, the best,
       up to floor(``excellent_share`` × group size) units (group size counts every unit of the
       group, vetoed ones included). Ties at the boundary: when the units tied at the last place
       would push the count past the quota, none of them is 优秀 — the quota is never exceeded
       and tied units always receive the same grade.
    3. 良好: the same rule with ``good_share`` and ``good_min_total`` among those left.
    4. 一般: everyone else.
    """
    for share in (quota.excellent_share, quota.good_share):
        if share is not None and not ZERO <= share <= ONE:
            raise ValueError("quota shares must lie between 0 and 1")
    results: dict[Hashable, GradeResult] = {}
    for group, members in _by_group(units).items():
        size = len(members)
        params: dict[str, ExplainValue] = {
            "group_size": size,
            "excellent_share": quota.excellent_share,
            "excellent_min_total": quota.excellent_min_total,
            "good_share": quota.good_share,
            "good_min_total": quota.good_min_total,
            "poor_below": quota.poor_below,
        }
        decided: list[tuple[UnitTotal, Grade, str]] = []
        remaining: list[UnitTotal] = []
        for u in sorted(members, key=lambda m: m.total, reverse=True):
            if u.vetoed:
                decided.append((u, Grade.POOR, "vetoed"))
            elif quota.poor_below is not None and u.total < quota.poor_below:
                decided.append((u, Grade.POOR, "below_poor_threshold"))
            else:
                remaining.append(u)
        tiers = [(Grade.EXCELLENT, quota.excellent_share, quota.excellent_min_total)]
        if quota.good_share is not None:
            tiers.append((Grade.GOOD, quota.good_share, quota.good_min_total))
        for grade, share, minimum in tiers:
            eligible = [u for u in remaining if minimum is None or u.total >= minimum]
            chosen = _take_blocks(eligible, floor(share * size))
            decided.extend((u, grade, "within_quota") for u in chosen)
            chosen_ids = {u.unit for u in chosen}
            remaining = [u for u in remaining if u.unit not in chosen_ids]
        decided.extend((u, Grade.AVERAGE, "default") for u in remaining)
        for u, grade, note in decided:
            explanation = Explanation(
                rule="grade_quota",
                params=params,
                inputs={"total": u.total, "vetoed": u.vetoed},
                points=u.total,
                notes=(note,),
            )
            results[u.unit] = GradeResult(u.unit, group, grade, explanation)
    return results


# --- annual combination (年评) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnualWeights:
    """Weights of the annual evaluation; they must add up to 1."""

    monthly: Decimal
    quarterly: Decimal
    year_end: Decimal

    def __post_init__(self) -> None:
        parts = (self.monthly, self.quarterly, self.year_end)
        if any(w < 0 for w in parts) or sum(parts, ZERO) != ONE:
            raise ValueError("annual weights must be non-negative and add up to 1")


def combine_annual(
    monthly: Sequence[Decimal],
    quarterly: Sequence[Decimal],
    year_end: Decimal | None,
    weights: AnnualWeights,
) -> tuple[Decimal, Explanation]:
    """Annual total = w_m × mean(monthly) + w_q × mean(quarterly) + w_y × year-end review.

    A component with no results (e.g. no year-end review held) is left out and its weight is
    shared among the others in proportion to their weights. The total is rounded to two
    decimals, half up.
    """
    parts: list[tuple[str, Decimal, Decimal]] = []
    if monthly:
        parts.append(("monthly", weights.monthly, sum(monthly, ZERO) / len(monthly)))
    if quarterly:
        parts.append(("quarterly", weights.quarterly, sum(quarterly, ZERO) / len(quarterly)))
    if year_end is not None:
        parts.append(("year_end", weights.year_end, year_end))
    present = sum((w for _, w, _ in parts), ZERO)
    if present == 0:
        raise ValueError("no component with a positive weight has results")
    total = points(sum((w * v for _, w, v in parts), ZERO) / present)
    inputs: dict[str, ExplainValue] = {f"{name}_mean": points(value) for name, _, value in parts}
    inputs["months"] = len(monthly)
    inputs["quarters"] = len(quarterly)
    explanation = Explanation(
        rule="annual_combination",
        params={
            "monthly": weights.monthly,
            "quarterly": weights.quarterly,
            "year_end": weights.year_end,
        },
        inputs=inputs,
        points=total,
        notes=("reweighted",) if present != ONE else (),
    )
    return total, explanation
