"""The demo's assessment year: schemes whose base weights add up to 100, every month so far
computed through the actions, quarters published with their SHA-256, a flagged rater
justified or excluded, the appeal of 礼州镇's village answered by a new version, the
year-end review waiting for its raters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment.actions.publishing import build_snapshot, snapshot_sha256
from grassroots.assessment.checks import scheme_burden
from grassroots.assessment.models import (
    BASE_CATEGORIES,
    Appeal,
    AppealState,
    Publication,
    RatingForm,
    RatingSheet,
    Result,
    Run,
    Scheme,
    SheetState,
)
from grassroots.assessment.states import RunState
from grassroots.demo.assessment import UNIFORM_RATER
from tests.conftest import seeded_town

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """礼州镇 with two months of events, the year's tasks and its assessment up to
    25 November 2026, seeded once (rolled back)."""
    with seeded_town(django_db_blocker, months=2, now=NOW) as summary:
        yield summary


@pytest.fixture
def scheme(town: Any, db: Any) -> Scheme:
    return Scheme.objects.get(code="xc-village-2026")


def test_the_town_gets_the_village_scheme_only(town: Any, scheme: Scheme) -> None:
    # one township has no peers: its scheme is left out at the town scale
    assert list(Scheme.objects.values_list("code", flat=True)) == ["xc-village-2026"]
    assert town.assessment_runs > 0 and town.publications > 0


def test_base_weights_add_up_to_100_and_indicators_say_their_duty(scheme: Scheme) -> None:
    indicators = list(scheme.indicators.all())
    base = sum((i.weight for i in indicators if i.category in BASE_CATEGORIES), start=Decimal(0))
    assert base == scheme.total_points == Decimal(100)
    assert 15 <= len(indicators) <= 25
    assert all(i.duty for i in indicators)
    assert {i.rule for i in indicators} >= {
        "range_linear",
        "threshold_bands",
        "rank_points",
        "per_item_deduction",
        "veto",
    }
    burden = scheme_burden(scheme)
    assert burden.ok, burden  # no form asks for what the platform records, no excess


def test_every_month_so_far_is_computed(scheme: Scheme) -> None:
    months = {f"2026-{m:02d}" for m in range(1, 11)}
    computed = set(Run.objects.filter(scheme=scheme).values_list("period", flat=True))
    assert computed >= months | {"2026-Q1", "2026-Q2", "2026-Q3"}
    assert "2026-11" not in computed and "2026" not in computed  # the year is not over
    for period in months:
        run = Run.objects.filter(scheme=scheme, period=period).latest("version")
        assert Result.objects.filter(run=run).count() == 13  # 礼州镇's villages


def test_quarters_are_published_with_the_hash_of_their_snapshot(scheme: Scheme) -> None:
    publications = list(Publication.objects.filter(scheme=scheme).select_related("run"))
    assert {p.period for p in publications} >= {"2026-Q1", "2026-Q2", "2026-Q3"}
    for publication in publications:
        assert publication.sha256 == snapshot_sha256(build_snapshot(publication.run))
        assert publication.run.state in (RunState.PUBLISHED, RunState.FROZEN)
    assert Run.objects.filter(scheme=scheme, state=RunState.FROZEN).exists()


def test_the_uniform_rater_is_flagged_then_justified_or_excluded(scheme: Scheme) -> None:
    sheets = RatingSheet.objects.filter(
        form__scheme=scheme, form__indicator__isnull=False, rater__username=UNIFORM_RATER
    )
    assert sheets.exists()
    assert {s.state for s in sheets} == {SheetState.JUSTIFIED, SheetState.EXCLUDED}
    for sheet in sheets:
        assert "constant" in sheet.diagnostics["flags"]
        assert sheet.justification or sheet.exclusion_reason
    others = RatingSheet.objects.filter(form__scheme=scheme, form__indicator__isnull=False)
    assert others.exclude(rater__username=UNIFORM_RATER).filter(state=SheetState.SUBMITTED).exists()


def test_the_appeal_is_accepted_as_a_new_published_version(scheme: Scheme) -> None:
    appeal = Appeal.objects.get(run__scheme=scheme)
    assert appeal.state == AppealState.ACCEPTED and appeal.run.period == "2026-Q2"
    assert appeal.unit.code.startswith("513401101")  # a village of 礼州镇
    new = appeal.new_run
    assert new is not None and new.version == appeal.run.version + 1
    assert Publication.objects.filter(run=new).exists()
    assert Publication.objects.filter(run=appeal.run).exists()  # never overwritten


def test_a_village_is_vetoed_in_may(scheme: Scheme) -> None:
    run = Run.objects.filter(scheme=scheme, period="2026-05").latest("version")
    vetoed = Result.objects.filter(run=run, vetoed=True)
    assert vetoed.count() == 1
    assert vetoed.get().grade == "poor" and vetoed.get().reward_fen == 0


def test_the_year_end_review_waits_for_the_raters(scheme: Scheme) -> None:
    review = RatingForm.objects.get(scheme=scheme, indicator__isnull=True)
    assert review.period == "2026" and review.closes_on == dt.date(2027, 1, 10)
    assert review.sheets.filter(rater__username="rater", state=SheetState.PENDING).exists()
