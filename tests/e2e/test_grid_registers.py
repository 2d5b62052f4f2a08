"""End to end, in Chromium, on the demo's 礼州镇: what issue 8 ("grid basics and special
registers") promises when it is done, each step by the person whose job it is.

1. The grid worker, on a 375-px phone: 我的网格 → 人房台账 → a household of their grid →
   adds a member (with a valid ID number) and records another one moved out; then 我的走访
   → records a visit of the person whose visit is overdue, with a photo and a problem found:
   the event is opened (its number on the page) and the person is no longer overdue. No
   page shows a full ID number or phone. The assessment's visit coverage counts the visit.
2. The village clerk, on an office screen: downloads the household register template
   (Chinese headers, read with openpyxl), uploads it filled with one bad row (refused by
   line and column, nothing written), uploads it fixed, confirms: the households are in
   the register. Then the homestead ledger, from its template: one household holds two
   parcels, one parcel is above the area standard; the 一户一宅 check opens two cases;
   one is closed as rectified with a note. The rectification rate counts it.
3. The city office: the zero-new-cases line per township (the demo's 礼州镇, with a new
   illegal building found today, marked; 安宁镇, added with none, at zero; the target 0;
   a report dismissed after checking left out), equal to the assessment's metrics; then
   the registers' home figures. Every metric of the grid basics and the registers computes
   for the townships and villages.

The demo seed (``seed("town", months=1)``, about 17 s here) is written once for the
module, committed (the live server reads it), and emptied when the module ends, as in
``test_seeing_it``. The set-up the demo lacks (a second township, today's cases) is written
through the actions: ``grid_registers_support``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any, Final

import pytest
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import valid_id_number
from tests.e2e.browsing import BAD_REQUEST_LOG, DESK, SMALL_PHONE, Browse, png_file
from tests.e2e.grid_registers_support import (
    ANNING,
    DEMO_PASSWORD,
    LIZHOU,
    FoundToday,
    add_second_township,
    broken_check_digit,
    digits,
    download,
    error_rows,
    filled,
    headers_of,
    illegal_buildings_found_today,
    new_cases_this_year,
    no_sideways_scroll,
    person,
    send,
    shows_none_of,
    text_of,
    unit_of,
    upload,
)

pytestmark = [pytest.mark.e2e]

FAST_HASHERS: Final = ["django.contrib.auth.hashers.MD5PasswordHasher"]
#: The households the clerk's spreadsheet adds to the demo village (numbers the demo
#: does not use).
HOUSEHOLD_A: Final = "29990001"
HOUSEHOLD_B: Final = "29990002"
#: The register's required headers, in the template's order (``*`` marks them).
RESIDENT_HEADERS: Final = ["网格编码*", "户号*", "门牌地址", "姓名*", "与户主关系*"]
HOMESTEAD_HEADERS: Final = ["村(社区)编码*", "户号*", "户主姓名", "宗地编码*", "面积(平方米)*"]


# --- the module's city and server ---------------------------------------------------------------


@pytest.fixture(scope="module")
def test_database(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The test database, created here when no test selected before asked for it (this
    module's tests mark no ``django_db``: their data outlive a test)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    creation: Any = connection.creation
    if connection.settings_dict["NAME"] == creation._get_test_db_name():
        yield
        return
    aliases: Any = {"default"}
    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases=aliases)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def demo_city(
    test_database: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FoundToday]:
    """The demo seed and the set-up, committed; every table emptied when the module ends.
    Photos and uploads waiting between the check and the import go to a temporary folder."""
    from django.core.management import call_command

    from grassroots.demo.seeding import seed
    from tests.conftest import ensure_seeded

    data = tmp_path_factory.mktemp("grid-registers")
    with (
        pytest.MonkeyPatch.context() as mp,
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=data / "media", DATA_DIR=data),
    ):
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs meanwhile
        try:
            ensure_seeded()  # the calendar and key groups, emptied by an earlier browser test
            seed("town", seed=2026, months=1)
            add_second_township()
            yield illegal_buildings_found_today()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def server(demo_city: FoundToday) -> Iterator[Any]:
    """A live server of the module's own (pytest-django's empties the database after every
    test)."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost")
    live._live_server_modified_settings.enable()
    try:
        yield live
    finally:
        for thread in threading.enumerate():
            target = getattr(thread, "_target", None)
            if getattr(target, "__name__", "") == "process_request_thread":
                thread.join(timeout=5)
        live._live_server_modified_settings.disable()
        live.stop()


@pytest.fixture
def city(browser: Any, server: Any) -> Iterator[Browse]:
    session = Browse(browser, server.url)
    try:
        yield session
    finally:
        session.close()


def login(city: Browse, username: str, next_url: str, **options: Any) -> Any:
    return city.login(person(username), next_url=next_url, password=DEMO_PASSWORD, **options)


def today() -> dt.date:
    return timezone.localdate()


# --- 1. the grid worker's phone -----------------------------------------------------------------


def test_the_grid_worker_keeps_the_grid_current_and_records_a_visit_on_a_phone(
    city: Browse, demo_city: FoundToday
) -> None:
    from grassroots.common import metrics
    from grassroots.residents.models import Household, KeyPerson, Resident, Visit

    grid = unit_of("grid_worker")
    now = today()
    overdue = (
        KeyPerson.objects.filter(grid=grid, ended_on=None, due_on__lt=now)
        .select_related("resident")
        .order_by("due_on", "pk")
        .first()
    )
    assert overdue is not None, "the demo grid has a person whose visit is overdue"
    # a household of the grid with someone besides the head living there, not the one of
    # the person visited below
    household = next(
        h
        for h in Household.objects.filter(grid=grid, status="active")
        .exclude(pk=overdue.resident.household_id)
        .order_by("number")
        if Resident.objects.filter(household=h, status="present")
        .exclude(relationship="head")
        .exists()
    )
    leaving = (
        Resident.objects.filter(household=household, status="present")
        .exclude(relationship="head")
        .order_by("pk")
        .first()
    )
    assert leaving is not None
    newborn_id = valid_id_number("20260315", 917, male=False)
    full_numbers = {newborn_id} | {
        value
        for r in Resident.objects.filter(household__grid=grid)
        for value in (r.id_number, r.phone)
        if value
    }

    # 我的网格 → 人房台账 → the household
    worker = login(city, "grid_worker", reverse("mobile:home"), **SMALL_PHONE)
    no_sideways_scroll(worker, "/m/")
    keep = worker.locator("main a", has_text="人房台账")
    assert keep.get_attribute("href") == reverse("residents:m_home")
    keep.click()
    worker.wait_for_url(re.compile(re.escape(reverse("residents:m_home")) + r"(\?.*)?$"))
    no_sideways_scroll(worker, "residents:m_home")
    shows_none_of(worker, full_numbers, "residents:m_home")
    worker.fill("#m-q", household.number)
    with worker.expect_navigation():
        worker.locator("form.phone-search button[type=submit]").click()
    card = worker.locator(f"a[href='{reverse('residents:m_household', args=[household.pk])}']")
    assert household.number in card.inner_text()
    city.step("1 worker: my grid's households", worker)
    card.click()
    worker.wait_for_url(
        re.compile(re.escape(reverse("residents:m_household", args=[household.pk])))
    )
    no_sideways_scroll(worker, "residents:m_household")
    shows_none_of(worker, full_numbers, "residents:m_household")

    # adds the baby born in March, with her ID number
    worker.locator(f"a[href='{reverse('residents:m_member_add', args=[household.pk])}']").click()
    worker.wait_for_url(
        re.compile(re.escape(reverse("residents:m_member_add", args=[household.pk])))
    )
    form = "form.phone-form"
    worker.fill(f"{form} [name=name]", "吉克诗琪")
    worker.select_option(f"{form} select[name=relationship]", "grandchild")
    worker.fill(f"{form} [name=id_number]", newborn_id)
    worker.select_option(f"{form} select[name=residence]", "registered")
    worker.fill(f"{form} [name=moved_in_on]", "2026-03-15")
    no_sideways_scroll(worker, "residents:m_member_add")
    assert send(worker, form) == 200
    assert worker.url.endswith(reverse("residents:m_household", args=[household.pk]))
    assert "成员已添加。" in text_of(worker, ".messages")
    baby = Resident.objects.get(household=household, name="吉克诗琪")
    assert (baby.id_number, baby.birth_date, baby.gender) == (
        newborn_id,
        dt.date(2026, 3, 15),
        "f",
    )
    baby_card = worker.locator(f"#member-{baby.pk}")
    assert baby.masked_id_number in baby_card.inner_text()
    shows_none_of(worker, full_numbers, "residents:m_household (a member added)")

    # …and records another member moved out, yesterday
    moved = worker.locator(f"#member-{leaving.pk}")
    moved.locator("input[name=on]").fill((now - dt.timedelta(days=1)).isoformat())
    with worker.expect_navigation() as landing:
        moved.locator("button[name=status][value=moved_out]").click()
    assert landing.value is not None and landing.value.status == 200
    moved = worker.locator(f"#member-{leaving.pk}")
    assert "迁出" in moved.locator(".badge").inner_text()
    assert (now - dt.timedelta(days=1)).isoformat() in moved.inner_text()
    assert "left" in (moved.get_attribute("class") or "")
    leaving.refresh_from_db()
    assert (leaving.status, leaving.moved_out_on) == ("moved_out", now - dt.timedelta(days=1))
    city.step("1 worker: a member added, one moved out", worker)
    no_sideways_scroll(worker, "residents:m_household (after)")

    # 我的走访: the overdue person on top, visited with a photo, a problem found
    worker.goto(reverse("mobile:home"))
    mine = worker.locator("main a", has_text="我的走访")
    assert mine.get_attribute("href") == reverse("residents:m_visits")
    assert "超期" in mine.inner_text(), mine.inner_text()
    mine.click()
    worker.wait_for_url(re.compile(re.escape(reverse("residents:m_visits")) + "$"))
    no_sideways_scroll(worker, "residents:m_visits")
    shows_none_of(worker, full_numbers, "residents:m_visits")
    visit_url = reverse("residents:m_visit", args=[overdue.pk])
    late = worker.locator(f"li.overdue a[href='{visit_url}']")
    assert "逾期" in late.inner_text(), late.inner_text()
    assert worker.locator("ul.care-cards li").first.locator(f"a[href='{visit_url}']").count() == 1
    late.click()
    worker.wait_for_url(re.compile(re.escape(visit_url) + "$"))
    visit = "form.visit-form"
    worker.check(f"{visit} input[name=met][value=person]")
    worker.fill(f"{visit} [name=findings]", "老人独居，屋顶漏雨，卧室墙面潮湿，需尽快修缮")
    worker.set_input_files(f"{visit} input[name=photos]", files=[png_file("roof.png")])
    worker.locator(f"{visit} details.problem-box > summary").click()
    worker.check(f"{visit} input[name=problem_found]")
    worker.select_option(f"{visit} select[name=category]", "MSFW01")
    worker.fill(f"{visit} [name=title]", "独居老人住房漏雨需修缮")
    no_sideways_scroll(worker, "residents:m_visit")
    shows_none_of(worker, full_numbers, "residents:m_visit")
    city.step("1 worker: the visit form", worker)
    assert send(worker, visit) == 200
    worker.wait_for_url(re.compile(re.escape(reverse("residents:m_visits")) + "$"))
    recorded = Visit.objects.select_related("event").get(key_person=overdue, visited_on=now)
    assert recorded.event is not None and recorded.problem_found
    number = recorded.event.number
    assert re.fullmatch(r"XC\d{14}", number)
    assert f"走访已登记, 并已上报事件 {number}。" in text_of(worker, ".messages")
    assert (recorded.event.title, recorded.event.category.code) == (
        "独居老人住房漏雨需修缮",
        "MSFW01",
    )
    assert recorded.photos.count() == 1 and recorded.event.attachments.count() == 1
    overdue.refresh_from_db()
    assert overdue.last_visit_on == now and overdue.due_on > now
    assert worker.locator(f"li.overdue a[href='{visit_url}']").count() == 0
    assert "逾期" not in worker.locator(f"a[href='{visit_url}']").inner_text()
    no_sideways_scroll(worker, "residents:m_visits (after)")
    shows_none_of(worker, full_numbers, "residents:m_visits (after)")
    city.step("1 worker: visited", worker)

    # the visit counts in the assessment's coverage of the grid (today's period)
    period = metrics.Period.of_dates(now, now)
    evidence = metrics.get("residents.visit_coverage").evidence(grid.pk, period)
    assert evidence.get(pk=overdue.pk).in_numerator
    assert city.unexpected_errors() == []


# --- 2. the village clerk's spreadsheets and cases ----------------------------------------------


def test_the_village_clerk_imports_the_registers_checks_them_and_closes_a_case(
    city: Browse, demo_city: FoundToday
) -> None:
    from grassroots.common import metrics
    from grassroots.registers.models import Homestead, HomesteadCase
    from grassroots.residents.models import Household, Resident

    village = unit_of("village_cadre")
    grid_code = f"{village.code}002"  # the village's second grid
    head_a, spouse_a, child_a, head_b = (
        valid_id_number("19750408", 911),
        valid_id_number("19780912", 912, male=False),
        valid_id_number("20050621", 913),
        valid_id_number("19620130", 914),
    )
    people: list[dict[str, object]] = [
        {"网格编码": grid_code, "户号": HOUSEHOLD_A, "门牌地址": f"{village.name}3组18号",
         "姓名": "李文华", "与户主关系": "户主", "公民身份号码": head_a, "联系电话": "13981230418"},
        {"网格编码": grid_code, "户号": HOUSEHOLD_A, "姓名": "王秀英", "与户主关系": "妻子",
         "公民身份号码": spouse_a},
        {"网格编码": grid_code, "户号": HOUSEHOLD_A, "姓名": "李小龙", "与户主关系": "儿子",
         "公民身份号码": broken_check_digit(child_a)},
        {"网格编码": grid_code, "户号": HOUSEHOLD_B, "门牌地址": f"{village.name}5组2号",
         "姓名": "杨国富", "与户主关系": "户主", "公民身份号码": head_b, "人口类型": "常住"},
    ]  # fmt: skip
    ours = Household.objects.filter(village=village, number__in=[HOUSEHOLD_A, HOUSEHOLD_B])
    full_numbers = {head_a, spouse_a, child_a, head_b, "13981230418"}

    # the household register: the template, in Chinese
    clerk = login(city, "village_cadre", reverse("residents:import"), **DESK)
    name, template = download(clerk, "a.template-link")
    assert name.endswith(".xlsx") and "户籍人口台账" in name
    headers, sheets = headers_of(template)
    assert headers[:5] == RESIDENT_HEADERS, headers
    assert {"公民身份号码", "联系电话", "人口类型", "状态", "变动日期"} <= set(headers)
    assert not any(re.search(r"[A-Za-z]", h) for h in headers), headers
    assert sheets[1] == "填写说明"

    # filled with a typo in a check digit: refused by line and column, nothing written
    assert upload(clerk, filled(template, people), "陈远村户籍人口台账.xlsx") == 400
    problems = error_rows(clerk)
    assert [(line, column) for line, column, _ in problems] == [("4", "公民身份号码")], problems
    assert "校验" in problems[0][2], problems
    assert "未导入" in text_of(clerk, ".import-errors")
    assert broken_check_digit(child_a) not in clerk.content()
    no_sideways_scroll(clerk, "residents:import (errors)")
    city.step("2 clerk: the register refused", clerk)
    assert not ours.exists()

    # fixed: checked (still nothing written), then imported
    people[2]["公民身份号码"] = child_a
    assert upload(clerk, filled(template, people), "陈远村户籍人口台账.xlsx") == 200
    checked = text_of(clerk, ".checked-ok")
    assert "4 行检查无误" in checked and "新建 2 户" in checked and "新增 4 人" in checked, checked
    assert not ours.exists()
    assert send(clerk, "form.confirm-import") == 200
    imported = text_of(clerk, ".messages")
    assert "已导入" in imported and "新建 2 户" in imported, imported
    assert sorted(ours.values_list("number", flat=True)) == [HOUSEHOLD_A, HOUSEHOLD_B]
    assert Resident.objects.filter(household__in=ours).count() == 4
    assert {h.grid.code for h in ours.select_related("grid")} == {grid_code}
    # …and the households are in the register, the numbers masked
    clerk.goto(reverse("residents:households") + f"?q={HOUSEHOLD_A}")
    clerk.locator("table.households a", has_text=HOUSEHOLD_A).click()
    household_a = ours.get(number=HOUSEHOLD_A)
    clerk.wait_for_url(
        re.compile(re.escape(reverse("residents:household_detail", args=[household_a.pk])))
    )
    main = clerk.locator("main").inner_text()
    assert all(n in main for n in ("李文华", "王秀英", "李小龙")), main
    assert f"{head_a[:4]}************{head_a[-2:]}" in main
    shows_none_of(clerk, full_numbers, "residents:household_detail")
    no_sideways_scroll(clerk, "residents:household_detail")
    city.step("2 clerk: the household imported", clerk)

    # the homestead ledger, from its template: A holds two parcels, B's is above 150 m²
    clerk.goto(reverse("registers:homestead_import"))
    name, template = download(clerk, f"a[href='{reverse('registers:homestead_template')}']")
    assert name.endswith(".xlsx") and "宅基地台账" in name
    headers, _sheets = headers_of(template)
    assert headers[:5] == HOMESTEAD_HEADERS, headers
    assert not any(re.search(r"[A-Za-z]", h) for h in headers), headers
    parcels: list[dict[str, object]] = [
        {"村(社区)编码": village.code, "户号": HOUSEHOLD_A, "户主姓名": "李文华",
         "宗地编码": "E2E-ZJD-001", "面积(平方米)": 120, "批准文号": "西昌府宅〔2009〕21号",
         "批准日期": dt.date(2009, 6, 2), "坐落": f"{village.name}3组18号"},
        {"村(社区)编码": village.code, "户号": HOUSEHOLD_A, "户主姓名": "李文华",
         "宗地编码": "E2E-ZJD-002", "面积(平方米)": 96.5, "坐落": f"{village.name}3组老宅"},
        {"村(社区)编码": village.code, "户号": HOUSEHOLD_B, "户主姓名": "杨国富",
         "宗地编码": "E2E-ZJD-003", "面积(平方米)": 210, "批准文号": "西昌府宅〔2012〕7号",
         "批准日期": dt.date(2012, 3, 20), "坐落": f"{village.name}5组2号"},
    ]  # fmt: skip
    assert upload(clerk, filled(template, parcels), "陈远村宅基地台账.xlsx") == 200
    checked = text_of(clerk, ".checked-ok")
    assert "3 行检查无误" in checked and "新建 3" in checked, checked
    assert not Homestead.objects.filter(household__in=ours).exists()
    assert send(clerk, "form.confirm-import") == 200
    assert "新增3宗" in text_of(clerk, ".messages")
    assert Homestead.objects.filter(household__in=ours, active=True).count() == 3
    no_sideways_scroll(clerk, "registers:homestead_import")

    # the 一户一宅 check finds both and opens a case for each
    clerk.goto(reverse("registers:homestead_cases"))
    no_sideways_scroll(clerk, "registers:homestead_cases")
    assert send(clerk, "form.hs-check") == 200
    assert clerk.url.endswith(reverse("registers:homestead_check"))
    assert clerk.locator(".check-summary .n.opened").inner_text().strip() == "2"
    opened = clerk.locator("ul.opened-cases li")
    assert opened.count() == 2, text_of(clerk, "ul.opened-cases")
    city.step("2 clerk: the check", clerk)
    cases = HomesteadCase.objects.filter(household__in=ours)
    assert sorted(cases.values_list("household__number", "kind", "status")) == [
        (HOUSEHOLD_A, "multiple", "open"),
        (HOUSEHOLD_B, "oversize", "open"),
    ]
    oversize = cases.get(kind="oversize")
    assert oversize.homestead is not None and oversize.homestead.parcel_number == "E2E-ZJD-003"
    assert HOUSEHOLD_A in opened.filter(has_text=HOUSEHOLD_A).inner_text()

    # the oversize case: closed as rectified, with what was done
    opened.filter(has_text=HOUSEHOLD_B).locator("a").click()
    clerk.wait_for_url(
        re.compile(re.escape(reverse("registers:homestead_case", args=[oversize.pk])) + "$")
    )
    box = clerk.locator("details.verb-rectified")
    box.locator("summary").click()
    note = "超出标准的60平方米已退还村集体，重新丈量后面积150平方米"
    box.locator("[name='rectified-note']").fill(note)
    assert box.locator("[name='rectified-closed_on']").input_value() == today().isoformat()
    assert send(clerk, "details.verb-rectified form") == 200
    assert "已完成" in text_of(clerk, ".messages")
    assert "已整改" in clerk.locator(".case-head .badge.status").inner_text()
    assert note in clerk.locator(".case-head dl.facts").inner_text()
    assert clerk.locator("details.verb-rectified").count() == 0
    no_sideways_scroll(clerk, "registers:homestead_case")
    city.step("2 clerk: rectified", clerk)
    oversize.refresh_from_db()
    assert (oversize.status, oversize.closed_on, oversize.close_note) == (
        "rectified",
        today(),
        note,
    )
    assert cases.get(kind="multiple").status == "open"

    # the rectification rate of the village counts the closed case, not the open one
    period = metrics.Period.of_dates(today(), today())
    evidence = metrics.get("registers.homestead_rectification_rate").evidence(village.pk, period)
    counted = {(c.kind, c.in_numerator) for c in evidence.filter(household__in=ours)}
    assert counted == {("oversize", True), ("multiple", False)}
    assert city.unexpected_errors(BAD_REQUEST_LOG) == []


# --- 3. the city's zero line, figures and metrics ------------------------------------------------


def test_the_city_sees_the_zero_line_per_township_and_the_registers_figures(
    city: Browse, demo_city: FoundToday
) -> None:
    from grassroots.common import metrics
    from grassroots.org.models import Unit

    townships = {u.code: u for u in Unit.objects.filter(code__in=[LIZHOU, ANNING])}
    year = today().year
    expected = {code: new_cases_this_year(u.path) for code, u in townships.items()}
    assert expected[LIZHOU] >= 1 and expected[ANNING] == 0

    office = login(city, "city_admin", reverse("registers:zero_line"), **DESK)
    heading = office.locator("main h1").inner_text()
    assert "零新增" in heading and str(year) in heading, heading
    rows = office.locator("table.zero tbody tr.zero-row")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.code)")) == [LIZHOU, ANNING]
    for code, township in townships.items():
        row = office.locator(f"tr.zero-row[data-code='{code}']")
        assert township.name in row.locator("th").inner_text()
        assert int(row.locator("td.year-total").inner_text()) == expected[code]
        cells = row.locator("td").all_inner_texts()
        assert cells[13].strip() == "0", cells  # the target
        marked = "above-row" in (row.get_attribute("class") or "")
        assert marked == (expected[code] > 0), (code, marked)
    this_month = office.locator(f"tr.zero-row[data-code='{LIZHOU}'] td").nth(today().month - 1)
    assert "above" in (this_month.get_attribute("class") or "")
    assert int(this_month.inner_text()) >= 1
    verdict = office.locator(".zero-verdict").inner_text()
    assert f"{year}年新增 {sum(expected.values())} 件" in verdict, verdict
    assert office.locator(".zero-chart svg").count() == 1
    no_sideways_scroll(office, "registers:zero_line")
    city.step("3 city: the zero line", office)

    # the assessment's new-case metrics say the same, township by township
    period = metrics.Period.parse(str(year))
    found = metrics.compute_many(
        ["registers.new_illegal_construction", "registers.new_disorderly_relocation"],
        period,
        Unit.objects.filter(code__in=[LIZHOU, ANNING]),
    )
    by_unit: dict[int, int] = {}
    for values in found.values():
        for v in values:
            by_unit[v.unit_id] = by_unit.get(v.unit_id, 0) + int(v.numerator or 0)
    assert {code: by_unit[u.pk] for code, u in townships.items()} == expected

    # one township's villages: the demo village's row carries today's building
    office.locator(f"tr.zero-row[data-code='{LIZHOU}'] th a").click()
    office.wait_for_url(re.compile(rf"township={LIZHOU}"))
    village = unit_of("village_cadre")
    row = office.locator(f"tr.zero-row[data-code='{village.code}']")
    assert int(row.locator("td.year-total").inner_text()) == new_cases_this_year(village.path)
    assert "above-row" in (row.get_attribute("class") or "")
    no_sideways_scroll(office, "registers:zero_line (a township)")

    # the registers' home: the figures, each a link
    office.goto(reverse("registers:home"))
    homes = office.locator(".reg-homesteads ul.figures li")
    assert homes.count() == 2
    from grassroots.registers.models import Homestead, HomesteadCase

    assert digits(homes.nth(0).inner_text()) == Homestead.objects.filter(active=True).count()
    open_cases = HomesteadCase.objects.filter(status__in=["open", "rectifying"]).count()
    assert digits(homes.nth(1).inner_text()) == open_cases
    figure = office.locator(".reg-construction ul.figures li").first
    href = figure.locator("a").get_attribute("href") or ""
    assert href.startswith(reverse("registers:zero_line")) and "kind=building" in href
    assert "alert" in (figure.get_attribute("class") or "")
    for section in ("reg-windows", "reg-monitoring", "reg-income"):
        assert office.locator(f".{section} ul.figures li a").count() == 2, section
    no_sideways_scroll(office, "registers:home")
    city.step("3 city: the registers' home", office)

    # every metric of the grid basics and the registers computes for all units at once
    names = sorted(n for n in metrics.registry() if n.startswith(("registers.", "residents.")))
    assert len(names) >= 10
    units = Unit.objects.filter(kind__in=["township", "village"])
    computed = metrics.compute_many(names, period, units)
    assert all(len(computed[n]) == units.count() for n in names), {
        n: len(v) for n, v in computed.items()
    }
    village = unit_of("village_cadre")
    for name in (
        "residents.visit_coverage",
        "registers.homestead_rectification_rate",
        "registers.new_illegal_construction",
    ):
        ours = next(v for v in computed[name] if v.unit_id == village.pk)
        assert ours.value is not None, name
    assert city.unexpected_errors() == []


def test_the_home_figure_of_new_buildings_is_the_zero_lines(
    city: Browse, demo_city: FoundToday
) -> None:
    """The home's "new illegal buildings this year" links to the zero line: the same count,
    the report dismissed after checking (set-up) left out of both."""
    from grassroots.registers.models import ConstructionCase

    assert demo_city.dismissed.status == "dismissed" and demo_city.dismissed.is_new
    root = unit_of("city_admin")
    buildings = ConstructionCase.objects.filter(kind="building")
    expected = sum(
        1
        for c in buildings.filter(is_new=True, found_on__year=today().year)
        if c.status != "dismissed" and c.unit.path.startswith(root.path)
    )
    office = login(city, "city_admin", reverse("registers:home"), **DESK)
    figure = office.locator(".reg-construction ul.figures li").first
    assert digits(figure.inner_text()) == expected
