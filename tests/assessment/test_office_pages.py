"""The office's and the units' pages of the assessment: scope (a village cadre sees only
its own village, another village's result is a 404, a computed run stays with the office
until published), the click path from a rank down to a single event, computing from the
scheme page (bad period → 400 next to the field), the catalogue, the weight and burden
checks on the scheme page and in the editor (Django admin, audited)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment.actions import compute_run
from grassroots.assessment.models import Indicator, Result, Run, Score
from grassroots.assessment.states import RunState

pytestmark = pytest.mark.usefixtures("events")


def published(run: Run) -> Run:
    run.state = RunState.PUBLISHED
    run.save(update_fields=["state"])
    return run


@pytest.fixture
def run(scheme_factory: Any, city_admin: Any) -> Run:
    return compute_run(
        scheme_factory(shrinkage=False, significance=False), "2026-10", actor=city_admin
    )


def test_the_office_sees_the_whole_ranking_with_ties(login: Any, city_admin: Any, run: Run) -> None:
    page = login(city_admin).get(f"/assessment/runs/{run.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="result-row') == 3
    # 田坝村 and 安宁村 are tied at rank 2: shown as "2="
    assert text.count("2=") == 2
    assert "1,000.00" in text  # the whole pool to 礼州村, in yuan


def test_a_village_cadre_sees_only_its_own_village(
    login: Any, village_cadre: Any, tree: dict[str, Any], run: Run
) -> None:
    published(run)
    client = login(village_cadre)

    page = client.get(f"/assessment/runs/{run.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="result-row') == 1 and "礼州村" in text and "田坝村" not in text
    mine = client.get(f"/assessment/runs/{run.pk}/units/{tree['village'].pk}/")
    assert mine.status_code == 200
    other = client.get(f"/assessment/runs/{run.pk}/units/{tree['neighbour_village'].pk}/")
    assert other.status_code == 404
    foreign = Score.objects.filter(run=run, unit=tree["neighbour_village"]).first()
    assert client.get(f"/assessment/scores/{foreign.pk}/evidence/").status_code == 404


def test_a_computed_run_stays_with_the_office_until_published(
    login: Any, village_cadre: Any, tree: dict[str, Any], run: Run
) -> None:
    client = login(village_cadre)

    assert client.get(f"/assessment/runs/{run.pk}/").status_code == 404
    assert client.get(f"/assessment/runs/{run.pk}/units/{tree['village'].pk}/").status_code == 404
    assert "礼州村" in client.get("/assessment/mine/").content.decode()
    assert f"/assessment/runs/{run.pk}/" not in client.get("/assessment/mine/").content.decode()


def test_from_the_rank_down_to_a_single_event(
    login: Any, xc_secretary: Any, tree: dict[str, Any], run: Run
) -> None:
    from grassroots.events.models import Event

    published(run)
    Event.objects.update(contact_name="张三", contact_phone="13912345678")
    client = login(xc_secretary)

    ranking = client.get(f"/assessment/runs/{run.pk}/").content.decode()
    result_url = f"/assessment/runs/{run.pk}/units/{tree['village'].pk}/"
    assert result_url in ranking

    breakdown = client.get(result_url)
    assert breakdown.status_code == 200
    text = breakdown.content.decode()
    score = Score.objects.get(run=run, unit=tree["village"], indicator__code="patrol")
    evidence_url = f"/assessment/scores/{score.pk}/evidence/"
    assert evidence_url in text
    assert "3 / 4" in text  # numerator / denominator of the patrol share

    records = client.get(evidence_url)
    assert records.status_code == 200
    listed = records.content.decode()
    assert listed.count('class="record-row') == 4
    assert "13912345678" not in listed and "张三" not in listed  # no personal data

    not_counted = client.get(evidence_url, {"counted": "0"}).content.decode()
    assert not_counted.count('class="record-row') == 1
    event = Event.objects.get(village=tree["village"], source="resident")
    assert f"/events/{event.pk}/" in not_counted
    assert client.get(f"/events/{event.pk}/").status_code == 200


def test_the_breakdown_explains_every_indicator_in_words(
    login: Any, city_admin: Any, tree: dict[str, Any], run: Run
) -> None:
    page = login(city_admin).get(f"/assessment/runs/{run.pk}/units/{tree['village'].pk}/")

    text = page.content.decode()
    assert text.count('class="score-row"') == Indicator.objects.filter(scheme=run.scheme).count()
    assert "45.00" in text and "85.00" in text
    other = login(city_admin).get(f"/assessment/runs/{run.pk}/units/{tree['other_village'].pk}/")
    assert other.status_code == 200  # 安宁村: no events, no figure, explained, not an error


def test_the_unit_people_land_on_their_results(
    login: Any, village_cadre: Any, city_admin: Any, grid_worker: Any, run: Run
) -> None:
    published(run)

    landing = login(village_cadre).get("/assessment/")
    assert landing.status_code == 302 and landing["Location"].endswith("/assessment/mine/")
    mine = login(village_cadre).get("/assessment/mine/").content.decode()
    assert f"/assessment/runs/{run.pk}/units/" in mine and "2026-10" in mine
    overview = login(city_admin).get("/assessment/")
    assert overview.status_code == 200 and run.scheme.name in overview.content.decode()
    assert login(grid_worker).get("/assessment/").status_code == 403


def test_computing_from_the_scheme_page(
    login: Any, city_admin: Any, xc_secretary: Any, scheme_factory: Any
) -> None:
    scheme = scheme_factory()
    client = login(city_admin)

    done = client.post(f"/assessment/schemes/{scheme.pk}/", {"period": "2026-10"})

    run = Run.objects.get(scheme=scheme)
    assert done.status_code == 302 and done["Location"] == f"/assessment/runs/{run.pk}/"
    assert Result.objects.filter(run=run).count() == 3
    refused = login(xc_secretary).post(f"/assessment/schemes/{scheme.pk}/", {"period": "2026-11"})
    assert refused.status_code == 403
    assert Run.objects.filter(scheme=scheme).count() == 1


@pytest.mark.parametrize("period", ["2026-13", "soon", "2025-10", "2026-W40", ""])
def test_a_bad_period_is_refused_next_to_the_field(
    login: Any, city_admin: Any, scheme_factory: Any, period: str
) -> None:
    scheme = scheme_factory()

    page = login(city_admin).post(f"/assessment/schemes/{scheme.pk}/", {"period": period})

    assert page.status_code == 400
    assert page.context["form"].errors["period"]
    assert 'id="period-error"' in page.content.decode()
    assert not Run.objects.filter(scheme=scheme).exists()


def test_a_scheme_out_of_scope_is_not_found(
    login: Any, outsider: Any, tree: dict[str, Any], scheme_factory: Any
) -> None:
    scheme = scheme_factory(root=tree["lizhou"], code="lizhou-villages")

    assert login(outsider).get(f"/assessment/schemes/{scheme.pk}/").status_code == 404


def test_the_catalogue_shows_definitions_and_filters(
    login: Any, city_admin: Any, scheme_factory: Any
) -> None:
    scheme = scheme_factory()
    Indicator.objects.create(
        scheme=scheme,
        code="review",
        name="民主测评",
        category="satisfaction",
        weight=Decimal(0),
        source="manual",
        rule="range_linear",
        params={"floor": 0, "target": 100},
        duty="组织群众评议",
    )
    client = login(city_admin)

    page = client.get("/assessment/catalogue/", {"year": 2026})
    text = page.content.decode()
    assert text.count('class="indicator-row"') == 4
    assert "组织群众评议" in text
    assert "patrol" in text and "events.patrol_share" in text
    manual = client.get("/assessment/catalogue/", {"year": 2026, "source": "manual"})
    assert manual.content.decode().count('class="indicator-row"') == 1
    found = client.get("/assessment/catalogue/", {"year": 2026, "q": "群众评议"})
    assert found.content.decode().count('class="indicator-row"') == 1


def test_the_scheme_page_shows_the_weight_and_burden_checks(
    login: Any, city_admin: Any, scheme_factory: Any
) -> None:
    scheme = scheme_factory(max_manual=0)
    Indicator.objects.create(
        scheme=scheme,
        code="hotline-closed",
        name="12345工单办结数",
        category="common",
        weight=Decimal(5),
        source="entry",
        rule="linear_completion",
        params={"target": 10},
    )

    text = login(city_admin).get(f"/assessment/schemes/{scheme.pk}/").content.decode()

    assert 'class="weight-check warning"' in text  # 60 + 40 + 5 = 105 ≠ 100
    assert "105" in text
    flagged = re.findall(r'class="indicator-row flagged" data-code="([^"]+)"', text)
    assert flagged == ["hotline-closed"]
    assert 'class="burden-problems"' in text


def test_the_runs_list_filters_by_scheme_and_period(
    login: Any, city_admin: Any, scheme_factory: Any
) -> None:
    scheme = scheme_factory()
    compute_run(scheme, "2026-09", actor=city_admin)
    compute_run(scheme, "2026-10", actor=city_admin)
    client = login(city_admin)

    both = client.get("/assessment/runs/", {"scheme": scheme.pk}).content.decode()
    one = client.get("/assessment/runs/", {"scheme": scheme.pk, "period": "2026-09"})
    assert both.count('class="run-row"') == 2
    assert one.content.decode().count('class="run-row"') == 1


# --- the editor (Django admin) -----------------------------------------------------------


def _admin_data(scheme: Any, indicators: list[Indicator], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": scheme.code,
        "name": scheme.name,
        "year": scheme.year,
        "level": scheme.level,
        "root": scheme.root_id,
        "peer_rule": scheme.peer_rule,
        "total_points": str(scheme.total_points),
        "grade_quota": '{"excellent_share": "0.34"}',
        "list_rule": "{}",
        "reward_pool_fen": scheme.reward_pool_fen,
        "reward_method": scheme.reward_method,
        "reward_params": "{}",
        "shrinkage": "unknown",
        "significance": "unknown",
        "annual_weights": "{}",
        "training_places": 0,
        "min_spread": "{}",
        "max_indicators": scheme.max_indicators,
        "max_manual": scheme.max_manual,
        "appeal_workdays": scheme.appeal_workdays,
        "indicators-TOTAL_FORMS": len(indicators),
        "indicators-INITIAL_FORMS": len(indicators),
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
    }
    for i, ind in enumerate(indicators):
        prefix = f"indicators-{i}-"
        data.update(
            {
                prefix + "id": ind.pk,
                prefix + "scheme": scheme.pk,
                prefix + "position": ind.position,
                prefix + "code": ind.code,
                prefix + "name": ind.name,
                prefix + "category": ind.category,
                prefix + "weight": str(ind.weight),
                prefix + "source": ind.source,
                prefix + "metric": ind.metric,
                prefix + "normaliser": ind.normaliser,
                prefix + "direction": ind.direction,
                prefix + "rule": ind.rule,
                prefix + "params": json.dumps(ind.params),
                prefix + "duty": ind.duty,
            }
        )
    data.update(changes)
    return data


def test_the_editor_warns_when_weights_do_not_add_up_and_is_audited(
    login: Any, city_admin: Any, scheme_factory: Any
) -> None:
    from grassroots.audit.models import AuditEntry

    city_admin.is_staff = True
    city_admin.save(update_fields=["is_staff"])
    scheme = scheme_factory()
    indicators = list(Indicator.objects.filter(scheme=scheme).order_by("position"))
    client = login(city_admin)
    url = f"/admin/assessment/scheme/{scheme.pk}/change/"

    shown = client.get(url)
    assert shown.status_code == 200

    saved = client.post(
        url, _admin_data(scheme, indicators, **{"indicators-0-weight": "50"}), follow=True
    )

    assert saved.status_code == 200
    assert Indicator.objects.get(scheme=scheme, code="patrol").weight == Decimal(50)
    warnings = [str(m) for m in saved.context["messages"] if m.level_tag == "warning"]
    assert any("90" in w for w in warnings), warnings  # 50 + 40 = 90 of 100
    entry = AuditEntry.objects.get(action="assessment.scheme.changed")
    assert entry.before["indicators"][0]["weight"] == "60.00"
    assert entry.after["indicators"][0]["weight"] == "50.00"


def test_the_editor_is_the_city_office_s(
    login: Any, xc_secretary: Any, scheme_factory: Any
) -> None:
    xc_secretary.is_staff = True
    xc_secretary.save(update_fields=["is_staff"])
    scheme = scheme_factory()

    page = login(xc_secretary).get(f"/admin/assessment/scheme/{scheme.pk}/change/")

    assert page.status_code in (302, 403, 404)


def test_a_new_scheme_is_created_through_the_editor_with_burden_warnings(
    login: Any, city_admin: Any, tree: dict[str, Any]
) -> None:
    from grassroots.assessment.models import Scheme
    from grassroots.audit.models import AuditEntry

    city_admin.is_staff = True
    city_admin.save(update_fields=["is_staff"])
    template = Scheme(
        code="xc-town-2026",
        name="西昌市2026年乡镇目标考核",
        year=2026,
        level="township",
        root=tree["city"],
        max_manual=0,
    )
    entry = Indicator(
        code="tasks-done",
        name="重点任务完成个数",
        category="common",
        weight=Decimal(100),
        source="entry",
        rule="linear_completion",
        params={"target": 10},
        position=0,
    )
    data = _admin_data(template, [entry])
    data.update({"indicators-INITIAL_FORMS": 0, "indicators-0-id": "", "indicators-0-scheme": ""})

    saved = login(city_admin).post("/admin/assessment/scheme/add/", data, follow=True)

    assert saved.status_code == 200
    scheme = Scheme.objects.get(code="xc-town-2026")
    assert list(scheme.indicators.values_list("code", flat=True)) == ["tasks-done"]
    warnings = [str(m) for m in saved.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 2  # a form for task counts the platform records; manual ceiling 0
    assert AuditEntry.objects.filter(action="assessment.scheme.created").count() == 1


def test_an_indicator_with_scores_cannot_be_deleted_in_the_editor(
    login: Any, city_admin: Any, run: Run
) -> None:
    city_admin.is_staff = True
    city_admin.save(update_fields=["is_staff"])
    scheme = run.scheme
    indicators = list(Indicator.objects.filter(scheme=scheme).order_by("position"))

    page = login(city_admin).post(
        f"/admin/assessment/scheme/{scheme.pk}/change/",
        _admin_data(scheme, indicators, **{"indicators-2-DELETE": "on"}),
    )

    assert page.status_code == 200  # the form again, with the reason
    errors = [
        str(e) for f in page.context["inline_admin_formsets"] for e in f.formset.non_form_errors()
    ]
    assert len(errors) == 1 and "overdue-veto" in errors[0]
    assert Indicator.objects.filter(scheme=scheme).count() == 3
