"""The oversight cases' actions: the cycle, the refusals (nothing changed), scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.inbox.models import Notification
from grassroots.oversight.actions import cases as actions
from grassroots.oversight.errors import IllegalTransition, OversightError
from grassroots.oversight.evidence import storage_path
from grassroots.oversight.models import Case, CaseEvidence, Step
from tests.oversight.cases_support import (  # noqa: F401 -- the fixtures
    TODAY,
    _clock,
    _media,
    fresh,
    not_a_document,
    open_case,
    pdf,
    photo,
    requested,
)

pytestmark = pytest.mark.django_db


def _state(case: Case) -> tuple[Any, ...]:
    c = fresh(case)
    return (
        c.status,
        c.request,
        c.deadline,
        c.response,
        c.conclusion,
        c.closed_on,
        Step.objects.filter(case=c).count(),
        CaseEvidence.objects.filter(case=c).count(),
        AuditEntry.objects.filter(object_type="oversight.case", object_id=str(c.pk)).count(),
    )


def test_the_whole_cycle(
    committee_member: Any,
    village_cadre: Any,
    tree: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    village = tree["village"]
    case = open_case(committee_member, village, files=[photo()])
    assert case.number == "JD-2026-0001"
    assert case.status == "open" and case.opened_on == TODAY
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_rectification(
            case, actor=committee_member, request="公开支出明细", deadline=dt.date(2026, 9, 15)
        )
    assert Notification.objects.filter(recipient=village_cadre, object_id=str(case.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.respond(case, actor=village_cadre, response="已公开", files=[pdf()])
    assert Notification.objects.filter(recipient=committee_member, object_id=str(case.pk)).exists()
    actions.return_case(
        case, actor=committee_member, note="缺少第二季度", deadline=dt.date(2026, 9, 20)
    )
    assert fresh(case).status == "rectifying" and fresh(case).deadline == dt.date(2026, 9, 20)
    actions.respond(case, actor=village_cadre, response="已补充第二季度")
    closed = actions.close_case(
        case, actor=committee_member, conclusion="整改到位", files=[photo("核查.jpg")]
    )
    assert closed.status == "closed" and closed.closed_on == TODAY
    assert closed.closed_by == committee_member and fresh(case).closed_on_time is True
    kinds = list(Step.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "requested", "responded", "returned", "responded", "closed"]
    verbs = list(
        AuditEntry.objects.filter(object_type="oversight.case", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert verbs == [
        "oversight.case.opened",
        "oversight.case.requested",
        "oversight.case.responded",
        "oversight.case.returned",
        "oversight.case.responded",
        "oversight.case.closed",
    ]
    files = CaseEvidence.objects.filter(case=case)
    assert files.count() == 3
    pdf_row = files.get(content_type="application/pdf")
    assert pdf_row.step is not None and pdf_row.step.kind == "responded"
    assert storage_path(pdf_row.sha256, pdf_row.content_type).is_file()
    assert "/oversight/" in str(storage_path(pdf_row.sha256, pdf_row.content_type))


def test_numbers_count_per_village_and_year(
    committee_member: Any, supervisor: Any, tree: dict[str, Any]
) -> None:
    assert open_case(committee_member, tree["village"]).number == "JD-2026-0001"
    assert open_case(supervisor, tree["village"]).number == "JD-2026-0002"
    assert open_case(supervisor, tree["neighbour_village"]).number == "JD-2026-0001"


def test_the_township_office_works_every_village_of_it(
    supervisor: Any, committee_member: Any, tree: dict[str, Any]
) -> None:
    mine = open_case(committee_member, tree["village"])
    theirs = open_case(supervisor, tree["neighbour_village"])
    for case in (mine, theirs):
        actions.close_case(case, actor=supervisor, conclusion="经核查无问题")
        assert fresh(case).status == "closed"


@pytest.mark.parametrize("who", ["committee_member", "village_cadre", "outsider", "grid_worker"])
def test_who_may_not_open_there(who: str, request: Any, tree: dict[str, Any]) -> None:
    actor = request.getfixturevalue(who)
    unit = tree["neighbour_village"] if who == "committee_member" else tree["village"]
    with pytest.raises(PermissionDenied):
        open_case(actor, unit)
    assert not Case.objects.exists()


def test_a_case_belongs_to_a_village(supervisor: Any, tree: dict[str, Any]) -> None:
    with pytest.raises(OversightError) as exc:
        open_case(supervisor, tree["lizhou"])
    assert exc.value.field == "unit" and not Case.objects.exists()


def test_cadres_respond_but_do_not_close_or_open(
    committee_member: Any, village_cadre: Any, tree: dict[str, Any]
) -> None:
    case = requested(committee_member, tree["village"])
    before = _state(case)
    with pytest.raises(PermissionDenied):
        actions.close_case(case, actor=village_cadre, conclusion="自己结案", files=[pdf()])
    with pytest.raises(PermissionDenied):
        actions.dismiss(case, actor=village_cadre, reason="不成立")
    with pytest.raises(PermissionDenied):
        actions.respond(case, actor=committee_member, response="代为反馈")
    assert _state(case) == before


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (
            lambda c, u: actions.request_rectification(
                c, actor=u, request="整改", deadline=dt.date(2026, 8, 31)
            ),
            "deadline",
            "整改期限不能早于今天",
        ),
        (
            lambda c, u: actions.request_rectification(c, actor=u, request="整改", deadline=None),
            "deadline",
            "请填写整改期限",
        ),
        (
            lambda c, u: actions.request_rectification(
                c, actor=u, request=" \x00 ", deadline=dt.date(2026, 9, 30)
            ),
            "request",
            "此项为必填项",
        ),
        (
            lambda c, u: actions.request_rectification(
                c, actor=u, request="整" * 5001, deadline=dt.date(2026, 9, 30)
            ),
            "request",
            "5000",
        ),
        (lambda c, u: actions.dismiss(c, actor=u, reason=""), "reason", "此项为必填项"),
    ],
)
def test_bad_input_on_an_open_case_changes_nothing(
    call: Any, field: str, message: str, committee_member: Any, tree: dict[str, Any]
) -> None:
    case = open_case(committee_member, tree["village"])
    before = _state(case)
    with pytest.raises(OversightError) as exc:
        call(case, committee_member)
    assert exc.value.field == field
    assert message in str(exc.value.message)
    assert _state(case) == before


def test_closing_after_a_request_needs_evidence(
    committee_member: Any, village_cadre: Any, tree: dict[str, Any]
) -> None:
    case = requested(committee_member, tree["village"])
    actions.respond(case, actor=village_cadre, response="已公开", files=[pdf()])
    before = _state(case)
    with pytest.raises(OversightError) as exc:
        actions.close_case(case, actor=committee_member, conclusion="整改到位")
    assert exc.value.field == "evidence" and "至少" in exc.value.message
    with pytest.raises(OversightError) as exc:
        actions.close_case(
            case, actor=committee_member, conclusion="整改到位", files=[not_a_document()]
        )
    assert exc.value.field == "evidence" and "不接受" in exc.value.message
    assert _state(case) == before


def test_bad_findings_or_files_open_nothing(committee_member: Any, tree: dict[str, Any]) -> None:
    for kw, field in (
        ({"findings": "   "}, "findings"),
        ({"matter": ""}, "matter"),
        ({"category": "bogus"}, "category"),
        ({"source": "bogus"}, "source"),
        ({"reference": "not a reference"}, "reference"),
        ({"files": [not_a_document()]}, "evidence"),
    ):
        with pytest.raises(OversightError) as exc:
            open_case(committee_member, tree["village"], **kw)
        assert exc.value.field == field
    assert not Case.objects.exists() and not Step.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="oversight.").exists()


def test_moves_the_table_forbids_are_409(
    committee_member: Any, village_cadre: Any, tree: dict[str, Any]
) -> None:
    case = open_case(committee_member, tree["village"])
    with pytest.raises(IllegalTransition):
        actions.respond(case, actor=village_cadre, response="反馈")
    with pytest.raises(IllegalTransition):
        actions.return_case(case, actor=committee_member, note="退回")
    actions.dismiss(case, actor=committee_member, reason="反映不实")
    assert fresh(case).status == "dismissed" and fresh(case).conclusion == "反映不实"
    with pytest.raises(IllegalTransition):
        actions.close_case(case, actor=committee_member, conclusion="结案")


def test_numbers_in_texts_are_masked_in_the_audit(
    committee_member: Any, tree: dict[str, Any]
) -> None:
    case = open_case(
        committee_member,
        tree["village"],
        findings="村民王某某(13912345678，身份证513401198001011234)反映",
    )
    entry = AuditEntry.objects.get(action="oversight.case.opened", object_id=str(case.pk))
    text = str(entry.after)
    assert "13912345678" not in text and "513401198001011234" not in text
    assert "139****5678" in text


def test_the_daily_reminder_of_overdue_cases(
    committee_member: Any, village_cadre: Any, neighbour_cadre: Any, tree: dict[str, Any]
) -> None:
    from grassroots.oversight.jobs import REMINDER, send_overdue_reminders

    requested(committee_member, tree["village"], dt.date(2026, 9, 5))
    requested(committee_member, tree["village"], dt.date(2026, 9, 30))
    day = dt.date(2026, 9, 10)
    assert send_overdue_reminders(day) == 1
    assert send_overdue_reminders(day) == 0  # run twice: nothing more
    message = Notification.objects.get(object_type=REMINDER)
    assert message.recipient == village_cadre and "1" in message.subject
    assert "JD-2026-0001" in message.body and "JD-2026-0002" not in message.body
