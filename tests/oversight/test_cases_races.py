"""Two closes of one case at once: one wins, the other gets a clear conflict (409), one
step and one audit entry. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.oversight.actions import cases as actions
from grassroots.oversight.errors import IllegalTransition
from grassroots.oversight.models import Step
from tests.events.test_races import losers, race
from tests.oversight.cases_support import _media, fresh, open_case  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_two_closes_at_once(committee_member: Any, supervisor: Any, tree: dict[str, Any]) -> None:
    case = open_case(committee_member, tree["village"])
    results = race(
        lambda: actions.close_case(case.pk, actor=committee_member, conclusion="委员会办结"),
        lambda: actions.close_case(case.pk, actor=supervisor, conclusion="纪委办结"),
    )
    failed = losers(results)
    assert len(failed) == 1 and isinstance(failed[0], IllegalTransition), results
    winner = next(r for r in results if not isinstance(r, Exception))
    assert fresh(case).status == "closed" and fresh(case).conclusion == winner.conclusion
    assert Step.objects.filter(case=case, kind="closed").count() == 1
    assert (
        AuditEntry.objects.filter(action="oversight.case.closed", object_id=str(case.pk)).count()
        == 1
    )
