"""The decision log at scale: with ~2,000 supervised tasks, 200 reward publications and
hundreds of links, the log page and the oversight flags page cost the same number of
queries as with a handful, and the record page's resolution box a fixed few."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grassroots.partybuilding.models import DecisionLink
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

TASKS = 2000
PUBLICATIONS = 200
LINKS = 300
#: The log: sessions and user, grants, the units of the filter, one per source, the
#: rules, the links, the units' names (and the page's own few); generous but fixed.
LOG_BOUND = 25
BOX_BOUND = 6


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len([q for q in captured.captured_queries if "common_calendar" not in q["sql"]])


def _grow(tree: dict[str, Any], world: dict[str, Any]) -> None:
    from grassroots.assessment.models import Publication, Result, Run, Scheme
    from grassroots.supervision.models import Task

    villages = [tree["village"], tree["neighbour_village"], tree["other_village"]]
    tasks = []
    for i in range(TASKS):
        unit = villages[i % 3]
        tasks.append(
            Task(
                title=f"批量项目{i}",
                kind="livelihood" if i % 2 else "key_task",
                unit=unit,
                unit_path=unit.path,
                issuer=unit.parent,
                issuer_path=unit.parent.path,
                start_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
                deadline=dt.date(2026, 12, 31),
                budget=Decimal(i % 40 + 1),
                tree_path=f"bulk{i:05d}",
            )
        )
    made = Task.objects.bulk_create(tasks)
    lz = tree["lizhou"]
    schemes = Scheme.objects.bulk_create(
        Scheme(code=f"bulk{i}", name=f"考核{i}", year=2026, level="village", root=lz)
        for i in range(PUBLICATIONS)
    )
    runs = Run.objects.bulk_create(Run(scheme=s, period="2026", state="published") for s in schemes)
    Result.objects.bulk_create(
        Result(
            run=r,
            unit=tree["village"],
            peer_group="g",
            rank=1,
            group_size=1,
            grade="good",
            reward_fen=1000,
        )
        for r in runs
    )
    moment = dt.datetime(2026, 6, 1, 9, tzinfo=timezone.get_current_timezone())
    Publication.objects.bulk_create(
        Publication(
            run=r,
            scheme=r.scheme,
            period=r.period,
            snapshot={},
            sha256=hashlib.sha256(f"bulk{r.pk}".encode()).hexdigest(),
            appeal_until=dt.date(2026, 6, 8),
            published_at=moment,
        )
        for r in runs
    )
    resolution = world["r_township"]
    DecisionLink.objects.bulk_create(
        DecisionLink(
            reference=ref(task),
            matter="livelihood",
            resolution=resolution,
            unit=task.unit,
            unit_path=task.unit_path,
            acted_on=task.start_date,
        )
        for task in made[:LINKS]
        if task.kind == "livelihood" and task.unit_id != tree["other_village"].pk
    )


def test_the_log_and_the_flags_stay_bounded(
    world: dict[str, Any], tree: dict[str, Any], login: Any, city_admin: Any, supervisor: Any
) -> None:
    admin, office = login(city_admin), login(supervisor)
    log, flags = reverse("partybuilding:decisions"), reverse("oversight:flags")
    admin.get(log), office.get(flags)  # sessions, caches
    few_log = _queries(lambda: admin.get(log))
    few_flags = _queries(lambda: office.get(flags))
    _grow(tree, world)
    for client, url, few in ((admin, log, few_log), (office, flags, few_flags)):
        for query in ({}, {"page": "3"}, {"status": "missing", "year": "2026"}):
            count = _queries(lambda c=client, u=url, q=query: c.get(u, q))
            assert count <= max(few, LOG_BOUND), (url, query, count)
        assert _queries(lambda c=client, u=url: c.get(u)) == few
    page = admin.get(log, {"q": "批量项目1999"}).content.decode()
    assert "批量项目1999" in page
    assert "批量项目" in office.get(flags, {"page": "2"}).content.decode()


def _box(record: Any) -> str:
    return Template("{% load decisions %}{% authorisation_of record %}").render(
        Context({"record": record})
    )


def test_the_record_box_costs_a_fixed_few(
    world: dict[str, Any], tree: dict[str, Any], village_cadre: Any
) -> None:
    from grassroots.partybuilding.actions.decisions import link_decision
    from grassroots.supervision.models import Task

    _grow(tree, world)
    task = Task.objects.get(pk=world["t1"].pk)
    _box(task)  # the registry's autodiscovery
    with CaptureQueriesContext(connection) as captured:
        html = _box(task)
    assert "未经决议" in html and len(captured) <= BOX_BOUND
    link_decision(ref(task), world["r_village"].pk, actor=village_cadre)
    with CaptureQueriesContext(connection) as captured:
        html = _box(task)
    assert "2026-01" in html and len(captured) <= 1, [q["sql"][:80] for q in captured]
    plain = Task.objects.get(pk=world["plain"].pk)
    with CaptureQueriesContext(connection) as captured:
        assert "authorisation" not in _box(plain)
    assert len(captured) <= BOX_BOUND
