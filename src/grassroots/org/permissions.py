"""Who may do what, and where: ``can(user, action, obj)``.

Each app grants actions to roles here (``grant``); a grant holds in the subtree of the
unit the membership is bound to. An object tells where it sits through ``scope_paths``
(a tuple of unit paths; a Unit answers its own path).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from grassroots.org.models import Role, is_within
from grassroots.org.queries import active_grants

_GRANTS: dict[str, set[str]] = defaultdict(set)

STAFF_ROLES = (
    Role.CITY_ADMIN,
    Role.UNIT_LEADER,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
    Role.DEPARTMENT_STAFF,
    Role.SUPERVISOR,
)


def grant(role: str, *actions: str) -> None:
    """Let ``role`` perform ``actions`` in the subtree of its membership's unit."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    _GRANTS[role].update(actions)


def role_may(role: str, action: str) -> bool:
    actions = _GRANTS.get(role, set())
    app = action.split(".", 1)[0]
    return action in actions or f"{app}.*" in actions


def roles_granting(action: str) -> frozenset[str]:
    return frozenset(role for role in Role.values if role_may(role, action))


def scope_paths(obj: Any) -> tuple[str, ...]:
    paths = getattr(obj, "scope_paths", None)
    if paths is None:
        raise TypeError(f"{type(obj).__name__} does not declare scope_paths")
    return tuple(paths() if callable(paths) else paths)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when one of the user's active memberships grants ``action`` over ``obj``.

    Without ``obj`` the question is whether the user may do it anywhere at all.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    grants = [g for g in active_grants(user) if role_may(g.role, action)]
    if obj is None:
        return bool(grants)
    targets = scope_paths(obj)
    return any(is_within(t, g.path) for g in grants for t in targets)


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(_("You are not allowed to do this here."))


grant(Role.CITY_ADMIN, "org.*", "audit.view", "common.manage_calendar")
grant(Role.UNIT_LEADER, "org.view_unit", "org.view_membership", "org.manage_membership")
grant(Role.ORG_DEPARTMENT, "org.view_unit", "org.view_membership")
grant(Role.SUPERVISOR, "org.view_unit", "org.view_membership", "audit.view")
for _role in (Role.VILLAGE_CADRE, Role.GRID_WORKER, Role.DEPARTMENT_STAFF):
    grant(_role, "org.view_unit", "org.view_membership")
