"""Two people at once on selection: one wins, the other gets a clear refusal, nothing is
written twice. PostgreSQL only (SQLite serialises writers): real threads, each with its
own connection, released together by a barrier."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from tests.cadres import test_selection_actions as given
from tests.cadres.test_key_moments import make_task
from tests.cadres.test_selection_actions import VOTE
from tests.events.test_races import losers, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]

for _fixture in ("_clock", "reserves", "key_post", "vacancy", "ranked"):
    globals()[_fixture] = getattr(given, _fixture)


def _decide(vacancy_id: int, actor: Any, entry_id: int, reason: str = "") -> Any:
    from grassroots.cadres.actions.selection import decide_vacancy

    return decide_vacancy(
        vacancy_id,
        actor=actor,
        chosen=entry_id,
        meeting_on=dt.date(2026, 6, 12),
        skip_reason=reason,
        **VOTE,
    )


def test_one_vacancy_decided_twice_at_once(
    ranked: Any, reserves: dict[str, Any], org_dept: Any
) -> None:
    from grassroots.audit.models import AuditEntry
    from grassroots.cadres.errors import IllegalTransition
    from grassroots.cadres.models import PostRecord, ReserveEntry

    results = race(
        lambda: _decide(ranked.pk, org_dept, reserves["strong"].pk),
        lambda: _decide(ranked.pk, org_dept, reserves["middle"].pk, "集体研究"),
    )
    failed = losers(results)
    assert len(failed) == 1, results
    assert isinstance(failed[0], IllegalTransition)
    assert ReserveEntry.objects.filter(status="appointed").count() == 1
    assert PostRecord.objects.filter(vacancy=ranked).count() == 1
    assert AuditEntry.objects.filter(action="cadres.vacancy.decided").count() == 1


def test_one_reserve_appointed_to_two_vacancies_at_once(
    ranked: Any, reserves: dict[str, Any], org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions.selection import open_vacancy, rank_vacancy
    from grassroots.cadres.errors import CadresError
    from grassroots.cadres.models import PostRecord, Vacancy

    other = open_vacancy(
        actor=org_dept, unit=tree["anning"], title="副镇长", level="deputy_section"
    )
    rank_vacancy(other.pk, actor=org_dept)
    strong = reserves["strong"].pk
    results = race(
        lambda: _decide(ranked.pk, org_dept, strong),
        lambda: _decide(other.pk, org_dept, strong),
    )
    failed = losers(results)
    assert len(failed) == 1, results
    assert isinstance(failed[0], CadresError) and failed[0].field == "chosen"
    assert Vacancy.objects.filter(state="filled").count() == 1
    assert Vacancy.objects.filter(state="open").count() == 1
    assert PostRecord.objects.filter(cadre_id=reserves["strong"].cadre_id).count() == 1


def test_the_page_and_the_night_sync_the_same_cadre_at_once(
    tree: dict[str, Any], make_cadre: Any, village_cadre: Any, org_dept: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments
    from grassroots.cadres.models import KeyMoment

    cadre = make_cadre(name="张村长", unit=tree["village"], level="village", user=village_cadre)
    for day in (1, 2, 3):
        make_task(tree, title=f"任务{day}", deadline=dt.date(2026, 5, day), reporter=village_cadre)
    results = race(
        lambda: sync_key_moments([cadre.pk], actor=org_dept),
        lambda: sync_key_moments([cadre.pk]),
    )
    assert not losers(results), results
    assert sorted(r.created for r in results) == [0, 3]
    assert KeyMoment.objects.filter(cadre=cadre).count() == 3
