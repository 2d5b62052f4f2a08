"""End to end, in Chromium, in Chinese: one full cycle of cadre work (干部选育用管) and the
error-tolerance mechanism (容错纠错), each step by the person whose job it is.

1. 礼州镇's secretary nominates 吉克阿依 with the democratic recommendation tally → the
   organisation department (组织部) admits her into the pool, records a course, sends her
   to temper in 征地拆迁 and evaluates it at its end → opens a vacancy for 礼州镇's 副镇长,
   brings the key moments up to date, ranks the pool and reads each candidate's breakdown
   → the committee picks the second-ranked: refused without a written reason (the Chinese
   error beside the field, nothing changed), recorded with one → her file shows the new
   post and the pool entry as appointed.
2. 礼州镇's secretary applies for error tolerance on last month's overdue deduction → the
   organisation department verifies the four conditions and decides (a vote without a
   quorum is refused first) → the public portal shows the notice → the notice period ends
   (the clock moves on) and the job makes the case effective → the month's assessment,
   computed again, deducts less and its explanation names the case → her file lists the
   case as tolerated.
3. Who may see a file: the other township's secretary, the city supervision office, a
   village cadre and a supervisor get 404 (and no link); her township's secretary and the
   organisation department see it, and the file's view log lists their looks.

Set-up (files, the pool's other reserves, last month's events, the scheme) is written
through the ORM and actions, as a roster import and last month's work would have left it:
``tests/e2e/cadres_support.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from tests.e2e.browsing import BAD_REQUEST_LOG, NOT_FOUND_LOG, Browse
from tests.e2e.cadres_support import (
    JIKE,
    ORG_NAME,
    Chinese,
    aware,
    error_of,
    last_month,
    month_start,
    open_file,
    org_department,
    relogin,
    send,
    since_last_year,
    text_of,
    the_pool,
    today,
    township_scheme,
)
from tests.pages_support import World, advance, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORM = "form.cadres-form"
SKIP_REASON_ERROR = "跳过了排名更靠前的人选：请写明集体决定的理由。"


def file_url(cadre: Any) -> str:
    return f"/cadres/files/{cadre.pk}/"


def candidate_rows(page: Any) -> list[tuple[str, str]]:
    """The ranking as shown: (rank, name) per row, top first."""
    rows = page.locator("table.ranking tr.candidate")
    out = []
    for n in range(rows.count()):
        cells = rows.nth(n).locator("td")
        out.append((cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip()))
    return out


def breakdown(page: Any, entry_id: int) -> str:
    """Open a candidate's breakdown (逐项得分) and read it."""
    row = page.locator(f"#candidate-{entry_id}")
    box = row.locator("details.breakdown-box")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    assert row.locator("ul.breakdown li").count() == 7, row.inner_text()
    return str(row.locator("ul.breakdown").inner_text())


# --- 1. nominate, train, temper, rank, decide ---------------------------------------------


def test_nominated_admitted_trained_tempered_ranked_and_appointed_second_with_a_reason(
    browse: Browse, tree: dict[str, Any], xc_secretary: Any
) -> None:
    from grassroots.audit.models import AuditEntry
    from grassroots.cadres.models import PostRecord, ReserveEntry, Vacancy

    org = org_department(tree)
    pool = the_pool(tree, org)
    jike, now = pool.jike, today()
    zh = Chinese()

    # the township's secretary nominates her from her file (民主推荐: 38 of 45)
    leader = browse.login(xc_secretary, next_url="/cadres/files/")
    leader.locator("table a", has_text=jike.name).click()
    leader.wait_for_url(re.compile(rf"{file_url(jike)}$"))
    zh.check(leader, "file (leader)")
    leader.click("a.nominate")
    leader.wait_for_url(re.compile(rf"/cadres/pool/nominate/{jike.pk}/$"))
    zh.check(leader, "nominate form")
    leader.select_option(f"{FORM} select[name=unit]", str(tree["lizhou"].pk))
    leader.select_option(f"{FORM} select[name=target_level]", "deputy_section")
    leader.fill(f"{FORM} [name=voters]", "45")
    leader.fill(f"{FORM} [name=votes]", "38")
    leader.fill(f"{FORM} [name=reason]", "群众基础好, 在征地拆迁一线敢于担当, 民主推荐得票第一")
    assert send(leader, FORM) == 200
    assert "/cadres/pool/" in leader.url
    row = leader.locator("tr.entry", has_text=jike.name)
    assert "38/45" in row.inner_text()
    assert row.locator(".badge.rs-nominated").count() == 1
    zh.check(leader, "pool (leader)")
    entry = ReserveEntry.objects.get(cadre=jike)
    assert (entry.status, entry.votes, entry.voters, entry.nominated_by) == (
        "nominated",
        38,
        45,
        xc_secretary,
    )

    # the organisation department admits her into the pool
    office = browse.login(org, next_url="/cadres/pool/")
    office.locator("tr.entry", has_text=jike.name).locator("a.review").click()
    office.wait_for_url(re.compile(rf"/cadres/pool/{entry.pk}/review/$"))
    assert "38" in office.locator("dl.facts").inner_text()
    zh.check(office, "review form")
    office.check(f"{FORM} input[name=decision][value=admit]")
    office.fill(f"{FORM} [name=note]", "经考察, 同意纳入副科级后备干部库")
    assert send(office, FORM) == 200
    row = office.locator("tr.entry", has_text=jike.name)
    assert row.locator(".badge.rs-in_pool").count() == 1, row.inner_text()
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by, entry.entered_on) == ("in_pool", org, now)

    # …records a course (24 hours at the party school)…
    row.locator("a", has_text=jike.name).click()
    office.wait_for_url(re.compile(rf"{file_url(jike)}$"))
    office.click("a.add-training")
    start = now - dt.timedelta(days=60)
    office.fill(f"{FORM} [name=course]", "中青年干部培训班")
    office.fill(f"{FORM} [name=provider]", "中共西昌市委党校")
    office.fill(f"{FORM} [name=hours]", "24")
    office.fill(f"{FORM} [name=started_on]", start.isoformat())
    office.fill(f"{FORM} [name=ended_on]", (start + dt.timedelta(days=4)).isoformat())
    office.select_option(f"{FORM} select[name=result]", "passed")
    zh.check(office, "training form")
    assert send(office, FORM) == 200
    office.wait_for_url(re.compile(rf"{file_url(jike)}(#training)?$"))
    course = office.locator("table.trainings tbody tr", has_text="中青年干部培训班")
    assert course.locator("td.num").inner_text().strip() in ("24", "24.0"), course.inner_text()

    # …sends her to temper in land acquisition (征地拆迁) for the past year and, the
    # period over (its dates entered in the past: a session cannot outlive a year of the
    # clock moving on), evaluates it
    office.click("a.add-tempering")
    office.select_option(f"{FORM} select[name=kind]", "land")
    office.select_option(f"{FORM} select[name=unit]", str(tree["village"].pk))
    office.fill(f"{FORM} [name=post]", "征地拆迁攻坚组副组长")
    office.fill(f"{FORM} [name=started_on]", month_start(now, 13).isoformat())
    office.fill(f"{FORM} [name=planned_end]", month_start(now, 1).isoformat())
    zh.check(office, "tempering form")
    assert send(office, FORM) == 200
    tempering = office.locator("li.tempering")
    assert tempering.count() == 1 and "ts-ongoing" in (tempering.get_attribute("class") or "")
    tempering.locator("a[href*='/evaluate/']").click()
    office.wait_for_url(re.compile(r"/cadres/tempering/\d+/evaluate/$"))
    office.select_option(f"{FORM} select[name=appraisal]", "excellent")
    office.fill(f"{FORM} [name=remarks]", "协调拆迁户 46 户, 按期完成清零任务")
    office.fill(f"{FORM} [name=ended_on]", month_start(now, 1).isoformat())
    zh.check(office, "evaluation form")
    assert send(office, FORM) == 200
    tempering = office.locator("li.tempering")
    assert "ts-evaluated" in (tempering.get_attribute("class") or ""), tempering.inner_text()
    assert "协调拆迁户 46 户" in tempering.inner_text()
    zh.check(office, "file (org, developed)")
    browse.step("file developed", office)

    # a vacancy: 礼州镇 副镇长 (副科)
    office.goto("/cadres/vacancies/")
    office.click("a.new-vacancy")
    office.wait_for_url(re.compile(r"/cadres/vacancies/new/$"))
    office.select_option("form.vacancy-form select[name=unit]", str(tree["lizhou"].pk))
    office.fill("form.vacancy-form [name=title]", "副镇长")
    office.select_option("form.vacancy-form select[name=level]", "deputy_section")
    zh.check(office, "vacancy form")
    assert send(office, "form.vacancy-form") == 200
    found = re.search(r"/cadres/vacancies/(\d+)/$", office.url)
    assert found, office.url
    vacancy = Vacancy.objects.get(pk=int(found.group(1)))
    assert "选任职位已创建，下一步请对人选排名。" in text_of(office, ".messages")

    # key moments brought up to date (her task, done on time), then the ranking
    assert send(office, "form:has(button.sync)") == 200
    assert "新增 1 条" in text_of(office, ".messages")
    assert send(office, "form:has(button.rank)") == 200
    assert "人选已排名。" in text_of(office, ".messages")
    jike_entry = entry.pk
    assert candidate_rows(office) == [
        ("1", pool.shama.name),
        ("2", jike.name),
        ("—", pool.wang.name),
    ]
    mine = breakdown(office, jike_entry)
    assert "艰苦岗位锻炼月数" in mine and "12 个月" in mine, mine
    assert "培训学时（近 3 年）" in mine and "24" in mine, mine
    assert "+1 / −0" in mine, mine
    assert "36 个月" in breakdown(office, pool.shama_entry.pk)
    breakdown(office, pool.wang_entry.pk)
    wang_row = office.locator(f"#candidate-{pool.wang_entry.pk}")
    assert "不符合条件" in wang_row.inner_text()
    assert "基层工作 1.0 年，要求 2 年" in wang_row.locator("ul.reasons").inner_text()
    zh.check(office, "vacancy ranked")
    browse.step("ranked", office)

    # the committee picks the second-ranked: first without the written reason…
    decide = "section.decide form"
    office.fill(f"{decide} [name=members]", "9")
    office.fill(f"{decide} [name=present]", "8")
    office.fill(f"{decide} [name=votes_for]", "6")
    office.fill(f"{decide} [name=votes_against]", "1")
    office.fill(f"{decide} [name=abstentions]", "1")
    office.fill(f"{decide} [name=meeting_on]", now.isoformat())
    office.select_option(f"{decide} select[name=chosen]", str(jike_entry))
    assert send(office, decide) == 400
    assert error_of(office, "skip_reason", "section.decide") == SKIP_REASON_ERROR
    browse.step("refused without a reason", office)
    vacancy.refresh_from_db()
    entry.refresh_from_db()
    jike.refresh_from_db()
    assert (vacancy.state, vacancy.chosen_id, entry.status, jike.post) == (
        "open",
        None,
        "in_pool",
        JIKE["post"],
    )
    assert not PostRecord.objects.filter(vacancy=vacancy).exists()
    assert not AuditEntry.objects.filter(action="cadres.vacancy.decided").exists()

    # …then with it (the figures typed stay in the form)
    assert office.locator(f"{decide} [name=members]").input_value() == "9"
    reason = "吉克阿依长期在礼州镇征地拆迁一线, 熟悉镇情民情, 经集体研究决定任用"
    office.fill(f"{decide} [name=skip_reason]", reason)
    assert send(office, decide) == 200
    assert "集体决定已记录，任用已生效。" in text_of(office, ".messages")
    decision = office.locator("section.decision")
    assert jike.name in decision.locator("dd.appointed").inner_text()
    passed = decision.locator(".passed-over").inner_text()
    assert pool.shama.name in passed and reason in passed
    zh.check(office, "vacancy decided")

    # her file: the new post, the entry appointed
    office.locator(f"#candidate-{jike_entry} a", has_text=jike.name).click()
    office.wait_for_url(re.compile(rf"{file_url(jike)}$"))
    assert "礼州镇 · 副镇长" in office.locator(".file-person p.muted").inner_text()
    posts = office.locator("table.posts tbody tr")
    assert "副镇长" in posts.nth(0).inner_text()
    assert JIKE["post"] in posts.nth(1).inner_text()
    assert now.isoformat() in posts.nth(1).inner_text()  # the old post ended today
    assert office.locator("table.entries .badge.rs-appointed").count() == 1
    zh.check(office, "file (appointed)")
    browse.step("appointed", office)
    entry.refresh_from_db()
    assert (entry.status, entry.exited_on) == ("appointed", now)
    assert PostRecord.objects.get(vacancy=vacancy, ended_on=None).post == "副镇长"
    assert AuditEntry.objects.filter(action="cadres.vacancy.decided").count() == 1

    assert browse.unexpected_errors(BAD_REQUEST_LOG) == []
    assert not zh.found, zh.report()


# --- 2. an error-tolerance case waives a deduction ----------------------------------------


def test_a_tolerated_case_waives_last_months_deduction_and_shows_in_the_file(
    browse: Browse,
    world: World,
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    grid_worker: Any,
    dept_staff: Any,
) -> None:
    from grassroots.cadres.jobs import close_tolerance_notices
    from grassroots.cadres.models import ToleranceCase
    from grassroots.common.masking import mask_name

    tree = world.tree
    org = org_department(tree)
    jike = open_file(tree["lizhou"], JIKE, post_since=dt.date(2019, 7, 1))
    day, month = last_month()
    since_last_year()
    # last month in 礼州村: four events reported, two handled on time, two left late
    with time_machine.travel(aware(day), tick=False):
        events = [report(world, grid_worker, title=f"征地范围内违规搭建{n}") for n in range(4)]
        for event in events[:2]:
            advance(event, "closed", world=world, cadre=village_cadre, staff=dept_staff)
    scheme = township_scheme(tree, day.year)
    lizhou = tree["lizhou"]
    zh = Chinese()

    def compute(page: Any) -> str:
        """Compute last month on the scheme's page; 礼州镇's breakdown, its overdue row."""
        page.fill("section.compute input[name=period]", month)
        page.click("section.compute button[type=submit]")
        page.wait_for_url(re.compile(r"/assessment/runs/\d+/$"))
        page.locator(f"tr.result-row[data-unit='{lizhou.code}'] a").first.click()
        page.wait_for_url(re.compile(rf"/assessment/runs/\d+/units/{lizhou.pk}/$"))
        return str(page.locator("tr.score-row[data-indicator='overdue']").inner_text())

    # the city office computes last month: two overdue events, 4 points off
    office = browse.login(city_admin, next_url=f"/assessment/schemes/{scheme.pk}/")
    assert "-4.00" in compute(office)

    # 礼州镇's secretary applies for one of them
    leader = browse.login(xc_secretary, next_url="/cadres/tolerance/")
    leader.click("a.new-case")
    leader.wait_for_url(re.compile(r"/cadres/tolerance/new/$"))
    apply = "form.apply-form"
    leader.select_option(f"{apply} select[name=unit]", str(lizhou.pk))
    leader.select_option(f"{apply} select[name=cadre]", str(jike.pk))
    leader.fill(f"{apply} [name=title]", "征地拆迁试点中违规搭建处置超期")
    leader.fill(
        f"{apply} [name=facts]",
        "按征地拆迁试点方案, 对范围内违规搭建先行协商补偿后再拆除, 经镇党委集体研究决定, "
        "致一件事件超期办结; 已主动整改, 未造成损失。",
    )
    leader.fill(f"{apply} [name=occurred_on]", day.isoformat())
    leader.fill(f"{apply} [name=affected_month]", month)
    leader.select_option(f"{apply} select[name=metric]", "events.overdue_count")
    leader.fill(f"{apply} [name=items]", "1")
    zh.check(leader, "application form")
    assert send(leader, apply) == 200
    found = re.search(r"/cadres/tolerance/(\d+)/$", leader.url)
    assert found, leader.url
    case = ToleranceCase.objects.get(pk=int(found.group(1)))
    case_url = f"/cadres/tolerance/{case.pk}/"
    assert f"容错申请 {case.number} 已提交。" in text_of(leader, ".messages")
    assert leader.locator(".case-head .badge.state-applied").count() == 1
    zh.check(leader, "case applied")

    # the organisation department verifies the four conditions…
    org_page = browse.login(org, next_url=case_url)
    org_page.click("details.verb-verify summary")
    verify = "details.verb-verify form"
    for key in ("exploration", "public_good", "procedure", "remedied"):
        org_page.check(f"{verify} input[name={key}_met][value=yes]")
        org_page.fill(f"{verify} [name={key}_note]", "经核实属实")
    assert send(org_page, verify) == 200
    assert (
        org_page.locator("p.verdict").inner_text().startswith("结论：可以容错（四项条件均符合）。")
    )
    zh.check(org_page, "case verified")

    # …and records the committee's decision: without a quorum it is refused…
    org_page.click("details.verb-decide summary")
    decide = "details.verb-decide form"
    org_page.check(f"{decide} input[name=outcome][value=tolerate]")
    org_page.fill(f"{decide} [name=meeting_on]", today().isoformat())
    for name, value in (
        ("members", "9"),
        ("present", "5"),
        ("votes_for", "5"),
        ("votes_against", "0"),
        ("abstentions", "0"),
    ):
        org_page.fill(f"{decide} [name={name}]", value)
    org_page.fill(f"{decide} [name=reason]", "符合容错条件, 予以容错")
    assert send(org_page, decide) == 400
    no_quorum = error_of(org_page, "present", "details.verb-decide")
    assert "5" in no_quorum and "9" in no_quorum, no_quorum
    if not re.search(r"[\u4e00-\u9fff]", no_quorum):
        zh.found["tolerance decision: the no-quorum error"] = [no_quorum]
    case.refresh_from_db()
    assert (case.state, case.decided_at) == ("applied", None)
    # …with one (7 of 9 present, 6 for) it goes under public notice
    org_page.fill(f"{decide} [name=present]", "7")
    org_page.fill(f"{decide} [name=votes_for]", "6")
    org_page.fill(f"{decide} [name=votes_against]", "1")
    assert send(org_page, decide) == 200
    assert org_page.locator(".case-head .badge.state-publicity").count() == 1
    assert org_page.locator("section#notice").count() == 1
    zh.check(org_page, "case under notice")
    case.refresh_from_db()
    assert case.state == "publicity" and case.notice_ends is not None

    # the public notice on the portal: her name masked like every name there, her post
    # and unit say whom it concerns; no phone, no ID number
    public = browse.open("public")
    public.goto("/public/tolerance/")
    notice = public.locator(f"section.notice[id='{case.number}']")
    shown = notice.inner_text()
    assert case.title in shown and "礼州镇" in shown, shown
    assert mask_name(jike.name) in shown and JIKE["post"] in shown, shown
    page_text = public.locator("main").inner_text()
    for private in (jike.name, JIKE["phone"], JIKE["id_number"]):
        assert private not in page_text, private
    browse.step("public notice", public)

    # the notice period ends: the clock of the whole process (the live server's thread
    # included) moves past it; the sessions of the morning have run out by then
    with time_machine.travel(case.notice_ends + dt.timedelta(hours=1), tick=True):
        public.reload()
        assert public.locator(f"section.notice[id='{case.number}']").count() == 0
        swept = close_tolerance_notices.call_local()  # the job, as the scheduler runs it
        assert swept["effective"] == [case.number], swept

        relogin(org_page, org, case_url)
        assert org_page.locator(".case-head .badge.state-effective").count() == 1
        assert org_page.locator("p.waiver-granted").count() == 1
        zh.check(org_page, "case effective")

        # the month computed again: one overdue event waived, the explanation says why
        relogin(office, city_admin, f"/assessment/schemes/{scheme.pk}/")
        overdue = compute(office)
        assert "-2.00" in overdue, overdue
        why = office.locator("tr.score-row[data-indicator='overdue'] ul.why").inner_text()
        assert "容错" in why and case.number in why and case.title in why, why
        browse.step("waived in the assessment", office)

        # her file: the case, tolerated
        org_page.goto(file_url(jike))
        tolerance = org_page.locator("section#tolerance")
        assert case.number in tolerance.inner_text()
        assert tolerance.locator(".badge.tolerated").count() == 1
        zh.check(org_page, "file (tolerated)")
        browse.step("tolerated in the file", org_page)

    case.refresh_from_db()
    assert case.state == "effective" and case.effective_at is not None
    assert browse.unexpected_errors(BAD_REQUEST_LOG) == []
    assert not zh.found, zh.report()


# --- 3. who may see a file ----------------------------------------------------------------


def test_only_the_organisation_department_and_her_township_leader_see_her_file(
    browse: Browse,
    tree: dict[str, Any],
    xc_secretary: Any,
    outsider: Any,
    city_admin: Any,
    village_cadre: Any,
    supervisor: Any,
) -> None:
    from grassroots.cadres.models import FileView

    org = org_department(tree)
    jike = open_file(tree["lizhou"], JIKE, post_since=dt.date(2019, 7, 1))
    url = file_url(jike)

    # nobody else: 404 for the file, and no link to it where they can go
    for person, where in (
        (outsider, "/cadres/files/"),  # 安宁镇's own files
        (city_admin, "/"),
        (village_cadre, "/"),
        (supervisor, "/cadres/"),  # the supervisor follows tolerance cases only
    ):
        page = browse.login(person, next_url=where)
        assert page.locator(f"a[href='{url}']").count() == 0, (person.username, where)
        answer = page.goto(url)
        assert answer is not None and answer.status == 404, (person.username, answer)
        assert jike.name not in page.content(), person.username
    assert not FileView.objects.exists()

    # her township's secretary sees it, ID number and phone included, but not the log
    leader = browse.login(xc_secretary, next_url="/cadres/files/")
    leader.locator("table a", has_text=jike.name).click()
    leader.wait_for_url(re.compile(rf"{url}$"))
    assert leader.locator("dd.id-number").inner_text().strip() == JIKE["id_number"]
    assert leader.locator("dd.phone").inner_text().strip() == JIKE["phone"]
    assert leader.locator("section#views").count() == 0

    # the organisation department sees it, and the log lists both looks
    office = browse.login(org, next_url=url)
    log = office.locator("table.file-views tbody tr")
    assert log.count() == 2, office.locator("section#views").inner_text()
    assert ORG_NAME in log.nth(0).inner_text()
    assert xc_secretary.full_name in log.nth(1).inner_text()
    browse.step("the file's view log", office)
    assert list(FileView.objects.order_by("viewed_at", "pk").values_list("viewer", "what")) == [
        (xc_secretary.pk, "file"),
        (org.pk, "file"),
    ]
    assert browse.unexpected_errors(NOT_FOUND_LOG) == []
