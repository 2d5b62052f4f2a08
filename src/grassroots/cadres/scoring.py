"""The readiness score of a reserve for a vacancy, eligibility, and the ranking (pure: no
ORM, plain dataclasses; ``queries_selection`` reads the records, ``actions.selection``
stores what this computes).

The score (准备度) is the sum of seven factors. Each factor's raw value is normalised to
0..1 by the rule below, then multiplied by its weight (points, set by the organisation
department in ``Policy.weights``; a factor missing there takes its default; a weight of 0
removes the factor). Normalised values are rounded half-up to 4 places, points to 2, and
the total is the sum of the rounded points (so the breakdown adds up exactly).

===================  =======  ===========================================================
factor               default  raw value → normalised
===================  =======  ===========================================================
hard_post_months     20       months in hard posts (tempering evaluated or ongoing; one
                              appraised Poor counts nothing): ``min(months, 36) / 36``
training_hours       15       hours of courses ended in the last 3 years, failed ones
                              excluded: ``min(hours, cap) / cap``, cap = 3 × the policy's
                              yearly hours (at least 1 hour)
yearly_grades        20       grades of the last 3 full years: 优秀 3, 称职 2, 基本称职 1,
                              不称职 or none 0 points each: ``sum / 9``
unit_assessment      10       the latest published result of the cadre's unit: the rank
                              percentile ``(size − rank) / (size − 1)`` when the peer group
                              has 2 or more units, else the grade (优秀 1, 良好 ⅔, 一般 ⅓,
                              较差 0); vetoed 0; no published result 0.5 (not known counts
                              neither for nor against)
key_moments          15       credits minus debits of the last 3 years (net):
                              ``0.5 + net / 10`` clamped to 0..1 (±5 reach the ends)
grassroots_years     10       years since ``grassroots_since`` (to 0.1, rounded down):
                              ``min(years, 10) / 10``
age                  10       younger preferred within the limit: 1 at 25 or younger, 0
                              at the level's age limit (``Policy.max_age``; 55 when none
                              is set), linear between
===================  =======  ===========================================================

Eligibility is not a score: a reserve is eligible when all of these hold, and every rule
that fails is a reason shown beside the candidate:

* in the reserve pool (入库) and in office;
* the reserve's target level is the vacancy's level (a reserve is nominated for one level:
  one for 副科 is not ranked for 正科 nor the other way round — the department re-nominates);
* age on the day of ranking ≤ the level's limit, when the policy sets one;
* years in grassroots work ≥ the policy's minimum;
* no 不称职 grade in the last 3 full years nor in the current year;
* no warning (警示/问责) in the last 12 months.

Ranking: the eligible candidates get ranks 1, 2, … by total, highest first; ties are
broken by the share of the democratic recommendation (votes / people taking part, higher
first), then by the date they entered the pool (earlier first), then by the reserve
entry's id (lower first) — the order never depends on the input order. Ineligible
candidates get no rank and follow, by total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.cadres.shape import add_years, age_on
from grassroots.cadres.states import Level, YearGrade

FACTORS: tuple[str, ...] = (
    "hard_post_months",
    "training_hours",
    "yearly_grades",
    "unit_assessment",
    "key_moments",
    "grassroots_years",
    "age",
)

DEFAULT_WEIGHTS: dict[str, int] = {
    "hard_post_months": 20,
    "training_hours": 15,
    "yearly_grades": 20,
    "unit_assessment": 10,
    "key_moments": 15,
    "grassroots_years": 10,
    "age": 10,
}

FACTOR_LABELS: dict[str, Any] = {
    "hard_post_months": gettext_lazy("Months in hard posts"),
    "training_hours": gettext_lazy("Training hours (3 years)"),
    "yearly_grades": gettext_lazy("Yearly grades (3 years)"),
    "unit_assessment": gettext_lazy("Their unit's assessment"),
    "key_moments": gettext_lazy("Key moments (credit − debit)"),
    "grassroots_years": gettext_lazy("Years in grassroots work"),
    "age": gettext_lazy("Age"),
}

MAX_WEIGHT = 100
#: Years looked back for training hours, grades and key moments.
WINDOW_YEARS = 3
HARD_POST_CAP_MONTHS = 36
GRASSROOTS_CAP_YEARS = Decimal(10)
KEY_MOMENT_SPAN = 5
AGE_FLOOR = 25
DEFAULT_AGE_CEILING = 55

GRADE_POINTS: dict[str, int] = {
    YearGrade.EXCELLENT: 3,
    YearGrade.COMPETENT: 2,
    YearGrade.BASIC: 1,
    YearGrade.INCOMPETENT: 0,
}
#: The assessment's unit grades (``assessment.models.GradeChoice`` values).
UNIT_GRADE_VALUE: dict[str, Fraction] = {
    "excellent": Fraction(1),
    "good": Fraction(2, 3),
    "average": Fraction(1, 3),
    "poor": Fraction(0),
}

_NORM = Decimal("0.0001")
_POINTS = Decimal("0.01")


# --- input -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitResult:
    """A unit's published assessment result (``assessment.queries.published_results``)."""

    period: str
    rank: int
    group_size: int
    grade: str = ""
    vetoed: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    """What the ranking knows of one reserve (``key``: the reserve entry's id)."""

    key: int
    name: str
    in_pool: bool
    in_office: bool
    target_level: str
    birth_date: dt.date
    grassroots_since: dt.date | None
    hard_post_months: int = 0
    training_hours: Decimal = Decimal(0)
    #: ``{year: YearGrade value}`` of recent years (older ones are ignored).
    grades: Mapping[int, str] = field(default_factory=dict)
    unit_result: UnitResult | None = None
    credits: int = 0
    debits: int = 0
    #: Dates of the warnings (警示/问责) on record.
    warnings: tuple[dt.date, ...] = ()
    votes: int = 0
    voters: int = 0
    entered_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """The vacancy and the policy as the ranking applies them."""

    level: str
    today: dt.date
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    max_age: int | None = None
    min_grassroots_years: int = 0
    yearly_training_hours: Decimal = Decimal(56)


# --- output ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One factor of a score: raw value, normalised 0..1, weight, points."""

    factor: str
    value: Any
    normalised: Decimal
    weight: int
    points: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "value": self.value,
            "normalised": str(self.normalised),
            "weight": self.weight,
            "points": str(self.points),
        }


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule of eligibility that fails: a code and its figures."""

    code: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        return ":".join((self.code, *self.args))


@dataclass(frozen=True, slots=True)
class Readiness:
    key: int
    total: Decimal
    lines: tuple[Line, ...]
    reasons: tuple[Reason, ...]
    vote_share: Fraction
    entered_on: dt.date | None

    @property
    def eligible(self) -> bool:
        return not self.reasons

    def breakdown(self) -> list[dict[str, Any]]:
        return [line.as_json() for line in self.lines]

    def reason_code(self) -> str:
        """The reasons as stored (``Candidate.ineligible_reason``)."""
        return "; ".join(r.encode() for r in self.reasons)


@dataclass(frozen=True, slots=True)
class Ranked:
    readiness: Readiness
    rank: int | None


# --- small pure helpers ------------------------------------------------------------------


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def years_between(start: dt.date | None, end: dt.date) -> Decimal:
    """Years from ``start`` to ``end`` to one decimal, rounded down (0 without a start)."""
    if start is None:
        return Decimal(0)
    return (Decimal(months_between(start, end)) / 12).quantize(Decimal("0.1"), ROUND_DOWN)


def years_ago(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 February for 29 February)."""
    return add_years(day, -years)


def effective_weights(stored: Mapping[str, Any] | None) -> dict[str, int]:
    """The policy's weights over the defaults: every factor, unknown keys dropped."""
    weights = dict(DEFAULT_WEIGHTS)
    for name, value in (stored or {}).items():
        if (
            name in weights
            and isinstance(value, int)
            and not isinstance(value, bool)
            and 0 <= value <= MAX_WEIGHT
        ):
            weights[name] = value
    return weights


def latest_result(rows: Iterable[Mapping[str, Any]]) -> UnitResult | None:
    """The latest of a unit's published results: the period ending last (a year ends on
    31 December, a quarter and a month on their last day); at the same end, the longest
    period (a year over its last quarter over its last month)."""
    best: tuple[tuple[int, int, int], Mapping[str, Any]] | None = None
    for row in rows:
        key = _period_key(str(row.get("period", "")))
        if key is not None and (best is None or key > best[0]):
            best = (key, row)
    if best is None:
        return None
    row = best[1]
    return UnitResult(
        period=str(row["period"]),
        rank=int(row.get("rank") or 0),
        group_size=int(row.get("group_size") or 0),
        grade=str(row.get("grade") or ""),
        vetoed=bool(row.get("vetoed")),
    )


def _period_key(label: str) -> tuple[int, int, int] | None:
    """(year, last month, length rank) of ``2026``, ``2026-Q3`` or ``2026-10``."""
    text = label.strip().upper()
    try:
        if text.isdecimal():
            return (int(text), 12, 3)
        year, _sep, part = text.partition("-")
        if part.startswith("Q"):
            quarter = int(part[1:])
            if 1 <= quarter <= 4:
                return (int(year), quarter * 3, 2)
            return None
        month = int(part)
        if 1 <= month <= 12:
            return (int(year), month, 1)
    except ValueError:
        return None
    return None


def _clamp(value: Fraction) -> Fraction:
    return min(max(value, Fraction(0)), Fraction(1))


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_NORM, ROUND_HALF_UP)


def grade_window(today: dt.date) -> list[int]:
    """The full years whose grades count, newest first."""
    return [today.year - i for i in range(1, WINDOW_YEARS + 1)]


# --- factors -----------------------------------------------------------------------------


def factor_values(profile: Profile, rules: Rules) -> dict[str, tuple[Any, Fraction]]:
    """``{factor: (raw value as stored, normalised as an exact fraction)}``."""
    today = rules.today
    out: dict[str, tuple[Any, Fraction]] = {}

    months = max(profile.hard_post_months, 0)
    out["hard_post_months"] = (months, _clamp(Fraction(months, HARD_POST_CAP_MONTHS)))

    cap = max(Fraction(str(rules.yearly_training_hours)) * WINDOW_YEARS, Fraction(1))
    hours = max(Fraction(str(profile.training_hours)), Fraction(0))
    out["training_hours"] = (str(profile.training_hours), _clamp(hours / cap))

    years = grade_window(today)
    graded: list[tuple[int, str | None]] = [(y, profile.grades.get(y) or None) for y in years]
    points = sum(GRADE_POINTS.get(g or "", 0) for _y, g in graded)
    out["yearly_grades"] = ([[y, g] for y, g in graded], Fraction(points, 3 * WINDOW_YEARS))

    out["unit_assessment"] = _unit_factor(profile.unit_result)

    net = profile.credits - profile.debits
    out["key_moments"] = (
        {"credit": profile.credits, "debit": profile.debits},
        _clamp(Fraction(1, 2) + Fraction(net, 2 * KEY_MOMENT_SPAN)),
    )

    gy = years_between(profile.grassroots_since, today)
    out["grassroots_years"] = (
        str(gy),
        _clamp(Fraction(str(gy)) / Fraction(str(GRASSROOTS_CAP_YEARS))),
    )

    age = age_on(profile.birth_date, today)
    ceiling = rules.max_age if rules.max_age is not None else DEFAULT_AGE_CEILING
    if ceiling <= AGE_FLOOR:
        age_norm = Fraction(1) if age < ceiling else Fraction(0)
    else:
        age_norm = _clamp(Fraction(ceiling - age, ceiling - AGE_FLOOR))
    out["age"] = ({"age": age, "limit": rules.max_age}, age_norm)
    return out


def _unit_factor(result: UnitResult | None) -> tuple[Any, Fraction]:
    if result is None:
        return (None, Fraction(1, 2))
    value = {
        "period": result.period,
        "rank": result.rank,
        "group_size": result.group_size,
        "grade": result.grade,
        "vetoed": result.vetoed,
    }
    if result.vetoed:
        return (value, Fraction(0))
    if result.group_size >= 2 and 1 <= result.rank <= result.group_size:
        return (value, Fraction(result.group_size - result.rank, result.group_size - 1))
    return (value, UNIT_GRADE_VALUE.get(result.grade, Fraction(1, 2)))


# --- eligibility -------------------------------------------------------------------------


def eligibility(profile: Profile, rules: Rules) -> tuple[Reason, ...]:
    """Every rule of eligibility the reserve fails (empty: eligible)."""
    today = rules.today
    reasons: list[Reason] = []
    if not profile.in_pool:
        reasons.append(Reason("not_in_pool"))
    if not profile.in_office:
        reasons.append(Reason("not_in_office"))
    if profile.target_level != rules.level:
        reasons.append(Reason("level", (profile.target_level, rules.level)))
    age = age_on(profile.birth_date, today)
    if rules.max_age is not None and age > rules.max_age:
        reasons.append(Reason("age", (str(age), str(rules.max_age))))
    years = years_between(profile.grassroots_since, today)
    if years < rules.min_grassroots_years:
        reasons.append(Reason("grassroots", (str(years), str(rules.min_grassroots_years))))
    bad = sorted(
        (
            y
            for y, g in profile.grades.items()
            if g == YearGrade.INCOMPETENT and today.year - WINDOW_YEARS <= y <= today.year
        ),
        reverse=True,
    )
    if bad:
        reasons.append(Reason("incompetent", (str(bad[0]),)))
    since = years_ago(today, 1)
    recent = sorted((d for d in profile.warnings if since < d <= today), reverse=True)
    if recent:
        reasons.append(Reason("warning", (recent[0].isoformat(),)))
    return tuple(reasons)


# --- the score and the ranking -----------------------------------------------------------


def readiness(profile: Profile, rules: Rules) -> Readiness:
    """The reserve's score for the vacancy, point by point, and its eligibility."""
    weights = effective_weights(rules.weights)
    lines: list[Line] = []
    for name, (value, norm) in factor_values(profile, rules).items():
        normalised = _decimal(norm)
        weight = weights[name]
        points = (normalised * weight).quantize(_POINTS, ROUND_HALF_UP)
        lines.append(Line(name, value, normalised, weight, points))
    total = sum((line.points for line in lines), Decimal("0.00"))
    share = Fraction(profile.votes, profile.voters) if profile.voters > 0 else Fraction(0)
    return Readiness(
        key=profile.key,
        total=total,
        lines=tuple(lines),
        reasons=eligibility(profile, rules),
        vote_share=share,
        entered_on=profile.entered_on,
    )


def rank(items: Sequence[Readiness]) -> list[Ranked]:
    """Eligible first, ranked 1… by total (ties: recommendation share, earlier entry into
    the pool, lower id); then the ineligible ones, unranked, by total then id."""
    eligible = sorted(
        (r for r in items if r.eligible),
        key=lambda r: (-r.total, -r.vote_share, r.entered_on or dt.date.max, r.key),
    )
    others = sorted((r for r in items if not r.eligible), key=lambda r: (-r.total, r.key))
    return [Ranked(r, i) for i, r in enumerate(eligible, start=1)] + [
        Ranked(r, None) for r in others
    ]


# --- words for the pages -----------------------------------------------------------------


def _level_label(value: str) -> str:
    try:
        return str(Level(value).label)
    except ValueError:
        return value


def describe_reasons(stored: str) -> list[str]:
    """The stored reasons (``Readiness.reason_code``) in words."""
    texts: list[str] = []
    for part in (p.strip() for p in stored.split(";")):
        if not part:
            continue
        code, *args = part.split(":")
        texts.append(_describe_reason(code, args))
    return texts


def _describe_reason(code: str, args: list[str]) -> str:
    try:
        if code == "not_in_pool":
            return _("not in the reserve pool")
        if code == "not_in_office":
            return _("not in office")
        if code == "level":
            return _("a reserve for %(target)s, the vacancy is %(level)s") % {
                "target": _level_label(args[0]),
                "level": _level_label(args[1]),
            }
        if code == "age":
            return _("aged %(age)s, the limit for this level is %(limit)s") % {
                "age": args[0],
                "limit": args[1],
            }
        if code == "grassroots":
            return _("%(years)s years in grassroots work, %(need)s required") % {
                "years": args[0],
                "need": args[1],
            }
        if code == "incompetent":
            return _("graded Incompetent in %(year)s") % {"year": args[0]}
        if code == "warning":
            return _("a warning on %(date)s, within the last year") % {"date": args[0]}
    except IndexError:
        pass
    return ":".join((code, *args))


def describe_value(factor: str, value: Any) -> str:
    """A breakdown line's raw value in words."""
    if factor == "hard_post_months":
        return _("%(n)s months") % {"n": value}
    if factor == "training_hours":
        return _("%(n)s hours") % {"n": value}
    if factor == "yearly_grades":
        parts = []
        for year, grade in value or []:
            label = str(YearGrade(grade).label) if grade in YearGrade.values else _("no grade")
            parts.append(f"{year} {label}")
        return ", ".join(parts)
    if factor == "unit_assessment":
        if not value:
            return _("no published result")
        text = _("%(period)s: rank %(rank)s of %(size)s") % {
            "period": value.get("period", ""),
            "rank": value.get("rank", ""),
            "size": value.get("group_size", ""),
        }
        if value.get("vetoed"):
            text += " · " + _("vetoed")
        return text
    if factor == "key_moments":
        return f"+{value.get('credit', 0)} / −{value.get('debit', 0)}"
    if factor == "grassroots_years":
        return _("%(n)s years") % {"n": value}
    if factor == "age":
        if value.get("limit") is None:
            return str(value.get("age"))
        return _("%(age)s (limit %(limit)s)") % {"age": value.get("age"), "limit": value["limit"]}
    return str(value)
