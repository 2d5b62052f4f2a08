"""Named reads of the cadres app, each scoped to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from grassroots.cadres.models import Cadre, Policy
from grassroots.cadres.permissions import VIEW_FILE
from grassroots.org.models import PATH_SEPARATOR, Unit
from grassroots.org.permissions import role_may
from grassroots.org.queries import active_grants, scope_q


def scope_paths_for(user: Any, action: str) -> list[str]:
    """The unit paths under which ``user`` holds ``action`` (empty: nowhere; a superuser is
    given the roots)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    return sorted({g.path for g in active_grants(user) if role_may(g.role, action)})


def within_paths(qs: QuerySet[Any], paths: list[str], field: str = "unit__path") -> QuerySet[Any]:
    """``qs`` limited to rows whose ``field`` (a unit path) lies under one of ``paths``."""
    if not paths:
        return qs.none()
    return qs.filter(scope_q((field,), set(paths)))


def cadres_visible_to(user: Any) -> QuerySet[Cadre]:
    """The cadre files ``user`` may open (``cadres.view_file`` over the cadre's unit)."""
    return within_paths(Cadre.objects.select_related("unit"), scope_paths_for(user, VIEW_FILE))


def policy_for(unit: Unit) -> Policy:
    """The policy of the nearest unit at or above ``unit`` that has one; the defaults
    (unsaved) when none has."""
    ancestors = unit.path.split(PATH_SEPARATOR)
    paths = [PATH_SEPARATOR.join(ancestors[: i + 1]) for i in range(len(ancestors))]
    found = (
        Policy.objects.filter(unit__path__in=paths)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    return found or Policy(unit=unit)
