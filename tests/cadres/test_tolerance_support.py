"""Helpers of the error-tolerance tests (no tests here): a scheme with a deduction
indicator for the tolerance to name, and the steps of a case through the actions.

The clock of these tests stands at Thursday 2026-10-15 10:00 (Asia/Shanghai): five
working days of public notice end on Thursday 2026-10-22 at 23:59:59.999999.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from grassroots.cadres import checklist as cl

CST = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 15, 10, tzinfo=CST)
NOTICE_ENDS = dt.datetime(2026, 10, 22, 23, 59, 59, 999999, tzinfo=CST)
AFTER_NOTICE = dt.datetime(2026, 10, 23, 9, tzinfo=CST)
MONTH = dt.date(2026, 10, 1)
METRIC = "events.overdue_count"
ALL_MET: dict[str, tuple[bool | None, str]] = dict.fromkeys(cl.KEYS, (True, "经核实属实"))
VOTE: dict[str, int] = {
    "members": 9,
    "present": 7,
    "votes_for": 6,
    "votes_against": 1,
    "abstentions": 0,
}


def deduction_scheme(tree: dict[str, Any], *, year: int = 2026, code: str = "") -> Any:
    """A village scheme of 西昌 with one deduction indicator: 2 points off per overdue
    event, at most 10 (``events.overdue_count``)."""
    from grassroots.assessment.models import Category, Indicator, Scheme

    scheme = Scheme.objects.create(
        code=code or f"xc-tolerance-{year}",
        name=f"西昌市{year}年村(社区)目标考核",
        year=year,
        level="village",
        root=tree["city"],
    )
    indicator = Indicator(
        scheme=scheme,
        code="overdue-deduction",
        name="事件超期扣分",
        category=Category.DEDUCTION,
        weight=Decimal(0),
        metric=METRIC,
        rule="per_item_deduction",
        params={"per_item": "2", "cap": "10"},
        direction="lower",
    )
    indicator.full_clean()
    indicator.save()
    return scheme


def apply(actor: Any, unit: Any, **kw: Any) -> Any:
    """An application through ``apply_tolerance`` (a unit's, for the October deductions
    of two overdue events, unless ``kw`` says otherwise)."""
    from grassroots.cadres.actions.tolerance import apply_tolerance

    fields: dict[str, Any] = {
        "title": "试点村集体经济项目延误",
        "facts": "按试点方案推进村集体经济项目, 因政策调整导致两件事件超期办理。",
        "occurred_on": dt.date(2026, 10, 9),
        "affected_month": MONTH,
        "metric": METRIC,
        "items": 2,
    }
    fields.update(kw)
    return apply_tolerance(actor=actor, unit=unit, **fields)


def verify(case: Any, actor: Any, entries: dict[str, tuple[bool | None, str]] | None = None) -> Any:
    from grassroots.cadres.actions.tolerance import verify_tolerance

    return verify_tolerance(case.pk, actor=actor, entries=entries or ALL_MET)


def decide(case: Any, actor: Any, *, tolerate: bool = True, **kw: Any) -> Any:
    from grassroots.cadres.actions.tolerance import decide_tolerance

    fields: dict[str, Any] = {
        **VOTE,
        "reason": "经党委会集体研究, 符合容错条件" if tolerate else "不符合容错条件",
        "meeting_on": dt.date(2026, 10, 14),
    }
    fields.update(kw)
    return decide_tolerance(case.pk, actor=actor, tolerate=tolerate, **fields)


def under_notice(actor: Any, org: Any, unit: Any, **kw: Any) -> Any:
    """A case applied for by ``actor``, verified and tolerated by ``org``: under notice."""
    case = apply(actor, unit, **kw)
    verify(case, org)
    return decide(case, org)


def snapshot(case: Any) -> dict[str, Any]:
    """Everything about a case a refusal must leave as it was."""
    from grassroots.audit.models import AuditEntry
    from grassroots.cadres.models import CorrectiveMeasure, Objection, ToleranceCase

    fresh = ToleranceCase.objects.get(pk=case.pk)
    fields = {f.attname: getattr(fresh, f.attname) for f in ToleranceCase._meta.concrete_fields}
    return {
        **fields,
        "objections": list(Objection.objects.filter(case=fresh).values()),
        "measures": list(CorrectiveMeasure.objects.filter(case=fresh).values()),
        "audit": AuditEntry.objects.count(),
    }
