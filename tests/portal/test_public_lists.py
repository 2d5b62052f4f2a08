"""The public red and black lists (current and past), the rankings of each quarter and year
with their charts, the navigation between periods and the bulletin links — all read from
the frozen snapshots, in Chinese, on a phone, with a flat number of queries."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from grassroots.assessment.actions.publishing import publish_run
from grassroots.assessment.models import Result, Run
from tests.assessment.publishing_support import plain_scheme

TZ = dt.timezone(dt.timedelta(hours=8))
VILLAGES = "513401:village"
COMMUNITIES = "513401:community"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def publish(
    scheme: Any,
    period: str,
    rows: list[tuple[Any, str, str, str, str]],
    *,
    actor: Any,
    at: dt.datetime,
) -> Any:
    """Publish ``period`` with rows of (unit, peer group, total, list status, reason code)."""
    run = Run.objects.create(scheme=scheme, period=period, state="computed", fingerprint="f" * 64)
    by_group: dict[str, list[tuple[Any, str, str, str]]] = {}
    for unit, group, total, status, reason in rows:
        by_group.setdefault(group, []).append((unit, total, status, reason))
    for group, members in by_group.items():
        members.sort(key=lambda m: Decimal(m[1]), reverse=True)
        for rank, (unit, total, status, reason) in enumerate(members, start=1):
            Result.objects.create(
                run=run,
                unit=unit,
                peer_group=group,
                total=Decimal(total),
                rank=rank,
                group_size=len(members),
                grade="excellent" if status == "red" else ("poor" if status else "average"),
                list_status=status,
                list_reason=reason,
                reward_fen=50000 if status == "red" else 0,
                vetoed=reason == "vetoed",
                explanation={"vetoes": ["overdue-veto"]} if reason == "vetoed" else {},
            )
    with time_machine.travel(at, tick=False):  # (memberships start today: no actor then)
        return publish_run(run, actor=None)


@pytest.fixture
def year(tree: dict[str, Any], city_admin: Any) -> dict[str, Any]:
    """Q2 (礼州村 red, 田坝村 black), Q3 (田坝村 red, 安宁社区 vetoed black) and the year."""
    scheme = plain_scheme(tree)
    v, n, o = tree["village"], tree["neighbour_village"], tree["other_village"]
    q2 = publish(
        scheme,
        "2026-Q2",
        [
            (v, VILLAGES, "91.50", "red", "top_n"),
            (n, VILLAGES, "55.00", "black", "bottom_n"),
            (o, COMMUNITIES, "80.00", "", ""),
        ],
        actor=city_admin,
        at=dt.datetime(2026, 7, 10, 10, tzinfo=TZ),
    )
    q3 = publish(
        scheme,
        "2026-Q3",
        [
            (v, VILLAGES, "70.25", "", ""),
            (n, VILLAGES, "88.75", "red", "top_n"),
            (o, COMMUNITIES, "40.00", "black", "vetoed"),
        ],
        actor=city_admin,
        at=dt.datetime(2026, 10, 10, 10, tzinfo=TZ),
    )
    annual = publish(
        scheme,
        "2026",
        [
            (v, VILLAGES, "81.00", "red", "top_n"),
            (n, VILLAGES, "77.00", "", ""),
            (o, COMMUNITIES, "66.00", "", ""),
        ],
        actor=city_admin,
        at=dt.datetime(2027, 1, 12, 10, tzinfo=TZ),
    )
    return {"scheme": scheme, "q2": q2, "q3": q3, "annual": annual}


def body(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(page: str, cls: str) -> str:
    return page.split(f'class="{cls}"')[1].split("</ul>")[0]


def test_the_history_shows_every_past_list_with_its_reasons(year: dict[str, Any]) -> None:
    page = body("/public/assessment/lists/")

    assert "红黑榜" in page
    # newest first: the year, then Q3, then Q2 — each with its own lists
    assert page.index("2026 年评") < page.index("2026-Q3 季晒") < page.index("2026-Q2 季晒")
    q2 = page.split("2026-Q2 季晒")[1]
    assert "礼州村" in section(q2, "red-list") and "位列同组前 1 名" in section(q2, "red-list")
    assert "田坝村" in section(q2, "black-list") and "位列同组后 1 名" in section(q2, "black-list")
    # a village is told apart from its namesakes by its township
    assert '礼州村</strong> <span class="township">礼州镇</span>' in section(q2, "red-list")
    q3 = page.split("2026-Q3 季晒")[1]
    assert "田坝村" in section(q3, "red-list")
    black = section(q3, "black-list")
    assert "安宁村" in black and "overdue-veto" in black and "排第 1 名" in black


def test_the_history_reads_the_snapshots_not_the_live_tables(year: dict[str, Any]) -> None:
    Result.objects.filter(list_status="red").update(list_status="black", list_reason="x")

    q2 = body("/public/assessment/lists/").split("2026-Q2 季晒")[1]

    assert "礼州村" in section(q2, "red-list")


def test_the_history_filters_by_kind_year_and_scheme(year: dict[str, Any]) -> None:
    quarters = body("/public/assessment/lists/?kind=quarterly")
    annual = body("/public/assessment/lists/?kind=annual&year=2026&scheme=xc-village-2026")
    other_year = Client().get("/public/assessment/lists/?year=1999&kind=nonsense")

    assert "2026-Q3 季晒" in quarters and "2026-Q2 季晒" in quarters
    assert "2026 年评" not in quarters
    assert "2026 年评" in annual and "2026-Q3" not in annual
    assert other_year.status_code == 200  # an unknown filter is ignored, not an error
    assert "2026-Q2 季晒" in other_year.content.decode()


def test_the_history_is_paginated(year: dict[str, Any], monkeypatch: Any) -> None:
    from grassroots.portal import lists

    monkeypatch.setattr(lists, "PER_PAGE", 2)
    first = body("/public/assessment/lists/?kind=")
    second = body("/public/assessment/lists/?page=2")

    assert "2026 年评" in first and "2026-Q2 季晒" not in first and "1 / 2" in first
    assert "2026-Q2 季晒" in second and 'rel="prev"' in second


def test_the_publication_shows_rankings_per_group_with_charts(year: dict[str, Any]) -> None:
    q3 = year["q3"]
    page = body(f"/public/assessment/{q3.sha256}/")

    assert page.count("<svg") == 2  # a ranking bar chart and the distribution of totals
    assert 'role="img"' in page and "排名 · 村" in page and "总分分布 · 村" in page
    ranking = page.split('class="card ranking"')[1]
    assert ranking.index("田坝村") < ranking.index("礼州村")  # 88.75 before 70.25
    assert '田坝村 <span class="township">礼州镇</span>' in ranking
    assert "安宁村" not in ranking.split("<table")[1]  # another peer group
    assert "村 (2)" in page and "社区 (1)" in page  # the groups to switch to
    slug = re.search(r'href="\?group=([0-9a-f]+)#ranking"[^>]*>社区', page)
    assert slug is not None
    communities = body(f"/public/assessment/{q3.sha256}/?group={slug.group(1)}")
    assert "安宁村" in communities.split('class="card ranking"')[1].split("<table")[1]


def test_a_search_finds_a_unit_in_the_ranking(year: dict[str, Any]) -> None:
    page = body(f"/public/assessment/{year['q3'].sha256}/?q=礼州")

    table = page.split('class="card ranking"')[1].split("<table")[1]
    assert "礼州村" in table and "田坝村" not in table


def test_the_sha256_shown_is_the_hash_of_the_download(year: dict[str, Any]) -> None:
    for pub in (year["q2"], year["q3"], year["annual"]):
        page = body(f"/public/assessment/{pub.sha256}/")
        shown = re.search(r'<code class="sha" id="sha256">([0-9a-f]{64})</code>', page)
        download = Client().get(f"/public/assessment/{pub.sha256}.json")

        assert shown is not None
        assert hashlib.sha256(download.content).hexdigest() == shown.group(1)


def test_the_publication_links_its_bulletins_and_neighbouring_periods(
    year: dict[str, Any],
) -> None:
    q2, q3, annual = year["q2"], year["q3"], year["annual"]
    page = body(f"/public/assessment/{q3.sha256}/")

    assert f'href="/public/assessment/{q3.sha256}/bulletin.pdf"' in page
    assert f'href="/public/assessment/{q3.sha256}/bulletin.xlsx"' in page
    assert "下载通报 (PDF)" in page and "下载通报 (Excel)" in page
    assert f'rel="prev" href="/public/assessment/{q2.sha256}/"' in page
    assert 'rel="next"' not in page.split('class="period-nav"')[1].split("</nav>")[0]
    first = body(f"/public/assessment/{q2.sha256}/")
    assert f'rel="next" href="/public/assessment/{q3.sha256}/"' in first
    yearly = body(f"/public/assessment/{annual.sha256}/")
    assert "2026 年评" in yearly and f"/public/assessment/{annual.sha256}/bulletin.pdf" in yearly


def test_the_rankings_index_filters_quarters_and_years(year: dict[str, Any]) -> None:
    quarters = body("/public/assessment/?kind=quarterly")
    years = body("/public/assessment/?kind=annual")

    table = quarters.split('class="table publications"')[1].split("</table>")[0]
    assert year["q2"].sha256 in table and year["q3"].sha256 in table
    assert year["annual"].sha256 not in table
    table = years.split('class="table publications"')[1].split("</table>")[0]
    assert year["annual"].sha256 in table and year["q3"].sha256 not in table


def test_the_home_page_finds_everything_and_sums_up_the_latest_lists(
    year: dict[str, Any],
) -> None:
    page = body("/public/")

    for url in (
        "/public/report/",
        "/public/lookup/",
        "/public/assessment/lists/",
        "/public/assessment/",
        "/public/projects/",
    ):
        assert f'href="{url}"' in page
    for label in ("反映问题", "查询我的反映", "红黑榜", "季晒年评", "民生工程"):
        assert label in page
    latest = page.split('class="card latest-lists"')[1]
    # the current lists are the year's (the newest period), not Q3's
    assert "2026 年评" in latest and "2026-Q3" not in latest
    assert "礼州村" in section(latest, "red-list") and "位列同组前 1 名" in latest


def test_the_home_page_without_publications(db: Any) -> None:
    page = body("/public/")

    assert "最新红黑榜" in page and "尚未公布任何考核结果" in page


def test_query_counts_stay_flat(
    year: dict[str, Any], django_assert_max_num_queries: Any, city_admin: Any, tree: Any
) -> None:
    q3 = year["q3"]
    urls = [
        "/public/",
        "/public/assessment/",
        "/public/assessment/lists/",
        f"/public/assessment/{q3.sha256}/",
    ]
    cold: dict[str, int] = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            body(url)
        cold[url] = len(ctx.captured_queries)
    # ten more publications change nothing
    scheme = plain_scheme(tree, code="xc-village-2025", name="旧方案", year=2025)
    for month in range(1, 11):
        publish(
            scheme,
            f"2025-{month:02d}",
            [(tree["village"], VILLAGES, "60.00", "red", "top_n")],
            actor=city_admin,
            at=dt.datetime(2025, month, 20, tzinfo=TZ),
        )
    cache.clear()
    for url in urls:
        with django_assert_max_num_queries(cold[url]):
            body(url)
    # a cached publication page reads no snapshot at all
    with CaptureQueriesContext(connection) as ctx:
        body(f"/public/assessment/{q3.sha256}/")
    assert not any("snapshot" in q["sql"] for q in ctx.captured_queries)


def test_public_pages_are_made_for_phones_and_keyboards(year: dict[str, Any]) -> None:
    for url in (
        "/public/",
        "/public/assessment/",
        "/public/assessment/lists/",
        f"/public/assessment/{year['q3'].sha256}/",
        "/public/projects/",
        "/public/lookup/",
        "/public/report/",
    ):
        page = body(url)
        assert '<html lang="zh-Hans">' in page, url
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
        assert "grassroots/portal.css" in page
        assert 'class="skip" href="#content"' in page and 'id="content"' in page
        assert " style=" not in page and "<style" not in page, url  # the CSP allows no inline
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert 'tabindex="' not in page.replace('tabindex="-1"', ""), url
        # every table cell carries its label for the stacked phone layout
        for cell in re.findall(r"<td(?: [^>]*)?>", page):
            assert "data-label" in cell or "colspan" in cell, (url, cell)


def test_a_large_peer_group_is_charted_by_its_first_and_last_ten() -> None:
    from django.utils import translation

    from grassroots.portal.assessment import distribution_chart, ranking_chart

    # no request here: the language is the test's own, not what an earlier test left active
    translation.activate("zh-hans")

    rows = [
        (f"U{i:03d}", f"第{i}村", i, 40, f"{100 - i}.00", "average", "", 0, 0, False)
        for i in range(1, 41)
    ]
    bars = ranking_chart(rows, "村")
    assert bars.count('class="bar"') == 20
    assert "第10村" in bars and "第31村" in bars and "第11村" not in bars
    assert "前 10 名和后 10 名" in bars and "共 40 个" in bars
    spread = distribution_chart(rows, "村")
    assert sum(int(n) for n in re.findall(r'data-count="(\d+)"', spread)) == 40
