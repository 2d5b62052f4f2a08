"""Development and use: training records and yearly hours, mentors, tempering (with the
overlap rule), key moments by hand; their pages.

The clock stands at 2026-09-01 10:00 (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import development as dev
from grassroots.cadres.errors import CadresConflict, CadresError, IllegalTransition
from grassroots.cadres.models import (
    Cadre,
    KeyMoment,
    Mentorship,
    Policy,
    Tempering,
    TrainingRecord,
)
from grassroots.cadres.queries import short_of_hours, training_hours

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


def train(cadre: Any, actor: Any, **kw: Any) -> TrainingRecord:
    args: dict[str, Any] = {
        "course": "基层治理能力提升班",
        "provider": "西昌市委党校",
        "hours": "24",
        "started_on": "2026-05-10",
        "ended_on": "2026-05-13",
        "result": "passed",
    }
    args.update(kw)
    return dev.record_training(cadre, actor=actor, **args)


# --- training -------------------------------------------------------------------------------


def test_training_records_and_the_yearly_hours(
    tree: dict[str, Any], xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    train(cadre, xc_secretary)
    train(cadre, xc_secretary, hours="12.5", started_on="2026-06-01", ended_on="2026-06-02")
    train(cadre, xc_secretary, hours="40", result="failed")
    train(cadre, xc_secretary, hours="30", started_on="2025-12-30", ended_on="2025-12-31")
    assert training_hours([cadre.pk], 2026) == {cadre.pk: Decimal("36.5")}
    assert AuditEntry.objects.filter(action="cadres.training.recorded").count() == 4
    short = short_of_hours(Cadre.objects.all(), 2026)
    assert [(s.cadre, s.progress.hours, s.progress.required) for s in short] == [
        (cadre, Decimal("36.5"), Decimal(56))
    ]
    # a lower requirement for the township (its policy) takes the cadre off the list
    Policy.objects.create(unit=tree["lizhou"], yearly_training_hours=Decimal(30))
    assert short_of_hours(Cadre.objects.all(), 2026) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"course": ""}, "course"),
        ({"provider": " "}, "provider"),
        ({"hours": "0"}, "hours"),
        ({"hours": "-3"}, "hours"),
        ({"hours": "2.25"}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"started_on": "2026-05-14"}, "ended_on"),
        ({"ended_on": "2026-09-02"}, "ended_on"),
        ({"result": "great"}, "result"),
    ],
)
def test_a_bad_training_record_is_refused(
    xc_secretary: Any, make_cadre: Any, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(CadresError) as caught:
        train(make_cadre(), xc_secretary, **change)
    assert caught.value.field == field
    assert not TrainingRecord.objects.exists()


def test_who_may_record_training(
    tree: dict[str, Any],
    make_cadre: Any,
    org_dept: Any,
    outsider: Any,
    city_admin: Any,
    supervisor: Any,
    village_cadre: Any,
) -> None:
    cadre = make_cadre(unit=tree["village"])
    for person in (outsider, city_admin, supervisor, village_cadre):
        with pytest.raises(PermissionDenied):
            train(cadre, person)
    assert not TrainingRecord.objects.exists()
    train(cadre, org_dept)


# --- mentors --------------------------------------------------------------------------------


def test_mentors(tree: dict[str, Any], xc_secretary: Any, make_cadre: Any) -> None:
    cadre, mentor = make_cadre(), make_cadre(name="老书记", unit=tree["village"])
    with pytest.raises(CadresError, match="themself") as caught:
        dev.assign_mentor(cadre, actor=xc_secretary, mentor=cadre)
    assert caught.value.field == "mentor"
    first = dev.assign_mentor(cadre, actor=xc_secretary, mentor=mentor, note="传帮带")
    assert (first.started_on, first.ended_on) == (TODAY, None)
    with pytest.raises(CadresConflict):
        dev.assign_mentor(cadre, actor=xc_secretary, mentor=mentor)
    assert Mentorship.objects.count() == 1
    with pytest.raises(CadresError) as caught:
        dev.end_mentorship(first, actor=xc_secretary, ended_on="2026-08-01")
    assert caught.value.field == "ended_on"
    dev.end_mentorship(first, actor=xc_secretary)
    first.refresh_from_db()
    assert first.ended_on == TODAY
    with pytest.raises(CadresConflict):
        dev.end_mentorship(first, actor=xc_secretary)
    # a new mentorship of the same pair, now that the first has ended
    dev.assign_mentor(cadre, actor=xc_secretary, mentor=mentor)
    assert Mentorship.objects.count() == 2
    assert AuditEntry.objects.filter(action__startswith="cadres.mentorship.").count() == 3


def test_a_mentor_the_leader_cannot_see_or_out_of_office_is_refused(
    tree: dict[str, Any], xc_secretary: Any, outsider: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    elsewhere = make_cadre(unit=tree["anning"])
    retired = make_cadre(status="retired")
    with pytest.raises(PermissionDenied):
        dev.assign_mentor(cadre, actor=xc_secretary, mentor=elsewhere)
    with pytest.raises(CadresError, match="no longer in office"):
        dev.assign_mentor(cadre, actor=xc_secretary, mentor=retired)
    with pytest.raises(PermissionDenied):
        dev.assign_mentor(cadre, actor=outsider, mentor=elsewhere)
    assert not Mentorship.objects.exists()


# --- tempering ------------------------------------------------------------------------------


def assign(cadre: Any, actor: Any, unit: Any, start: str, end: str, **kw: Any) -> Tempering:
    return dev.assign_tempering(
        cadre,
        actor=actor,
        kind=kw.get("kind", "land"),
        unit=unit,
        post=kw.get("post", "征地拆迁工作组副组长"),
        started_on=start,
        planned_end=end,
    )


def test_tempering_assigned_evaluated_and_cancelled(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    first = assign(cadre, org_dept, tree["village"], "2026-01-01", "2026-06-30")
    with pytest.raises(PermissionDenied):
        dev.evaluate_tempering(first, actor=make_cadre_user(tree), appraisal="good", remarks="x")
    dev.evaluate_tempering(
        first, actor=xc_secretary, appraisal="excellent", remarks="敢于担当", ended_on="2026-06-30"
    )
    first.refresh_from_db()
    assert (first.state, first.appraisal, first.ended_on, first.evaluated_by) == (
        "evaluated",
        "excellent",
        dt.date(2026, 6, 30),
        xc_secretary,
    )
    with pytest.raises(IllegalTransition):
        dev.evaluate_tempering(first, actor=xc_secretary, appraisal="good", remarks="再评")
    second = assign(cadre, org_dept, tree["neighbour_village"], "2026-07-01", "2026-12-31")
    with pytest.raises(PermissionDenied):
        dev.cancel_tempering(second, actor=xc_secretary, reason="工作调整")
    with pytest.raises(CadresError) as caught:
        dev.cancel_tempering(second, actor=org_dept, reason="")
    assert caught.value.field == "reason"
    dev.cancel_tempering(second, actor=org_dept, reason="工作调整")
    second.refresh_from_db()
    assert (second.state, second.cancel_reason) == ("cancelled", "工作调整")
    # a cancelled assignment takes no time: the same period can be given again
    assign(cadre, org_dept, tree["neighbour_village"], "2026-07-01", "2026-12-31")
    verbs = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "cadres.tempering.assigned",
        "cadres.tempering.evaluated",
        "cadres.tempering.cancelled",
    } <= verbs


def make_cadre_user(tree: dict[str, Any]) -> Any:
    from grassroots.org.models import Membership, User

    user = User.objects.create_user(username="安宁村干部", password="Correct-Horse-42")
    Membership.objects.create(user=user, unit=tree["other_village"], role="village_cadre")
    return user


def test_an_overlapping_period_is_refused_naming_the_other(
    tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    assign(cadre, org_dept, tree["village"], "2026-03-01", "2026-08-31")
    for start, end in (
        ("2026-08-31", "2026-12-31"),
        ("2026-01-01", "2026-03-01"),
        ("2026-04-01", "2026-05-01"),
        ("2025-01-01", "2027-01-01"),
    ):
        with pytest.raises(CadresError) as caught:
            assign(cadre, org_dept, tree["anning"], start, end)
        assert caught.value.field == "started_on"
        assert "2026-03-01" in caught.value.message and "2026-08-31" in caught.value.message
    assert Tempering.objects.count() == 1
    assign(cadre, org_dept, tree["anning"], "2026-09-01", "2026-12-31")
    # another cadre is free to take the same period
    assign(make_cadre(), org_dept, tree["village"], "2026-03-01", "2026-08-31")
    assert Tempering.objects.count() == 3


def test_an_evaluation_cannot_end_inside_the_next_assignment(
    tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    first = assign(cadre, org_dept, tree["village"], "2026-01-01", "2026-04-30")
    assign(cadre, org_dept, tree["anning"], "2026-05-01", "2026-12-31")
    with pytest.raises(CadresError) as caught:
        dev.evaluate_tempering(
            first, actor=org_dept, appraisal="good", remarks="较好", ended_on="2026-06-30"
        )
    assert caught.value.field == "ended_on"
    first.refresh_from_db()
    assert first.state == "ongoing"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "picnic"}, "kind"),
        ({"post": ""}, "post"),
        ({"start": "2026-13-01"}, "started_on"),
        ({"end": "2026-01-31"}, "planned_end"),
        ({"unit": 987654}, "unit"),
    ],
)
def test_a_bad_assignment_is_refused(
    tree: dict[str, Any], org_dept: Any, make_cadre: Any, change: dict[str, Any], field: str
) -> None:
    cadre = make_cadre()
    with pytest.raises(CadresError) as caught:
        dev.assign_tempering(
            cadre,
            actor=org_dept,
            kind=change.get("kind", "poverty"),
            unit=change.get("unit", tree["village"]),
            post=change.get("post", "驻村工作队员"),
            started_on=change.get("start", "2026-02-01"),
            planned_end=change.get("end", "2026-12-31"),
        )
    assert caught.value.field == field
    assert not Tempering.objects.exists()


def test_who_may_assign_tempering(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, city_admin: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    for person in (xc_secretary, city_admin):
        with pytest.raises(PermissionDenied):
            assign(cadre, person, tree["village"], "2026-01-01", "2026-06-30")
    with pytest.raises(CadresError, match="no longer in office"):
        assign(make_cadre(status="left"), org_dept, tree["village"], "2026-01-01", "2026-06-30")
    assert not Tempering.objects.exists()


# --- key moments ----------------------------------------------------------------------------


def test_key_moments_by_hand(xc_secretary: Any, org_dept: Any, make_cadre: Any) -> None:
    cadre = make_cadre()
    rescue = dev.record_key_moment(
        cadre, actor=xc_secretary, kind="emergency", occurred_on="2026-07-10", title="防汛抢险"
    )
    warned = dev.record_key_moment(
        cadre, actor=org_dept, kind="warning", occurred_on="2026-08-01", title="诫勉谈话"
    )
    chosen = dev.record_key_moment(
        cadre,
        actor=org_dept,
        kind="commendation",
        occurred_on="2026-08-02",
        title="通报表扬",
        outcome="credit",
    )
    assert (rescue.outcome, warned.outcome, chosen.outcome) == ("credit", "debit", "credit")
    for kw, field in (
        ({"kind": "task"}, "kind"),
        ({"kind": "emergency", "occurred_on": "2026-09-02"}, "occurred_on"),
        ({"kind": "emergency", "title": ""}, "title"),
        ({"kind": "warning", "outcome": "maybe"}, "outcome"),
    ):
        args = {"occurred_on": "2026-08-01", "title": "某事", **kw}
        with pytest.raises(CadresError) as caught:
            dev.record_key_moment(cadre, actor=org_dept, **args)
        assert caught.value.field == field
    assert KeyMoment.objects.count() == 3
    assert AuditEntry.objects.filter(action="cadres.keymoment.recorded").count() == 3


# --- pages ----------------------------------------------------------------------------------


def test_the_development_forms(
    login: Any,
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    outsider: Any,
    make_cadre: Any,
) -> None:
    cadre = make_cadre()
    mentor = make_cadre(name="老支书")
    leader = login(xc_secretary)
    url = f"/cadres/files/{cadre.pk}/training/"
    data = {
        "course": "乡村振兴",
        "provider": "州委党校",
        "hours": "0",
        "started_on": "2026-05-01",
        "ended_on": "2026-05-03",
        "result": "passed",
    }
    assert leader.post(url, data).status_code == 400
    assert leader.post(url, {**data, "hours": "16"}).status_code == 302
    assert TrainingRecord.objects.get().hours == Decimal(16)
    assert login(outsider).post(url, data).status_code == 404
    mentor_url = f"/cadres/files/{cadre.pk}/mentor/"
    assert leader.post(mentor_url, {"mentor": str(mentor.pk)}).status_code == 302
    mentorship = Mentorship.objects.get()
    assert leader.post(f"/cadres/mentorships/{mentorship.pk}/end/", {}).status_code == 302
    moment = f"/cadres/files/{cadre.pk}/moment/"
    assert (
        leader.post(moment, {"kind": "warning", "occurred_on": "", "title": "x"}).status_code == 400
    )
    assert (
        leader.post(
            moment, {"kind": "warning", "occurred_on": "2026-08-01", "title": "x"}
        ).status_code
        == 302
    )
    temper = f"/cadres/files/{cadre.pk}/tempering/"
    assert leader.get(temper).status_code == 403
    dept = login(org_dept)
    tdata = {
        "kind": "petitions",
        "unit": str(tree["village"].pk),
        "post": "信访接待",
        "started_on": "2026-01-01",
        "planned_end": "2026-08-31",
    }
    assert dept.post(temper, tdata).status_code == 302
    overlap = dept.post(temper, {**tdata, "started_on": "2026-08-01", "planned_end": "2026-12-31"})
    assert overlap.status_code == 400
    assert "2026-01-01" in overlap.content.decode()
    tempering = Tempering.objects.get()
    evaluate = f"/cadres/tempering/{tempering.pk}/evaluate/"
    assert leader.post(evaluate, {"appraisal": "good", "remarks": ""}).status_code == 400
    assert leader.post(evaluate, {"appraisal": "good", "remarks": "较好"}).status_code == 302
    assert leader.post(evaluate, {"appraisal": "good", "remarks": "较好"}).status_code == 409
    assert login(outsider).get(evaluate).status_code == 404
    cancel = f"/cadres/tempering/{tempering.pk}/cancel/"
    assert leader.get(cancel).status_code == 403
    assert dept.post(cancel, {"reason": "撤销"}).status_code == 409


def test_the_list_of_cadres_short_of_hours(
    login: Any, tree: dict[str, Any], xc_secretary: Any, outsider: Any, make_cadre: Any
) -> None:
    behind = make_cadre(name="学时不足")
    done = make_cadre(name="学时已满")
    train(done, xc_secretary, hours="60")
    train(behind, xc_secretary, hours="10")
    make_cadre(name="安宁不足", unit=tree["anning"])
    response = login(xc_secretary).get("/cadres/training/short/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "学时不足" in html and "学时已满" not in html and "安宁不足" not in html
    assert 'aria-valuenow="18"' in html  # 10 of 56
    html = login(outsider).get("/cadres/training/short/").content.decode()
    assert "安宁不足" in html and "学时不足" not in html
