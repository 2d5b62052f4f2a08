"""End to end, in Chromium, in Chinese: a culture competition (文化竞演) is judged and
published (issue 9).

礼州镇's leader organises a competition (one round, a programme of 礼州村 and one of 田坝村,
three judges) and opens judging → the judges score on their phones; the third gives both
programmes the same score and is flagged → closing is refused, naming that judge → the judge
writes a justification → scoring closes, the results follow merit → published → the public
portal shows the ranking with the prizes and no judge's name.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browsing import BAD_REQUEST_LOG, Browse
from tests.e2e.party_support import messages_text, submit, today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "礼州镇村歌村舞大赛"
JUDGE_PASSWORD = "x-Judge-42"  # tests.partybuilding.competitions_support.make_judge


def organiser_button(page: Any, label: str) -> Any:
    return page.locator("form.moves button", has_text=label)


def score(browse: Browse, judge: Any, competition_pk: int, scores: dict[str, str]) -> Any:
    """The judge, on a phone, opens the sheet from "我的评分表", scores each programme
    (by its title) and submits the sheet; the page."""
    phone = browse.login(
        judge, phone=True, next_url="/partybuilding/judging/", password=JUDGE_PASSWORD
    )
    phone.get_by_role("link", name=TITLE).click()
    phone.wait_for_url(re.compile(rf"/partybuilding/judging/{competition_pk}/$"))
    for title, value in scores.items():
        card = phone.locator(".score-card", has_text=title)
        card.locator("input[name^=score_]").fill(value)
    assert submit(phone, phone.locator(".sheet-actions button[value=submit]")) == 200
    return phone


def test_a_competition_is_organised_judged_on_phones_closed_and_published(
    browse: Browse, tree: dict[str, Any], xc_secretary: Any
) -> None:
    from grassroots.partybuilding.models import Competition, Entry
    from tests.partybuilding.competitions_support import make_judge

    judges = [make_judge(f"judge{i}", tree["city"], f"评委{i}号") for i in (1, 2, 3)]
    year = today().year

    # 1. the township leader organises the competition
    desk = browse.login(xc_secretary, next_url="/partybuilding/competitions/")
    desk.get_by_role("link", name="新建竞演").click()
    desk.wait_for_url(re.compile(r"/partybuilding/competitions/new/$"))
    desk.select_option("select[name=organiser]", tree["lizhou"].code)
    desk.fill("[name=title]", TITLE)
    desk.fill("[name=year]", str(year))
    desk.fill("[name=max_score]", "100")
    desk.fill("[name=first_prizes]", "1")
    desk.fill("[name=second_prizes]", "1")
    desk.fill("[name=third_prizes]", "0")
    assert submit(desk, desk.locator("main form button.primary")) == 200
    competition = Competition.objects.get(title=TITLE)
    assert competition.organiser_id == tree["lizhou"].pk
    pk = competition.pk

    # … a round
    desk.goto(f"/partybuilding/competitions/{pk}/rounds/")
    desk.fill("[name=name]", "决赛")
    desk.fill("[name=order]", "1")
    assert submit(desk, desk.locator("main form button.primary").last) == 200
    assert "决赛" in desk.locator("ul.comp-rows").inner_text()

    # … two programmes of its villages
    desk.locator("nav.comp-tabs").get_by_role("link", name="参赛节目").click()
    desk.wait_for_url(re.compile(rf"/partybuilding/competitions/{pk}/entries/"))
    for unit, title in ((tree["village"], "彝族达体舞"), (tree["neighbour_village"], "山歌对唱")):
        form = desk.locator("main form", has=desk.locator("[name=title]"))
        form.locator("select[name=unit]").select_option(unit.code)
        form.locator("[name=title]").fill(title)
        assert submit(desk, form.locator("button.primary")) == 200
    assert Entry.objects.filter(round__competition=competition).count() == 2

    # … three judges
    desk.locator("nav.comp-tabs").get_by_role("link", name="评委").click()
    desk.wait_for_url(re.compile(rf"/partybuilding/competitions/{pk}/judges/$"))
    for judge in judges:
        desk.fill("[name=username]", judge.username)
        assert submit(desk, desk.locator("main form button.primary").last) == 200
    names = desk.locator("ul.comp-rows").inner_text()
    assert all(j.full_name in names for j in judges), names
    browse.step("prepared", desk)

    # … and opens judging
    desk.locator("nav.comp-tabs").get_by_role("link", name="总览").click()
    desk.wait_for_url(re.compile(rf"/partybuilding/competitions/{pk}/$"))
    assert submit(desk, organiser_button(desk, "开始评分")) == 200
    assert "评分已开始" in messages_text(desk)

    # 2. the judges score on their phones; the third gives both programmes 80
    score(browse, judges[0], pk, {"彝族达体舞": "90", "山歌对唱": "80"})
    score(browse, judges[1], pk, {"彝族达体舞": "85", "山歌对唱": "70"})
    third = score(browse, judges[2], pk, {"彝族达体舞": "80", "山歌对唱": "80"})
    flagged = third.locator(".flagged-sheet")
    assert flagged.count() == 1 and "反平均化检查" in flagged.inner_text()
    browse.step("flagged sheet", third)

    # 3. closing is refused until that judge has written a justification
    desk.reload()
    refused = organiser_button(desk, "结束评分并计算成绩")
    assert submit(desk, refused) == 400
    problem = desk.locator(".problem").inner_text()
    assert "不能结束评分" in problem and "评委3号" in problem, problem
    assert "评委1号" not in problem and "评委2号" not in problem
    competition.refresh_from_db()
    assert competition.status == "judging"
    browse.step("close refused", desk)

    third.fill("[name=justification]", "两个节目水平确实相当，经慎重考虑给同分。")
    assert submit(third, third.locator("main form button", has_text="保存书面说明")) == 200
    assert "书面说明已保存。" in messages_text(third)

    # 4. closed: the results follow merit; then published
    desk.goto(f"/partybuilding/competitions/{pk}/")
    assert submit(desk, organiser_button(desk, "结束评分并计算成绩")) == 200
    assert "评分已结束，成绩已计算。" in messages_text(desk)
    first_row = desk.locator("table.comp-results tbody tr").first
    assert "彝族达体舞" in first_row.inner_text() and "85.00" in first_row.inner_text()
    assert submit(desk, organiser_button(desk, "公布成绩")) == 200
    assert "成绩已在公众服务平台公布。" in messages_text(desk)
    competition.refresh_from_db()
    assert competition.status == "published"

    # 5. the public portal: the ranking with the prizes, no judge's name
    public = browse.open("public", phone=True)
    public.goto("/public/competitions/")
    public.get_by_role("link", name=TITLE).click()
    public.wait_for_url(re.compile(rf"/public/competitions/{pk}/$"))
    rows = public.locator("table tbody tr")
    assert rows.count() == 2
    cells = [[c.strip() for c in rows.nth(i).locator("td, th").all_inner_texts()] for i in (0, 1)]
    assert cells == [
        ["1", "礼州村", "彝族达体舞", "85.00", "一等奖"],
        ["2", "田坝村", "山歌对唱", "76.67", "二等奖"],
    ], cells
    body = public.locator("body").inner_text()
    for judge in judges:
        assert judge.full_name not in body and judge.username not in body
    browse.step("portal", public)

    assert browse.unexpected_errors(BAD_REQUEST_LOG) == []
