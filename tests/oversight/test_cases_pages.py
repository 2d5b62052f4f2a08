"""The oversight pages end to end (test client): a supervisor opens and closes a case,
who sees what, refusals, the export, the audit trail."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from grassroots.audit.actions import record
from grassroots.audit.models import AuditEntry
from grassroots.oversight.models import Case, CaseEvidence, Step
from tests.oversight.cases_support import (  # noqa: F401 -- the fixtures
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


def _detail(case: Case) -> str:
    return reverse("oversight:case_detail", args=[case.pk])


def _step(case: Case, verb: str) -> str:
    return reverse(f"oversight:case_{verb}", args=[case.pk])


def test_a_supervisor_opens_and_closes_a_case(
    login: Any, committee_member: Any, village_cadre: Any, tree: dict[str, Any]
) -> None:
    member, cadre = login(committee_member), login(village_cadre)
    page = member.get(reverse("oversight:case_new"))
    assert page.status_code == 200 and "新建监督事项" in page.content.decode()
    answer = member.post(
        reverse("oversight:case_new"),
        {
            "unit": tree["village"].code,
            "matter": "村集体资金使用未公开",
            "category": "finance",
            "source": "complaint",
            "findings": "上半年支出未公开。",
            "evidence": [photo()],
        },
    )
    case = Case.objects.get()
    assert answer.status_code == 302 and answer["Location"] == _detail(case)
    assert case.number == "JD-2026-0001" and case.unit == tree["village"]

    answer = member.post(_step(case, "request"), {"request": "公开明细", "deadline": "2026-09-15"})
    assert answer.status_code == 302 and fresh(case).status == "rectifying"
    # The cadre sees the form to report, not the committee's.
    page = cadre.get(_detail(case)).content.decode()
    assert "反馈整改情况" in page and "办结" not in page.split("办理过程")[0].split("下一步")[-1]
    assert (
        cadre.post(_step(case, "respond"), {"response": "已公开", "evidence": [pdf()]}).status_code
        == 302
    )
    assert member.post(_step(case, "return"), {"note": "缺第二季度"}).status_code == 302
    assert fresh(case).status == "rectifying"
    assert cadre.post(_step(case, "respond"), {"response": "已补充"}).status_code == 302
    # Closing without evidence: 400, the message on the form, nothing changed.
    answer = member.post(_step(case, "close"), {"conclusion": "整改到位"})
    assert answer.status_code == 400 and "至少一份" in answer.content.decode()
    assert fresh(case).status == "responded"
    answer = member.post(
        _step(case, "close"), {"conclusion": "整改到位", "evidence": [photo("核查.jpg")]}
    )
    assert answer.status_code == 302
    done = fresh(case)
    assert done.status == "closed" and done.closed_on is not None
    page = member.get(_detail(case)).content.decode()
    assert "按期办结" in page and "整改到位" in page
    kinds = list(Step.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "requested", "responded", "returned", "responded", "closed"]
    assert (
        AuditEntry.objects.filter(
            action__startswith="oversight.case.", object_id=str(case.pk)
        ).count()
        == 6
    )
    # The cadre's document downloads; the photo shows inline.
    document = CaseEvidence.objects.get(content_type="application/pdf")
    answer = cadre.get(reverse("oversight:evidence_file", args=[document.pk]))
    b"".join(answer.streaming_content)  # not close(): it would close the test's connection
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")
    picture = CaseEvidence.objects.filter(content_type="image/jpeg").first()
    assert picture is not None
    answer = member.get(reverse("oversight:evidence_file", args=[picture.pk]))
    b"".join(answer.streaming_content)  # not close(): it would close the test's connection
    assert answer.status_code == 200 and not answer.get("Content-Disposition", "").startswith(
        "attachment"
    )


def test_the_township_office_sees_and_closes_both_villages(
    login: Any, supervisor: Any, committee_member: Any, tree: dict[str, Any]
) -> None:
    mine = open_case(committee_member, tree["village"])
    theirs = open_case(supervisor, tree["neighbour_village"], matter="田坝村工程未招标")
    office = login(supervisor)
    listing = office.get(reverse("oversight:home")).content.decode()
    assert "村集体资金使用未公开" in listing and "田坝村工程未招标" in listing
    for case in (mine, theirs):
        assert office.post(_step(case, "close"), {"conclusion": "经核查无问题"}).status_code == 302
        assert fresh(case).status == "closed"


def test_scope_of_the_pages(
    login: Any,
    committee_member: Any,
    supervisor: Any,
    village_cadre: Any,
    grid_worker: Any,
    outsider: Any,
    tree: dict[str, Any],
) -> None:
    theirs = open_case(supervisor, tree["neighbour_village"], matter="田坝村工程未招标")
    mine = open_case(committee_member, tree["village"])
    member = login(committee_member)
    assert member.get(_detail(theirs)).status_code == 404
    assert member.post(_step(theirs, "close"), {"conclusion": "x"}).status_code == 404
    assert "田坝村工程未招标" not in member.get(reverse("oversight:home")).content.decode()
    assert (
        member.get(
            reverse("oversight:case_new") + f"?unit={tree['neighbour_village'].pk}"
        ).status_code
        == 404
    )
    assert login(outsider).get(_detail(mine)).status_code == 404
    assert login(outsider).get(reverse("oversight:home")).status_code == 200
    worker = login(grid_worker)
    assert worker.get(reverse("oversight:home")).status_code == 403
    assert worker.get(_detail(mine)).status_code == 404
    assert worker.get(reverse("oversight:audit_trail")).status_code == 403
    cadre = login(village_cadre)
    assert cadre.get(_detail(mine)).status_code == 200
    assert cadre.get(reverse("oversight:case_new")).status_code == 403
    assert cadre.post(_step(mine, "close"), {"conclusion": "自己结案"}).status_code == 403
    assert cadre.post(_step(mine, "dismiss"), {"reason": "x"}).status_code == 403
    assert cadre.get(reverse("oversight:audit_trail")).status_code == 403
    assert fresh(mine).status == "open"
    assert member.get(reverse("oversight:case_detail", args=[10**30])).status_code == 404


@pytest.mark.parametrize(
    ("verb", "data", "message"),
    [
        ("request", {"request": "整改", "deadline": "2026-08-01"}, "整改期限不能早于今天"),
        ("request", {"request": "整改", "deadline": "2026-02-30"}, "有效日期"),
        ("request", {"request": "\x00", "deadline": "2026-09-30"}, "空字符"),
        ("dismiss", {"reason": ""}, "必填"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(
    verb: str,
    data: dict[str, str],
    message: str,
    login: Any,
    committee_member: Any,
    tree: dict[str, Any],
) -> None:
    case = open_case(committee_member, tree["village"])
    answer = login(committee_member).post(_step(case, verb), data)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert fresh(case).status == "open" and Step.objects.filter(case=case).count() == 1


def test_a_non_document_and_empty_findings_open_nothing(
    login: Any, committee_member: Any, tree: dict[str, Any]
) -> None:
    member = login(committee_member)
    base = {
        "unit": tree["village"].code,
        "matter": "事项",
        "category": "other",
        "source": "inspection",
    }
    answer = member.post(reverse("oversight:case_new"), {**base, "findings": "   "})
    assert answer.status_code == 400 and "必填" in answer.content.decode()
    answer = member.post(
        reverse("oversight:case_new"), {**base, "findings": "问题", "evidence": [not_a_document()]}
    )
    assert answer.status_code == 400 and "不接受此类文件" in answer.content.decode()
    assert not Case.objects.exists()


def test_an_illegal_move_is_409(login: Any, committee_member: Any, tree: dict[str, Any]) -> None:
    case = open_case(committee_member, tree["village"])
    member = login(committee_member)
    assert member.post(_step(case, "dismiss"), {"reason": "反映不实"}).status_code == 302
    assert member.post(_step(case, "close"), {"conclusion": "结案"}).status_code == 409


def test_prefill_from_a_flagged_decision(
    login: Any, committee_member: Any, tree: dict[str, Any]
) -> None:
    url = reverse("oversight:case_new")
    query = f"?source=flagged&reference=supervision.task:12&unit={tree['village'].pk}"
    page = login(committee_member).get(url + query).content.decode()
    assert 'value="supervision.task:12"' in page
    assert 'value="flagged" selected' in page
    assert login(committee_member).get(url + "?unit=abc").status_code == 404


def test_list_filters_and_export_mask_numbers(
    login: Any, supervisor: Any, committee_member: Any, tree: dict[str, Any]
) -> None:
    import openpyxl

    open_case(
        committee_member, tree["village"], findings="村民(13912345678)反映", matter="低保评定"
    )
    requested(supervisor, tree["neighbour_village"])
    office = login(supervisor)
    page = office.get(reverse("oversight:home") + "?status=rectifying").content.decode()
    assert "低保评定" not in page and "JD-2026-0001" in page
    assert office.get(reverse("oversight:home") + "?year=abc&page=x\x00").status_code == 400
    answer = office.get(reverse("oversight:export"))
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    assert sheet is not None
    cells = [str(c.value or "") for row in sheet.iter_rows() for c in row]
    assert "编号" in cells and "低保评定" in cells
    assert not any("13912345678" in c for c in cells)
    assert any("139****5678" in c for c in cells)
    assert sheet.max_row == 3


def test_the_audit_trail_shows_only_the_village(
    login: Any, committee_member: Any, supervisor: Any, tree: dict[str, Any]
) -> None:
    open_case(committee_member, tree["village"], matter="礼州村的事项")
    open_case(supervisor, tree["neighbour_village"], matter="田坝村的事项")
    record("org.unit.renamed", tree["village"], actor=None, note="电话13912345678")
    page = login(committee_member).get(reverse("oversight:audit_trail")).content.decode()
    assert "礼州村的事项" in page and "田坝村的事项" not in page
    assert "13912345678" not in page and "139****5678" in page
    page = (
        login(committee_member).get(reverse("oversight:audit_trail") + "?kind=org").content.decode()
    )
    assert "礼州村的事项" not in page and "org.unit.renamed" in page
    bad = login(committee_member).get(reverse("oversight:audit_trail") + "?date_from=2026-13-01")
    assert bad.status_code == 400
    both = login(supervisor).get(reverse("oversight:audit_trail")).content.decode()
    assert "礼州村的事项" in both and "田坝村的事项" in both
