"""Error tolerance through its actions: the full path from the application to the
correction, the public notice and its objections, and every refusal changing nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import tolerance as actions
from grassroots.cadres.errors import CadresConflict, CadresError, IllegalTransition
from grassroots.cadres.models import CorrectiveMeasure, Objection, Policy, ToleranceCase
from grassroots.cadres.queries_tolerance import cases_of_cadre, overdue_measures
from grassroots.cadres.states import MeasureState, ObjectionState, ToleranceState
from tests.cadres.test_tolerance_support import (
    AFTER_NOTICE,
    ALL_MET,
    METRIC,
    MONTH,
    NOTICE_ENDS,
    NOW,
    apply,
    decide,
    deduction_scheme,
    snapshot,
    under_notice,
    verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def scheme(tree: dict[str, Any]) -> Any:
    return deduction_scheme(tree)


def actions_of(case: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="cadres.tolerancecase", object_id=str(case.pk))
        .values_list("action", flat=True)
        .order_by("pk")
    )


# --- the full path ---------------------------------------------------------------------------


def test_the_full_path_from_application_to_correction(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(name="阿说乌且")

    case = apply(xc_secretary, tree["village"], cadre=cadre)
    assert case.number == "RC2026-0001"
    assert (case.state, case.applicant, case.unit, case.cadre) == (
        ToleranceState.APPLIED,
        "unit",
        tree["village"],
        cadre,
    )

    verify(case, org_dept)
    case = decide(case, org_dept)
    assert case.state == ToleranceState.PUBLICITY
    assert case.notice_starts == NOW
    assert case.notice_ends == NOTICE_ENDS  # five working days after Thursday 15 October
    assert (case.members, case.present, case.votes_for) == (9, 7, 6)

    with time_machine.travel(dt.datetime(2026, 10, 20, 15, tzinfo=NOW.tzinfo), tick=False):
        objection = actions.file_objection(
            case.pk, actor=None, name="群众乙", phone="13900001111", text="项目并非试点"
        )
    assert objection.state == ObjectionState.OPEN

    with time_machine.travel(AFTER_NOTICE, tick=False):
        sweep = actions.close_notices()
        assert sweep.as_dict() == {"effective": [], "waiting": [case.number]}
        assert ToleranceCase.objects.get(pk=case.pk).state == ToleranceState.PUBLICITY
        actions.answer_objection(
            objection.pk, actor=org_dept, uphold=False, answer="经核查, 该项目列入省级试点"
        )
    case.refresh_from_db()
    assert case.state == ToleranceState.EFFECTIVE
    assert case.effective_at == AFTER_NOTICE

    with time_machine.travel(AFTER_NOTICE, tick=False):
        m1 = actions.add_measure(
            case.pk,
            actor=xc_secretary,
            description="完善项目台账",
            responsible="礼州镇经发办",
            due_on=dt.date(2026, 11, 30),
        )
        m2 = actions.add_measure(
            case.pk,
            actor=org_dept,
            description="约谈提醒",
            responsible="组织部",
            due_on=dt.date(2026, 10, 30),
        )
        actions.complete_measure(
            m1.pk, actor=xc_secretary, done_on=dt.date(2026, 10, 23), note="台账已补齐"
        )
        assert ToleranceCase.objects.get(pk=case.pk).corrected_at is None
        actions.complete_measure(
            m2.pk, actor=org_dept, done_on=dt.date(2026, 10, 23), note="已约谈"
        )
    case.refresh_from_db()
    assert case.corrected_at == AFTER_NOTICE
    assert actions_of(case) == [
        "cadres.tolerance.applied",
        "cadres.tolerance.verified",
        "cadres.tolerance.decided",
        "cadres.tolerance.effective",
        "cadres.tolerance.corrected",
    ]
    assert AuditEntry.objects.filter(action="cadres.objection.filed").count() == 1
    assert AuditEntry.objects.filter(action="cadres.measure.completed").count() == 2
    # the phone is not written into the audit log in full
    filed = AuditEntry.objects.get(action="cadres.objection.filed")
    assert filed.after is not None and "13900001111" not in str(filed.after)
    assert filed.after["phone"] == "139****1111"
    # the cadre's file shows the case as tolerated, with its measures
    (shown,) = cases_of_cadre(cadre)
    assert shown.state == ToleranceState.EFFECTIVE
    assert [m.state for m in shown.measures.all()] == [MeasureState.DONE, MeasureState.DONE]


def test_numbers_follow_each_other_within_the_year(tree: dict[str, Any], xc_secretary: Any) -> None:
    numbers = [apply(xc_secretary, tree["lizhou"]).number for _ in range(3)]
    assert numbers == ["RC2026-0001", "RC2026-0002", "RC2026-0003"]
    ToleranceCase.objects.filter(number="RC2026-0003").update(number="RC2026-9999")
    assert apply(xc_secretary, tree["lizhou"]).number == "RC2026-10000"
    assert apply(xc_secretary, tree["lizhou"]).number == "RC2026-10001"


def test_a_cadre_applies_for_themself(
    tree: dict[str, Any], make_cadre: Any, village_cadre: Any
) -> None:
    cadre = make_cadre(unit=tree["village"], user=village_cadre)

    case = apply(village_cadre, tree["village"], cadre=cadre)

    assert case.applicant == "self" and case.applied_by == village_cadre


def test_a_unit_case_needs_no_cadre_nor_metric(tree: dict[str, Any], xc_secretary: Any) -> None:
    case = apply(xc_secretary, tree["lizhou"], metric="", items=0)
    assert case.cadre is None and case.metric == "" and case.items == 0


def test_the_notice_counts_the_policys_working_days(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    Policy.objects.create(unit=tree["city"], public_notice_workdays=7)
    case = under_notice(xc_secretary, org_dept, tree["village"])
    # Fri 16, Mon 19 … Fri 23, Mon 26
    assert case.notice_ends == dt.datetime(2026, 10, 26, 23, 59, 59, 999999, tzinfo=NOW.tzinfo)


def test_a_refusal_keeps_its_reason(tree: dict[str, Any], org_dept: Any, xc_secretary: Any) -> None:
    case = apply(xc_secretary, tree["village"])
    verify(case, org_dept, {**ALL_MET, "public_good": (False, "项目收益流向个人")})

    case = decide(case, org_dept, tolerate=False, reason="存在谋取私利情形, 不予容错")

    assert case.state == ToleranceState.REFUSED
    assert case.refused_reason == "存在谋取私利情形, 不予容错"
    assert case.notice_ends is None


def test_withdrawn_by_the_applicant(tree: dict[str, Any], xc_secretary: Any) -> None:
    case = apply(xc_secretary, tree["village"])
    case = actions.withdraw_tolerance(case.pk, actor=xc_secretary, reason="情况已说明")
    assert case.state == ToleranceState.WITHDRAWN
    assert actions_of(case)[-1] == "cadres.tolerance.withdrawn"


# --- the notice ------------------------------------------------------------------------------


def test_the_notice_over_with_no_objection_takes_effect_once(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])

    assert actions.close_notices(NOTICE_ENDS - dt.timedelta(seconds=1)).effective == []
    first = actions.close_notices(NOTICE_ENDS)
    second = actions.close_notices(AFTER_NOTICE)

    assert first.effective == [case.number] and second.as_dict() == {
        "effective": [],
        "waiting": [],
    }
    case.refresh_from_db()
    assert case.state == ToleranceState.EFFECTIVE and case.effective_at == NOTICE_ENDS
    assert actions_of(case).count("cadres.tolerance.effective") == 1


def test_an_upheld_objection_refuses_the_case(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, resident: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    objection = actions.file_objection(case.pk, actor=resident, text="该干部从中收取好处")
    assert objection.name == "群众甲" and objection.filed_by == resident

    actions.answer_objection(
        objection.pk, actor=org_dept, uphold=True, answer="经核查异议属实, 不予容错"
    )

    case.refresh_from_db()
    assert case.state == ToleranceState.REFUSED
    assert case.refused_reason == "经核查异议属实, 不予容错"
    assert actions.close_notices(AFTER_NOTICE).effective == []


def test_a_dismissed_objection_during_the_notice_leaves_it_running(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    objection = actions.file_objection(
        case.pk, actor=None, name="群众丙", phone="0834-3221234", text="有疑问"
    )
    actions.answer_objection(objection.pk, actor=org_dept, uphold=False, answer="已解释")
    assert ToleranceCase.objects.get(pk=case.pk).state == ToleranceState.PUBLICITY
    assert actions.close_notices(AFTER_NOTICE).effective == [case.number]


def test_an_objection_after_the_deadline_is_refused_and_nothing_is_written(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    before = snapshot(case)

    with (
        time_machine.travel(NOTICE_ENDS + dt.timedelta(microseconds=1), tick=False),
        pytest.raises(CadresConflict, match="2026-10-22 23:59"),
    ):
        actions.file_objection(case.pk, actor=None, name="迟到者", phone="13900002222", text="x")

    assert snapshot(case) == before


def test_no_objection_to_a_case_not_under_notice(tree: dict[str, Any], xc_secretary: Any) -> None:
    case = apply(xc_secretary, tree["village"])
    before = snapshot(case)
    with pytest.raises(CadresConflict, match=case.number):
        actions.file_objection(case.pk, actor=None, name="某人", phone="13900002222", text="x")
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("name", "phone", "text", "field"),
    [
        ("", "13900002222", "异议", "name"),
        ("群众", "", "异议", "phone"),
        ("群众", "12ab", "异议", "phone"),
        ("群众", "13900002222", "  ", "text"),
        ("群" * 65, "13900002222", "异议", "name"),
    ],
)
def test_a_public_objection_needs_a_name_a_phone_and_a_text(
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    name: str,
    phone: str,
    text: str,
    field: str,
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    before = snapshot(case)
    with pytest.raises(CadresError) as caught:
        actions.file_objection(case.pk, actor=None, name=name, phone=phone, text=text)
    assert caught.value.field == field
    assert snapshot(case) == before


def test_an_objection_filed_while_waiting_keeps_the_case_waiting(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    first = actions.file_objection(case.pk, actor=None, name="甲", phone="13900000001", text="1")
    actions.file_objection(case.pk, actor=None, name="乙", phone="13900000002", text="2")
    with time_machine.travel(AFTER_NOTICE, tick=False):
        actions.answer_objection(first.pk, actor=org_dept, uphold=False, answer="不成立")
        assert ToleranceCase.objects.get(pk=case.pk).state == ToleranceState.PUBLICITY
        assert actions.close_notices().waiting == [case.number]


# --- refusals change nothing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"facts": ""}, "facts"),
        ({"occurred_on": dt.date(2026, 10, 16)}, "occurred_on"),
        ({"affected_month": dt.date(2026, 9, 1)}, "affected_month"),
        ({"affected_month": dt.date(2026, 11, 1)}, "affected_month"),
        ({"affected_month": dt.date(2026, 10, 2)}, "affected_month"),
        ({"metric": "events.patrol_share"}, "metric"),  # not a deduction of any scheme
        ({"metric": METRIC, "items": 0}, "items"),
        ({"metric": "", "items": 3}, "metric"),
        ({"items": -1}, "items"),
        (
            {"affected_month": dt.date(2025, 12, 1), "occurred_on": dt.date(2025, 12, 3)},
            "metric",  # no 2025 scheme deducts on it
        ),
    ],
)
def test_a_bad_application_is_refused_and_writes_nothing(
    tree: dict[str, Any], xc_secretary: Any, overrides: dict[str, Any], field: str
) -> None:
    audit = AuditEntry.objects.count()
    with pytest.raises(CadresError) as caught:
        apply(xc_secretary, tree["village"], **overrides)
    assert caught.value.field == field
    assert ToleranceCase.objects.count() == 0
    assert AuditEntry.objects.count() == audit


def test_applications_out_of_scope_are_refused(
    tree: dict[str, Any],
    outsider: Any,
    village_cadre: Any,
    city_admin: Any,
    supervisor: Any,
    xc_secretary: Any,
    make_cadre: Any,
) -> None:
    for who in (outsider, village_cadre, city_admin, supervisor):
        with pytest.raises(PermissionDenied):
            apply(who, tree["village"])
    someone_else = make_cadre(unit=tree["anning"])
    with pytest.raises(PermissionDenied):  # a cadre of another township
        apply(xc_secretary, tree["lizhou"], cadre=someone_else)
    village_cadre_file = make_cadre(unit=tree["village"])
    with pytest.raises(CadresError) as caught:  # the case's unit above the cadre's
        apply(xc_secretary, tree["lizhou"], cadre=village_cadre_file)
    assert caught.value.field == "unit"
    assert ToleranceCase.objects.count() == 0


def test_a_cadre_cannot_apply_for_another_in_their_name(
    tree: dict[str, Any], make_cadre: Any, village_cadre: Any
) -> None:
    make_cadre(unit=tree["village"], user=village_cadre)
    other = make_cadre(unit=tree["village"])
    with pytest.raises(PermissionDenied):
        apply(village_cadre, tree["village"], cadre=other)


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ({k: v for k, v in ALL_MET.items() if k != "remedied"}, "remedied_met"),
        ({**ALL_MET, "procedure": (False, " ")}, "procedure_note"),
        ({**ALL_MET, "exploration": (None, "")}, "exploration_met"),
        ({**ALL_MET, "luck": (True, "")}, "luck"),
    ],
)
def test_a_bad_verification_is_refused(
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    entries: dict[str, tuple[bool | None, str]],
    field: str,
) -> None:
    case = apply(xc_secretary, tree["village"])
    before = snapshot(case)
    with pytest.raises(CadresError) as caught:
        verify(case, org_dept, entries)
    assert caught.value.field == field
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("verified", "overrides", "field"),
    [
        (None, {}, "outcome"),  # not verified
        ({**ALL_MET, "remedied": (False, "损失未挽回")}, {}, "outcome"),
        (ALL_MET, {"present": 5, "votes_for": 4}, "present"),  # no quorum: 6 of 9 needed
        (ALL_MET, {"votes_for": 4, "votes_against": 3}, "votes_for"),  # 5 of 9 needed
        (ALL_MET, {"abstentions": 2}, "votes_for"),  # 6 + 1 + 2 ≠ 7 present
        (ALL_MET, {"present": 10, "votes_for": 9}, "present"),
        (ALL_MET, {"members": 0}, "members"),
        (ALL_MET, {"members": None}, "members"),
        (ALL_MET, {"reason": ""}, "reason"),
        (ALL_MET, {"meeting_on": dt.date(2026, 10, 16)}, "meeting_on"),
    ],
)
def test_a_bad_decision_is_refused_and_changes_nothing(
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    verified: dict[str, tuple[bool | None, str]] | None,
    overrides: dict[str, Any],
    field: str,
) -> None:
    case = apply(xc_secretary, tree["village"])
    if verified is not None:
        verify(case, org_dept, verified)
    before = snapshot(case)
    with pytest.raises(CadresError) as caught:
        decide(case, org_dept, **overrides)
    assert caught.value.field == field
    assert snapshot(case) == before


def test_only_the_organisation_department_verifies_and_decides(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, supervisor: Any, outsider: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    before = snapshot(case)
    for who in (xc_secretary, supervisor, outsider):
        with pytest.raises(PermissionDenied):
            verify(case, who)
        with pytest.raises(PermissionDenied):
            decide(case, who)
    assert snapshot(case) == before


def test_a_decided_case_cannot_be_decided_verified_or_withdrawn_again(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    before = snapshot(case)
    with pytest.raises(CadresConflict):
        decide(case, org_dept)
    with pytest.raises(CadresConflict):
        verify(case, org_dept)
    with pytest.raises(IllegalTransition):
        actions.withdraw_tolerance(case.pk, actor=xc_secretary)
    assert snapshot(case) == before


def test_only_the_applicant_withdraws(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        actions.withdraw_tolerance(case.pk, actor=org_dept)
    assert snapshot(case) == before


def test_bad_answers_change_nothing(tree: dict[str, Any], org_dept: Any, xc_secretary: Any) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    objection = actions.file_objection(
        case.pk, actor=None, name="甲", phone="13900000001", text="1"
    )
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        actions.answer_objection(objection.pk, actor=xc_secretary, uphold=True, answer="成立")
    with pytest.raises(CadresError) as caught:
        actions.answer_objection(objection.pk, actor=org_dept, uphold=True, answer=" ")
    assert caught.value.field == "answer"
    with pytest.raises(Http404):
        actions.answer_objection(objection.pk + 99, actor=org_dept, uphold=True, answer="x")
    assert snapshot(case) == before
    actions.answer_objection(objection.pk, actor=org_dept, uphold=False, answer="不成立")
    again = snapshot(case)
    with pytest.raises(CadresConflict):
        actions.answer_objection(objection.pk, actor=org_dept, uphold=True, answer="成立")
    assert snapshot(case) == again
    assert Objection.objects.get(pk=objection.pk).state == ObjectionState.DISMISSED


def test_bad_measures_change_nothing(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, supervisor: Any, outsider: Any
) -> None:
    applied = apply(xc_secretary, tree["village"])
    with pytest.raises(CadresConflict):
        actions.add_measure(
            applied.pk,
            actor=org_dept,
            description="x",
            responsible="y",
            due_on=MONTH.replace(day=30),
        )
    case = under_notice(xc_secretary, org_dept, tree["village"])
    before = snapshot(case)
    for who in (supervisor, outsider):
        with pytest.raises(PermissionDenied):
            actions.add_measure(
                case.pk, actor=who, description="x", responsible="y", due_on=dt.date(2026, 11, 1)
            )
    for kw, field in (
        ({"description": ""}, "description"),
        ({"responsible": " "}, "responsible"),
        ({"due_on": dt.date(2026, 10, 14)}, "due_on"),
    ):
        fields: dict[str, Any] = {
            "description": "整改",
            "responsible": "经发办",
            "due_on": dt.date(2026, 11, 1),
        }
        with pytest.raises(CadresError) as caught:
            actions.add_measure(case.pk, actor=org_dept, **{**fields, **kw})
        assert caught.value.field == field
    assert snapshot(case) == before

    measure = actions.add_measure(
        case.pk,
        actor=org_dept,
        description="整改",
        responsible="经发办",
        due_on=dt.date(2026, 11, 1),
    )
    before = snapshot(case)
    for kw, field in (
        ({"done_on": dt.date(2026, 10, 16)}, "done_on"),
        ({"done_on": dt.date(2026, 10, 1)}, "done_on"),  # before the mistake (9 October)
        ({"note": ""}, "note"),
    ):
        done: dict[str, Any] = {"done_on": dt.date(2026, 10, 15), "note": "已完成"}
        with pytest.raises(CadresError) as caught:
            actions.complete_measure(measure.pk, actor=org_dept, **{**done, **kw})
        assert caught.value.field == field
    with pytest.raises(PermissionDenied):
        actions.complete_measure(
            measure.pk, actor=supervisor, done_on=dt.date(2026, 10, 15), note="x"
        )
    assert snapshot(case) == before
    actions.complete_measure(measure.pk, actor=org_dept, done_on=dt.date(2026, 10, 15), note="完成")
    with pytest.raises(CadresConflict):
        actions.complete_measure(
            measure.pk, actor=org_dept, done_on=dt.date(2026, 10, 15), note="再"
        )


def test_measures_done_before_the_case_takes_effect_correct_it_then(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    m = actions.add_measure(
        case.pk,
        actor=org_dept,
        description="整改",
        responsible="经发办",
        due_on=dt.date(2026, 11, 1),
    )
    actions.complete_measure(m.pk, actor=org_dept, done_on=dt.date(2026, 10, 15), note="完成")
    assert ToleranceCase.objects.get(pk=case.pk).corrected_at is None  # not effective yet

    actions.close_notices(AFTER_NOTICE)

    assert ToleranceCase.objects.get(pk=case.pk).corrected_at == AFTER_NOTICE
    # a new measure reopens the correction
    with time_machine.travel(AFTER_NOTICE, tick=False):
        actions.add_measure(
            case.pk,
            actor=org_dept,
            description="回头看",
            responsible="组织部",
            due_on=dt.date(2026, 11, 20),
        )
    assert ToleranceCase.objects.get(pk=case.pk).corrected_at is None


def test_overdue_measures_are_listed_for_those_who_see_the_case(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, outsider: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    late = actions.add_measure(
        case.pk,
        actor=org_dept,
        description="整改",
        responsible="经发办",
        due_on=dt.date(2026, 10, 20),
    )
    actions.add_measure(
        case.pk,
        actor=org_dept,
        description="回头看",
        responsible="组织部",
        due_on=dt.date(2026, 12, 1),
    )
    day = dt.date(2026, 10, 21)
    assert [m.pk for m in overdue_measures(xc_secretary, day)] == [late.pk]
    assert [m.pk for m in overdue_measures(org_dept, day)] == [late.pk]
    assert list(overdue_measures(outsider, day)) == []
    assert list(overdue_measures(xc_secretary, dt.date(2026, 10, 20))) == []
    assert CorrectiveMeasure.objects.count() == 2
