"""Two people at once on the same cadre or unit: one wins, the other gets a clear error,
nothing is lost or doubled — nominations, tempering periods and the Excellent quota.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import development, files, pool
from grassroots.cadres.errors import CadresConflict, CadresError
from grassroots.cadres.models import Grade, ReserveEntry, Tempering
from tests.events.test_races import losers, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_two_nominations_of_one_cadre_at_once(
    tree: dict[str, Any], make_cadre: Any, xc_secretary: Any, org_dept: Any
) -> None:
    for _ in range(3):
        cadre = make_cadre()
        results = race(
            lambda c=cadre: pool.nominate(
                c,
                actor=xc_secretary,
                unit=tree["lizhou"],
                target_level="section_chief",
                voters=20,
                votes=15,
                reason="推荐",
            ),
            lambda c=cadre: pool.nominate(
                c,
                actor=org_dept,
                unit=tree["city"],
                target_level="deputy_section",
                voters=9,
                votes=9,
                reason="推荐",
            ),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], CadresConflict)
        assert ReserveEntry.objects.filter(cadre=cadre).count() == 1
        nominated = AuditEntry.objects.filter(
            action="cadres.reserveentry.nominated", after__cadre=cadre.pk
        )
        assert nominated.count() == 1


def test_two_overlapping_tempering_assignments_at_once(
    tree: dict[str, Any], make_cadre: Any, org_dept: Any
) -> None:
    for _ in range(3):
        cadre = make_cadre()
        results = race(
            lambda c=cadre: development.assign_tempering(
                c,
                actor=org_dept,
                kind="land",
                unit=tree["village"],
                post="征拆",
                started_on="2026-01-01",
                planned_end="2026-06-30",
            ),
            lambda c=cadre: development.assign_tempering(
                c,
                actor=org_dept,
                kind="poverty",
                unit=tree["anning"],
                post="驻村",
                started_on="2026-03-01",
                planned_end="2026-12-31",
            ),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], CadresError)
        assert failed[0].field == "started_on"
        assert Tempering.objects.filter(cadre=cadre).count() == 1


def test_two_excellent_grades_for_the_last_place_at_once(
    make_cadre: Any, xc_secretary: Any, org_dept: Any
) -> None:
    cadres = [make_cadre() for _ in range(5)]  # quota at 20%: one Excellent
    results = race(
        lambda: files.set_grade(cadres[0], actor=xc_secretary, year=2025, grade="excellent"),
        lambda: files.set_grade(cadres[1], actor=org_dept, year=2025, grade="excellent"),
    )
    failed = losers(results)
    assert len(failed) == 1, results
    assert isinstance(failed[0], CadresError) and failed[0].field == "grade"
    assert Grade.objects.filter(year=2025, grade="excellent").count() == 1
