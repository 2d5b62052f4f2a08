"""The error-tolerance pages: who sees which case, the forms each viewer gets, a case run
through the browser's forms, and bad input answered on its field with nothing changed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from grassroots.audit.models import AuditEntry
from grassroots.cadres import checklist as cl
from grassroots.cadres.actions import tolerance as actions
from grassroots.cadres.models import ToleranceCase
from grassroots.cadres.states import MeasureState, ToleranceState
from tests.cadres.test_tolerance_support import (
    AFTER_NOTICE,
    METRIC,
    NOW,
    VOTE,
    apply,
    deduction_scheme,
    snapshot,
    under_notice,
    verify,
)

pytestmark = pytest.mark.django_db

LIST = "/cadres/tolerance/"
NEW = "/cadres/tolerance/new/"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def scheme(tree: dict[str, Any]) -> Any:
    return deduction_scheme(tree)


@pytest.fixture
def as_user(login: Any) -> Any:
    def _as(user: Any) -> Client:
        client: Client = login(user)
        client.cookies["django_language"] = "en"
        return client

    return _as


def case_url(case: Any, verb: str = "") -> str:
    return f"/cadres/tolerance/{case.pk}/" + (f"{verb}/" if verb else "")


def text_of(response: Any) -> str:
    return str(response.content.decode())


CHECKLIST_POST = {
    **{f"{k}_met": "yes" for k in cl.KEYS},
    **{f"{k}_note": "属实" for k in cl.KEYS},
}
DECIDE_POST = {
    "outcome": "tolerate",
    "meeting_on": "2026-10-14",
    **{k: str(v) for k, v in VOTE.items()},
    "reason": "经党委会集体研究, 符合容错条件",
}


# --- scope -----------------------------------------------------------------------------------


def test_who_sees_the_list_and_which_cases(
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    supervisor: Any,
    outsider: Any,
    city_admin: Any,
    village_cadre: Any,
    as_user: Any,
) -> None:
    ours = apply(xc_secretary, tree["village"], title="礼州村试点延误")
    theirs = apply(outsider, tree["other_village"], title="安宁村试点延误")

    seen = {
        who: text_of(as_user(u).get(LIST))
        for who, u in (("org", org_dept), ("leader", xc_secretary), ("supervisor", supervisor))
    }
    assert all(ours.number in t for t in seen.values())
    assert theirs.number in seen["org"]
    assert theirs.number not in seen["leader"] and theirs.number not in seen["supervisor"]
    assert 'href="/cadres/tolerance/new/"' in seen["leader"]
    assert 'href="/cadres/tolerance/new/"' not in seen["supervisor"]  # read-only
    assert ours.number not in text_of(as_user(outsider).get(LIST))

    for u in (city_admin, village_cadre):
        assert as_user(u).get(LIST).status_code == 403
        assert as_user(u).get(NEW).status_code == 403
        assert as_user(u).get(case_url(ours)).status_code == 404
    assert as_user(outsider).get(case_url(ours)).status_code == 404
    assert as_user(supervisor).get(case_url(theirs)).status_code == 404
    assert as_user(supervisor).get(NEW).status_code == 403
    anonymous = Client().get(LIST)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_outsider_posting_to_a_case_gets_404_and_changes_nothing(
    tree: dict[str, Any], xc_secretary: Any, outsider: Any, city_admin: Any, as_user: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    before = snapshot(case)
    for u in (outsider, city_admin):
        for verb in ("verify", "decide", "withdraw"):
            assert as_user(u).post(case_url(case, verb), CHECKLIST_POST).status_code == 404
    assert snapshot(case) == before


def test_the_supervisor_reads_but_every_post_is_403(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, supervisor: Any, as_user: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    objection = actions.file_objection(
        case.pk, actor=None, name="甲", phone="13900001111", text="异议"
    )
    measure = actions.add_measure(
        case.pk,
        actor=org_dept,
        description="整改",
        responsible="经发办",
        due_on=dt.date(2026, 11, 1),
    )
    client = as_user(supervisor)
    page = client.get(case_url(case))
    assert page.status_code == 200
    body = text_of(page)
    assert case.number in body and '<form method="post" action="/cadres/tolerance/' not in body
    before = snapshot(case)
    posts = {
        "verify": CHECKLIST_POST,
        "decide": DECIDE_POST,
        "withdraw": {},
        "answer": {"objection": objection.pk, "outcome": "uphold", "answer": "成立"},
        "measure": {"description": "x", "responsible": "y", "due_on": "2026-11-02"},
        "complete": {"measure": measure.pk, "done_on": "2026-10-15", "note": "done"},
    }
    for verb, data in posts.items():
        assert client.post(case_url(case, verb), data).status_code == 403, verb
        assert client.post(case_url(case, verb), {}).status_code == 403, verb
    assert snapshot(case) == before


# --- applying --------------------------------------------------------------------------------


def test_a_unit_applies_through_the_form(
    tree: dict[str, Any], xc_secretary: Any, make_cadre: Any, as_user: Any
) -> None:
    cadre = make_cadre(name="吉克石布")
    client = as_user(xc_secretary)
    form = text_of(client.get(NEW))
    assert f'value="{METRIC}"' in form and "事件超期扣分" in form
    assert "吉克石布" in form and 'value="' + str(tree["anning"].pk) + '"' not in form

    response = client.post(
        NEW,
        {
            "unit": tree["village"].pk,
            "cadre": cadre.pk,
            "title": "试点项目延误",
            "facts": "按试点方案推进, 两件事件超期。",
            "occurred_on": "2026-10-09",
            "affected_month": "2026-10",
            "metric": METRIC,
            "items": "2",
        },
    )

    case = ToleranceCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case_url(case)
    assert (case.unit, case.cadre, case.affected_month, case.items) == (
        tree["village"],
        cadre,
        dt.date(2026, 10, 1),
        2,
    )
    page = text_of(client.get(case_url(case)))
    assert "Application RC2026-0001 was filed." in page
    assert "吉克石布" in page and "Verdict: the verification is not complete." in page
    assert cadre.id_number not in page and cadre.phone not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"occurred_on": "2026-10-20"}, "occurred_on", "The date cannot be in the future."),
        ({"affected_month": "2026-13"}, "affected_month", "Enter a month as YYYY-MM."),
        (
            {"affected_month": "2026-09"},
            "affected_month",
            "The assessment month cannot be before the month the mistake happened.",
        ),
        ({"metric": METRIC, "items": "0"}, "items", "at least 1"),
        ({"unit": "999999"}, "unit", "Choose a unit."),
        ({"unit": "grid"}, "unit", "Choose a unit."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_a_bad_application_comes_back_on_its_field(
    tree: dict[str, Any],
    xc_secretary: Any,
    as_user: Any,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    if overrides.get("unit") == "grid":
        overrides = {**overrides, "unit": str(tree["grid"].pk)}  # a grid is not assessed
    data = {
        "unit": str(tree["village"].pk),
        "cadre": "",
        "title": "试点项目延误",
        "facts": "事实",
        "occurred_on": "2026-10-09",
        "affected_month": "2026-10",
        "metric": "",
        "items": "0",
        **overrides,
    }
    audit = AuditEntry.objects.count()
    response = as_user(xc_secretary).post(NEW, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert ToleranceCase.objects.count() == 0 and AuditEntry.objects.count() == audit


def test_a_cadre_applies_for_themself_and_follows_their_case(
    tree: dict[str, Any], make_cadre: Any, village_cadre: Any, as_user: Any
) -> None:
    cadre = make_cadre(name="张村长", unit=tree["village"], user=village_cadre)
    client = as_user(village_cadre)
    form = text_of(client.get(NEW))
    assert "张村长" in form

    response = client.post(
        NEW,
        {
            "unit": tree["village"].pk,
            "cadre": cadre.pk,
            "title": "先行先试出现偏差",
            "facts": "事实经过",
            "occurred_on": "2026-10-09",
            "affected_month": "2026-10",
            "metric": "",
            "items": "0",
        },
    )

    case = ToleranceCase.objects.get()
    assert response.status_code == 302 and case.applicant == "self"
    assert client.get(case_url(case)).status_code == 200
    assert case.number in text_of(client.get(LIST))  # their own case only
    withdrawn = client.post(case_url(case, "withdraw"), {"reason": "撤回"})
    assert withdrawn.status_code == 302
    assert ToleranceCase.objects.get().state == ToleranceState.WITHDRAWN


# --- a case through the forms ----------------------------------------------------------------


def test_a_case_through_the_forms(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, as_user: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    org = as_user(org_dept)

    assert org.post(case_url(case, "verify"), CHECKLIST_POST).status_code == 302
    page = text_of(org.get(case_url(case)))
    assert "Verdict: tolerable (all four conditions met)." in page
    assert org.post(case_url(case, "decide"), DECIDE_POST).status_code == 302
    case.refresh_from_db()
    assert case.state == ToleranceState.PUBLICITY
    again = org.post(case_url(case, "decide"), DECIDE_POST)
    assert again.status_code == 409 and "no longer being verified" in text_of(again)

    objection = actions.file_objection(
        case.pk, actor=None, name="群众乙", phone="13900001111", text="该项目不属于试点"
    )
    with time_machine.travel(AFTER_NOTICE, tick=False):
        org = as_user(org_dept)  # sessions last 12 hours
        actions.close_notices()
        page = text_of(org.get(case_url(case)))
        assert "Notice ended: awaiting the answer to objections" in page
        assert "139****1111" in page and "13900001111" not in page
        listed = text_of(org.get(LIST))
        assert "Awaiting the answer to objections" in listed and case.number in listed
        answered = org.post(
            case_url(case, "answer"),
            {"objection": objection.pk, "outcome": "dismiss", "answer": "经核查属省级试点"},
        )
        assert answered.status_code == 302
        case.refresh_from_db()
        assert case.state == ToleranceState.EFFECTIVE
        page = text_of(org.get(case_url(case)))
        assert "Waived: 2 counted items of" in page and "经核查属省级试点" in page
        assert f"{case.number} 试点村集体经济项目延误" in page

        leader = as_user(xc_secretary)
        added = leader.post(
            case_url(case, "measure"),
            {"description": "完善台账", "responsible": "经发办", "due_on": "2026-10-30"},
        )
        assert added.status_code == 302
        measure = case.measures.get()
        done = leader.post(
            case_url(case, "complete"),
            {"measure": measure.pk, "done_on": "2026-10-23", "note": "台账已补齐"},
        )
        assert done.status_code == 302
    case.refresh_from_db()
    measure.refresh_from_db()
    assert measure.state == MeasureState.DONE and case.corrected_at == AFTER_NOTICE


def test_a_decision_without_quorum_is_shown_on_its_field(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, as_user: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    verify(case, org_dept)
    before = snapshot(case)
    response = as_user(org_dept).post(
        case_url(case, "decide"), {**DECIDE_POST, "present": "5", "votes_for": "4"}
    )
    assert response.status_code == 400
    assert "No quorum: 5 of 9 members present" in " ".join(
        response.context["decision_form"].errors["present"]
    )
    assert snapshot(case) == before


def test_tolerating_an_unverified_case_is_refused_on_the_page(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, as_user: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    before = snapshot(case)
    response = as_user(org_dept).post(case_url(case, "decide"), DECIDE_POST)
    assert response.status_code == 400
    assert "Verify the four conditions" in text_of(response)
    unanswered = dict(CHECKLIST_POST)
    del unanswered["procedure_met"]
    response = as_user(org_dept).post(case_url(case, "verify"), unanswered)
    assert response.status_code == 400
    assert "procedure_met" in response.context["checklist_form"].errors
    assert snapshot(case) == before


def test_a_refused_case_shows_its_reason(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, as_user: Any
) -> None:
    case = apply(xc_secretary, tree["village"])
    response = as_user(org_dept).post(
        case_url(case, "decide"),
        {**DECIDE_POST, "outcome": "refuse", "reason": "明知故犯, 不予容错"},
    )
    assert response.status_code == 302
    page = text_of(as_user(xc_secretary).get(case_url(case)))
    assert "Why not tolerated" in page and "明知故犯, 不予容错" in page


def test_the_list_filters_and_pages(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, outsider: Any, as_user: Any
) -> None:
    september = apply(
        xc_secretary,
        tree["village"],
        title="九月的案件",
        occurred_on=dt.date(2026, 9, 3),
        affected_month=dt.date(2026, 9, 1),
    )
    for i in range(31):
        apply(xc_secretary, tree["neighbour_village"], title=f"十月案件{i}")
    anning = apply(outsider, tree["other_village"], title="安宁村的案件")
    client = as_user(org_dept)

    first = client.get(LIST)
    assert first.context["page"].paginator.count == 33
    assert len(first.context["page"].object_list) == 30
    assert len(client.get(LIST + "?page=2").context["page"].object_list) == 3
    by_month = text_of(client.get(LIST + "?month=2026-09"))
    assert september.number in by_month and "十月案件" not in by_month
    by_unit = client.get(LIST + f"?unit={tree['other_village'].code}")
    assert [c.pk for c in by_unit.context["page"].object_list] == [anning.pk]
    by_text = client.get(LIST + "?q=九月")
    assert [c.pk for c in by_text.context["page"].object_list] == [september.pk]
    under_notice(xc_secretary, org_dept, tree["village"], title="公示中的案件")
    by_state = client.get(LIST + "?state=publicity")
    assert [c.title for c in by_state.context["page"].object_list] == ["公示中的案件"]
    bad = client.get(LIST + "?month=soon")
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 34


def test_the_list_keeps_its_query_count(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, as_user: Any
) -> None:
    def queries() -> int:
        client = as_user(org_dept)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        under_notice(xc_secretary, org_dept, tree["village"])
    few = queries()
    for _ in range(8):
        case = under_notice(xc_secretary, org_dept, tree["village"])
        actions.add_measure(
            case.pk,
            actor=org_dept,
            description="整改",
            responsible="x",
            due_on=dt.date(2026, 10, 15),
        )
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, tzinfo=NOW.tzinfo), tick=False):
        assert queries() == few


def test_overdue_measures_are_flagged(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, as_user: Any
) -> None:
    case = under_notice(xc_secretary, org_dept, tree["village"])
    actions.add_measure(
        case.pk,
        actor=org_dept,
        description="完善台账制度",
        responsible="经发办",
        due_on=dt.date(2026, 10, 16),
    )
    with time_machine.travel(dt.datetime(2026, 10, 19, 9, tzinfo=NOW.tzinfo), tick=False):
        listed = text_of(as_user(xc_secretary).get(LIST))
        page = text_of(as_user(xc_secretary).get(case_url(case)))
    assert "Overdue corrective measures" in listed and "完善台账制度" in listed
    assert re.search(r'class="measure measure-open overdue"', page)
