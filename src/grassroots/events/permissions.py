"""What each role may do with events, in the subtree of its membership's unit."""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import STAFF_ROLES, grant

for _role in STAFF_ROLES:
    grant(_role, "events.view", "events.comment")
for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER, Role.VILLAGE_CADRE, Role.GRID_WORKER):
    grant(_role, "events.report")
for _role in (Role.VILLAGE_CADRE, Role.GRID_WORKER):
    grant(_role, "events.resolve_on_spot")
# Dispatchers: accept, reject, dispatch, set deadlines, urge, verify, rework, close, escalate.
for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER, Role.VILLAGE_CADRE):
    grant(_role, "events.dispatch")
# Handlers: start, resolve, return what was dispatched to their unit.
for _role in (
    Role.CITY_ADMIN,
    Role.UNIT_LEADER,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
    Role.DEPARTMENT_STAFF,
):
    grant(_role, "events.handle")
grant(Role.CITY_ADMIN, "events.manage_categories")
