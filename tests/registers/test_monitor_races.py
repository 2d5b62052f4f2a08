"""Two people at once on the monitoring, 天窗 and income registers: one wins, the other
gets a clear answer, nothing is doubled or lost.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from grassroots.registers.actions import income, poverty, windows
from grassroots.registers.errors import RegistersConflict, RegistersError
from grassroots.registers.models import CollectiveIncome, IncomeTarget, MonitoredHousehold, Window

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


def test_one_household_monitored_twice_at_once(
    village_cadre: Any, xc_secretary: Any, make_household: Any
) -> None:
    household = make_household()

    def watch(actor: Any) -> Callable[[], Any]:
        return lambda: poverty.put_under_monitoring(
            actor=actor,
            household=household.pk,
            kind="edge",
            risks=["illness"],
            since=dt.date(2026, 1, 1),
            members=2,
            income_per_capita="5000",
        )

    results = race(watch(village_cadre), watch(xc_secretary))
    assert sum(isinstance(r, MonitoredHousehold) for r in results) == 1
    assert sum(isinstance(r, RegistersConflict) for r in results) == 1
    assert MonitoredHousehold.objects.count() == 1


def test_two_restorations_at_once_never_exceed_the_area(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    window = Window.objects.create(
        unit=tree["village"], code="QH-R", name="地块", area=Decimal(1000), plan_year=2026
    )

    def restore(actor: Any) -> Callable[[], Any]:
        return lambda: windows.record_restoration(
            window.pk, actor=actor, on=dt.date(2026, 1, 5), added="600"
        )

    results = race(restore(village_cadre), restore(xc_secretary))
    assert sum(isinstance(r, Window) for r in results) == 1
    assert sum(isinstance(r, RegistersError) for r in results) == 1
    window.refresh_from_db()
    assert window.restored_area == Decimal(600)


def test_income_and_targets_set_at_once_keep_one_row_each(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    village = tree["village"]

    def enter(actor: Any, amount: str) -> Callable[[], Any]:
        return lambda: income.set_income(village, 2025, {"operating": amount}, actor=actor)

    def target(actor: Any, amount: str) -> Callable[[], Any]:
        return lambda: income.set_target(village, 2025, actor=actor, amount=amount)

    results = race(
        enter(village_cadre, "100"),
        enter(xc_secretary, "200"),
        target(village_cadre, "300"),
        target(xc_secretary, "400"),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert CollectiveIncome.objects.filter(unit=village, year=2025).count() == 1
    assert IncomeTarget.objects.filter(unit=village, year=2025).count() == 1
