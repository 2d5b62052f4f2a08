"""End to end, in Chromium, in Chinese: a city task cascaded down to the villages and
carried out, every step on the real pages by the person whose job it is.

city office deploys 100 万元 to the city itself and splits it pro rata by households
among the townships (preview first) → 礼州镇's leader splits its share by hand among two
villages, leaving a gap the page shows → the village cadre, on a phone, reports progress
twice with a photo and asks for more time → the township verifies one report (accepted,
the bar moves), returns the other with a reason, urges, refuses the extension, then
approves a second one → the cadre sees all of it. Then a livelihood project decided not
feasible with an explanation, listed with it among the projects.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.browsing import Browse, images_loaded, png_file
from tests.pages_support import World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def day(offset: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


def sup_act(
    page: Any,
    verb: str,
    *,
    within: str = "#task-main",
    fill: dict[str, str] | None = None,
    check: dict[str, str] | None = None,
    files: dict[str, list[dict[str, Any]]] | None = None,
    button: str = "button.primary[type=submit]",
) -> int:
    """Open the verb's box (inside ``within``), fill its form, send it with htmx; the
    HTTP status once the answer has been swapped in. Field names come without the prefix."""
    box = page.locator(f"{within} details.verb-{verb}").first
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    form = box.locator("form")
    for name, value in (check or {}).items():
        form.locator(f"input[name='{verb}-{name}'][value='{value}']").check()
    for name, value in (fill or {}).items():
        form.locator(f"[name='{verb}-{name}']").fill(value)
    for name, items in (files or {}).items():
        form.locator(f"input[name='{verb}-{name}']").set_input_files(files=items)
    page.evaluate(
        "() => { window.__settled = new Promise(done =>"
        " document.addEventListener('htmx:afterSettle', done, {once: true})); }"
    )
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/{verb}/")
    ) as answer:
        form.locator(button).click()
    page.evaluate("() => window.__settled.then(() => true)")
    status: int = answer.value.status
    return status


def gap_text(page: Any) -> str:
    text: str = page.locator("#split-gap").inner_text()
    return text.strip()


def status_of(page: Any) -> str:
    text: str = page.locator(".task-head .badge").first.inner_text()
    return text.strip()


def open_task(page: Any, unit_name: str) -> int:
    """From the list, open the task of the row of ``unit_name``; its id."""
    page.locator("table.tasks tbody tr", has_text=unit_name).locator("a").first.click()
    page.wait_for_url(re.compile(r"/supervision/\d+/$"))
    found = re.search(r"/supervision/(\d+)/$", page.url)
    assert found
    return int(found.group(1))


def test_a_city_task_cascaded_reported_verified_urged_and_extended(
    browse: Browse,
    world: World,
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
) -> None:
    from grassroots.supervision.models import ExtensionRequest, Task

    tree = world.tree
    for key, households in (("lizhou", 3000), ("anning", 2000)):
        tree[key].households = households
        tree[key].save(update_fields=["households"])

    # 1. the city office deploys the task to the city itself and splits it pro rata
    office = browse.login(city_admin, next_url="/supervision/")
    office.click("a.new-task")
    office.wait_for_url(re.compile(r"/supervision/new/$"))
    office.fill("input[name=title]", "新增村集体经济收入")
    office.fill("input[name=doc_number]", "西委办〔2026〕30号")
    office.select_option("select[name=level]", "key")
    office.select_option("select[name=unit]", "513401")
    office.fill("input[name=deadline]", day(60))
    office.fill("input[name=target_value]", "100")
    office.fill("input[name=target_measure]", "万元")
    office.fill("textarea[name=milestones]", f"{day(20)} 完成方案")
    office.click("form.task-form button[type=submit]")
    office.wait_for_url(re.compile(r"/supervision/\d+/$"))
    assert "任务已下达。" in office.locator(".messages").inner_text()
    assert "完成方案" in office.locator("ul.milestones").inner_text()
    assert (
        sup_act(office, "cascade", check={"basis": "households"}, button="button[name=preview]")
        == 200
    )
    preview = office.locator("#split-preview").inner_text()
    assert "礼州镇" in preview and "60 万元" in preview and "40 万元" in preview
    assert sup_act(office, "cascade", check={"basis": "households"}) == 200
    assert gap_text(office) == "子任务目标合计 100 / 100 万元"
    assert office.locator("ul.tree li").count() == 3
    township_task = Task.objects.get(unit=tree["lizhou"])
    assert township_task.target_value == 60

    # 2. the township leader splits 礼州镇's 60 by hand, 50 of it for now
    leader = browse.login(xc_secretary, next_url="/supervision/")
    open_task(leader, "礼州镇")
    status = sup_act(
        leader,
        "cascade",
        fill={
            "share_513401101201": "30",
            "share_513401101202": "20",
            "deadline": day(40),
        },
    )
    assert status == 200
    assert gap_text(leader) == "子任务目标合计 50 / 60 万元 · 尚有 10 万元 未分解"

    # 3. the village cadre reports on the phone, with a photo, and asks for more time
    cadre = browse.login(village_cadre, phone=True, next_url="/supervision/")
    village_id = open_task(cadre, "礼州村")
    photo = png_file("现场.png", (40, 160, 60))
    assert (
        sup_act(cadre, "report", fill={"value": "10", "note": "首批"}, files={"evidence": [photo]})
        == 200
    )
    assert sup_act(cadre, "report", fill={"value": "25", "note": "第二批"}) == 200
    assert cadre.locator("ul.reports > li").count() == 2
    assert [w > 0 for w in images_loaded(cadre, "ul.reports img")] == [True]
    asked = {"requested_deadline": day(50), "reason": "雨季施工受阻"}
    assert sup_act(cadre, "extension", fill=asked) == 200
    assert cadre.evaluate("document.documentElement.scrollWidth") <= 390

    # 4. the township verifies: accepts the first, returns the second; urges; extension
    leader.goto("/supervision/")
    assert leader.locator(".box-verify .badge").inner_text() == "2"
    assert leader.locator(".box-extensions .badge").inner_text() == "1"
    leader.goto(f"/supervision/{village_id}/")
    first, second = (
        f"#report-{r.pk}" for r in Task.objects.get(pk=village_id).reports.order_by("id")
    )
    assert sup_act(leader, "verify", within=first, check={"outcome": "accept"}) == 200
    assert "10 / 30 万元" in leader.locator(".task-head .target").inner_text()
    assert leader.locator(".task-head [role=progressbar]").get_attribute("aria-valuenow") == "33.3"
    status = sup_act(
        leader,
        "verify",
        within=second,
        check={"outcome": "return"},
        fill={"reason": "照片与台账不符"},
    )
    assert status == 200
    assert "照片与台账不符" in leader.locator(second).inner_text()
    assert sup_act(leader, "urge", fill={"note": "请加快进度"}) == 200
    refuse = {"note": "时限不能再延"}
    assert sup_act(leader, "decide", check={"outcome": "refuse"}, fill=refuse) == 200
    cadre.reload()
    assert sup_act(cadre, "extension", fill={**asked, "reason": "材料到货延迟"}) == 200
    leader.reload()
    assert sup_act(leader, "decide", check={"outcome": "approve"}, fill={"note": "同意"}) == 200
    assert day(50) in leader.locator(".task-head .deadline").inner_text()

    # 5. the cadre sees the reason, the urge and the new deadline
    cadre.reload()
    page = cadre.locator("#task-main").inner_text()
    assert "照片与台账不符" in page and "请加快进度" in page and "时限不能再延" in page
    assert day(50) in cadre.locator(".task-head .deadline").inner_text()
    assert [r.state for r in ExtensionRequest.objects.order_by("id")] == ["refused", "approved"]
    assert browse.errors == []


def test_a_livelihood_project_decided_not_feasible_with_an_explanation(
    browse: Browse, world: World, city_admin: Any, xc_secretary: Any
) -> None:
    office = browse.login(city_admin, next_url="/supervision/new/")
    office.fill("input[name=title]", "文化院坝建设")
    office.select_option("select[name=kind]", "livelihood")
    office.select_option("select[name=unit]", "513401101")
    office.fill("input[name=deadline]", day(90))
    office.fill("input[name=budget]", "80")
    office.fill("input[name=location]", "礼州镇中心村")
    office.click("form.task-form button[type=submit]")
    office.wait_for_url(re.compile(r"/supervision/\d+/$"))
    url = office.url

    leader = browse.login(xc_secretary, next_url="/supervision/")
    leader.goto(url)
    assert sup_act(leader, "feasibility", check={"feasible": "no"}) == 400
    assert leader.locator("[data-field=explanation] .error").count() == 1
    explanation = "选址地块尚未完成征地，待明年土地指标落实后实施"
    status = sup_act(
        leader, "feasibility", check={"feasible": "no"}, fill={"explanation": explanation}
    )
    assert status == 200
    assert "不具备条件" in leader.locator(".task-head .feasibility").inner_text()
    leader.goto("/supervision/projects/")
    project = leader.locator("ul.projects li", has_text="文化院坝建设")
    assert explanation in project.inner_text() and "不具备条件" in project.inner_text()
    assert browse.unexpected_errors("status of 400") == []
