"""The publication and appeal pages: publish (with the refusal on the page), freeze, the
lists, a unit's appeal form, the office's decision, the diff, and scope (404/403)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.appeals import submit_appeal
from grassroots.assessment.actions.publishing import publish_run
from grassroots.assessment.models import Appeal, AppealState, Indicator, Publication, Run
from grassroots.assessment.states import RunState
from tests.assessment.conftest import CST

pytestmark = pytest.mark.usefixtures("events")


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scheme(scheme_factory: Any) -> Any:
    return scheme_factory(shrinkage=False, significance=False)


@pytest.fixture
def run(scheme: Any, city_admin: Any) -> Run:
    return compute_run(scheme, "2026-10", actor=city_admin)


@pytest.fixture
def published(run: Run, city_admin: Any) -> Run:
    publish_run(run, actor=city_admin)
    run.refresh_from_db()
    return run


def _appeal(run: Run, unit: Any, actor: Any) -> Appeal:
    return submit_appeal(
        run,
        unit,
        Indicator.objects.get(code="patrol"),
        reason="巡查记录漏计",
        claimed_value=Decimal(50),
        evidence=None,
        actor=actor,
    )


def test_the_office_publishes_from_the_page(run: Run, city_admin: Any, login: Any) -> None:
    page = login(city_admin).post(
        reverse("assessment:publish", args=[run.pk]), {"next": "/assessment/publications/"}
    )

    assert page.status_code == 302 and page["Location"] == "/assessment/publications/"
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED
    listing = login(city_admin).get(reverse("assessment:publications"))
    assert Publication.objects.get().sha256[:12] in listing.content.decode()


def test_a_refused_publication_names_the_failed_rule_on_the_page(
    scheme: Any, run: Run, city_admin: Any, login: Any
) -> None:
    scheme.min_spread = {"min_reward_gini": "0.9"}
    scheme.save(update_fields=["min_spread"])
    client = login(city_admin)

    page = client.post(
        reverse("assessment:publish", args=[run.pk]),
        {"next": "/assessment/publications/"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "奖励差距" in page.content.decode()  # the rule "reward spread", named
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED


def test_the_publish_page_says_beforehand_which_rule_fails(
    scheme: Any, run: Run, city_admin: Any, login: Any
) -> None:
    scheme.min_spread = {"min_reward_gini": "0.9"}
    scheme.save(update_fields=["min_spread"])

    page = login(city_admin).get(
        reverse("assessment:publish", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    body = page.content.decode().replace("&quot;", '"')
    assert page.status_code == 200
    assert "奖励差距" in body and "0.666667" in body  # the rule "reward spread" and its value
    assert 'method="post"' not in body.split('class="card"')[1]  # no button to press
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED


def test_the_diff_against_the_parent_version(
    scheme: Any, run: Run, city_admin: Any, login: Any
) -> None:
    newer = compute_run(scheme, "2026-10", actor=city_admin)
    client = login(city_admin)

    page = client.get(reverse("assessment:diff", args=[newer.pk]))

    assert page.status_code == 200 and "v1 → v2" in page.content.decode()
    assert client.get(reverse("assessment:diff", args=[run.pk])).status_code == 404


def test_a_village_cannot_publish(run: Run, village_cadre: Any, login: Any) -> None:
    page = login(village_cadre).post(reverse("assessment:publish", args=[run.pk]))

    assert page.status_code == 403
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED


def test_a_unit_appeals_its_score_with_evidence(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, login: Any
) -> None:
    client = login(neighbour_cadre)
    url = reverse("assessment:appeal_new", args=[published.pk])
    form = client.get(url + "?unit=513401101202&indicator=patrol")
    assert form.status_code == 200 and "田坝村" in form.content.decode()
    patrol = Indicator.objects.get(code="patrol")

    page = client.post(
        url,
        {
            "unit": tree["neighbour_village"].pk,
            "indicator": patrol.pk,
            "reason": "2起巡查发现的事件被误登记为群众上报",
            "claimed_value": "50",
            "evidence": SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )

    appeal = Appeal.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/assessment/appeals/{appeal.pk}/"
    assert appeal.unit == tree["neighbour_village"] and appeal.evidence
    detail = client.get(page["Location"])
    assert "2起巡查发现的事件被误登记为群众上报" in detail.content.decode()
    download = client.get(reverse("assessment:appeal_evidence", args=[appeal.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_bad_appeal_is_answered_next_to_the_field(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, login: Any
) -> None:
    page = login(neighbour_cadre).post(
        reverse("assessment:appeal_new", args=[published.pk]),
        {
            "unit": tree["neighbour_village"].pk,
            "indicator": Indicator.objects.get(code="patrol").pk,
            "reason": "见附件",
            "evidence": SimpleUploadedFile("x.exe", b"MZ\x90\x00"),
        },
    )

    assert page.status_code == 400
    assert "evidence" in page.context["form"].errors
    assert not Appeal.objects.exists()


def test_a_village_cannot_open_another_villages_appeal_form(
    published: Run, village_cadre: Any, login: Any
) -> None:
    page = login(village_cadre).get(
        reverse("assessment:appeal_new", args=[published.pk]) + "?unit=513401101202"
    )

    assert page.status_code == 404


def test_a_village_cannot_see_another_villages_appeal(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, village_cadre: Any, login: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], neighbour_cadre)
    client = login(village_cadre)

    assert client.get(reverse("assessment:appeal", args=[appeal.pk])).status_code == 404
    listing = client.get(reverse("assessment:appeals"))
    assert f"appeal-{appeal.pk}" not in listing.content.decode()


def test_the_office_sees_every_appeal_and_filters_by_state(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, city_admin: Any, login: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], neighbour_cadre)
    client = login(city_admin)

    waiting = client.get(reverse("assessment:appeals") + "?state=submitted")
    refused = client.get(reverse("assessment:appeals") + "?state=refused")

    assert f"appeal-{appeal.pk}" in waiting.content.decode()
    assert f"appeal-{appeal.pk}" not in refused.content.decode()


def test_the_office_accepts_an_appeal_and_the_diff_shows_what_changed(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, city_admin: Any, login: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], neighbour_cadre)
    client = login(city_admin)

    page = client.post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"decision": "accept", "reason": "核实巡查台账", "corrected_value": "50"},
    )

    assert page.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED and appeal.new_run is not None
    detail = client.get(reverse("assessment:appeal", args=[appeal.pk])).content.decode()
    diff_url = reverse("assessment:diff", args=[published.pk, appeal.new_run.pk])
    assert diff_url in detail
    diff = client.get(diff_url)
    body = diff.content.decode()
    assert diff.status_code == 200
    assert "unit-513401101202" in body and "30.00" in body
    # the unit sees the same diff for its own rows, and not its neighbours'
    own = login(neighbour_cadre).get(diff_url).content.decode()
    assert "unit-513401101202" in own and "unit-513401101201" not in own


def test_accepting_without_a_value_is_answered_next_to_the_field(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, city_admin: Any, login: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], neighbour_cadre)

    page = login(city_admin).post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"decision": "accept", "reason": "核实"},
    )

    assert page.status_code == 400
    assert "corrected_value" in page.context["form"].errors
    appeal.refresh_from_db()
    assert appeal.state == AppealState.SUBMITTED


def test_a_unit_cannot_decide_its_own_appeal(
    tree: dict[str, Any], published: Run, neighbour_cadre: Any, login: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], neighbour_cadre)

    page = login(neighbour_cadre).post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"decision": "refuse", "reason": "自己撤回"},
    )

    assert page.status_code == 403


def test_the_office_freezes_after_the_window(published: Run, city_admin: Any, login: Any) -> None:
    client = login(city_admin)
    url = reverse("assessment:freeze", args=[published.pk])

    client.post(url)
    published.refresh_from_db()
    assert published.state == RunState.PUBLISHED
    with time_machine.travel(dt.datetime(2026, 10, 23, 9, tzinfo=CST), tick=False):
        login(city_admin).post(url)  # a new session: sessions do not last a week
    published.refresh_from_db()
    assert published.state == RunState.FROZEN


def test_a_diff_between_different_periods_is_404(
    scheme: Any, run: Run, city_admin: Any, login: Any
) -> None:
    other = compute_run(scheme, "2026-09", actor=city_admin)

    page = login(city_admin).get(reverse("assessment:diff", args=[run.pk, other.pk]))

    assert page.status_code == 404
