"""Two people at once on error tolerance: two applications get two numbers, two decisions
decide once, and the notice's end and a late objection never both win. PostgreSQL only
(SQLite serialises writers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import tolerance as actions
from grassroots.cadres.errors import CadresConflict
from grassroots.cadres.models import Objection, ToleranceCase
from grassroots.cadres.states import ToleranceState
from tests.cadres.test_tolerance_support import (
    NOTICE_ENDS,
    NOW,
    apply,
    decide,
    deduction_scheme,
    under_notice,
    verify,
)
from tests.events.test_races import losers, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


@pytest.fixture(autouse=True)
def _setup(tree: dict[str, Any]) -> Any:
    with time_machine.travel(NOW, tick=False):
        deduction_scheme(tree)
        yield


def test_applications_at_once_get_numbers_of_their_own(
    tree: dict[str, Any], xc_secretary: Any, outsider: Any
) -> None:
    for _ in range(3):
        results = race(
            lambda: apply(xc_secretary, tree["village"]),
            lambda: apply(outsider, tree["other_village"]),
            lambda: apply(xc_secretary, tree["lizhou"], metric="", items=0),
        )
        assert losers(results) == [], results
    numbers = sorted(ToleranceCase.objects.values_list("number", flat=True))
    assert numbers == [f"RC2026-{i:04d}" for i in range(1, 10)]
    assert AuditEntry.objects.filter(action="cadres.tolerance.applied").count() == 9


def test_two_decisions_at_once_decide_once(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    verify(case, org_dept)

    results = race(
        lambda: decide(case, org_dept),
        lambda: decide(case, org_dept, tolerate=False),
    )

    failed = losers(results)
    assert len(failed) == 1 and isinstance(failed[0], CadresConflict), results
    assert AuditEntry.objects.filter(action="cadres.tolerance.decided").count() == 1


def test_the_notice_closing_and_a_last_minute_objection_never_both_win(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    last_minute = NOTICE_ENDS - dt.timedelta(seconds=1)
    for _ in range(3):
        case = under_notice(xc_secretary, org_dept, tree["village"])

        def object_now(pk: int = case.pk) -> Any:
            with time_machine.travel(last_minute, tick=False):
                return actions.file_objection(
                    pk, actor=None, name="群众", phone="13900001111", text="异议"
                )

        race(object_now, lambda: actions.close_notices(NOTICE_ENDS))

        case.refresh_from_db()
        objections = Objection.objects.filter(case=case).count()
        # either the objection came first and the case waits for its answer, or the
        # notice closed first and the objection was refused
        assert (case.state, objections) in {
            (ToleranceState.PUBLICITY, 1),
            (ToleranceState.EFFECTIVE, 0),
        }
