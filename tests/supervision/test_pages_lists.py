"""The supervision pages that list: a unit's tasks (/supervision/) with its filters, counts
and the issuer's boxes, the new-task form, the weekly board, livelihood projects, the help
page and the module's entry in the navigation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.supervision.conftest import END, at

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    return str(response.content.decode())


# --- /supervision/ -------------------------------------------------------------------------


def test_my_units_tasks_by_urgency_with_badge_bar_and_counts(
    login: Any,
    village_tasks: dict[str, Any],
    village_cadre: Any,
    xc_secretary: Any,
    deploy: Any,
    travel: Any,
) -> None:
    from grassroots.supervision.actions import cascade_task

    # a second task for 礼州村, due before the first: on 2026-11-02 it is overdue
    early = deploy(title="违建整治", deadline=at(2026, 10, 30).date(), target_value=Decimal(12))
    [share] = cascade_task(
        early.pk,
        actor=xc_secretary,
        shares={village_tasks["village"].unit: Decimal(12)},
    )
    travel(at(2026, 11, 2, 9))
    response = login(village_cadre).get("/supervision/")
    assert response.status_code == 200
    page = body(response)
    assert "礼州村" in page
    ids = [t.pk for t in response.context["page"]]
    assert ids == [share.pk, village_tasks["village"].pk]  # overdue first, then lagging
    statuses = [t.display_status for t in response.context["page"]]
    assert statuses == ["overdue", "lagging"]
    assert 'class="badge ds-overdue">逾期<' in page
    assert 'class="badge ds-lagging">进度滞后<' in page
    assert 'role="progressbar"' in page
    counts = {s.value: n for s, n in response.context["counts"]}
    assert counts["overdue"] == 1 and counts["lagging"] == 1 and counts["on_track"] == 0


def test_filters_by_text_status_kind_and_deadline(
    login: Any, village_tasks: dict[str, Any], village_cadre: Any
) -> None:
    client = login(village_cadre)
    task = village_tasks["village"]
    found = client.get("/supervision/", {"q": "西委办〔2026〕12号"}).context["page"]
    assert [t.pk for t in found] == [task.pk]
    assert list(client.get("/supervision/", {"q": "没有这个"}).context["page"]) == []
    assert list(client.get("/supervision/", {"kind": "livelihood"}).context["page"]) == []
    assert [t.pk for t in client.get("/supervision/", {"status": "not_started"}).context["page"]]
    assert list(client.get("/supervision/", {"status": "overdue"}).context["page"]) == []
    assert list(client.get("/supervision/", {"due_to": "2026-10-01"}).context["page"]) == []
    response = client.get("/supervision/", {"due_from": "2026-12-01", "due_to": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["due_to"]
    assert [t.pk for t in response.context["page"]] == [task.pk]  # a bad range is not applied


def test_issuer_sees_reports_to_verify_and_extensions_to_decide(
    login: Any, township_task: Any, units: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.actions import cascade_task, report_progress, request_extension

    [village_task] = cascade_task(
        township_task.pk,
        actor=xc_secretary,
        shares={units["village"]: Decimal(60)},
        deadline=END.replace(month=11, day=30),
    )
    report_progress(village_task.pk, actor=village_cadre, value=Decimal(10), note="第一批")
    request_extension(
        village_task.pk, actor=village_cadre, requested_deadline=END, reason="雨季施工受阻"
    )
    # the cadre's own list has no boxes: a village verifies nothing
    assert "to_verify" in login(village_cadre).get("/supervision/").context
    assert login(village_cadre).get("/supervision/").context["may_verify"] is False
    response = login(xc_secretary).get("/supervision/")
    assert response.context["to_verify_count"] == 1
    assert response.context["to_decide_count"] == 1
    page = body(response)
    assert f"/supervision/{village_task.pk}/#report-" in page
    assert f"/supervision/{village_task.pk}/#extension-" in page
    # 礼州镇's own tasks: the township task
    assert [t.unit.code for t in response.context["page"]] == ["513401101"]
    issued = login(xc_secretary).get("/supervision/", {"tab": "issued"}).context["page"]
    assert [t.pk for t in issued] == [village_task.pk]


def test_unit_out_of_scope_is_404_and_no_role_is_403(
    login: Any, village_tasks: dict[str, Any], village_cadre: Any, resident: Any, client: Any
) -> None:
    assert login(village_cadre).get("/supervision/", {"unit": "513401102"}).status_code == 404
    assert login(village_cadre).get("/supervision/", {"unit": "nope"}).status_code == 404
    assert login(resident).get("/supervision/").status_code == 403
    assert client.get("/supervision/").status_code == 302  # to the login page


def test_a_township_may_look_at_a_village_below(
    login: Any, village_tasks: dict[str, Any], xc_secretary: Any
) -> None:
    response = login(xc_secretary).get("/supervision/", {"unit": "513401101201"})
    assert response.status_code == 200
    assert [t.pk for t in response.context["page"]] == [village_tasks["village"].pk]


def test_nav_lists_supervision_for_staff_only(
    login: Any, village_cadre: Any, grid_worker: Any
) -> None:
    assert 'href="/supervision/"' in body(login(village_cadre).get("/"))
    assert 'href="/supervision/"' not in body(login(grid_worker).get("/"))


# --- /supervision/new/ ---------------------------------------------------------------------


def new_task_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "新增村集体经济收入",
        "doc_number": "西委办〔2026〕20号",
        "kind": "key_task",
        "level": "key",
        "unit": "513401",
        "start_date": "2026-09-01",
        "deadline": "2026-12-31",
        "target_value": "500",
        "target_measure": "万元",
        "milestones": "2026-10-31 完成方案\n2026-11-30 完成过半",
    }
    data.update(overrides)
    return data


def test_city_office_deploys_a_task_with_milestones_and_target(
    login: Any, units: dict[str, Any], city_admin: Any
) -> None:
    from grassroots.supervision.models import Task

    client = login(city_admin)
    form = client.get("/supervision/new/")
    assert form.status_code == 200
    assert "礼州村" in body(form) and "礼州村第1网格" not in body(form)
    response = client.post("/supervision/new/", new_task_data(co_units=["513401D01"]))
    assert response.status_code == 302
    task = Task.objects.get(doc_number="西委办〔2026〕20号")
    assert response["Location"] == f"/supervision/{task.pk}/"
    assert task.is_rollup and task.target_value == Decimal(500) and task.level == "key"
    assert [m.title for m in task.milestones.order_by("due_date")] == ["完成方案", "完成过半"]
    assert [u.code for u in task.co_units.all()] == ["513401D01"]
    page = body(client.get(response["Location"]))
    assert "新增村集体经济收入" in page and "完成方案" in page


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"deadline": "2026-08-01"}, "deadline", "完成时限不能早于开始日期"),
        ({"target_value": "-5"}, "target_value", ""),
        ({"milestones": "十月底 完成方案"}, "milestones", "2026-10-31"),
        ({"milestones": "2027-03-01 太晚了"}, "milestones", ""),
        ({"unit": "513401101201001"}, "unit", ""),  # a grid is not offered
        ({"kind": "key_task", "budget": "30"}, "kind", ""),
    ],
)
def test_new_task_errors_are_shown_next_to_the_field(
    login: Any,
    units: dict[str, Any],
    city_admin: Any,
    overrides: dict[str, str],
    field: str,
    text: str,
) -> None:
    from grassroots.supervision.models import Task

    response = login(city_admin).post("/supervision/new/", new_task_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    if text:
        assert text in " ".join(errors[field])
    assert Task.objects.count() == 0


def test_only_who_may_deploy_sees_the_form(
    login: Any, units: dict[str, Any], xc_secretary: Any, village_cadre: Any
) -> None:
    for user in (xc_secretary, village_cadre):
        client = login(user)
        assert client.get("/supervision/new/").status_code == 403
        assert client.post("/supervision/new/", new_task_data(unit="513401101")).status_code == 403


# --- board, projects, help -------------------------------------------------------------------


def test_weekly_board_due_moved_late_with_a_week_picker(
    login: Any, village_task: Any, village_cadre: Any, xc_secretary: Any, deploy: Any, travel: Any
) -> None:
    from grassroots.supervision.actions import report_progress

    late = deploy(title="邛海天窗修复", deadline=at(2026, 9, 4).date(), target_value=None)
    report_progress(village_task.pk, actor=village_cadre, value=Decimal(5))
    client = login(xc_secretary)
    week = client.get("/supervision/board/", {"week": "2026-W36"})
    assert week.status_code == 200
    sections = {key: [t.pk for t in items] for key, _label, items in week.context["sections"]}
    assert sections["due"] == [late.pk]  # due Friday 2026-09-04
    assert sections["moved"] == [village_task.pk]
    assert sections["late"] == []
    assert 'type="week"' in body(week) and 'value="2026-W36"' in body(week)
    assert week.context["previous"] == "2026-W35" and week.context["next"] == "2026-W37"
    travel(at(2026, 9, 8, 9))
    client = login(xc_secretary)
    later = client.get("/supervision/board/", {"week": "nonsense"})
    assert later.context["week"] == "2026-W37"  # a bad week is this week
    sections = {key: [t.pk for t in items] for key, _label, items in later.context["sections"]}
    assert sections["late"] == [late.pk] and sections["moved"] == []
    assert client.get("/supervision/board/", {"unit": "513401102"}).status_code == 404


def test_projects_list_shows_feasibility_and_explanation(
    login: Any, deploy: Any, city_admin: Any, xc_secretary: Any, outsider: Any
) -> None:
    from grassroots.supervision.actions import decide_feasibility

    project = deploy(
        title="文化院坝建设",
        kind="livelihood",
        target_value=None,
        budget=Decimal(80),
        location="礼州镇中心村",
        beneficiaries="1200户村民",
    )
    decide_feasibility(
        project.pk, actor=xc_secretary, feasible=False, explanation="选址地块尚未完成征地，明年再建"
    )
    response = login(xc_secretary).get("/supervision/projects/")
    assert response.status_code == 200
    page = body(response)
    assert "文化院坝建设" in page and "不具备条件" in page and "选址地块尚未完成征地" in page
    feasible = login(xc_secretary).get("/supervision/projects/", {"feasibility": "feasible"})
    assert list(feasible.context["page"]) == []
    assert list(login(outsider).get("/supervision/projects/").context["page"]) == []


def test_help_page_explains_the_at_risk_rule(login: Any, village_cadre: Any, settings: Any) -> None:
    settings.SUPERVISION_RISK_MARGIN = 20
    page = body(login(village_cadre).get("/supervision/help/"))
    assert "20" in page and "工作日" in page and "核实" in page


def test_help_page_defines_every_figure_the_assessment_reads(
    login: Any, village_cadre: Any
) -> None:
    from grassroots.common.metrics import registry

    page = body(login(village_cadre).get("/supervision/help/"))
    names = [name for name in registry() if name.startswith("supervision.")]
    assert len(names) == 8
    for name in names:
        assert f'id="{name}"' in page
    assert "completed on time / due" in page  # the numerator and denominator, as defined
