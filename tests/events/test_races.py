"""Two actors at once: one wins, the other gets a clear error, nothing is lost.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from grassroots.audit.models import AuditEntry
from grassroots.events import actions
from grassroots.events.errors import EventConflict, IllegalTransition
from grassroots.events.models import Event, EventAction
from grassroots.events.states import EventStatus as S

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


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


def losers(results: list[Any]) -> list[Exception]:
    return [r for r in results if isinstance(r, Exception)]


def test_two_dispatchers_accept_at_once(
    report: Callable[..., Any], village_cadre: Any, xc_secretary: Any
) -> None:
    for _ in range(5):
        event = report()
        pk = event.pk
        results = race(
            lambda pk=pk: actions.accept_event(pk, actor=village_cadre),
            lambda pk=pk: actions.accept_event(pk, actor=xc_secretary),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], IllegalTransition | EventConflict)
        assert Event.objects.get(pk=event.pk).status == S.ACCEPTED
        assert EventAction.objects.filter(event=event, kind="accept").count() == 1
        assert (
            AuditEntry.objects.filter(
                action="events.event.accepted", object_id=str(event.pk)
            ).count()
            == 1
        )


def test_reject_and_resolve_on_spot_at_once(
    report: Callable[..., Any], village_cadre: Any, grid_worker: Any, media: Any
) -> None:
    from tests.events.photos import upload

    event = report()
    results = race(
        lambda: actions.resolve_on_spot(
            event.pk, actor=grid_worker, note="已清理", photos=[upload("done.jpg")]
        ),
        lambda: actions.reject_event(event.pk, actor=village_cadre, reason="重复上报"),
    )
    failed = losers(results)
    assert len(failed) == 1, results
    assert isinstance(failed[0], IllegalTransition)
    event.refresh_from_db()
    winner = next(r for r in results if not isinstance(r, Exception))
    assert event.status == winner.status
    lines = EventAction.objects.filter(event=event).exclude(kind="report")
    assert [(x.from_status, x.to_status) for x in lines] == [(S.REPORTED, event.status)]


def test_escalation_and_dispatch_at_once_leave_a_consistent_event(
    report: Callable[..., Any], village_cadre: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    results = race(
        lambda: actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"]),
        lambda: actions.escalate_event(event.pk, actor=None, automatic=True),
    )
    event.refresh_from_db()
    # Dispatch first: both succeed in turn (accepted → dispatched → escalated). Escalation
    # first: the village is no longer in charge and its dispatch is refused.
    lines = list(EventAction.objects.filter(event=event).exclude(kind__in=["report", "accept"]))
    assert len(lines) == len(results) - len(losers(results))
    # the timeline is a chain: each line starts where the previous one ended
    status = S.ACCEPTED
    for line in lines:
        assert line.from_status == status
        status = S(line.to_status)
    assert event.status == status


def test_same_idempotency_key_at_once_is_one_event(report: Callable[..., Any]) -> None:
    """Two copies of one report at once: the second's insert waits on the unique key until
    the first commits, then gets the first's event back."""
    results = race(
        lambda: report(idempotency_key="retry-1"),
        lambda: report(idempotency_key="retry-1"),
    )
    assert not losers(results), results
    assert results[0].pk == results[1].pk
    assert Event.objects.count() == 1
    assert EventAction.objects.count() == 1
    assert AuditEntry.objects.filter(action="events.event.reported").count() == 1


def test_parallel_reports_get_distinct_numbers(report: Callable[..., Any]) -> None:
    results = race(*(lambda: report() for _ in range(8)))
    assert not losers(results), results
    numbers = {e.number for e in results}
    assert len(numbers) == 8
    assert Event.objects.filter(number__in=numbers).count() == 8
