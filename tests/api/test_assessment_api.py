"""REST of the assessment: schemes with their checks, runs with results, results and
scores in the caller's scope (another village's → 404), the records behind a score with
links to their pages, computing a run (the office only; a bad period → 400 naming the
field); every answer matches the OpenAPI document."""

# ruff: noqa: F811  (fixtures imported from other test modules)
from __future__ import annotations

from typing import Any

import pytest

from grassroots.assessment.actions import compute_run
from grassroots.assessment.models import Result, Run, Score
from grassroots.assessment.states import RunState
from tests.api.test_schema import OpenAPI, openapi  # noqa: F401  (fixture)
from tests.assessment.conftest import _clock, events, scheme_factory  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("events")


@pytest.fixture
def run(scheme_factory: Any, city_admin: Any) -> Run:
    run = compute_run(
        scheme_factory(shrinkage=False, significance=False), "2026-10", actor=city_admin
    )
    run.state = RunState.PUBLISHED
    run.save(update_fields=["state"])
    return run


def test_schemes_show_their_indicators_and_checks(
    login: Any,
    city_admin: Any,
    run: Run,
    openapi: OpenAPI,
) -> None:
    client = login(city_admin)

    listed = client.get("/api/v1/assessment/schemes/")
    openapi.check("/api/v1/assessment/schemes/", "get", listed)
    assert [x["code"] for x in listed.json()["results"]] == [run.scheme.code]
    one = client.get(f"/api/v1/assessment/schemes/{run.scheme_id}/")
    openapi.check("/api/v1/assessment/schemes/{id}/", "get", one)
    body = one.json()
    assert [i["code"] for i in body["indicators"]] == ["patrol", "patrol-rank", "overdue-veto"]
    assert body["weight_check"]["ok"] is True
    assert body["burden"]["ok"] is True
    assert body["indicators"][0]["metric_definition"]  # the metric's exact definition


def test_a_village_cadre_reads_only_its_own_village(
    login: Any,
    village_cadre: Any,
    tree: dict[str, Any],
    run: Run,
    openapi: OpenAPI,
) -> None:
    client = login(village_cadre)

    results = client.get("/api/v1/assessment/results/", {"run": run.pk})
    openapi.check("/api/v1/assessment/results/", "get", results)
    assert [r["unit"]["code"] for r in results.json()["results"]] == [tree["village"].code]
    detail = client.get(f"/api/v1/assessment/runs/{run.pk}/")
    openapi.check("/api/v1/assessment/runs/{id}/", "get", detail)
    assert [r["unit"]["name"] for r in detail.json()["results"]] == ["礼州村"]
    other = Result.objects.get(run=run, unit=tree["neighbour_village"])
    assert client.get(f"/api/v1/assessment/results/{other.pk}/").status_code == 404
    foreign = Score.objects.filter(run=run, unit=tree["neighbour_village"]).first()
    missing = client.get(f"/api/v1/assessment/scores/{foreign.pk}/")
    assert missing.status_code == 404
    openapi.check("/api/v1/assessment/scores/{id}/", "get", missing)


def test_a_computed_run_is_the_office_s_until_published(
    login: Any, village_cadre: Any, city_admin: Any, scheme_factory: Any
) -> None:
    draft = compute_run(scheme_factory(code="other"), "2026-10", actor=city_admin)

    assert login(village_cadre).get(f"/api/v1/assessment/runs/{draft.pk}/").status_code == 404
    assert login(city_admin).get(f"/api/v1/assessment/runs/{draft.pk}/").status_code == 200


def test_a_score_explains_itself_and_lists_its_records(
    login: Any,
    xc_secretary: Any,
    tree: dict[str, Any],
    run: Run,
    openapi: OpenAPI,
) -> None:
    client = login(xc_secretary)

    scores = client.get(
        "/api/v1/assessment/scores/",
        {"run": run.pk, "unit": tree["village"].code, "indicator": "patrol"},
    )
    openapi.check("/api/v1/assessment/scores/", "get", scores)
    (score,) = scores.json()["results"]
    assert score["points"] == "45.00" and score["numerator"].startswith("3")
    assert score["explanation"]["rule"] == "range_linear"
    assert len(score["explanation_text"]) >= 2
    records = client.get(score["evidence"])
    openapi.check("/api/v1/assessment/scores/{id}/evidence/", "get", records)
    rows = records.json()["results"]
    assert len(rows) == 4 and all(r["url"].startswith("/events/") for r in rows)
    assert all("contact_phone" not in r["fields"] for r in rows)
    late = client.get(score["evidence"], {"counted": "false"}).json()["results"]
    assert len(late) == 1
    assert client.get(late[0]["url"]).status_code == 200  # the event's own page


def test_the_office_computes_through_the_api(
    login: Any,
    city_admin: Any,
    xc_secretary: Any,
    scheme_factory: Any,
    openapi: OpenAPI,
) -> None:
    scheme = scheme_factory()
    url = f"/api/v1/assessment/schemes/{scheme.pk}/compute/"

    done = login(city_admin).post(url, {"period": "2026-10"}, content_type="application/json")

    assert done.status_code == 201, done.content
    openapi.check("/api/v1/assessment/schemes/{id}/compute/", "post", done)
    assert done.json()["period"] == "2026-10" and len(done.json()["results"]) == 3
    denied = login(xc_secretary).post(url, {"period": "2026-10"}, content_type="application/json")
    assert denied.status_code == 403
    openapi.check("/api/v1/assessment/schemes/{id}/compute/", "post", denied)
    assert Run.objects.filter(scheme=scheme).count() == 1


@pytest.mark.parametrize("period", ["2026-13", "2025-10", "next month", ""])
def test_a_bad_period_is_400_naming_the_field(
    login: Any,
    city_admin: Any,
    scheme_factory: Any,
    period: str,
    openapi: OpenAPI,
) -> None:
    scheme = scheme_factory()

    bad = login(city_admin).post(
        f"/api/v1/assessment/schemes/{scheme.pk}/compute/",
        {"period": period},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )

    assert bad.status_code == 400
    assert list(bad.json()) == ["period"] and bad.json()["period"][0]
    openapi.check("/api/v1/assessment/schemes/{id}/compute/", "post", bad)
    assert not Run.objects.filter(scheme=scheme).exists()
