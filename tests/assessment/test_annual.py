"""The annual evaluation (年评) on a tiny year computed by hand.

Weights 0.4 monthly / 0.3 quarterly / 0.3 year-end (the default), total points 100:

             2026-01 (v2)  2026-02   mean   2026-Q1   year-end sheets   annual
    礼州村        80          90       85       70       90, 80 → 85      34 + 21 + 25.5 = 80.50
    田坝村        60          70       65       60       70, 60 → 65      26 + 18 + 19.5 = 63.50
    安宁村        90      95 (veto)   92.5      90       95, 95 → 95      37 + 27 + 28.5 = 92.50

2026-01 v1 (礼州村 50, …) is superseded by v2 and does not count; a third, excluded sheet
(0 for everyone) does not count. 安宁村 was vetoed in February, so for the year it is 较差,
on the black list for the veto and gets no reward although its total is the highest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment.actions import compute_run
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import (
    FormState,
    Rating,
    RatingForm,
    RatingSheet,
    Result,
    Score,
    SheetState,
)
from grassroots.assessment.states import RunState
from tests.assessment.publishing_support import plain_scheme, run_with_results


@pytest.fixture
def year(tree: dict[str, Any], city_admin: Any, xc_secretary: Any, supervisor: Any) -> Any:
    v1, v2, v3 = tree["village"], tree["neighbour_village"], tree["other_village"]
    scheme = plain_scheme(tree)
    run_with_results(scheme, "2026-01", [(v1, "50"), (v2, "60"), (v3, "90")], version=1)
    run_with_results(
        scheme, "2026-01", [(v1, "80"), (v2, "60"), (v3, "90")], version=2, state="published"
    )
    run_with_results(
        scheme, "2026-02", [(v1, "90"), (v2, "70"), (v3, "95")], vetoed={v3: ["overdue-veto"]}
    )
    run_with_results(scheme, "2026-Q1", [(v1, "70"), (v2, "60"), (v3, "90")])
    form = RatingForm.objects.create(
        scheme=scheme,
        indicator=None,
        period="2026",
        title="2026年度年终考评",
        closes_on=dt.date(2026, 10, 1),
        state=FormState.CLOSED,
    )
    sheets = [
        (city_admin, SheetState.SUBMITTED, ("90", "70", "95")),
        (xc_secretary, SheetState.JUSTIFIED, ("80", "60", "95")),
        (supervisor, SheetState.EXCLUDED, ("0", "0", "0")),
    ]
    for rater, state, scores in sheets:
        sheet = RatingSheet.objects.create(form=form, rater=rater, state=state)
        for unit, score in zip((v1, v2, v3), scores, strict=True):
            Rating.objects.create(sheet=sheet, unit=unit, score=Decimal(score))
    return scheme


def _table(run: Any) -> list[tuple[str, Decimal, int, str, str, str, int, bool]]:
    return [
        (
            r.unit.name,
            r.total,
            r.rank,
            r.grade,
            r.list_status,
            r.list_reason,
            r.reward_fen,
            r.vetoed,
        )
        for r in Result.objects.filter(run=run).select_related("unit").order_by("unit__code")
    ]


def test_the_annual_evaluation_combines_months_quarters_and_the_year_end_review(
    tree: dict[str, Any], year: Any, city_admin: Any
) -> None:
    run = compute_run(year, "2026", actor=city_admin)

    assert run.kind == "annual" and run.state == RunState.COMPUTED and run.version == 1
    assert _table(run) == [
        # 1.5 × 80.50 : 1.0 × 63.50 of 1,000 元, to the fen
        ("礼州村", Decimal("80.50"), 2, "excellent", "red", "top_n", 65536, False),
        ("田坝村", Decimal("63.50"), 3, "average", "black", "bottom_n", 34464, False),
        ("安宁村", Decimal("92.50"), 1, "poor", "black", "vetoed", 0, True),
    ]
    assert not Score.objects.filter(run=run).exists()


def test_the_explanation_lists_every_component(
    tree: dict[str, Any], year: Any, city_admin: Any
) -> None:
    run = compute_run(year, "2026", actor=city_admin)

    lizhou = Result.objects.get(run=run, unit=tree["village"]).explanation
    components = lizhou["components"]
    assert [(c["period"], c["version"], c["total"]) for c in components["monthly"]] == [
        ("2026-01", 2, "80.00"),
        ("2026-02", 1, "90.00"),
    ]
    assert [(c["period"], c["total"]) for c in components["quarterly"]] == [("2026-Q1", "70.00")]
    assert components["year_end"]["sheets"] == 2
    assert components["year_end"]["mean_score"] == "85.00"
    assert components["year_end"]["scaled"] == "85.00"
    assert lizhou["annual"]["inputs"] == {
        "monthly_mean": "85.00",
        "quarterly_mean": "70.00",
        "year_end_mean": "85.00",
        "months": 2,
        "quarters": 1,
    }
    anning = Result.objects.get(run=run, unit=tree["other_village"]).explanation
    assert anning["vetoes"] == ["2026-02:overdue-veto"]


def test_the_run_notes_the_missing_months_and_is_fingerprinted(year: Any, city_admin: Any) -> None:
    first = compute_run(year, "2026", actor=city_admin)
    second = compute_run(year, "2026", actor=city_admin)

    assert (
        "months_missing:2026-03,2026-04,2026-05,2026-06,2026-07,2026-08,2026-09,2026-10,2026-11,2026-12"
        in first.notes
    )
    assert "quarters_missing:2026-Q2,2026-Q3,2026-Q4" in first.notes
    assert second.version == 2 and second.fingerprint == first.fingerprint
    assert _table(second) == _table(first)


def test_a_missing_year_end_review_shares_its_weight(
    tree: dict[str, Any], year: Any, city_admin: Any
) -> None:
    RatingForm.objects.filter(scheme=year).update(state=FormState.OPEN)

    run = compute_run(year, "2026", actor=city_admin)

    lizhou = Result.objects.get(run=run, unit=tree["village"])
    # (0.4 × 85 + 0.3 × 70) ÷ 0.7 = 78.571… → 78.57
    assert lizhou.total == Decimal("78.57")
    assert "year_end_review_open" in run.notes


def test_the_scheme_weights_are_used(tree: dict[str, Any], year: Any, city_admin: Any) -> None:
    year.annual_weights = {"monthly": "0.5", "quarterly": "0.5", "year_end": "0"}
    year.save(update_fields=["annual_weights"])

    run = compute_run(year, "2026", actor=city_admin)

    assert Result.objects.get(run=run, unit=tree["village"]).total == Decimal("77.50")


def test_weights_that_do_not_add_up_are_refused(year: Any, city_admin: Any) -> None:
    year.annual_weights = {"monthly": "0.5", "quarterly": "0.5", "year_end": "0.5"}
    year.save(update_fields=["annual_weights"])

    with pytest.raises(AssessmentError) as caught:
        compute_run(year, "2026", actor=city_admin)

    assert caught.value.field == "annual_weights"


def test_a_year_with_nothing_computed_is_refused(tree: dict[str, Any], city_admin: Any) -> None:
    with pytest.raises(AssessmentError):
        compute_run(plain_scheme(tree), "2026", actor=city_admin)


def test_the_annual_run_is_audited(year: Any, city_admin: Any) -> None:
    from grassroots.audit.models import AuditEntry

    run = compute_run(year, "2026", actor=city_admin)

    entry = AuditEntry.objects.get(action="assessment.run.computed")
    assert entry.after["kind"] == "annual" and entry.after["fingerprint"] == run.fingerprint
