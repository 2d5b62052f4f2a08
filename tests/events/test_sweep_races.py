"""Two workers sweeping at once act once (PostgreSQL: SQLite runs one writer at a time).

Each thread uses its own database connection, as two worker processes would.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests.events.reporting_support import at, end_of, make_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("official_calendar", "backdated"),
]
TIMEOUT = 30


@pytest.fixture(autouse=True)
def _postgres_only(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    settings.EVENT_REMIND_BEFORE_HOURS = 4
    settings.EVENT_ESCALATE_AFTER_HOURS = 8


class Worker(threading.Thread):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.fn = fn
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # re-raised in the test's thread
            self.error = exc
        finally:
            connection.close()

    def finish(self) -> Any:
        self.join(TIMEOUT)
        assert not self.is_alive(), "the sweep did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def _together(now: dt.datetime) -> list[Any]:
    from grassroots.events.sweep import sweep

    barrier = threading.Barrier(2)

    def run() -> Any:
        barrier.wait(TIMEOUT)
        return sweep(now=now)

    workers = [Worker(run), Worker(run)]
    for w in workers:
        w.start()
    return [w.finish() for w in workers]


def test_two_sweeps_at_once_act_once(
    category: Any, tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.events import sweep as sweep_module
    from grassroots.events.models import EventAction, SweepState
    from grassroots.inbox.models import Notification

    lapsing = [
        make_event(category, tree["grid"], resolve_by=at(2026, 11, 24, 9, 45)) for _ in range(3)
    ]
    overdue = make_event(
        category, tree["grid"], status="in_progress", resolve_by=end_of(2026, 11, 20)
    )
    SweepState.objects.create(name="default", swept_until=at(2026, 11, 24, 9, 0))
    real = sweep_module.deliver_changes

    def slow(changes: Any) -> int:
        time.sleep(0.3)  # hold the state row while the other sweep arrives
        return real(changes)

    monkeypatch.setattr(sweep_module, "deliver_changes", slow)
    reports = _together(at(2026, 11, 24, 10, 0))

    assert sorted(r.lapsed for r in reports) == [0, 3]
    assert sorted(r.escalated for r in reports) == [0, 1]
    assert sorted(r.slices for r in reports) == [0, 1]
    for event in lapsing:
        assert EventAction.objects.filter(event=event, kind="lapse").count() == 1
    assert EventAction.objects.filter(event=overdue, kind="escalate").count() == 1
    overdue.refresh_from_db()
    assert overdue.escalation_level == 1
    assert Notification.objects.filter(object_id__in=[str(e.pk) for e in lapsing]).count() == 3


def test_two_first_sweeps_at_once_create_one_state(tree: dict[str, Any]) -> None:
    from grassroots.events.models import SweepState

    reports = _together(at(2026, 11, 24, 10, 0))
    assert [r.slices for r in reports] == [0, 0]
    assert SweepState.objects.get().swept_until == at(2026, 11, 24, 10, 0)
