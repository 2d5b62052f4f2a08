"""End to end, in Chromium, in Chinese, on a phone: a village secretary holds and records the
month's 党建月会, which starts from the month's results and ends in tasks (issue 9).

礼州村's cadre opens the party-building home → the "本月党建月会" card → plans the meeting →
its page shows the starting point (last month's published assessment: 85.00 points, first
of 3; an overdue task) → records it held with the attendance (2 of 3 present) → adds a
resolution: first with more votes than members present (refused beside the field, nothing
saved), then with a valid vote (passed) → opens two tasks from it → 礼州镇's leader finds
them among the tasks the township deployed, 礼州村 responsible.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browsing import BAD_REQUEST_LOG, Browse
from tests.e2e.party_support import (
    day,
    field_error,
    messages_text,
    overdue_task,
    publish_monthly_result,
    submit,
    today,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_village_secretary_holds_the_monthly_meeting_from_results_to_tasks(
    browse: Browse, tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    from grassroots.partybuilding.models import Meeting, Resolution
    from grassroots.supervision.models import Task

    period = publish_monthly_result(tree)
    late = overdue_task(tree["village"], "村道硬化")
    month = f"{today():%Y-%m}"

    # 1. home → the "本月党建月会" card: not planned yet → plan it
    phone = browse.login(village_cadre, phone=True, next_url="/partybuilding/")
    card = phone.locator("section.own-month")
    assert f"本月党建月会({month})" in card.locator("h2").inner_text()
    row = card.locator("li", has_text="礼州村")
    row.get_by_role("link", name="安排会议").click()
    phone.wait_for_url(re.compile(r"/partybuilding/meetings/new/\?unit=513401101201$"))
    assert phone.locator("select[name=unit]").input_value() == "513401101201"
    assert phone.locator("select[name=kind]").input_value() == "party_monthly"
    assert phone.locator("[name=period]").input_value() == month
    browse.step("plan form", phone)
    assert submit(phone, phone.locator("main form button.primary[type=submit]")) == 200
    assert re.search(r"/partybuilding/meetings/\d+/$", phone.url), phone.url
    assert "会议已安排。" in messages_text(phone)
    meeting = Meeting.objects.get()
    assert (meeting.unit_id, meeting.period, meeting.status) == (
        tree["village"].pk,
        month,
        "planned",
    )

    # 2. the meeting's page starts from the month's results
    point = phone.locator("section.starting-point")
    assert "本月起点" in point.locator("h2").inner_text()
    text = point.inner_text()
    assert f"{period} 月度考核：85.00 分，第 1 名（共 3 个）" in text, text
    risk = point.locator("ul.risk-list li", has_text="村道硬化")
    assert risk.count() == 1
    assert "逾期" in risk.locator(".badge").inner_text()
    assert risk.locator("a").get_attribute("href") == f"/supervision/{late.pk}/"
    agenda = phone.locator("section.card", has=phone.locator("h2", has_text="议程"))
    assert "85.00" in agenda.inner_text() and "村道硬化" in agenda.inner_text()
    browse.step("starting point", phone)

    # 3. record it held with the attendance: 张三 and 李四 present, 王五 away
    phone.get_by_role("link", name="记录召开情况").click()
    phone.wait_for_url(re.compile(rf"/partybuilding/meetings/{meeting.pk}/record/$"))
    assert phone.locator("[name=held_on]").input_value() == today().isoformat()
    phone.fill("[name=location]", "村党群服务中心")
    phone.fill("[name=chair]", "张村长")
    for i, (name, present, reason) in enumerate(
        (("张三", True, ""), ("李四", True, ""), ("王五", False, "外出务工"))
    ):
        card_i = phone.locator("fieldset.attendee").nth(i)
        card_i.locator(f"[name='att-{i}-name']").fill(name)
        card_i.locator(f"[name='att-{i}-post']").fill("党员")
        card_i.locator(f"[name='att-{i}-voting']").check()
        if present:
            card_i.locator(f"[name='att-{i}-present']").check()
        else:
            card_i.locator(f"[name='att-{i}-reason']").fill(reason)
    browse.step("attendance", phone)
    assert submit(phone, phone.locator("form.record-form button.primary")) == 200
    assert "会议已记录为召开。" in messages_text(phone)
    facts = phone.locator("dl.facts").inner_text()
    assert "2 / 3" in facts, facts
    meeting.refresh_from_db()
    assert (meeting.status, meeting.present_count, meeting.expected_count) == ("held", 2, 3)
    assert meeting.held_on == today()

    # 4. a resolution whose votes outnumber the members present: refused beside the field
    phone.get_by_role("link", name="添加决议").click()
    phone.wait_for_url(re.compile(rf"/partybuilding/meetings/{meeting.pk}/resolutions/new/$"))
    assert phone.locator("[name=members_total]").input_value() == "3"
    assert phone.locator("[name=members_present]").input_value() == "2"
    phone.fill("[name=title]", "修缮村口水渠")
    phone.select_option("select[name=matter]", "livelihood")
    phone.fill("[name=votes_for]", "2")
    phone.fill("[name=votes_against]", "1")
    phone.fill("[name=votes_abstain]", "0")
    assert submit(phone, phone.locator("main form button.primary[type=submit]")) == 400
    assert field_error(phone, "votes_for") == (
        "赞成、反对、弃权合计 3 票，多于到会的 2 名有表决权成员。"
    )
    assert phone.locator("[name=title]").input_value() == "修缮村口水渠"  # kept to correct
    browse.step("vote refused", phone)
    assert not Resolution.objects.exists()

    # 5. corrected: 2 for, none against → passed
    phone.fill("[name=votes_against]", "0")
    assert submit(phone, phone.locator("main form button.primary[type=submit]")) == 200
    assert re.search(r"/partybuilding/resolutions/\d+/$", phone.url), phone.url
    resolution = Resolution.objects.get()
    assert resolution.passed
    assert "通过" in phone.locator(".heading-row .badge").inner_text()

    # 6. two tasks from the resolution
    form = phone.locator("form.task-form")
    form.locator("[name='task-0-title']").fill("水渠清淤")
    form.locator("[name='task-0-deadline']").fill(day(30))
    form.locator("[name='task-1-title']").fill("水渠护栏")
    form.locator("[name='task-1-deadline']").fill(day(60))
    form.locator("[name='task-1-description']").fill("两侧加装护栏")
    browse.step("tasks", phone)
    assert submit(phone, form.locator("button.primary")) == 200
    assert "已在督查督办中生成 2 项任务。" in messages_text(phone)
    opened = phone.locator("section.card", has=phone.locator("h2", has_text="生成的任务"))
    assert "水渠清淤" in opened.inner_text() and "礼州镇" in opened.inner_text()
    tasks = {t.title: t for t in Task.objects.exclude(pk=late.pk)}
    assert set(tasks) == {"水渠清淤", "水渠护栏"}
    assert {(t.unit_id, t.issuer_id) for t in tasks.values()} == {
        (tree["village"].pk, tree["lizhou"].pk)
    }

    # 7. the township leader sees them among the tasks 礼州镇 deployed, 礼州村 responsible
    desk = browse.login(xc_secretary, next_url="/supervision/?tab=issued")
    for title in ("水渠清淤", "水渠护栏"):
        line = desk.locator("table.tasks tbody tr", has_text=title)
        assert line.count() == 1, title
        assert line.locator("td").nth(1).inner_text().strip() == "礼州村"
    desk.locator("table.tasks tbody tr", has_text="水渠清淤").locator("a").first.click()
    desk.wait_for_url(re.compile(rf"/supervision/{tasks['水渠清淤'].pk}/$"))
    assert "水渠清淤" in desk.locator("main").inner_text()
    browse.step("township", desk)

    assert browse.unexpected_errors(BAD_REQUEST_LOG) == []
