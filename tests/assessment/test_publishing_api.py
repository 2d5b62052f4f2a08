"""REST under /api/v1/assessment/: publications (public fields), appeals (scoped list,
create = submit_appeal, decide), with the errors of the actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.appeals import submit_appeal
from grassroots.assessment.actions.publishing import publish_run
from grassroots.assessment.models import Appeal, AppealState, Indicator, Run

pytestmark = pytest.mark.usefixtures("events")

APPEALS = "/api/v1/assessment/appeals/"


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(scheme_factory: Any, city_admin: Any) -> Run:
    run = compute_run(
        scheme_factory(shrinkage=False, significance=False), "2026-10", actor=city_admin
    )
    publish_run(run, actor=city_admin)
    run.refresh_from_db()
    return run


def _body(run: Run, unit: str = "513401101202", **extra: Any) -> dict[str, Any]:
    return {
        "run": run.pk,
        "unit": unit,
        "indicator": "patrol",
        "reason": "巡查记录漏计",
        "claimed_value": "50",
        **extra,
    }


def test_publications_are_public(published: Run) -> None:
    listing = Client().get("/api/v1/assessment/publications/")

    assert listing.status_code == 200
    row = listing.json()["results"][0]
    assert row["period"] == "2026-10" and row["kind"] == "monthly" and len(row["sha256"]) == 64
    detail = Client().get(f"/api/v1/assessment/publications/{row['id']}/").json()
    assert detail["snapshot"]["results"][0]["name"] == "礼州村"


def test_a_unit_appeals_and_the_office_decides(
    published: Run, neighbour_cadre: Any, city_admin: Any, login: Any
) -> None:
    created = login(neighbour_cadre).post(
        APPEALS, _body(published), content_type="application/json"
    )

    assert created.status_code == 201, created.content
    appeal = created.json()
    assert appeal["state"] == "submitted" and appeal["unit"] == "513401101202"
    decided = login(city_admin).post(
        f"{APPEALS}{appeal['id']}/decide/",
        {"accept": True, "reason": "核实", "corrected_value": "50"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "accepted" and decided.json()["new_version"] == 2


def test_a_village_cannot_appeal_for_another_village(
    published: Run, village_cadre: Any, login: Any
) -> None:
    answer = login(village_cadre).post(APPEALS, _body(published), content_type="application/json")

    assert answer.status_code == 404
    assert not Appeal.objects.exists()


def test_bad_input_is_answered_with_the_field(
    published: Run, neighbour_cadre: Any, login: Any
) -> None:
    client = login(neighbour_cadre)

    no_reason = client.post(APPEALS, _body(published, reason=" "), content_type="application/json")
    bad_indicator = client.post(
        APPEALS, _body(published, indicator="nope"), content_type="application/json"
    )

    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert bad_indicator.status_code == 400 and "indicator" in bad_indicator.json()


def test_a_second_appeal_on_the_same_score_is_a_conflict(
    published: Run, neighbour_cadre: Any, login: Any
) -> None:
    client = login(neighbour_cadre)
    client.post(APPEALS, _body(published), content_type="application/json")

    again = client.post(APPEALS, _body(published), content_type="application/json")

    assert again.status_code == 409 and Appeal.objects.count() == 1


def test_appeals_are_listed_in_scope(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, village_cadre: Any, login: Any
) -> None:
    appeal = submit_appeal(
        published,
        tree["neighbour_village"],
        Indicator.objects.get(code="patrol"),
        reason="漏计",
        claimed_value=Decimal(50),
        evidence=None,
        actor=neighbour_cadre,
    )

    own = login(neighbour_cadre).get(APPEALS + "?state=submitted").json()
    other = login(village_cadre).get(APPEALS).json()

    assert [a["id"] for a in own["results"]] == [appeal.pk]
    assert other["results"] == []
    assert login(village_cadre).get(f"{APPEALS}{appeal.pk}/").status_code == 404


def test_only_the_office_decides(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, xc_secretary: Any, login: Any
) -> None:
    appeal = submit_appeal(
        published,
        tree["neighbour_village"],
        Indicator.objects.get(code="patrol"),
        reason="漏计",
        claimed_value=None,
        evidence=None,
        actor=neighbour_cadre,
    )

    answer = login(xc_secretary).post(
        f"{APPEALS}{appeal.pk}/decide/",
        {"accept": False, "reason": "不予支持"},
        content_type="application/json",
    )

    assert answer.status_code == 403
    appeal.refresh_from_db()
    assert appeal.state == AppealState.SUBMITTED
