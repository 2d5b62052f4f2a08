"""Bugs found in the review of grid basics, each with the test that failed before its fix."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from grassroots.residents.models import Household, Resident


@pytest.mark.django_db(transaction=True)
def test_a_household_moving_out_is_one_transaction(make_household: Any, grid_worker: Any) -> None:
    """The whole household moves out in one transaction: when its last step fails, its
    members are still living there (and on PostgreSQL the row locks need the
    transaction at all)."""
    from grassroots.audit import actions as audit
    from grassroots.residents.actions import households as actions

    household = make_household(members=2)
    real = audit.record

    def failing(action: str, *args: Any, **kwargs: Any) -> Any:
        if action == "residents.household.status_changed":
            raise RuntimeError("the audit log is down")
        return real(action, *args, **kwargs)

    with mock.patch.object(actions, "record", failing), pytest.raises(RuntimeError):
        actions.set_household_status(household, actor=grid_worker, status="moved_out")
    household.refresh_from_db()
    assert household.status == "active"
    assert set(Resident.objects.values_list("status", flat=True)) == {"present"}
    assert Household.objects.count() == 1
