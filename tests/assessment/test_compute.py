"""compute_run on the small tree: scores from the events metrics, ranks, grades, lists,
rewards, the audit entry, new versions and determinism."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from grassroots.assessment.actions import compute_run
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Result, Score
from grassroots.assessment.states import RunState

pytestmark = pytest.mark.usefixtures("events")


def _table(run: Any) -> list[tuple[str, Decimal, int, str, int, str]]:
    return [
        (r.unit.name, r.total, r.rank, r.grade, r.reward_fen, r.list_status)
        for r in Result.objects.filter(run=run).select_related("unit").order_by("unit__code")
    ]


def test_scores_follow_the_metric_and_the_rule(
    tree: dict[str, Any], scheme_factory: Any, city_admin: Any
) -> None:
    scheme = scheme_factory(shrinkage=False, significance=False)

    run = compute_run(scheme, "2026-10", actor=city_admin)

    assert run.state == RunState.COMPUTED and run.version == 1 and len(run.fingerprint) == 64
    score = Score.objects.get(run=run, unit=tree["village"], indicator__code="patrol")
    assert score.raw_value == Decimal("75.00")
    assert score.points == Decimal("45.00")  # 60 × 75 %
    assert score.explanation["numerator"] == "3" and score.explanation["denominator"] == "4"
    assert score.explanation["rule"] == "range_linear"
    assert _table(run) == [
        ("礼州村", Decimal("85.00"), 1, "excellent", 100000, "red"),  # 45 + 40 for rank 1
        ("田坝村", Decimal("0.00"), 2, "poor", 0, ""),
        # no events: no figure and no points; tied with 田坝村, so the tied block of two
        # cannot enter a black list of one
        ("安宁村", Decimal("0.00"), 2, "poor", 0, ""),
    ]
    none = Score.objects.get(run=run, unit=tree["other_village"], indicator__code="patrol")
    assert none.raw_value is None and "no_data" in none.explanation["notes"]


def test_the_run_is_audited(scheme_factory: Any, city_admin: Any) -> None:
    from grassroots.audit.models import AuditEntry

    run = compute_run(scheme_factory(), "2026-10", actor=city_admin)

    entry = AuditEntry.objects.get(action="assessment.run.computed")
    assert entry.after["fingerprint"] == run.fingerprint


def test_shrinkage_pulls_small_villages_toward_the_peer_mean(
    tree: dict[str, Any], scheme_factory: Any, city_admin: Any
) -> None:
    run = compute_run(scheme_factory(), "2026-10", actor=city_admin)  # village: on by default

    score = Score.objects.get(run=run, unit=tree["village"], indicator__code="patrol")
    assert score.shrunk_value is not None
    assert score.shrunk_value <= score.raw_value
    assert "shrunk" in score.explanation["notes"]
    assert score.explanation["shrinkage"]["raw"] == "75.00"


def test_rerunning_on_the_same_data_gives_the_same_results_as_a_new_version(
    scheme_factory: Any, city_admin: Any
) -> None:
    scheme = scheme_factory()
    first = compute_run(scheme, "2026-10", actor=city_admin)
    first.state = RunState.PUBLISHED
    first.save(update_fields=["state"])

    second = compute_run(scheme, "2026-10", actor=city_admin)

    assert second.version == 2 and second.parent == first
    assert second.fingerprint == first.fingerprint
    assert _table(second) == _table(first)
    first.refresh_from_db()
    assert first.state == RunState.PUBLISHED  # the published version is untouched
    assert Result.objects.filter(run=first).count() == 3


def test_new_data_changes_the_fingerprint(
    tree: dict[str, Any], scheme_factory: Any, city_admin: Any, grid_worker: Any
) -> None:
    from grassroots.events.actions import report_event
    from grassroots.events.models import Category

    scheme = scheme_factory()
    first = compute_run(scheme, "2026-10", actor=city_admin)
    report_event(
        actor=grid_worker,
        category=Category.objects.get(code="SRHJ01"),
        title="井盖缺失",
        description="路口井盖缺失",
        source="patrol",
        lat=27.85,
        lon=102.05,
    )

    second = compute_run(scheme, "2026-10", actor=city_admin)

    assert second.fingerprint != first.fingerprint


def test_only_the_city_office_computes(
    scheme_factory: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    scheme = scheme_factory()
    for person in (xc_secretary, village_cadre):
        with pytest.raises(PermissionDenied):
            compute_run(scheme, "2026-10", actor=person)


def test_a_bad_period_is_a_clear_error(scheme_factory: Any, city_admin: Any) -> None:
    with pytest.raises(AssessmentError):
        compute_run(scheme_factory(), "2026-13", actor=city_admin)


def test_results_are_scoped_to_the_viewer(
    scheme_factory: Any,
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    outsider: Any,
    grid_worker: Any,
) -> None:
    run = compute_run(scheme_factory(), "2026-10", actor=city_admin)

    def seen(user: Any) -> set[str]:
        rows = Result.objects.visible_to(user).filter(run=run).select_related("unit")
        return {r.unit.name for r in rows}

    assert seen(city_admin) == {"礼州村", "田坝村", "安宁村"}
    assert seen(xc_secretary) == {"礼州村", "田坝村"}
    assert seen(village_cadre) == {"礼州村"}
    assert seen(outsider) == {"安宁村"}
    assert seen(grid_worker) == set()
    assert Score.objects.visible_to(village_cadre).filter(run=run).count() == 3


def test_the_command_prints_the_ranking(scheme_factory: Any) -> None:
    from io import StringIO

    scheme_factory()
    out = StringIO()

    call_command("assess", scheme="xc-village-2026", period="2026-10", stdout=out)

    text = out.getvalue()
    assert "礼州村" in text and "安宁村" in text and "fingerprint" in text
    assert "优秀" in text  # 礼州村 ranks first


def test_a_veto_grades_poor_and_pays_nothing(
    tree: dict[str, Any], scheme_factory: Any, city_admin: Any
) -> None:
    from grassroots.assessment.models import Indicator

    scheme = scheme_factory(shrinkage=False, significance=False)
    # threshold 0: every unit with a figure (0 overdue events or more) is vetoed
    Indicator.objects.filter(scheme=scheme, code="overdue-veto").update(params={"threshold": 0})

    run = compute_run(scheme, "2026-10", actor=city_admin)

    lizhou = Result.objects.get(run=run, unit=tree["village"])
    assert lizhou.vetoed and lizhou.grade == "poor"
    assert lizhou.reward_fen == 0 and lizhou.list_status != "red"
    assert lizhou.explanation["vetoes"] == ["overdue-veto"]
    assert run.diagnostics["unallocated_fen"] == 100000


def test_a_score_leads_to_its_records(
    tree: dict[str, Any], scheme_factory: Any, city_admin: Any
) -> None:
    from grassroots.common.metrics import Period, get

    run = compute_run(scheme_factory(), "2026-10", actor=city_admin)

    score = Score.objects.get(run=run, unit=tree["village"], indicator__code="patrol")
    metric = get(score.explanation["metric"])
    records = metric.evidence(score.unit_id, Period.parse(score.explanation["period"]))
    assert records.count() == 4  # the denominator
    assert records.filter(in_numerator=True).count() == 3  # the numerator


def test_weights_that_do_not_add_up_are_noted(scheme_factory: Any, city_admin: Any) -> None:
    scheme = scheme_factory(total_points=Decimal(120))

    run = compute_run(scheme, "2026-10", actor=city_admin)

    assert run.notes == ["weights_do_not_add_up:100.00/120.00"]


def test_a_rating_indicator_without_a_form_has_no_data_and_a_note(
    tree: dict[str, Any], scheme_factory: Any, city_admin: Any
) -> None:
    from grassroots.assessment.models import Indicator

    scheme = scheme_factory()
    Indicator.objects.create(
        scheme=scheme,
        code="democratic-rating",
        name="民主测评",
        category="satisfaction",
        weight=Decimal(0),
        source="manual",
        rule="range_linear",
        params={"floor": 60, "target": 95},
    )

    run = compute_run(scheme, "2026-10", actor=city_admin)

    assert run.notes == ["no_rating_form:democratic-rating"]
    score = Score.objects.get(run=run, unit=tree["village"], indicator__code="democratic-rating")
    assert score.points == 0 and "no_data" in score.explanation["notes"]


def test_the_admin_pages_open(admin_client: Any, scheme_factory: Any, city_admin: Any) -> None:
    scheme = scheme_factory()
    run = compute_run(scheme, "2026-10", actor=city_admin)
    result = Result.objects.filter(run=run).first()
    assert result is not None

    for url in (
        "/admin/assessment/scheme/",
        f"/admin/assessment/scheme/{scheme.pk}/change/",
        "/admin/assessment/run/",
        "/admin/assessment/result/",
        f"/admin/assessment/result/{result.pk}/change/",
        "/admin/assessment/score/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_a_period_outside_the_schemes_year_is_refused(scheme_factory: Any, city_admin: Any) -> None:
    from grassroots.assessment.errors import AssessmentError
    from grassroots.assessment.models import Run

    scheme = scheme_factory()

    with pytest.raises(AssessmentError) as caught:
        compute_run(scheme, "2025-12", actor=city_admin)

    assert caught.value.field == "period"
    assert not Run.objects.filter(scheme=scheme).exists()
