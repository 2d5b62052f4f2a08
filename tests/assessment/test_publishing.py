"""Publishing a run (季晒/年评): the snapshot and its SHA-256, the minimum spread, the appeal
window, newer versions, freezing, scope and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.appeals import submit_appeal
from grassroots.assessment.actions.publishing import (
    build_snapshot,
    canonical_json,
    freeze_run,
    publish_run,
)
from grassroots.assessment.errors import AssessmentError, IllegalTransition
from grassroots.assessment.models import Indicator, Publication, Run
from grassroots.assessment.states import RunState
from tests.assessment.conftest import CST

pytestmark = pytest.mark.usefixtures("events")


@pytest.fixture
def scheme(scheme_factory: Any) -> Any:
    return scheme_factory(shrinkage=False, significance=False)


@pytest.fixture
def run(scheme: Any, city_admin: Any) -> Run:
    return compute_run(scheme, "2026-Q4", actor=city_admin)


def test_publishing_stores_a_snapshot_whose_hash_anyone_can_reproduce(
    run: Run, city_admin: Any
) -> None:
    publication = publish_run(run, actor=city_admin)

    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED
    stored = Publication.objects.get(pk=publication.pk)  # as the database gives it back
    text = json.dumps(stored.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == stored.sha256
    assert canonical_json(build_snapshot(run)) == text.encode("utf-8")  # recomputed: the same
    snap = stored.snapshot
    assert (snap["period"], snap["kind"], snap["version"]) == ("2026-Q4", "quarterly", 1)
    assert snap["fingerprint"] == run.fingerprint
    first = snap["results"][0]
    assert first == {
        "unit": "513401101201",
        "name": "礼州村",
        "peer_group": "513401:village",
        "rank": 1,
        "group_size": 3,
        "total": "85.00",
        "grade": "excellent",
        "list_status": "red",
        "list_reason": "top_n",
        "reward_fen": 100000,
        "training_places": 0,
        "vetoed": False,
    }
    assert snap["lists"]["red"][0]["name"] == "礼州村"
    assert snap["lists"]["red"][0]["reasons"] == ["top_n"]


def test_the_appeal_window_counts_working_days_after_the_publication(
    scheme: Any, run: Run, city_admin: Any
) -> None:
    # Thursday 15 October 2026; five working days: Fri 16, Mon 19 … Thu 22
    publication = publish_run(run, actor=city_admin)

    assert publication.appeal_until == dt.date(2026, 10, 22)


def test_a_run_whose_rewards_do_not_spread_is_refused_and_the_rule_is_named(
    scheme: Any, run: Run, city_admin: Any
) -> None:
    scheme.min_spread = {"min_reward_gini": "0.9"}
    scheme.save(update_fields=["min_spread"])

    with translation.override("en"), pytest.raises(AssessmentError) as caught:
        publish_run(run, actor=city_admin)

    assert "reward spread" in caught.value.message
    assert "0.666667" in caught.value.message and "0.9" in caught.value.message
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED and not Publication.objects.exists()


def test_a_run_that_meets_the_minimum_spread_is_published(
    scheme: Any, run: Run, city_admin: Any
) -> None:
    scheme.min_spread = {"min_reward_gini": "0.5", "min_score_cv": "0.1"}
    scheme.save(update_fields=["min_spread"])

    assert publish_run(run, actor=city_admin).sha256


def test_publishing_twice_is_a_conflict(run: Run, city_admin: Any) -> None:
    publish_run(run, actor=city_admin)

    with pytest.raises(IllegalTransition):
        publish_run(run, actor=city_admin)
    assert Publication.objects.count() == 1


def test_an_older_version_cannot_be_published_once_a_newer_one_exists(
    scheme: Any, run: Run, city_admin: Any
) -> None:
    newer = compute_run(scheme, "2026-Q4", actor=city_admin)

    with translation.override("en"), pytest.raises(IllegalTransition) as caught:
        publish_run(run, actor=city_admin)
    assert "v2" in caught.value.message
    assert publish_run(newer, actor=city_admin).snapshot["version"] == 2


def test_only_the_city_office_publishes(run: Run, xc_secretary: Any, village_cadre: Any) -> None:
    for person in (xc_secretary, village_cadre):
        with pytest.raises(PermissionDenied):
            publish_run(run, actor=person)
    assert not Publication.objects.exists()


def test_publishing_and_freezing_are_audited(run: Run, city_admin: Any) -> None:
    from grassroots.audit.models import AuditEntry

    publication = publish_run(run, actor=city_admin)
    with time_machine.travel(dt.datetime(2026, 10, 23, 9, tzinfo=CST), tick=False):
        freeze_run(run, actor=city_admin)

    published = AuditEntry.objects.get(action="assessment.run.published")
    assert published.after["sha256"] == publication.sha256
    assert AuditEntry.objects.filter(action="assessment.run.frozen").count() == 1


def test_a_run_is_not_frozen_while_appeals_are_open(run: Run, city_admin: Any) -> None:
    publish_run(run, actor=city_admin)

    with pytest.raises(IllegalTransition):
        freeze_run(run, actor=city_admin)
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED


def test_a_run_is_not_frozen_while_an_appeal_waits_for_a_decision(
    tree: dict[str, Any], scheme: Any, run: Run, city_admin: Any, village_cadre: Any
) -> None:
    publish_run(run, actor=city_admin)
    submit_appeal(
        run,
        tree["village"],
        Indicator.objects.get(scheme=scheme, code="patrol"),
        reason="巡查记录漏计",
        claimed_value=None,
        evidence=None,
        actor=village_cadre,
    )

    with (
        time_machine.travel(dt.datetime(2026, 10, 26, 9, tzinfo=CST), tick=False),
        pytest.raises(IllegalTransition),
    ):
        freeze_run(run, actor=city_admin)


def test_a_frozen_run_stays_frozen(run: Run, city_admin: Any) -> None:
    publish_run(run, actor=city_admin)
    with time_machine.travel(dt.datetime(2026, 10, 23, 9, tzinfo=CST), tick=False):
        frozen = freeze_run(run, actor=city_admin)

        assert frozen.state == RunState.FROZEN
        with pytest.raises(IllegalTransition):
            freeze_run(run, actor=city_admin)
        with pytest.raises(IllegalTransition):
            publish_run(run, actor=city_admin)


def test_a_computed_run_cannot_be_frozen(run: Run, city_admin: Any) -> None:
    with pytest.raises(IllegalTransition):
        freeze_run(run, actor=city_admin)
