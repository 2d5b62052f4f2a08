"""The reserve pool (选): nomination with the recommendation tally, review, removal, key
posts; who may do what; bad input changes nothing.

The clock stands at 2026-09-01 10:00 (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import pool
from grassroots.cadres.errors import CadresConflict, CadresError, IllegalTransition
from grassroots.cadres.models import KeyPost, ReserveEntry

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    """The clock at 2026-09-01 10:00; the actions' messages in English (their msgids)."""
    with (
        time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=CST), tick=False),
        translation.override("en"),
    ):
        yield


def nominate(cadre: Any, actor: Any, unit: Any, **kw: Any) -> ReserveEntry:
    args: dict[str, Any] = {
        "target_level": "section_chief",
        "voters": 30,
        "votes": 24,
        "reason": "脱贫攻坚中实绩突出，群众公认",
    }
    args.update(kw)
    return pool.nominate(cadre, actor=actor, unit=unit, **args)


def test_a_township_nominates_its_cadre(
    tree: dict[str, Any], xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    entry = nominate(cadre, xc_secretary, tree["lizhou"])
    entry.refresh_from_db()
    assert (entry.status, entry.voters, entry.votes, entry.unit) == (
        "nominated",
        30,
        24,
        tree["lizhou"],
    )
    assert entry.nominated_by == xc_secretary
    audit = AuditEntry.objects.get(action="cadres.reserveentry.nominated")
    assert audit.after["votes"] == 24 and audit.unit_path == tree["lizhou"].path
    # and a cadre of one of its villages, on the township's behalf
    village = make_cadre(unit=tree["village"], level="village_head")
    assert nominate(village, xc_secretary, tree["lizhou"]).unit == tree["lizhou"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"voters": 0}, "voters"),
        ({"voters": "many"}, "voters"),
        ({"votes": 31}, "votes"),
        ({"votes": -1}, "votes"),
        ({"reason": "  "}, "reason"),
        ({"target_level": "general"}, "target_level"),
    ],
)
def test_a_bad_nomination_is_refused_and_writes_nothing(
    tree: dict[str, Any], xc_secretary: Any, make_cadre: Any, change: dict[str, Any], field: str
) -> None:
    cadre = make_cadre()
    with pytest.raises(CadresError) as caught:
        nominate(cadre, xc_secretary, tree["lizhou"], **change)
    assert caught.value.field == field
    assert not ReserveEntry.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cadres.").exists()


def test_one_open_entry_per_cadre(
    tree: dict[str, Any], xc_secretary: Any, org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    first = nominate(cadre, xc_secretary, tree["lizhou"])
    with pytest.raises(CadresConflict, match="awaits review") as caught:
        nominate(cadre, org_dept, tree["city"])
    assert caught.value.field == "cadre" and caught.value.http_status == 409
    pool.review_entry(first, actor=org_dept, admit=True)
    with pytest.raises(CadresConflict, match="already in the reserve pool"):
        nominate(cadre, xc_secretary, tree["lizhou"])
    assert ReserveEntry.objects.count() == 1
    # once out of the pool, the cadre may be nominated again
    pool.remove_from_pool(first, actor=org_dept, reason="年龄超过")
    assert nominate(cadre, xc_secretary, tree["lizhou"]).status == "nominated"


def test_who_may_nominate(
    tree: dict[str, Any],
    xc_secretary: Any,
    outsider: Any,
    city_admin: Any,
    supervisor: Any,
    village_cadre: Any,
    org_dept: Any,
    make_cadre: Any,
) -> None:
    cadre = make_cadre()
    for person in (outsider, city_admin, supervisor, village_cadre):
        with pytest.raises(PermissionDenied):
            nominate(cadre, person, tree["lizhou"])
    # a unit nominates its own cadres and those below it only
    with pytest.raises(CadresError) as caught:
        nominate(cadre, outsider, tree["anning"])
    assert caught.value.field == "unit"
    with pytest.raises(CadresError):
        nominate(cadre, xc_secretary, tree["village"])
    assert not ReserveEntry.objects.exists()
    assert nominate(cadre, org_dept, tree["city"]).unit == tree["city"]


def test_a_cadre_out_of_office_is_not_nominated(
    tree: dict[str, Any], xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(status="retired")
    with pytest.raises(CadresError, match="no longer in office"):
        nominate(cadre, xc_secretary, tree["lizhou"])
    assert not ReserveEntry.objects.exists()


def test_the_review_admits_or_refuses_with_a_reason(
    tree: dict[str, Any], xc_secretary: Any, org_dept: Any, make_cadre: Any
) -> None:
    one, two = make_cadre(), make_cadre()
    admitted = nominate(one, xc_secretary, tree["lizhou"])
    refused = nominate(two, xc_secretary, tree["lizhou"])
    with pytest.raises(PermissionDenied):
        pool.review_entry(admitted, actor=xc_secretary, admit=True)
    pool.review_entry(admitted, actor=org_dept, admit=True, note="同意入库")
    admitted.refresh_from_db()
    assert (admitted.status, admitted.entered_on, admitted.reviewed_by) == (
        "in_pool",
        TODAY,
        org_dept,
    )
    with pytest.raises(CadresError) as caught:
        pool.review_entry(refused, actor=org_dept, admit=False, note=" ")
    assert caught.value.field == "note"
    refused.refresh_from_db()
    assert refused.status == "nominated"
    pool.review_entry(refused, actor=org_dept, admit=False, note="民主推荐得票率偏低")
    refused.refresh_from_db()
    assert (refused.status, refused.review_note) == ("rejected", "民主推荐得票率偏低")
    with pytest.raises(IllegalTransition):
        pool.review_entry(refused, actor=org_dept, admit=True)
    assert AuditEntry.objects.filter(action="cadres.reserveentry.admitted").count() == 1
    assert AuditEntry.objects.filter(action="cadres.reserveentry.rejected").count() == 1


def test_an_entry_date_cannot_be_in_the_future_or_before_the_nomination(
    tree: dict[str, Any], xc_secretary: Any, org_dept: Any, make_cadre: Any
) -> None:
    entry = nominate(make_cadre(), xc_secretary, tree["lizhou"])
    for day in ("2026-09-02", "2026-08-31", "someday"):
        with pytest.raises(CadresError) as caught:
            pool.review_entry(entry, actor=org_dept, admit=True, entered_on=day)
        assert caught.value.field == "entered_on"
    entry.refresh_from_db()
    assert entry.status == "nominated"


def test_removal_from_the_pool(
    tree: dict[str, Any], xc_secretary: Any, org_dept: Any, make_cadre: Any
) -> None:
    entry = nominate(make_cadre(), xc_secretary, tree["lizhou"])
    with pytest.raises(IllegalTransition):
        pool.remove_from_pool(entry, actor=org_dept, reason="不再适合")
    pool.review_entry(entry, actor=org_dept, admit=True)
    with pytest.raises(CadresError) as caught:
        pool.remove_from_pool(entry, actor=org_dept, reason="")
    assert caught.value.field == "reason"
    with pytest.raises(PermissionDenied):
        pool.remove_from_pool(entry, actor=xc_secretary, reason="不再适合")
    entry.refresh_from_db()
    assert entry.status == "in_pool"
    pool.remove_from_pool(entry, actor=org_dept, reason="受到党内警告处分")
    entry.refresh_from_db()
    assert (entry.status, entry.exited_on, entry.exit_reason) == (
        "removed",
        TODAY,
        "受到党内警告处分",
    )
    assert AuditEntry.objects.get(action="cadres.reserveentry.removed").note == "受到党内警告处分"


def test_key_posts(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, city_admin: Any, make_cadre: Any
) -> None:
    holder = make_cadre(post="党委书记", level="section_chief")
    post = pool.add_key_post(
        actor=org_dept, unit=tree["lizhou"], title="党委书记", level="section_chief", holder=holder
    )
    assert (post.unit, post.holder) == (tree["lizhou"], holder)
    with pytest.raises(CadresError) as caught:
        pool.add_key_post(
            actor=org_dept, unit=tree["lizhou"], title="党委书记", level="section_chief"
        )
    assert caught.value.field == "title"
    with pytest.raises(CadresError) as caught:
        pool.add_key_post(
            actor=org_dept, unit=tree["anning"], title="镇长", level="section_chief", holder=holder
        )
    assert caught.value.field == "holder"
    for person in (xc_secretary, city_admin):
        with pytest.raises(PermissionDenied):
            pool.add_key_post(
                actor=person, unit=tree["lizhou"], title="镇长", level="section_chief"
            )
        with pytest.raises(PermissionDenied):
            pool.remove_key_post(post, actor=person)
    assert KeyPost.objects.count() == 1
    pool.remove_key_post(post, actor=org_dept)
    assert not KeyPost.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="cadres.keypost.").count() == 2
