"""Named reads of the oversight cases: the cases a person sees and how the list narrows
them, the villages a person may open a case in, a case's timeline and files, and the
audit trail of the villages a committee watches.

Scope: ``oversight.view`` over a case's village (``Case.objects.visible_to``); a case out
of sight is a 404. The audit trail: ``audit.view`` (supervisors, the city office) over
the entry's unit path, i.e. entries of records lying in the viewer's villages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from grassroots.audit.models import AuditEntry
from grassroots.org.models import VILLAGE_LEVEL, Unit, User
from grassroots.org.queries import grant_paths, scope_q, subtree_q
from grassroots.oversight.models import Case, CaseEvidence, Step
from grassroots.oversight.permissions import OPEN, VIEW
from grassroots.oversight.states import OPEN_STATUSES, CaseStatus
from grassroots.partybuilding.queries_decisions import find_decision

MAX_PK: Final = 2**63 - 1
UNIT_LIMIT: Final = 3000
AUDIT_VIEW: Final = "audit.view"
#: The list's status filter: a status, or one of these groups.
OPEN_GROUP: Final = "open"
OVERDUE_GROUP: Final = "overdue"


def valid_pk(pk: int) -> int:
    if not 0 < pk <= MAX_PK:
        raise Http404
    return pk


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases ``user`` sees, their village joined."""
    return Case.objects.visible_to(user).select_related("unit").defer("unit__geometry")


def visible_case(user: User, pk: int) -> Case:
    """The case ``pk`` if ``user`` sees it; 404 otherwise (whether or not it exists)."""
    case: Case | None = (
        cases_visible_to(user)
        .select_related("opened_by", "closed_by")
        .filter(pk=valid_pk(pk))
        .first()
    )
    if case is None:
        raise Http404
    return case


def visible_evidence(user: User, pk: int) -> CaseEvidence:
    """A file of a case ``user`` sees; 404 otherwise."""
    row: CaseEvidence | None = CaseEvidence.objects.filter(
        pk=valid_pk(pk), case__in=Case.objects.visible_to(user).values("pk")
    ).first()
    if row is None:
        raise Http404
    return row


def record_url(case: Case) -> str:
    """Where the record the case is about is seen (a decision the apps declare in the
    case's village, ``common.decisions``), or "" (no reference, or a record that is not
    such a decision: the reference is then shown as text). One query per decision source
    when the case has a reference, none otherwise; the record's page checks its own
    scope."""
    if not case.reference:
        return ""
    found = find_decision(case.reference, [case.unit_path])
    return found.url if found is not None else ""


def overdue_q(today: dt.date) -> Q:
    """Open cases past their deadline."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def is_overdue(case: Case, today: dt.date) -> bool:
    return case.status in OPEN_STATUSES and case.deadline is not None and case.deadline < today


def villages(user: User, action: str = VIEW) -> list[Unit]:
    """The active villages in ``user``'s scope for ``action``, by path."""
    paths = grant_paths(user, action)
    if not paths:
        return []
    return list(
        Unit.objects.filter(scope_q(("path",), paths), kind__in=VILLAGE_LEVEL, active=True)
        .defer("geometry")
        .order_by("path")[:UNIT_LIMIT]
    )


def village_to_open(user: User, unit_id: object) -> Unit | None:
    """The village ``unit_id`` if ``user`` may open a case there, else None."""
    try:
        pk = int(str(unit_id))
    except ValueError:
        return None
    if not 0 < pk <= MAX_PK:
        return None
    return next((u for u in villages(user, OPEN) if u.pk == pk), None)


def filtered_cases(cases: QuerySet[Case], data: dict[str, Any], today: dt.date) -> QuerySet[Case]:
    """``cases`` narrowed by the list's valid filters: ``q`` (number, matter or
    reference), ``status`` (a status or ``open``), ``category``, ``source``, ``unit``
    (a village's code), ``overdue``, ``year`` (opened)."""
    if q := str(data.get("q") or "").strip():
        cases = cases.filter(
            Q(number__icontains=q) | Q(matter__icontains=q) | Q(reference__icontains=q)
        )
    status = data.get("status")
    if status == OPEN_GROUP:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status in CaseStatus.values:
        cases = cases.filter(status=status)
    for name in ("category", "source"):
        if value := data.get(name):
            cases = cases.filter(**{name: value})
    if unit := data.get("unit"):
        cases = cases.filter(subtree_q("unit_path", unit.path))
    if data.get("overdue"):
        cases = cases.filter(overdue_q(today))
    if year := data.get("year"):
        cases = cases.filter(opened_on__year=year)
    return cases


def listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The list's rows with how many files each has (one query)."""
    return cases.annotate(files=Count("evidence")).order_by("-opened_on", "-pk")


def timeline(case: Case) -> list[Step]:
    """The case's steps, oldest first, each with its actor and files."""
    return list(
        Step.objects.filter(case=case)
        .select_related("actor")
        .prefetch_related(Prefetch("evidence", queryset=CaseEvidence.objects.order_by("pk")))
        .order_by("at", "pk")
    )


def summary(cases: QuerySet[Case], today: dt.date) -> dict[str, int]:
    """Open, overdue and closed counts of ``cases`` (one query)."""
    return cases.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
    )


# --- the audit trail ------------------------------------------------------------------------


def trail_villages(user: User) -> list[Unit]:
    """The villages whose audit trail ``user`` may read (``audit.view`` and
    ``oversight.view`` over them)."""
    paths = grant_paths(user, AUDIT_VIEW)
    return [
        u for u in villages(user) if any(u.path == p or u.path.startswith(p + ".") for p in paths)
    ]


def audit_trail(village_list: list[Unit], data: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The audit entries of records lying in the villages (or the one ``data["unit"]``
    names), newest first, narrowed by ``kind`` (an action prefix: the app) and dates."""
    chosen = data.get("unit")
    paths = {chosen.path} if chosen is not None else {u.path for u in village_list}
    if not paths:
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.filter(scope_q(("unit_path",), paths))
    if kind := data.get("kind"):
        entries = entries.with_action_prefix(f"{kind}.")
    if start := data.get("date_from"):
        entries = entries.on_or_after(start)
    if end := data.get("date_to"):
        entries = entries.on_or_before(end)
    return entries.order_by("-id").only(
        "id",
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "unit_path",
        "note",
        "seq",
    )
