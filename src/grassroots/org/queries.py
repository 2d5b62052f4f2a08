"""Named reads and the scope rules every app's querysets use.

Scope is always a unit's subtree: a membership at unit U lets its holder see what lies in
U or below U, for the actions its role is granted (``grassroots.org.permissions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from grassroots.org.models import Unit

SEP = "."


@dataclass(frozen=True, slots=True)
class Grant:
    """One active membership reduced to what scope checks need."""

    role: str
    unit_id: int
    path: str


def active_grants(user: Any, *, on: dt.date | None = None) -> tuple[Grant, ...]:
    """The user's memberships valid today, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    day = on or timezone.localdate()
    cache = getattr(user, "_grassroots_grants", None)
    if cache is not None and cache[0] == day:
        return cache[1]  # type: ignore[no-any-return]
    from grassroots.org.models import Membership

    grants = tuple(
        Grant(role=role, unit_id=unit_id, path=path)
        for role, unit_id, path in Membership.objects.filter(user_id=user.pk, unit__active=True)
        .active(on=day)
        .values_list("role", "unit_id", "unit__path")
        .order_by("unit__path", "role")
    )
    if on is None:
        user._grassroots_grants = (day, grants)
    return grants


def grant_paths(user: Any, action: str) -> set[str]:
    """The unit paths under which ``user`` holds ``action`` through an active membership
    (empty: nowhere; a superuser holds it under every root)."""
    from grassroots.org.models import Unit
    from grassroots.org.permissions import roles_granting

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return set(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    roles = roles_granting(action)
    return {g.path for g in active_grants(user) if g.role in roles}


def subtree_q(field: str, path: str) -> Q:
    """``field`` (a path column) is ``path`` or lies below it: one indexed prefix match."""
    return Q(**{field: path}) | Q(**{f"{field}__startswith": path + SEP})


def subtree_roots(paths: Iterable[str]) -> list[str]:
    """The paths that are not below another one of them, sorted; in one pass after the
    sort (a province's 34,000 villages compared pairwise took minutes).

    A unit's subtree sorts right after it (the separator sorts before the digits), so a
    path needs comparing with the last kept one only; were another character to sort
    between them, a path would be kept needlessly, which filters nothing more."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if kept and (path == kept[-1] or path.startswith(kept[-1] + SEP)):
            continue
        kept.append(path)
    return kept


def scope_q(fields: tuple[str, ...], paths: set[str]) -> Q:
    """Rows whose path fields fall in any of ``paths``' subtrees (empty set → no rows)."""
    # A path below another kept path adds nothing; dropping it keeps the SQL short.
    kept = subtree_roots(paths)
    q = Q(pk__in=[])
    for field in fields:
        for path in kept:
            q |= subtree_q(field, path)
    return q


class ScopedQuerySet(models.QuerySet[Any]):
    """Base for querysets of records that belong to units.

    Subclasses name the path columns that place a row in the tree and the action that
    lets a role see such rows.
    """

    scope_path_fields: ClassVar[tuple[str, ...]] = ("unit__path",)
    view_action: ClassVar[str] = ""

    def visible_to(self, user: Any, action: str | None = None) -> Self:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        paths = grant_paths(user, action or self.view_action)
        if not paths:
            return self.none()
        return self.filter(scope_q(self.scope_path_fields, paths))


class UnitQuerySet(ScopedQuerySet):
    scope_path_fields = ("path",)
    view_action = "org.view_unit"

    def within(self, unit: Unit) -> Self:
        """The unit and everything below it."""
        return self.filter(subtree_q("path", unit.path))

    def below(self, unit: Unit) -> Self:
        """Everything strictly below the unit."""
        return self.filter(path__startswith=unit.path + SEP)

    def active(self) -> Self:
        return self.filter(active=True)

    def of_kind(self, *kinds: str) -> Self:
        return self.filter(kind__in=kinds)

    def search(self, text: str) -> Self:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__startswith=text))


class MembershipQuerySet(ScopedQuerySet):
    view_action = "org.view_membership"

    def active(self, *, on: dt.date | None = None) -> Self:
        day = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
