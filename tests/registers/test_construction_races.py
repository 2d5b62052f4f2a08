"""Two people (or the receiver and the sweep) at once on the construction register: one
wins, the other gets a clear answer, nothing is doubled.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from grassroots.audit.models import AuditEntry
from grassroots.events.actions import report_event
from grassroots.events.signals import event_reported
from grassroots.registers.actions import construction as actions
from grassroots.registers.errors import IllegalTransition
from grassroots.registers.models import ConstructionCase
from grassroots.registers.receivers import open_construction_case
from tests.registers.test_construction_support import TODAY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]
pytest_plugins = ("tests.registers.test_construction_support",)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same instant; results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def no_receiver() -> Iterator[None]:
    """Reports open no case by themselves (the test opens them)."""
    uid = "registers.construction_case_from_event"
    event_reported.disconnect(dispatch_uid=uid)
    yield
    event_reported.connect(open_construction_case, dispatch_uid=uid)


def test_two_stops_at_once(make_case: Any, village_cadre: Any, xc_secretary: Any) -> None:
    for _ in range(3):
        pk = make_case().pk
        results = race(
            partial(actions.stop, pk, actor=village_cadre, stopped_on=TODAY),
            partial(actions.stop, pk, actor=xc_secretary, stopped_on=TODAY),
        )
        failed = [r for r in results if isinstance(r, Exception)]
        assert len(failed) == 1 and isinstance(failed[0], IllegalTransition), results
        stopped = AuditEntry.objects.filter(
            action="registers.constructioncase.stopped", object_id=str(pk)
        )
        assert stopped.count() == 1


def test_the_receiver_and_the_sweep_at_once(
    no_receiver: None, grid_worker: Any, tree: Any, wfjs: Any, clock: Any
) -> None:
    for _ in range(3):
        event = report_event(
            actor=grid_worker,
            category=wfjs["building"],
            title="未批先建",
            source="patrol",
            unit=tree["grid"],
        )
        results = race(
            partial(actions.open_case_from_event, event.pk),
            partial(actions.open_case_from_event, event.pk),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert results[0].pk == results[1].pk
        assert ConstructionCase.objects.filter(event=event).count() == 1


def test_two_cases_of_one_village_at_once_get_two_numbers(
    make_case: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    results = race(
        lambda: make_case(actor=village_cadre, address="甲"),
        lambda: make_case(actor=xc_secretary, address="乙"),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(ConstructionCase.objects.values_list("number", flat=True)) == [
        "WJ-513401101201-2026-0001",
        "WJ-513401101201-2026-0002",
    ]
