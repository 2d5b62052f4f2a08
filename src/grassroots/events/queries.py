"""Named reads of events; scope comes from the place (area) and the assigned unit."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from grassroots.events.states import DISPATCH_QUEUE, OPEN_STATUSES, EventStatus
from grassroots.org.queries import SEP, ScopedQuerySet, active_grants, scope_q

#: A scope with more units than this names its dispatchers by a subquery, not by ids.
MAX_SCOPE_UNITS = 1000

#: The latest moment a deadline can be: an event without one sorts last.
FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def deadline_order() -> Coalesce:
    """The handling deadline as queues sort it (soonest first, none last). The same
    expression keys the open-event indexes of the model (``ev_township_open`` …), so that
    a queue page of a township or village reads its first rows in order from the index
    instead of sorting every open event of the area."""
    return Coalesce("resolve_by", Value(FAR_FUTURE))


#: Soonest deadline first. An expression, not the bare column, on purpose: ordered by
#: ``resolve_by`` itself, PostgreSQL walks the city-wide deadline index and filters row by
#: row for the few of one unit (seconds at city scale); this way it reads the unit's rows
#: by the unit's indexes.
BY_DEADLINE = (deadline_order().asc(), F("id").asc())


class InSubtree(Func):
    """``field`` (a path column) is ``path`` or lies below it, written for PostgreSQL's
    ``varchar_pattern_ops`` indexes as one range of the index (``path`` ≤ field <
    ``path/``: "/" follows ".") and the exact test ``field || '.'`` starting with
    ``path.``, which reads only the field: an index holding the field answers it alone
    (an index-only scan). Elsewhere the plain test (``subtree_q``'s)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, path: str) -> None:
        super().__init__(F(field))
        self.path = path

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        below = self.path + SEP
        if connection.vendor == "postgresql":
            prefix = connection.ops.prep_for_like_query(below) + "%"
            sql = f"({column} ~>=~ %s AND {column} ~<~ %s AND ({column} || '.') LIKE %s)"
            return sql, [*params, self.path, *params, self.path + "/", *params, prefix]
        sql = f"({column} = %s OR substr({column}, 1, {len(below)}) = %s)"
        return sql, [*params, self.path, *params, below]


class EventQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path", "assignee_path", "dispatcher__path")
    view_action = "events.view"

    def visible_to(self, user: Any, action: str | None = None) -> Self:
        """Events whose place, assigned unit or dispatching unit lies in one of the
        user's subtrees for ``action`` (default: viewing).

        The same rows as ``ScopedQuerySet.visible_to`` over ``scope_path_fields``, but
        the dispatcher is named by the ids of the units in scope (one small query), not
        by a join on its path: an OR across a join cannot use the events' indexes, so
        PostgreSQL read every event of the city to count a village's list (seconds at
        ten million events). By ids, the three conditions are three index scans
        (``ev_area_path``, ``ev_assignee_area``, ``ev_dispatcher_queue``).
        """
        scope = self._scope(user, action)
        if isinstance(scope, bool):
            return self.all() if scope else self.none()
        roots, dispatchers = scope
        return self.filter(scope_q(("area_path", "assignee_path"), set(roots)) | dispatchers)

    def visible_count(self, user: Any, action: str | None = None) -> int:
        """``self.visible_to(user, action).count()``, for a list's total.

        On PostgreSQL, for a user whose scope is one subtree, counted as three disjoint
        parts — placed in it; assigned in it but placed outside; dispatched from it but
        neither placed nor assigned in it — in one statement, each part from one index
        alone (``ev_area_path``, ``ev_assignee_area``, ``ev_dispatcher_scope`` hold the
        paths it tests): no event row is read. Counting the three conditions at once
        reads every event in scope (a village's list: 0.15 s at ten million events; a
        township's: over a second).
        """
        scope = self._scope(user, action)
        connection = connections[self.db]
        if isinstance(scope, bool) or len(scope[0]) != 1 or connection.vendor != "postgresql":
            return self.visible_to(user, action).count()
        (root,), dispatchers = scope
        area = InSubtree("area_path", root)
        assignee = InSubtree("assignee_path", root)
        parts = (Q(area), Q(assignee) & ~Q(area), dispatchers & ~Q(area) & ~Q(assignee))
        sql: list[str] = []
        params: list[Any] = []
        for part in parts:
            query, part_params = self.filter(part).order_by().values("pk").query.sql_with_params()
            sql.append(f"(SELECT count(*) FROM ({query}) AS part)")  # noqa: S608 - the ORM's
            params.extend(part_params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + " + ".join(sql), params)
            return int(cursor.fetchone()[0])

    def _scope(self, user: Any, action: str | None) -> bool | tuple[list[str], Q]:
        """True: every event; False: none; else the roots of the user's subtrees (none
        below another) and the condition "dispatched by a unit in them" (cached on the
        user object, as ``active_grants`` caches the grants)."""
        from grassroots.org.models import Unit
        from grassroots.org.permissions import roles_granting

        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if user.is_superuser:
            return True
        grants = active_grants(user)
        key = (action or self.view_action, grants)
        cached = getattr(user, "_grassroots_event_scope", None)
        if cached is not None and cached[0] == key:
            return cached[1]  # type: ignore[no-any-return]
        roles = roles_granting(key[0])
        paths = {g.path for g in grants if g.role in roles}
        if not paths:
            return False
        roots: list[str] = []
        for path in sorted(paths):
            if not any(path == root or path.startswith(root + SEP) for root in roots):
                roots.append(path)
        units = Unit.objects.filter(scope_q(("path",), set(roots))).order_by().values("pk")
        ids = list(units.values_list("pk", flat=True)[: MAX_SCOPE_UNITS + 1])
        scope = (roots, Q(dispatcher_id__in=ids if len(ids) <= MAX_SCOPE_UNITS else units))
        # Cached on the user object for the request, like the grants themselves.
        user._grassroots_event_scope = (key, scope)
        return scope

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime | None = None) -> Self:
        """Open and past the handling deadline (derived, never stored)."""
        return self.open().filter(resolve_by__lt=now or timezone.now())

    def due_between(self, start: dt.datetime, end: dt.datetime) -> Self:
        return self.open().filter(resolve_by__gte=start, resolve_by__lt=end)

    def awaiting_dispatch(self) -> Self:
        return self.filter(status__in=DISPATCH_QUEUE)

    def awaiting_verification(self) -> Self:
        return self.filter(status=EventStatus.RESOLVED)

    def assigned_to(self, unit: Any) -> Self:
        return self.filter(assignee=unit)

    def for_dispatcher(self, unit: Any) -> Self:
        """What the dispatchers of ``unit`` watch: events it must act on (assignee) and
        events it sent out and will verify (dispatcher)."""
        from django.db.models import Q

        return self.filter(Q(assignee=unit) | Q(dispatcher=unit))

    def public_lookup(self, number: str, phone_last4: str) -> Any:
        """The event with exactly this number whose contact phone ends in ``phone_last4``
        (four digits), or ``None`` — the same answer for a wrong number and a wrong
        phone. The digits are compared in constant time."""
        import hmac

        number = (number or "").strip().upper() if isinstance(number, str) else ""
        last4 = phone_last4.strip() if isinstance(phone_last4, str) else ""
        if not (0 < len(number) <= 32 and number.isascii() and number.isalnum()):
            return None
        if not (len(last4) == 4 and last4.isascii() and last4.isdecimal()):
            return None
        event = self.filter(number=number).first()
        digits = "".join(ch for ch in (event.contact_phone if event else "") if ch.isdecimal())
        expected = digits[-4:] if len(digits) >= 4 else "\x00" * 4
        if not hmac.compare_digest(expected.encode(), last4.encode()) or event is None:
            return None
        return event


# --- named interfaces for other apps --------------------------------------------------

#: Timeline lines that mark an event solved (处置完毕, 就地解决).
RESOLVING_KINDS = ("resolve", "resolve_on_spot")
#: An event stays solved while it is in one of these (reworked or reopened: not any more).
SOLVED_STATUSES = (EventStatus.RESOLVED, EventStatus.VERIFIED, EventStatus.CLOSED)


def escalated_events_resolved_by(user_ids: list[int]) -> list[dict[str, Any]]:
    """Escalated events (``escalation_level`` > 0) that these users resolved and that stay
    solved (resolved, verified or closed): the resolving actor is the actor of the event's
    latest resolving timeline line (``resolve``/``resolve_on_spot``), so an event sent back
    for rework and then solved by someone else counts for the latter only. One row per
    event, as plain data: ``user_id``, ``event_id``, ``number``, ``title``,
    ``escalation_level``, ``resolved_at`` (aware datetime of that line). One query, read
    from the timeline by its actor index.

    The named interface through which the cadres app derives its key-moment records
    (关键时候检验) without reading this app's models."""
    from django.db.models import Exists, OuterRef

    from grassroots.events.models import EventAction

    if not user_ids:
        return []
    later = EventAction.objects.filter(
        event_id=OuterRef("event_id"),
        kind__in=RESOLVING_KINDS,
        created_at__gt=OuterRef("created_at"),
    )
    rows = (
        EventAction.objects.filter(
            actor_id__in=sorted(set(user_ids)),
            kind__in=RESOLVING_KINDS,
            event__escalation_level__gt=0,
            event__status__in=SOLVED_STATUSES,
        )
        .filter(~Exists(later))
        .order_by("event_id", "-created_at", "-id")
        .values_list(
            "actor_id",
            "event_id",
            "event__number",
            "event__title",
            "event__escalation_level",
            "created_at",
        )
    )
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    for user_id, event_id, number, title, level, at in rows:
        if event_id in seen:  # two lines of the same instant: the later id wins
            continue
        seen.add(event_id)
        found.append(
            {
                "user_id": user_id,
                "event_id": event_id,
                "number": number or "",
                "title": title,
                "escalation_level": level,
                "resolved_at": at,
            }
        )
    return found
