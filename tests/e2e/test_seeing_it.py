"""End to end, in Chromium, on the demo city: what issue 6 ("Seeing it") promises a user sees.

The real demo seed (``grassroots.demo.seeding.seed``) is written once for the module and
served by a live server of the module's own; every test reads it, the first one adds an
event. The seed is the ``town`` scale — 西昌市 with 礼州镇, its 13 villages and their
grids, the departments and every demo login, the year's tasks and the year's assessment of
the villages (the township scheme needs more than one township) — with one month of events
(``MONTHS``): the ``city`` scale with 12 months takes minutes here, the town with one month
about 15 s, and every page of the scenario lives in 礼州镇. When the module ends, every table
is emptied, as a transactional test leaves it.

1. the grid worker, on a 375-px phone, reports an event with a photo at /m/;
2. the village cadre (礼州镇's first village dispatches the events of its grids) finds it in
   the queue and takes it to closed: accept, start, resolve with a photo, verify, close;
3. the resident concerned, whose phone the grid worker noted on the report, looks the event
   up by its number + the last four digits of that phone and rates the result (a patrol
   report is never rated by the grid worker who found it);
4. 礼州镇's secretary opens the township dashboard (today's numbers counting that event)
   and the grid map (SVG, grids coloured, a legend);
5. anyone, without logging in, opens the public red/black lists and their history;
6. anyone downloads the PDF bulletin of a published quarter (202 "being generated" is
   polled) and its text is checked with ``pdftotext`` when poppler-utils is installed.

On every page: at 375 px wide no horizontal scroll, ``<html lang>`` set, every shown
link, button and field focusable; on the dashboard every link and button of the main part
is reached by pressing Tab. A step whose page is not there yet is skipped, naming the route.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from django.test.utils import override_settings

from tests.e2e.browsing import (
    DESK,
    SMALL_PHONE,
    Browse,
    act,
    event_id_from,
    images_loaded,
    png_file,
    status_badge,
    timeline_heads,
    wait_until,
)

pytestmark = [pytest.mark.e2e]

TOWNSHIP: Final = "513401101"  # 礼州镇, where the demo logins work
DEMO_PASSWORD: Final = "Xichang-2026"
#: Months of event history: enough for every panel to have data, short enough to seed fast.
MONTHS: Final = 1
WIDTH: Final = 375
FAST_HASHERS: Final = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TITLE: Final = "村道边堆放建筑垃圾"
STEPS: Final = ["已上报", "已受理", "开始处置", "已处置", "已核查", "已结案"]

#: The resident who raised the problem with the grid worker (step 1) and rates it (step 3).
RESIDENT_NAME = "王大妈"
RESIDENT_PHONE = "13981234567"

#: What a phone user must be able to do on any page: measured in the page.
FIT_JS: Final = """() => {
  const shown = e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return (r.width > 0 || r.height > 0) && s.visibility !== 'hidden'; };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.getAttribute('href') ? '[href="' + e.getAttribute('href') + '"]' : '')
    + (e.getAttribute('name') ? '[name="' + e.getAttribute('name') + '"]' : '');
  const stuck = [];
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [tabindex]:not([tabindex="-1"])';
  for (const e of document.querySelectorAll(sel)) {
    if (!shown(e) || e.disabled || e.closest('[inert]')) continue;
    const box = e.closest('details:not([open])');  // opened first, by its summary
    if (box && !(e.tagName === 'SUMMARY' && e.parentElement === box)) continue;
    if (e.tabIndex < 0) { stuck.push(name(e)); continue; }
    e.focus({preventScroll: true});
    if (document.activeElement !== e) stuck.push(name(e));
  }
  if (document.activeElement) document.activeElement.blur();
  return {width: document.scrollingElement.scrollWidth, lang: document.documentElement.lang,
          stuck: stuck};
}"""


# --- the module's city and server ---------------------------------------------------------------


@pytest.fixture(scope="module")
def test_database(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The test database. pytest-django creates it only for the aliases its selected tests
    mark (``django_db``, ``db``, ``live_server``), and this module's tests mark none (their
    data must outlive a test): when nothing else asked for it, it is created here."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield
        return
    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def demo_city(
    test_database: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demo seed, committed (the live server reads it), emptied when the module ends.

    The database stays open to the module's tests (they check what the pages did)."""
    from django.core.management import call_command

    from grassroots.demo.seeding import seed
    from tests.conftest import ensure_seeded

    media = tmp_path_factory.mktemp("seeing-it-media")
    with (
        pytest.MonkeyPatch.context() as mp,
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media),
    ):
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs meanwhile
        try:
            ensure_seeded()  # the working-day calendar, emptied by an earlier browser test
            started = time.monotonic()
            summary = seed("town", seed=2026, months=MONTHS)
            yield {"summary": summary, "seconds": time.monotonic() - started}
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def server(demo_city: dict[str, Any]) -> Iterator[Any]:
    """A live server of the module's own: pytest-django's ``live_server`` would empty the
    database after every test."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost")
    live._live_server_modified_settings.enable()
    try:
        yield live
    finally:
        # a request still answering a page closed by a failing test would find the shared
        # in-memory connection no longer shared: let those finish first
        for thread in threading.enumerate():
            target = getattr(thread, "_target", None)
            if getattr(target, "__name__", "") == "process_request_thread":
                thread.join(timeout=5)
        live._live_server_modified_settings.disable()
        live.stop()


@pytest.fixture
def city(browser: Any, server: Any) -> Iterator[Browse]:
    """A browsing session on the demo city (the conftest's ``browse`` is per test data)."""
    session = Browse(browser, server.url)
    try:
        yield session
    finally:
        session.close()


def person(username: str) -> Any:
    from grassroots.org.models import User

    return User.objects.get(username=username)


def login(city: Browse, username: str, next_url: str, **options: Any) -> Any:
    return city.login(person(username), next_url=next_url, password=DEMO_PASSWORD, **options)


# --- what every page must allow ---------------------------------------------------------------


def fits_a_phone(page: Any, what: str) -> None:
    """At 375 px: no horizontal scroll, ``lang`` set, every shown control focusable. A
    page open on a wider screen is narrowed for the check and widened back."""
    size = page.viewport_size
    if size["width"] != WIDTH:
        page.set_viewport_size({"width": WIDTH, "height": 812})
    try:
        found = page.evaluate(FIT_JS)
    finally:
        if size["width"] != WIDTH:
            page.set_viewport_size(size)
    assert found["width"] <= WIDTH, f"{what}: {found['width']} px wide at {WIDTH} px"
    assert found["lang"].startswith("zh"), f"{what}: <html lang={found['lang']!r}>"
    assert found["stuck"] == [], f"{what}: not focusable: {found['stuck']}"


def tab_reaches(page: Any, selector: str, limit: int = 600) -> list[str]:
    """Press Tab from the top of the page until every element of ``selector`` has had the
    focus (or ``limit`` presses); the ones never reached, described."""
    total: int = page.eval_on_selector_all(
        selector,
        "els => { els.forEach((e, i) => e.setAttribute('data-tab-target', String(i)));"
        " return els.length; }",
    )
    assert total > 0, selector
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        got = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? e.getAttribute('data-tab-target') : null; }"
        )
        if got is not None:
            seen.add(got)
            if len(seen) == total:
                return []
    missed: list[str] = page.eval_on_selector_all(
        selector,
        "(els, seen) => els.filter(e => !seen.includes(e.getAttribute('data-tab-target')))"
        ".map(e => e.outerHTML.slice(0, 120))",
        sorted(seen),
    )
    return missed


def missing_route(response: Any, route: str) -> None:
    """Skip the step, naming the route, when its page is not built yet (a 404 for a unit
    in scope, a 501, or the template of a placeholder)."""
    if response is None or response.status in (404, 501):
        status = response.status if response is not None else "no answer"
        pytest.skip(f"{route} answers {status}: the page is not built yet")


# --- 1-3: an event's life and a rating --------------------------------------------------------


def test_a_grid_workers_report_is_closed_by_the_village_and_the_resident_rates_it(
    city: Browse, demo_city: dict[str, Any]
) -> None:
    from shapely.geometry import shape

    from grassroots.events.models import Event
    from grassroots.org.models import Membership

    worker_user = person("grid_worker")
    grid = (
        Membership.objects.filter(user=worker_user, unit__kind="grid")
        .select_related("unit")
        .order_by("unit__code")
        .first()
    )
    assert grid is not None
    point = shape(grid.unit.geometry).representative_point()

    # 1. the grid worker reports on a 375-px phone, with a photo and the phone's position
    worker = login(
        city,
        "grid_worker",
        "/m/report/",
        **SMALL_PHONE,
        geolocation={"latitude": point.y, "longitude": point.x},
        permissions=["geolocation"],
    )
    fits_a_phone(worker, "/m/report/")
    worker.select_option("select[name=category]", "SRHJ01")
    worker.fill("input[name=title]", TITLE)
    worker.fill("textarea[name=description]", "礼州村三组村道边，约两车建筑垃圾，影响通行")
    worker.fill("input[name=contact_name]", RESIDENT_NAME)
    worker.fill("input[name=contact_phone]", RESIDENT_PHONE)
    worker.set_input_files("input[name=photos]", files=[png_file("scene.png")])
    worker.click("#locate")
    wait_until(worker, "() => document.querySelector('input[name=lat]').value !== ''")
    city.step("1 grid worker: the report filled", worker)
    worker.click("form.report-form button[type=submit]")
    worker.wait_for_url(re.compile(r"/m/e/\d+/$"))
    pk = event_id_from(worker.url)
    number = worker.locator(".facts dd").first.inner_text().strip()
    assert re.fullmatch(r"XC\d{14}", number)
    photos = images_loaded(worker, "main img[src*='/photos/']")
    assert photos and all(width > 0 for width in photos), photos
    fits_a_phone(worker, "/m/e/<pk>/")
    city.step("1 grid worker: reported", worker)
    worker.goto("/m/")
    card = worker.locator(".event-cards li a", has_text=TITLE)
    assert number in card.first.inner_text()
    fits_a_phone(worker, "/m/")

    # 2. the village dispatcher finds it in the queue and takes it to closed
    cadre = login(city, "village_cadre", "/events/queue/", **SMALL_PHONE)
    fits_a_phone(cadre, "/events/queue/")
    cadre.click("details.filter-box > summary")  # 筛选
    cadre.fill("form.filters input[name=q]", number)
    cadre.click("form.filters button[type=submit]")
    cadre.wait_for_url(re.compile(r"[?&]q="))
    row = cadre.locator("table.events tbody tr", has_text=number)
    assert "已上报" in row.inner_text()
    city.step("2 dispatcher: the queue", cadre)
    row.locator("a", has_text=number).click()
    cadre.wait_for_url(re.compile(rf"/events/{pk}/$"))
    fits_a_phone(cadre, "/events/<pk>/")
    assert act(cadre, "accept", fill={"note": "属实，村里自行处置"}) == 200
    assert status_badge(cadre) == "已受理"
    assert act(cadre, "start", fill={"note": "已联系保洁队"}) == 200
    assert status_badge(cadre) == "处置中"
    assert (
        act(
            cadre,
            "resolve",
            fill={"note": "建筑垃圾已清运，路面已冲洗"},
            files={"photos": [png_file("after.png", (200, 60, 30))]},
        )
        == 200
    )
    assert status_badge(cadre) == "已处置"
    city.step("2 dispatcher: resolved", cadre)
    assert act(cadre, "verify", outcome="pass", fill={"note": "现场核实已清理"}) == 200
    assert status_badge(cadre) == "已核查"
    assert act(cadre, "close", fill={"note": "办结"}) == 200
    assert status_badge(cadre) == "已结案"
    assert timeline_heads(cadre) == STEPS
    fits_a_phone(cadre, "/events/<pk>/ closed")
    city.step("2 dispatcher: closed", cadre)

    event = Event.objects.get(pk=pk)
    assert (event.number, event.status, event.source) == (number, "closed", "patrol")
    assert event.grid_id == grid.unit_id
    assert event.attachments.count() == 2  # the worker's photo and the result's

    # 3. the resident concerned rates the result of that very report
    theirs = event
    assert theirs.contact_phone == RESIDENT_PHONE
    phone = city.open("resident", **SMALL_PHONE)
    phone.goto("/public/lookup/")
    fits_a_phone(phone, "/public/lookup/")
    phone.fill("input[name=number]", theirs.number)
    phone.fill("input[name=phone_last4]", re.sub(r"\D", "", theirs.contact_phone)[-4:])
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(rf"/public/track/{theirs.number}/$"))
    assert phone.locator("main .badge").first.inner_text() == "已结案"
    fits_a_phone(phone, "/public/track/<number>/")
    phone.check("input[name=satisfaction][value=satisfied]")
    phone.fill("textarea[name=note]", "处理得很及时")
    city.step("3 resident: rating", phone)
    phone.click("#rate button[type=submit]")
    phone.wait_for_url(re.compile(rf"/public/track/{theirs.number}/$"))
    assert "感谢您的评价，已记录。" in phone.locator(".messages").inner_text()
    assert "满意" in phone.locator("dl.facts").inner_text()
    assert phone.locator("#rate").count() == 0
    main_text = phone.locator("main").inner_text()
    assert theirs.contact_phone not in main_text
    assert RESIDENT_NAME not in main_text
    city.step("3 resident: rated", phone)
    theirs.refresh_from_db()
    assert theirs.satisfaction == "satisfied"
    assert city.unexpected_errors() == []


# --- 4: the township dashboard and its map ------------------------------------------------------


def reported_today(code: str) -> int:
    """What the dashboard's first tile must show: events placed in the unit, reported today."""
    from django.utils import timezone

    from grassroots.events.models import Event
    from grassroots.org.models import Unit

    unit = Unit.objects.get(code=code)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Event.objects.filter(
        area_path__startswith=unit.path,
        reported_at__gte=start,
        reported_at__lt=start + dt.timedelta(days=1),
    ).count()


def test_the_township_dashboard_and_its_map(city: Browse, demo_city: dict[str, Any]) -> None:
    from grassroots.events.models import Event
    from grassroots.org.models import Unit

    ours = Event.objects.filter(title=TITLE, township__code=TOWNSHIP).first()
    leader = login(city, "unit_leader", "/", **DESK)
    response = leader.goto(f"/dashboard/{TOWNSHIP}/")
    missing_route(response, f"/dashboard/{TOWNSHIP}/ (dashboards:unit)")
    assert response.status == 200
    assert "礼州镇" in leader.locator("main h1").inner_text()
    city.step("4 leader: dashboard", leader)

    # today's numbers: the tiles, each a link; the first counts today's reports
    tiles = leader.locator("ul.kpis li.kpi")
    assert tiles.count() >= 4
    today = int(leader.locator("li.kpi-reported_today .kpi-value").inner_text())
    assert today == reported_today(TOWNSHIP)
    if ours is not None:  # the first test ran: the event just handled is one of them
        assert today >= 1
    assert leader.locator("li.kpi-reported_today .kpi-label").inner_text().strip() == "今日上报"
    # the 12 months as charts, the small grid map, the villages below
    assert leader.locator("main svg").count() >= 2
    villages = Unit.objects.filter(parent__code=TOWNSHIP).values_list("name", flat=True)
    main_text = leader.locator("main").inner_text()
    assert all(name in main_text for name in villages), "the villages below, by name"

    # a phone user reaches every link and button of the main part with Tab
    small = login(city, "unit_leader", f"/dashboard/{TOWNSHIP}/", **SMALL_PHONE)
    fits_a_phone(small, f"/dashboard/{TOWNSHIP}/")
    small.reload()
    missed = tab_reaches(small, "main a[href], main button, main summary")
    assert missed == [], missed
    city.step("4 leader: dashboard on the phone", small)

    # the map page: grids drawn as SVG, coloured by class, a legend
    map_url = f"/dashboard/{TOWNSHIP}/map/"
    response = leader.goto(map_url)
    missing_route(response, f"{map_url} (dashboards:map)")
    assert response.status == 200
    city.step("4 leader: map", leader)
    drawn = leader.locator("main svg.choropleth").first
    assert drawn.is_visible()
    fills = leader.eval_on_selector_all(
        "main svg.choropleth .grids [data-code]",
        "els => els.map(e => getComputedStyle(e).fill)",
    )
    assert len(fills) >= 10, "礼州镇's grids are drawn"
    assert len({f for f in fills if f not in ("none", "")}) >= 2, "grids in several colours"
    legend = leader.locator("main ul.gridmap-legend li")
    assert legend.count() >= 2, "a legend of at least two classes"
    for row in legend.all():
        assert row.locator("svg.swatch").count() == 1
        assert re.search(r"\d+ 个网格", row.inner_text()), row.inner_text()
    # pointing at a grid tells its figures
    before = leader.locator("#gridmap-details").inner_text()
    # a grid whose middle is not under an event's marker (pointing at a marker tells the event)
    free = leader.eval_on_selector_all(
        "main svg.choropleth .grids [data-code]",
        """els => els.findIndex(e => {
            e.scrollIntoView({block: "center", inline: "center"});
            const r = e.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit !== null && e.contains(hit);
        })""",
    )
    assert free >= 0, "some grid can be pointed at"
    leader.locator("main svg.choropleth .grids [data-code]").nth(free).hover()
    wait_until(
        leader, "(b) => document.getElementById('gridmap-details').innerText !== b", arg=before
    )
    assert "网格" in leader.locator("#gridmap-details").inner_text()
    fits_a_phone(leader, map_url)
    # on the phone, the metric links, every grid of the map and the table reached by Tab
    small.goto(map_url)
    missed = tab_reaches(small, "main a[href], main button")
    assert missed == [], missed
    city.step("4 leader: map on the phone", small)
    assert city.unexpected_errors() == []


# --- 5: the public red/black lists ---------------------------------------------------------------


def test_the_public_red_and_black_lists_say_why(city: Browse, demo_city: dict[str, Any]) -> None:
    from grassroots.assessment.models import Publication

    listed = [
        (p, entry)
        for p in Publication.objects.order_by("-published_at")
        for entry in p.snapshot["lists"]["red"] + p.snapshot["lists"]["black"]
    ]
    assert listed, "the demo's quarters put a unit on a list (a veto in the second quarter)"
    publication, entry = listed[0]

    public = city.open("public", **SMALL_PHONE)
    public.goto("/public/")
    fits_a_phone(public, "/public/")
    public.click("a[href='/public/assessment/']")
    public.wait_for_url(re.compile(r"/public/assessment/$"))
    fits_a_phone(public, "/public/assessment/")
    city.step("5 public: rankings and the current lists", public)
    current = public.locator("section.lists").inner_text()
    assert "红榜" in current and "黑榜" in current
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", public.locator("main").inner_text()), (
        "no phone"
    )

    # the history: the current and past lists, each entry with its reason
    public.click("a[href='/public/assessment/lists/']")
    public.wait_for_url(re.compile(r"/public/assessment/lists/"))
    fits_a_phone(public, "/public/assessment/lists/")
    city.step("5 public: all lists", public)
    pair = public.locator(".list-pair", has_text=publication.period).first
    shown = pair.locator("ul.red-list li, ul.black-list li", has_text=entry["name"]).first
    reason = shown.locator(".reason").inner_text().strip()
    assert len(reason) >= 4, f"{entry['name']} is listed with a reason: {reason!r}"
    for veto in entry.get("vetoes", []):
        assert veto in reason
    assert city.unexpected_errors() == []


# --- 6: the bulletin PDF ----------------------------------------------------------------------


def test_the_quarterly_bulletin_pdf_can_be_downloaded_and_read(
    city: Browse, demo_city: dict[str, Any], tmp_path: Path
) -> None:
    from grassroots.assessment.models import Publication

    publication = Publication.objects.select_related("scheme").order_by("-published_at").first()
    assert publication is not None, "the demo publishes its quarters"
    public = city.open("public", **SMALL_PHONE)
    public.goto(f"/public/assessment/{publication.sha256}/")
    fits_a_phone(public, "/public/assessment/<sha256>/")
    city.step("6 public: a publication", public)
    link = public.locator("main a[href$='bulletin.pdf']")
    href = (
        link.first.get_attribute("href")
        if link.count()
        else f"/public/assessment/{publication.sha256}/bulletin.pdf"
    )
    route = "/public/assessment/<sha256>/bulletin.pdf (portal:assessment_bulletin)"
    deadline = time.monotonic() + 90
    while True:
        answer = public.request.get(href)
        if answer.status in (404, 501):
            pytest.skip(f"{route} answers {answer.status}: the bulletin is not built yet")
        if answer.status != 202 or time.monotonic() > deadline:
            break
        time.sleep(1)  # "being generated": the page refreshes itself; we ask again
    assert answer.status == 200, f"{route}: {answer.status}"
    assert answer.headers["content-type"].startswith("application/pdf")
    body = answer.body()
    assert body.startswith(b"%PDF")
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(body)

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed: the PDF's text is unread")
    text = subprocess.run(  # noqa: S603 - our own file
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", publication.scheme.name) in flat, "the scheme's name, in Chinese"
    assert publication.sha256 in flat, "the publication's SHA-256"
    assert "红榜" in flat and "黑榜" in flat
    villages = re.findall(r"[\u4e00-\u9fff]{1,6}(?:村|社区)", text)
    assert villages, "the ranked villages are named"
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", flat), "no phone number"
