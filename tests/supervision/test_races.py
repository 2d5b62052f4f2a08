"""Two people at once: one wins, the other gets a clear conflict, nothing is lost.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.org.models import Membership
from grassroots.supervision import actions
from grassroots.supervision.errors import SupervisionConflict
from grassroots.supervision.models import ProgressReport, TaskAction, Urge
from tests.events.test_races import losers, race
from tests.supervision.conftest import at, fresh

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_two_verifiers_of_one_report(
    village_task: Any, village_cadre: Any, xc_secretary: Any, city_admin: Any
) -> None:
    for value in (10, 20, 30):
        report = actions.report_progress(village_task, actor=village_cadre, value=value)
        results = race(
            lambda r=report: actions.verify_progress(r, actor=xc_secretary, accepted=True),
            lambda r=report: actions.verify_progress(
                r, actor=city_admin, accepted=False, reason="材料不全"
            ),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], SupervisionConflict)
        winner = next(r for r in results if not isinstance(r, Exception))
        assert ProgressReport.objects.get(pk=report.pk).state == winner.state
        lines = TaskAction.objects.filter(
            task=village_task, kind__in=["accept_report", "return_report"], data__report=report.pk
        )
        assert lines.count() == 1
        verbs = ("supervision.task.progress_accepted", "supervision.task.progress_returned")
        entries = AuditEntry.objects.filter(action__in=verbs, after__report=report.pk)
        assert entries.count() == 1
    accepted = ProgressReport.objects.filter(task=village_task, state="accepted")
    best = max((r.value for r in accepted), default=None)
    assert fresh(village_task).verified_value == best


def test_reminders_run_twice_at_once_send_once(
    village_task: Any, xc_secretary: Any, village_cadre: Any, travel: Any
) -> None:
    actions.update_task(village_task, actor=xc_secretary, changes={"deadline": dt.date(2026, 9, 8)})
    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    travel(at(2026, 9, 21, 9))
    results = race(
        lambda: actions.send_reminders(dt.date(2026, 9, 21)),
        lambda: actions.send_reminders(dt.date(2026, 9, 21)),
    )
    assert not losers(results), results
    assert sorted(r.lapsed for r in results) == [0, 1]
    assert sorted(r.escalated for r in results) == [0, 1]
    assert Urge.objects.filter(kind="after_deadline").count() == 1
    assert Urge.objects.filter(kind="escalation").count() == 1
    assert fresh(village_task).level == "key"
