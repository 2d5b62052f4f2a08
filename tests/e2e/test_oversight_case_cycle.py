"""End to end, in Chromium, in Chinese: a village oversight committee (村务监督委员会) opens
and closes a case (issue 9).

礼州村's committee member opens a case with findings → requests rectification with a
deadline → 礼州村's cadre, on a phone, reports the rectification with a PDF → the committee
member closes it with a photo as evidence → the case list shows it closed; 田坝村's cadre
gets a 404 on it (its existence is not revealed).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browsing import NOT_FOUND_LOG, Browse, images_loaded, png_file
from tests.e2e.party_support import day, messages_text, pdf_file, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_step(page: Any, label: str) -> Any:
    """Open the step's box (``details.ov-step`` whose summary is ``label``); its form."""
    box = page.locator("details.ov-step", has=page.locator("summary", has_text=label))
    assert box.count() == 1, f"no step {label!r} on the page"
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box.locator("form")


def status_badge(page: Any) -> str:
    text: str = page.locator(".ov-case .badge").first.inner_text()
    return text.strip()


def test_committee_member_opens_and_closes_a_case(
    browse: Browse,
    tree: dict[str, Any],
    committee_member: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    tmp_path: Any,
    settings: Any,
) -> None:
    from grassroots.oversight.models import Case

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    deadline = day(15)

    # 1. the committee member opens a case in 礼州村 with the findings
    desk = browse.login(committee_member, next_url="/oversight/")
    desk.locator("nav.ov-tabs").get_by_role("link", name="新建").click()
    desk.wait_for_url(re.compile(r"/oversight/cases/new/$"))
    form = desk.locator("form.ov-form")
    assert form.locator("select[name=unit]").input_value() == "513401101201"
    form.locator("[name=matter]").fill("村集体鱼塘承包费未公开")
    form.locator("select[name=category]").select_option("finance")
    form.locator("select[name=source]").select_option("inspection")
    form.locator("[name=findings]").fill("2026年鱼塘承包费1.2万元未在村务公开栏公示。")
    browse.step("new case", desk)
    assert submit(desk, form.locator("button.primary")) == 200
    case = Case.objects.get()
    desk.wait_for_url(re.compile(rf"/oversight/cases/{case.pk}/$"))
    assert f"案件 {case.number} 已立案。" in messages_text(desk)
    assert case.unit_id == tree["village"].pk and case.status == "open"
    assert "未在村务公开栏公示" in desk.locator("dl.ov-facts").inner_text()

    # 2. … and requests rectification with a deadline
    step = open_step(desk, "下达整改要求")
    step.locator("[name=request]").fill("十日内在公开栏公示承包合同和收款凭证。")
    step.locator("[name=deadline]").fill(deadline)
    assert submit(desk, step.locator("button.primary")) == 200
    assert "已记录：下达整改要求。" in messages_text(desk)
    assert status_badge(desk) == "整改中"
    facts = desk.locator("dl.ov-facts").inner_text()
    assert deadline in facts and "十日内在公开栏公示" in facts
    case.refresh_from_db()
    assert case.status == "rectifying"
    assert case.deadline is not None and case.deadline.isoformat() == deadline
    browse.step("rectification requested", desk)

    # 3. the village cadre, on a phone, reports the rectification with a PDF
    phone = browse.login(village_cadre, phone=True, next_url="/oversight/")
    row = phone.locator("table.ov-cases tr.case", has_text=case.number)
    assert "整改中" in row.inner_text()
    row.get_by_role("link", name=case.number).click()
    phone.wait_for_url(re.compile(rf"/oversight/cases/{case.pk}/$"))
    assert phone.locator("details.ov-step summary", has_text="办结").count() == 0
    step = open_step(phone, "反馈整改情况")
    step.locator("[name=response]").fill("已公示承包合同和收款凭证，见附件。")
    step.locator("[name=evidence]").set_input_files(files=[pdf_file("公示照片说明.pdf")])
    browse.step("response", phone)
    assert submit(phone, step.locator("button.primary")) == 200
    assert status_badge(phone) == "已反馈整改"
    link = phone.locator("#timeline .ov-files a", has_text="公示照片说明.pdf")
    assert link.count() == 1
    case.refresh_from_db()
    assert case.status == "responded"

    # 4. the committee member closes it with a photo as evidence
    desk.reload()
    assert status_badge(desk) == "已反馈整改"
    assert "已公示承包合同" in desk.locator("dl.ov-facts").inner_text()
    step = open_step(desk, "办结")
    step.locator("[name=conclusion]").fill("经现场核实，已按要求公示。")
    step.locator("[name=evidence]").set_input_files(files=[png_file("公示栏.png")])
    assert submit(desk, step.locator("button.primary")) == 200
    assert status_badge(desk) == "已办结"
    assert desk.locator("details.ov-step").count() == 0  # nothing left to do
    facts = desk.locator("dl.ov-facts").inner_text()
    assert "经现场核实" in facts and "按期办结" in facts, facts
    widths = images_loaded(desk, "#timeline .ov-files img")
    assert len(widths) == 1 and widths[0] > 0, widths
    browse.step("closed", desk)
    case.refresh_from_db()
    assert (case.status, case.closed_on_time) == ("closed", True)

    # 5. the list shows it closed
    desk.locator("nav.ov-tabs").get_by_role("link", name="案件", exact=True).click()
    desk.wait_for_url(re.compile(r"/oversight/$"))
    row = desk.locator("table.ov-cases tr.case", has_text=case.number)
    assert row.locator(".badge").first.inner_text().strip() == "已办结"
    assert "status-closed" in (row.get_attribute("class") or "")

    # 6. 田坝村's cadre: a 404, and not on their list
    other = browse.login(neighbour_cadre, phone=True, next_url="/partybuilding/")
    answer = other.goto(f"/oversight/cases/{case.pk}/")
    assert answer is not None and answer.status == 404
    assert case.number not in other.locator("body").inner_text()
    listing = other.goto("/oversight/")
    assert listing is not None and listing.status == 200
    assert case.number not in other.locator("main").inner_text()
    assert other.locator("table.ov-cases tr.case").count() == 0

    assert browse.unexpected_errors(NOT_FOUND_LOG) == []
