"""The 天窗 programme's straight line, progress against it and a parcel's status rules:
pure arithmetic, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.registers import programme as pg

TEN = pg.Programme(2021, 2030)


def test_the_line_plans_a_tenth_a_year_and_all_of_it_by_the_last_year() -> None:
    assert TEN.length == 10
    assert TEN.share_by_end_of(2020) == 0
    assert TEN.share_by_end_of(2021) == Decimal("0.1")
    assert TEN.share_by_end_of(2025) == Decimal("0.5")
    assert TEN.share_by_end_of(2030) == 1
    assert TEN.share_by_end_of(2035) == 1


def test_within_a_year_the_line_rises_with_the_days() -> None:
    assert TEN.share_at(dt.date(2021, 1, 1)) == 0
    assert TEN.share_at(dt.date(2026, 1, 1)) == Decimal("0.5")  # the day after 2025
    mid = TEN.share_at(dt.date(2026, 7, 2))  # 182 of 365 days of 2026
    assert mid == (Decimal(5) + Decimal(182) / 365) / 10
    assert TEN.share_at(dt.date(2019, 6, 1)) == 0
    assert TEN.share_at(dt.date(2031, 1, 1)) == 1


def test_a_programme_may_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends in or after"):
        pg.Programme(2030, 2021)


def test_a_parcel_ahead_of_the_line_does_not_make_up_for_one_behind() -> None:
    day = dt.date(2026, 1, 1)  # half of the programme planned
    ahead = pg.Parcel(Decimal(1000), Decimal(1000), TEN)  # 500 planned, 1000 done
    behind = pg.Parcel(Decimal(1000), Decimal(100), TEN)  # 500 planned, 100 done
    progress = pg.progress_on([ahead, behind], day)
    assert progress.planned == Decimal(1000)
    assert progress.credited == Decimal(600)  # 500 (capped) + 100
    assert progress.percent == Decimal("60.00")


def test_progress_before_the_programme_has_no_value() -> None:
    parcel = pg.Parcel(Decimal(100), Decimal(0), TEN)
    assert pg.progress_on([parcel], dt.date(2020, 5, 1)).percent is None
    assert pg.progress_on([], dt.date(2026, 5, 1)).percent is None


@given(
    areas=st.lists(st.integers(1, 10**6), min_size=1, max_size=8),
    done=st.lists(st.integers(0, 10**6), min_size=8, max_size=8),
    day=st.dates(dt.date(2015, 1, 1), dt.date(2040, 12, 31)),
)
def test_progress_is_never_above_100(areas: list[int], done: list[int], day: dt.date) -> None:
    pairs = zip(areas, done[: len(areas)], strict=True)
    parcels = [pg.Parcel(Decimal(a), Decimal(min(a, d)), TEN) for a, d in pairs]
    value = pg.progress_on(parcels, day).percent
    assert value is None or Decimal(0) <= value <= 100


def test_the_year_table_counts_full_restorations_before_this_year_and_everything_now() -> None:
    lines = pg.year_lines(
        pg.Programme(2024, 2027),
        Decimal(4000),
        scheduled_by_year={2024: Decimal(1000), 2026: Decimal(3000)},
        restored_in_full_by_year={2024: Decimal(500), 2025: Decimal(300)},
        restored_now=Decimal(2500),
        today=dt.date(2026, 3, 1),
    )
    assert [line.year for line in lines] == [2024, 2025, 2026, 2027]
    assert [line.planned for line in lines] == [1000, 2000, 3000, 4000]
    assert [line.planned_share for line in lines] == [25, 50, 75, 100]
    assert [line.scheduled for line in lines] == [1000, 1000, 4000, 4000]
    assert [line.restored for line in lines] == [500, 800, 2500, None]
    assert [line.behind for line in lines] == [True, True, True, False]
    assert lines[1].gap == Decimal(-1200)
    assert lines[3].gap is None


@pytest.mark.parametrize(
    ("status", "restored", "on", "problem"),
    [
        ("planned", "0", None, None),
        ("underway", "0", None, None),  # work started, nothing restored yet
        ("underway", "40", None, None),
        ("restored", "100", dt.date(2025, 5, 1), None),
        ("planned", "40", None, ("status", "partial_is_underway")),
        ("underway", "100", None, ("status", "all_is_restored")),
        ("restored", "99", dt.date(2025, 5, 1), ("restored_area", "restored_needs_all")),
        ("restored", "100", None, ("restored_on", "restored_needs_date")),
        ("underway", "40", dt.date(2025, 5, 1), ("restored_on", "date_only_when_restored")),
    ],
)
def test_the_status_fits_the_figures(
    status: str, restored: str, on: dt.date | None, problem: tuple[str, str] | None
) -> None:
    assert pg.status_problem(status, Decimal(100), Decimal(restored), on) == problem


def test_a_restoration_moves_the_status_forward() -> None:
    assert pg.status_after_restoration("planned", Decimal(10), Decimal(3)) == "underway"
    assert pg.status_after_restoration("underway", Decimal(10), Decimal(10)) == "restored"


def test_growth_and_target_rates() -> None:
    assert pg.growth_percent(Decimal(120), Decimal(100)) == Decimal("20.00")
    assert pg.growth_percent(Decimal(80), Decimal(100)) == Decimal("-20.00")
    assert pg.growth_percent(Decimal(80), Decimal(0)) is None
    assert pg.target_percent(Decimal(1), Decimal(3)) == Decimal("33.33")
    assert pg.target_percent(Decimal(1), None) is None
