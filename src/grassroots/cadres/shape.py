"""Pure computations of cadre work (no ORM): the reserve pool's shape, the reserve ratio
and its shortfall, yearly training progress and the quota of Excellent grades (the ID number
check is ``common.idnumbers``).

Everything here takes plain values and dataclasses and returns dataclasses, so that it is
fast and tested on its own (``tests/cadres/test_shape.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.cadres.ethnicities import is_minority
from grassroots.cadres.states import TrainingResult


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (earlier when negative; 28 February for
    29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def share(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent, one decimal, half up (0 when ``whole`` is 0)."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- the pool's shape (后备干部结构) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """A closed range of whole years (``low``/``high`` ``None``: open on that side)."""

    key: str
    label: str | Promise
    low: int | None
    high: int | None

    def holds(self, years: int) -> bool:
        return (self.low is None or years >= self.low) and (self.high is None or years <= self.high)


AGE_BANDS: tuple[Band, ...] = (
    Band("to30", _("30 or younger"), None, 30),
    Band("31_35", _("31–35"), 31, 35),
    Band("36_40", _("36–40"), 36, 40),
    Band("41_45", _("41–45"), 41, 45),
    Band("46up", _("46 or older"), 46, None),
)

GRASSROOTS_BANDS: tuple[Band, ...] = (
    Band("lt2", _("under 2 years"), None, 1),
    Band("2_4", _("2–4 years"), 2, 4),
    Band("5_9", _("5–9 years"), 5, 9),
    Band("10up", _("10 years or more"), 10, None),
)


@dataclass(frozen=True, slots=True)
class Person:
    """The facts of one reserve that the pool's shape counts."""

    birth_date: dt.date
    gender: str
    education: str
    ethnicity: str
    grassroots_since: dt.date | None


@dataclass(frozen=True, slots=True)
class Count:
    """One line of a shape: a key, its label, how many and their share of the total."""

    key: str
    label: str | Promise
    n: int
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Shape:
    """The structure of a group of reserves on a given day."""

    total: int
    average_age: Decimal | None
    ages: tuple[Count, ...]
    education: tuple[Count, ...]
    women: Count
    minority: Count
    grassroots: tuple[Count, ...]
    #: Reserves whose start of grassroots work is not on file.
    grassroots_unknown: int


def _banded(values: list[int], bands: tuple[Band, ...], total: int) -> tuple[Count, ...]:
    counts = Counter(next((b.key for b in bands if b.holds(v)), "") for v in values)
    return tuple(Count(b.key, b.label, counts[b.key], share(counts[b.key], total)) for b in bands)


def pool_shape(
    people: Iterable[Person],
    on: dt.date,
    *,
    education_levels: Iterable[tuple[str, str | Promise]] = (),
) -> Shape:
    """The shape of ``people`` on day ``on``: age bands and the average age, education
    (in the order of ``education_levels``; levels not listed are counted under their own
    key), women, minorities (every recognised group but 汉族) and years in grassroots work
    (whole years from ``grassroots_since`` to ``on``)."""
    group = list(people)
    total = len(group)
    ages = [age_on(p.birth_date, on) for p in group]
    average = (
        (Decimal(sum(ages)) / total).quantize(Decimal("0.1"), ROUND_HALF_UP) if total else None
    )
    educations = Counter(p.education for p in group)
    levels = list(education_levels)
    known = {key for key, _label in levels}
    levels += [(key, key) for key in sorted(educations) if key not in known]
    years = [age_on(p.grassroots_since, on) for p in group if p.grassroots_since is not None]
    women = sum(1 for p in group if p.gender == "f")
    minority = sum(1 for p in group if is_minority(p.ethnicity))
    return Shape(
        total=total,
        average_age=average,
        ages=_banded(ages, AGE_BANDS, total),
        education=tuple(
            Count(key, label, educations[key], share(educations[key], total))
            for key, label in levels
        ),
        women=Count("women", _("Women"), women, share(women, total)),
        minority=Count("minority", _("Ethnic minorities"), minority, share(minority, total)),
        grassroots=_banded([max(y, 0) for y in years], GRASSROOTS_BANDS, total),
        grassroots_unknown=total - len(years),
    )


# --- the reserve ratio (后备干部与关键岗位的配比) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Ratio:
    """Key posts, reserves in the pool and the reserves required by the ratio."""

    key_posts: int
    reserves: int
    ratio: Decimal
    required: int

    @property
    def shortfall(self) -> int:
        return max(self.required - self.reserves, 0)

    @property
    def short(self) -> bool:
        return self.shortfall > 0


def reserve_ratio(key_posts: int, reserves: int, ratio: Decimal) -> Ratio:
    """``required`` is ``ceil(key_posts × ratio)``: a unit with 3 key posts at 1:2 needs 6
    reserves, at 1:1.5 it needs 5."""
    required = int((Decimal(key_posts) * Decimal(ratio)).to_integral_value(ROUND_CEILING))
    return Ratio(key_posts, reserves, Decimal(ratio), max(required, 0))


# --- training (教育培训学时) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Course:
    hours: Decimal
    result: str
    ended_on: dt.date


@dataclass(frozen=True, slots=True)
class Progress:
    """A cadre's training hours in a year against the hours required."""

    year: int
    hours: Decimal
    required: Decimal

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.hours, Decimal(0))

    @property
    def short(self) -> bool:
        return self.hours < self.required

    @property
    def percent(self) -> int:
        """Whole percent done, 0–100 (for a progress bar)."""
        if self.required <= 0:
            return 100
        done = (self.hours * 100 / self.required).to_integral_value(ROUND_HALF_UP)
        return int(min(max(done, Decimal(0)), Decimal(100)))


def counted_hours(courses: Iterable[Course], year: int) -> Decimal:
    """Hours of the courses that ended in ``year``, failed courses left out."""
    return sum(
        (
            Decimal(c.hours)
            for c in courses
            if c.ended_on.year == year and c.result != TrainingResult.FAILED
        ),
        Decimal(0),
    )


def training_progress(courses: Iterable[Course], year: int, required: Decimal) -> Progress:
    return Progress(year, counted_hours(courses, year), Decimal(required))


# --- yearly grades (年度考核优秀等次比例) -------------------------------------------------------


def excellent_quota(active_cadres: int, percent: int) -> int:
    """How many of a unit's cadres may be graded Excellent in one year:
    ``floor(active × percent / 100)``, at least one when the unit has any cadre."""
    if active_cadres <= 0:
        return 0
    return max(active_cadres * max(percent, 0) // 100, 1)
