"""Records for the decision log tests: resolutions (with their meeting), supervised tasks,
filled vacancies and published reward allocations, made directly with the ORM."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, Final

from django.utils import timezone

D = dt.date
MARCH_1: Final = D(2026, 3, 1)
MAY_10: Final = D(2026, 5, 10)


def make_resolution(
    unit: Any,
    number: str,
    *,
    matter: str = "livelihood",
    decided_on: dt.date = MARCH_1,
    passed: bool = True,
    title: str = "关于实施民生项目的决议",
) -> Any:
    from grassroots.partybuilding.models import Meeting, Resolution

    meeting = Meeting.objects.create(
        unit=unit,
        unit_path=unit.path,
        kind="committee",
        period=f"{decided_on:%Y-%m}",
        title=f"{unit.name}党委会",
        held_on=decided_on,
        status="held",
        sha256="",
        content_type="",
        size=0,
    )
    return Resolution.objects.create(
        meeting=meeting,
        unit=unit,
        unit_path=unit.path,
        number=number,
        title=title,
        matter=matter,
        decided_on=decided_on,
        members_total=7,
        members_present=6,
        votes_for=5 if passed else 2,
        votes_against=1 if passed else 4,
        votes_abstain=0,
        passed=passed,
    )


def make_task(unit: Any, **fields: Any) -> Any:
    from grassroots.supervision.models import Task, tree_path_of

    issuer = unit.parent
    values: dict[str, Any] = {
        "title": "村道硬化",
        "kind": "livelihood",
        "unit": unit,
        "unit_path": unit.path,
        "issuer": issuer,
        "issuer_path": issuer.path,
        "start_date": D(2026, 4, 1),
        "deadline": D(2026, 12, 31),
    }
    values.update(fields)
    task = Task.objects.create(**values)
    parent = values.get("parent")
    task.tree_path = tree_path_of(task.pk, parent.tree_path if parent else None)
    task.save(update_fields=["tree_path"])
    return task


def make_vacancy(unit: Any, opener: Any, *, decided_on: dt.date = MAY_10) -> Any:
    from grassroots.cadres.models import Vacancy

    moment = dt.datetime.combine(decided_on, dt.time(10), tzinfo=timezone.get_current_timezone())
    return Vacancy.objects.create(
        unit=unit,
        title="村党支部书记",
        level="village_head",
        state="filled",
        opened_by=opener,
        members=7,
        present=7,
        votes_for=6,
        votes_against=1,
        abstentions=0,
        meeting_on=decided_on,
        decided_by=opener,
        decided_at=moment,
    )


def make_publication(root: Any, units: list[Any], *, rewards_fen: list[int], on: dt.date) -> Any:
    from grassroots.assessment.models import Publication, Result, Run, Scheme

    scheme = Scheme.objects.create(
        code=f"s{root.code}{on:%Y%m%d}", name="村级考核", year=on.year, level="village", root=root
    )
    run = Run.objects.create(scheme=scheme, period=f"{on.year}", state="published")
    for rank, (unit, fen) in enumerate(zip(units, rewards_fen, strict=True), start=1):
        Result.objects.create(
            run=run,
            unit=unit,
            peer_group="g",
            rank=rank,
            group_size=len(units),
            grade="good",
            reward_fen=fen,
        )
    moment = dt.datetime.combine(on, dt.time(9), tzinfo=timezone.get_current_timezone())
    return Publication.objects.create(
        run=run,
        scheme=scheme,
        period=run.period,
        snapshot={},
        sha256=hashlib.sha256(f"{run.pk}".encode()).hexdigest(),
        appeal_until=on + dt.timedelta(days=7),
        published_at=moment,
    )


def amount(text: str) -> Decimal:
    return Decimal(text)
