"""Two recorders at once on one performer: the row lock makes one deactivation count.

PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.partybuilding.actions import culture as actions
from tests.events.test_races import losers, race
from tests.partybuilding.culture_support import performer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_two_deactivations_write_one_entry(
    tree: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    p = performer(tree["village"])
    results = race(
        lambda: actions.deactivate_performer(p.pk, actor=village_cadre),
        lambda: actions.deactivate_performer(p.pk, actor=xc_secretary),
    )
    assert not losers(results), results
    assert AuditEntry.objects.filter(action="partybuilding.performer.deactivated").count() == 1


def test_two_edits_of_one_motto_keep_both_audited(
    tree: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    from tests.partybuilding.culture_support import motto

    m = motto(tree["village"])
    results = race(
        lambda: actions.update_motto(m.pk, {"motto": "甲"}, actor=village_cadre),
        lambda: actions.update_motto(m.pk, {"motto": "乙"}, actor=xc_secretary),
    )
    assert not losers(results), results
    entries = list(AuditEntry.objects.filter(action="partybuilding.motto.updated").order_by("pk"))
    assert len(entries) == 2
    # the second saw the first's change: its "before" is the first's "after"
    assert entries[1].before == entries[0].after
