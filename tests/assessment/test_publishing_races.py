"""Two people at once on a publication or an appeal: one wins, the other gets a clear
conflict, nothing is written twice. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.appeals import decide_appeal, submit_appeal
from grassroots.assessment.actions.publishing import publish_run
from grassroots.assessment.errors import IllegalTransition
from grassroots.assessment.models import Appeal, AppealState, Indicator, Publication, Run
from grassroots.audit.models import AuditEntry
from tests.events.test_races import losers, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("events"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


@pytest.fixture
def run(scheme_factory: Any, city_admin: Any) -> Run:
    scheme = scheme_factory(shrinkage=False, significance=False)
    return compute_run(scheme, "2026-10", actor=city_admin)


def test_two_publishers_at_once_publish_once(run: Run, city_admin: Any) -> None:
    results = race(
        lambda: publish_run(run, actor=city_admin),
        lambda: publish_run(run, actor=city_admin),
    )

    failed = losers(results)
    assert len(failed) == 1 and isinstance(failed[0], IllegalTransition), results
    assert Publication.objects.count() == 1
    assert AuditEntry.objects.filter(action="assessment.run.published").count() == 1


def test_two_appeals_on_one_score_at_once_make_one(
    tree: dict[str, Any], run: Run, city_admin: Any, neighbour_cadre: Any, xc_secretary: Any
) -> None:
    publish_run(run, actor=city_admin)
    patrol = Indicator.objects.get(code="patrol")

    def appeal(actor: Any) -> Appeal:
        return submit_appeal(
            run,
            tree["neighbour_village"],
            patrol,
            reason="漏计",
            claimed_value=Decimal(50),
            evidence=None,
            actor=actor,
        )

    results = race(lambda: appeal(neighbour_cadre), lambda: appeal(xc_secretary))

    failed = losers(results)
    assert len(failed) == 1 and isinstance(failed[0], IllegalTransition), results
    assert Appeal.objects.count() == 1


def test_two_decisions_at_once_decide_once(
    tree: dict[str, Any], run: Run, city_admin: Any, neighbour_cadre: Any
) -> None:
    publish_run(run, actor=city_admin)
    appeal = submit_appeal(
        run,
        tree["neighbour_village"],
        Indicator.objects.get(code="patrol"),
        reason="漏计",
        claimed_value=Decimal(50),
        evidence=None,
        actor=neighbour_cadre,
    )

    results = race(
        lambda: decide_appeal(
            appeal, accept=True, reason="核实", corrected_value=Decimal(50), actor=city_admin
        ),
        lambda: decide_appeal(
            appeal, accept=False, reason="不予支持", corrected_value=None, actor=city_admin
        ),
    )

    failed = losers(results)
    assert len(failed) == 1 and isinstance(failed[0], IllegalTransition), results
    decided = Appeal.objects.get()
    assert decided.state in (AppealState.ACCEPTED, AppealState.REFUSED)
    versions = Run.objects.filter(scheme=run.scheme, period=run.period).count()
    assert versions == (2 if decided.state == AppealState.ACCEPTED else 1)
