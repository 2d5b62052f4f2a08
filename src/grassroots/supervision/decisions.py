"""The supervised tasks that are decisions (决策在先) for the party-building decision log.

One decision per *root* task (deployed from a document, not a share cascaded from a
parent: the share carries out the parent's decision, it does not make one):

* a livelihood project (``kind=livelihood``) is the matter ``livelihood`` — its approval;
  its budget, when given, is its amount;
* any other root task with a budget is the matter ``fund`` (the rules then decide from
  what amount a resolution is needed).

The reference is ``supervision.task:<pk>``; the unit is the task's responsible unit (a
resolution of that unit or of a unit above it authorises it); the day it acts is the
task's start date. The budget is kept in 10,000 yuan: the amount is in yuan. Cancelled
tasks stay in the log (the decision was taken all the same).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from django.db.models import Q
from django.urls import reverse

from grassroots.common.decisions import Decision, decision_source
from grassroots.org.queries import scope_q
from grassroots.supervision.models import Task, TaskKind

REFERENCE: Final = "supervision.task"
TEN_THOUSAND: Final = Decimal(10000)


#: One ``reverse`` per source call, not per row.
PLACEHOLDER: Final = "987654321"


def url_pattern(name: str) -> str:
    """The path of ``name`` with ``PLACEHOLDER`` where the record's id goes."""
    return reverse(name, args=[int(PLACEHOLDER)])


def yuan(budget: Decimal | None) -> Decimal | None:
    """A budget in 10,000 yuan as yuan, to the fen."""
    return None if budget is None else (budget * TEN_THOUSAND).quantize(Decimal("0.01"))


@decision_source("supervision.tasks")
def decisions(paths: Sequence[str] | None, since: dt.date | None) -> list[Decision]:
    """The root livelihood tasks and root tasks with a budget under ``paths`` that start
    on or after ``since``; one query."""
    tasks = Task.objects.filter(parent__isnull=True).filter(
        Q(kind=TaskKind.LIVELIHOOD) | Q(budget__isnull=False)
    )
    if paths is not None:
        tasks = tasks.filter(scope_q(("unit_path",), set(paths)))
    if since is not None:
        tasks = tasks.filter(start_date__gte=since)
    rows = tasks.order_by("start_date", "pk").values_list(
        "pk", "kind", "title", "unit_id", "unit_path", "start_date", "budget"
    )
    link = url_pattern("supervision:detail")
    return [
        Decision(
            reference=f"{REFERENCE}:{pk}",
            matter="livelihood" if kind == TaskKind.LIVELIHOOD else "fund",
            unit_id=unit_id,
            unit_path=unit_path,
            title=title,
            acted_on=start,
            amount=yuan(budget),
            url=link.replace(PLACEHOLDER, str(pk)),
        )
        for pk, kind, title, unit_id, unit_path, start, budget in rows
    ]
