"""The city office puts a register's case under supervision (挂牌督办): a listed task of the
village with the case's deadline; the case page then links it. Nobody else may, a closed or
already supervised case is refused with 409, a case out of sight is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.registers.models import ConstructionCase, HomesteadCase
from grassroots.supervision.models import Task

pytestmark = pytest.mark.django_db


def _construction(unit: Any, **kw: Any) -> ConstructionCase:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "unit": unit,
        "kind": "building",
        "source": "inspection",
        "number": "WJ-T-0001",
        "address": "礼州村二组",
        "started_on": today,
        "found_on": today,
        "is_new": True,
        "due_on": today + dt.timedelta(days=28),
    }
    fields.update(kw)
    return ConstructionCase.objects.create(**fields)


def test_the_city_office_puts_a_case_under_supervision(
    tree: dict[str, Any], city_admin: Any, login: Any
) -> None:
    case = _construction(tree["village"])
    client = login(city_admin)
    detail = reverse("registers:construction_detail", args=[case.pk])
    url = reverse("registers:case_supervise", args=["construction", case.pk])
    assert url in client.get(detail).content.decode()
    answer = client.post(url)
    assert answer.status_code == 302 and answer["Location"] == detail
    case.refresh_from_db()
    assert case.task_id is not None
    task = Task.objects.get(pk=case.task_id)
    assert task.unit == tree["village"] and task.level == "listed" and task.kind == "campaign"
    assert task.deadline == case.due_on and "WJ-T-0001" in task.title
    assert AuditEntry.objects.filter(action="registers.constructioncase.supervised").exists()
    page = client.get(detail).content.decode()
    assert reverse("supervision:detail", args=[task.pk]) in page
    assert client.post(url).status_code == 409  # already supervised
    assert Task.objects.count() == 1


def test_only_the_city_office_and_only_open_cases_in_sight(
    tree: dict[str, Any],
    city_admin: Any,
    village_cadre: Any,
    outsider: Any,
    login: Any,
    make_household: Any,
) -> None:
    case = _construction(tree["village"])
    url = reverse("registers:case_supervise", args=["construction", case.pk])
    page = login(village_cadre).get(reverse("registers:construction_detail", args=[case.pk]))
    assert url not in page.content.decode()
    assert login(village_cadre).post(url).status_code == 403
    assert login(outsider).post(url).status_code == 404
    assert login(city_admin).get(url).status_code == 405
    closed = _construction(tree["village"], number="WJ-T-0002", status="demolished")
    closed_url = reverse("registers:case_supervise", args=["construction", closed.pk])
    assert login(city_admin).post(closed_url).status_code == 409
    assert login(city_admin).post(url.replace("construction", "nothing")).status_code == 404
    assert Task.objects.count() == 0
    today = timezone.localdate()
    homestead_case = HomesteadCase.objects.create(
        unit=tree["village"],
        kind="multiple",
        household=make_household(),
        finding="一户两宅: 100.00 与 90.00 平方米",
        found_on=today - dt.timedelta(days=90),
        due_on=today - dt.timedelta(days=5),
    )
    hs_url = reverse("registers:case_supervise", args=["homestead", homestead_case.pk])
    assert login(city_admin).post(hs_url).status_code == 302
    task = Task.objects.get()
    assert task.deadline == homestead_case.due_on  # overdue already: the task is too
    assert task.description == homestead_case.finding
