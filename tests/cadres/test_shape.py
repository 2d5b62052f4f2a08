"""The pure computations of cadre work: ID numbers, the pool's shape, the reserve ratio,
training progress and the Excellent quota."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from grassroots.cadres.ethnicities import ETHNICITIES, HAN, is_minority
from grassroots.cadres.shape import (
    Course,
    Person,
    age_on,
    counted_hours,
    excellent_quota,
    pool_shape,
    reserve_ratio,
    share,
    training_progress,
)
from grassroots.cadres.states import Education
from grassroots.common.idnumbers import id_check_char, id_facts, id_number_problem


def valid_id(born: dt.date, seq: int = 12, gender: str = "m", region: str = "513401") -> str:
    """An 18-character ID number with the right check character."""
    digit = 1 if gender == "m" else 2
    first17 = f"{region}{born:%Y%m%d}{seq:02d}{digit}"
    return first17 + id_check_char(first17)


def test_the_56_ethnic_groups() -> None:
    assert len(ETHNICITIES) == 56
    assert len(set(ETHNICITIES)) == 56
    assert ETHNICITIES[0] == HAN
    assert "彝族" in ETHNICITIES
    assert is_minority("彝族")
    assert not is_minority("汉族")
    assert not is_minority("火星族")


def test_the_standard_example_id_number_is_valid() -> None:
    # GB 11643-1999's own example
    assert id_number_problem("11010519491231002X") is None
    facts = id_facts("11010519491231002X")
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.gender == "f"


def test_what_is_wrong_with_an_id_number() -> None:
    good = valid_id(dt.date(1990, 5, 17))
    assert id_number_problem(good) is None
    assert id_number_problem(good[:17]) == "length"
    assert id_number_problem("5134011990051712A" + "1") == "digits"
    assert id_number_problem("x" + good[1:]) == "digits"
    bad_date = "51340119900230121"
    assert id_number_problem(bad_date + id_check_char(bad_date)) == "date"
    wrong = "0" if good[-1] != "0" else "1"
    assert id_number_problem(good[:17] + wrong) == "checksum"


@given(st.dates(dt.date(1920, 1, 1), dt.date(2010, 12, 31)), st.integers(0, 99), st.booleans())
def test_every_generated_id_number_checks_and_holds_its_facts(
    born: dt.date, seq: int, male: bool
) -> None:
    number = valid_id(born, seq, "m" if male else "f")
    assert id_number_problem(number) is None
    facts = id_facts(number)
    assert facts.birth_date == born
    assert facts.gender == ("m" if male else "f")
    # any single changed digit among the first 17 breaks the check character
    for i in (0, 7, 16):
        changed = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        assert id_number_problem(changed) in ("checksum", "date")


def test_age_counts_whole_years() -> None:
    assert age_on(dt.date(1990, 5, 17), dt.date(2026, 5, 16)) == 35
    assert age_on(dt.date(1990, 5, 17), dt.date(2026, 5, 17)) == 36


def person(born: int, gender: str = "m", education: str = "bachelor", **kw: object) -> Person:
    return Person(
        birth_date=dt.date(born, 1, 1),
        gender=gender,
        education=education,
        ethnicity=str(kw.get("ethnicity", "汉族")),
        grassroots_since=kw.get("since"),  # type: ignore[arg-type]
    )


def test_the_pools_shape() -> None:
    on = dt.date(2026, 9, 1)
    people = [
        person(1998, "f", "postgraduate", ethnicity="彝族", since=dt.date(2025, 7, 1)),
        person(1994, "m", "bachelor", ethnicity="彝族", since=dt.date(2020, 7, 1)),
        person(1990, "f", "bachelor", since=dt.date(2012, 7, 1)),
        person(1983, "m", "college"),
    ]
    shape = pool_shape(people, on, education_levels=Education.choices)
    assert shape.total == 4
    assert shape.average_age == Decimal("34.8")  # 28, 32, 36, 43: 34.75 half up
    assert [(c.key, c.n) for c in shape.ages] == [
        ("to30", 1),
        ("31_35", 1),
        ("36_40", 1),
        ("41_45", 1),
        ("46up", 0),
    ]
    assert {c.key: c.n for c in shape.education} == {
        "postgraduate": 1,
        "bachelor": 2,
        "college": 1,
        "secondary": 0,
        "junior": 0,
    }
    assert (shape.women.n, shape.women.percent) == (2, Decimal("50.0"))
    assert (shape.minority.n, shape.minority.percent) == (2, Decimal("50.0"))
    assert [(c.key, c.n) for c in shape.grassroots] == [
        ("lt2", 1),
        ("2_4", 0),
        ("5_9", 1),
        ("10up", 1),
    ]
    assert shape.grassroots_unknown == 1


def test_an_empty_pool_has_a_shape_of_zeros() -> None:
    shape = pool_shape([], dt.date(2026, 9, 1))
    assert shape.total == 0
    assert shape.average_age is None
    assert all(c.n == 0 and c.percent == 0 for c in shape.ages)


@given(st.lists(st.integers(1950, 2008), max_size=40))
def test_the_age_bands_count_everyone_once(years: list[int]) -> None:
    shape = pool_shape([person(y) for y in years], dt.date(2026, 9, 1))
    assert sum(c.n for c in shape.ages) == len(years)


def test_the_reserve_ratio_rounds_up() -> None:
    assert reserve_ratio(3, 4, Decimal(2)).required == 6
    assert reserve_ratio(3, 4, Decimal(2)).shortfall == 2
    assert reserve_ratio(3, 5, Decimal("1.5")).required == 5
    assert not reserve_ratio(3, 5, Decimal("1.5")).short
    assert reserve_ratio(1, 0, Decimal("0.5")).required == 1
    assert reserve_ratio(0, 0, Decimal(2)).required == 0


@given(st.integers(0, 500), st.integers(0, 2000), st.decimals("0.1", "10", places=2))
def test_the_shortfall_is_what_is_missing(posts: int, reserves: int, ratio: Decimal) -> None:
    r = reserve_ratio(posts, reserves, ratio)
    assert r.required >= posts * ratio
    assert r.required - 1 < posts * ratio or posts == 0
    assert r.shortfall == max(r.required - reserves, 0)
    assert r.short == (reserves < r.required)


def test_training_hours_count_in_the_year_they_ended_failed_left_out() -> None:
    courses = [
        Course(Decimal("24"), "passed", dt.date(2026, 3, 10)),
        Course(Decimal("16.5"), "excellent", dt.date(2026, 6, 1)),
        Course(Decimal("40"), "failed", dt.date(2026, 7, 1)),
        Course(Decimal("30"), "attended", dt.date(2025, 12, 31)),
    ]
    assert counted_hours(courses, 2026) == Decimal("40.5")
    progress = training_progress(courses, 2026, Decimal(56))
    assert progress.short
    assert progress.missing == Decimal("15.5")
    assert progress.percent == 72
    done = training_progress(courses, 2025, Decimal(20))
    assert not done.short and done.percent == 100 and done.missing == 0


def test_the_excellent_quota() -> None:
    assert excellent_quota(10, 20) == 2
    assert excellent_quota(14, 20) == 2  # floor(2.8)
    assert excellent_quota(4, 20) == 1  # at least one
    assert excellent_quota(0, 20) == 0
    assert excellent_quota(3, 0) == 1


@given(st.integers(0, 5000), st.integers(0, 100))
def test_the_quota_is_never_more_than_the_cadres(active: int, percent: int) -> None:
    quota = excellent_quota(active, percent)
    assert 0 <= quota <= active
    assert (quota >= 1) == (active >= 1)
    if active:
        assert quota == max(active * percent // 100, 1)


def test_share_rounds_half_up() -> None:
    assert share(1, 3) == Decimal("33.3")
    assert share(2, 3) == Decimal("66.7")
    assert share(1, 0) == 0
