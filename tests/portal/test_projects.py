"""The public list of livelihood projects (/public/projects/): feasibility, verified
progress, the explanation of projects that cannot be done now; nothing personal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
EXPLANATION = "拟选址位于滑坡隐患区，暂不具备建设条件，另行选址后向群众公示。"


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def projects(tree: dict[str, Any], city_admin: Any, xc_secretary: Any) -> dict[str, Any]:
    from grassroots.supervision.actions import (
        cancel_task,
        cascade_task,
        create_task,
        decide_feasibility,
        report_progress,
        verify_progress,
    )

    def project(title: str, **kw: Any) -> Any:
        values: dict[str, Any] = {
            "actor": city_admin,
            "title": title,
            "kind": "livelihood",
            "unit": tree["lizhou"],
            "start_date": dt.date(2026, 9, 1),
            "deadline": dt.date(2026, 12, 31),
            "description": "内部说明：联系人王主任 13800000000",
            "budget": Decimal("680"),
            "location": "礼州镇场镇",
            "beneficiaries": "约 1.2 万人",
        }
        values.update(kw)
        return create_task(**values)

    market = project("农贸市场改造")
    decide_feasibility(market, actor=city_admin, feasible=True)
    resettle = project("高山移民安置点", budget=Decimal("2600"))
    decide_feasibility(resettle, actor=city_admin, feasible=False, explanation=EXPLANATION)
    road = project("通村公路硬化", target_value=Decimal(10), target_measure="公里")
    decide_feasibility(road, actor=city_admin, feasible=True)
    cascade_task(road, actor=city_admin, shares={tree["village"]: Decimal(10)})
    report = report_progress(road, actor=xc_secretary, value=Decimal(4))
    verify_progress(report, actor=city_admin, accepted=True)
    report_progress(road, actor=xc_secretary, value=Decimal(9))  # not verified: no count
    withdrawn = project("已撤销的项目")
    cancel_task(withdrawn, actor=city_admin, reason="合并到其他项目")
    create_task(
        actor=city_admin,
        title="违建整治",
        kind="campaign",
        unit=tree["lizhou"],
        deadline=dt.date(2026, 12, 31),
    )
    return {"market": market, "resettle": resettle, "road": road}


def test_residents_see_projects_feasibility_and_explanations(projects: dict[str, Any]) -> None:
    response = Client().get("/public/projects/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "民生工程" in page  # Chinese by default
    for title in ("农贸市场改造", "高山移民安置点", "通村公路硬化"):
        assert title in page
    assert page.count('class="card project"') == 3  # not the share, the cancelled, the campaign
    assert "已撤销的项目" not in page and "违建整治" not in page
    assert "具备条件" in page and "不具备条件" in page
    assert EXPLANATION in page and "暂不能实施的原因" in page
    assert "礼州镇场镇" in page and "约 1.2 万人" in page and "680" in page
    # progress counts only once verified: 4 of 10 km (the 9 waits for verification)
    assert 'value="40.00"' in page and 'value="90' not in page and "90%" not in page
    # nothing personal or internal
    for secret in ("王主任", "李书记", "13800000000", "内部说明", "city_admin"):
        assert secret not in page


def test_filter_by_feasibility(projects: dict[str, Any]) -> None:
    page = Client().get("/public/projects/?feasibility=infeasible").content.decode()
    assert "高山移民安置点" in page and "农贸市场改造" not in page
    page = Client().get("/public/projects/?feasibility=nonsense&page=x").content.decode()
    assert "农贸市场改造" in page and "高山移民安置点" in page


def test_empty_list(db: Any) -> None:
    response = Client().get("/public/projects/")
    assert response.status_code == 200
    assert "暂无民生工程" in response.content.decode()


def test_search_by_title_or_place_keeps_the_filter(projects: dict[str, Any]) -> None:
    page = Client().get("/public/projects/?q=市场").content.decode()
    assert "农贸市场改造" in page and "通村公路硬化" not in page
    assert 'value="市场"' in page
    # the feasibility links keep the search; the counts are those of the search
    assert "feasibility=infeasible&amp;q=%E5%B8%82%E5%9C%BA" in page
    assert "全部 1" in page
    page = Client().get("/public/projects/?q=礼州镇场镇&feasibility=infeasible").content.decode()
    assert "高山移民安置点" in page and "农贸市场改造" not in page


def test_the_list_is_paginated_with_its_filters(
    projects: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.portal import projects as module

    monkeypatch.setattr(module, "PER_PAGE", 2)
    first = Client().get("/public/projects/?feasibility=feasible").content.decode()
    assert first.count('class="card project"') == 2
    assert 'href="?feasibility=feasible&amp;page=2"' not in first  # both feasible fit
    everything = Client().get("/public/projects/").content.decode()
    assert 'rel="next" href="?page=2"' in everything
    second = Client().get("/public/projects/?page=2").content.decode()
    assert second.count('class="card project"') == 1
