"""Who may open a dashboard, and where (grants via ``org.permissions.grant``).

``dashboards.view`` (the city office, township leaders, village cadres, grid workers and
supervisors): the dashboard of a unit in the subtree of their membership. Each panel asks
its own module's permission again (a grid worker sees no supervision tasks, for example);
departments have no area and so no dashboard.
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "dashboards.view"

for _role in (
    Role.CITY_ADMIN,
    Role.UNIT_LEADER,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
    Role.SUPERVISOR,
):
    grant(_role, VIEW)
