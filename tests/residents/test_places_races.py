"""Two people at once on the same register: one wins, the other gets a clear error, nothing
is doubled — the same ID number in two households, two heads in one household, the same
household number, one move recorded twice.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.common.crypto import digest
from grassroots.residents.actions.households import (
    add_resident,
    create_household,
    record_moved_out,
)
from grassroots.residents.errors import IllegalTransition, ResidentsError
from grassroots.residents.models import Household, Resident
from tests.conftest import valid_id_number
from tests.events.test_races import losers, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_one_id_number_entered_in_two_households_at_once(
    tree: dict[str, Any], grid_worker: Any, village_cadre: Any
) -> None:
    for n in range(3):
        number = valid_id_number("19850505", 600 + n)
        one = create_household(actor=grid_worker, grid=tree["grid"], number=f"A{n}")
        two = create_household(actor=village_cadre, grid=tree["grid"], number=f"B{n}")
        results = race(
            lambda h=one, x=number: add_resident(
                h, actor=grid_worker, name="甲", relationship="head", id_number=x
            ),
            lambda h=two, x=number: add_resident(
                h, actor=village_cadre, name="乙", relationship="head", id_number=x
            ),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], ResidentsError) and failed[0].field == "id_number"
        assert Resident.objects.filter(id_digest=digest(number)).count() == 1


def test_two_heads_added_to_one_household_at_once(
    tree: dict[str, Any], grid_worker: Any, village_cadre: Any
) -> None:
    for n in range(3):
        household = create_household(actor=grid_worker, grid=tree["grid"], number=f"H{n}")
        results = race(
            lambda h=household: add_resident(
                h, actor=grid_worker, name="甲", relationship="head", gender="m"
            ),
            lambda h=household: add_resident(
                h, actor=village_cadre, name="乙", relationship="head", gender="f"
            ),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], ResidentsError) and failed[0].field == "relationship"
        assert household.members.filter(relationship="head").count() == 1


def test_one_household_number_opened_twice_at_once(
    tree: dict[str, Any], grid_worker: Any, village_cadre: Any
) -> None:
    for n in range(3):
        results = race(
            lambda n=n: create_household(actor=grid_worker, grid=tree["grid"], number=f"N{n}"),
            lambda n=n: create_household(actor=village_cadre, grid=tree["grid"], number=f"N{n}"),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], ResidentsError) and failed[0].field == "number"
        assert Household.objects.filter(number=f"N{n}").count() == 1


def test_a_person_recorded_moved_out_twice_at_once(
    tree: dict[str, Any], grid_worker: Any, village_cadre: Any
) -> None:
    household = create_household(actor=grid_worker, grid=tree["grid"], number="M1")
    for n in range(3):
        person = add_resident(
            household, actor=grid_worker, name=f"丙{n}", relationship="child", gender="m"
        )
        results = race(
            lambda p=person: record_moved_out(p, actor=grid_worker, on="2025-05-01"),
            lambda p=person: record_moved_out(p, actor=village_cadre, on="2025-05-02"),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], IllegalTransition)
        person.refresh_from_db()
        assert person.status == "moved_out"
        moves = AuditEntry.objects.filter(
            action="residents.resident.moved_out", object_id=str(person.pk)
        )
        assert moves.count() == 1
