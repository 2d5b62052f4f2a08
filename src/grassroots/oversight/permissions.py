"""What each role may do with oversight cases (grants via ``org.permissions.grant``).

=========================  ===================================  ===============================
action                     roles                                over
=========================  ===================================  ===============================
``oversight.view``         supervisor, city_admin, unit_leader, the case's village
                           village_cadre
``oversight.open``         supervisor                           the village (open a case,
                                                                request rectification, return,
                                                                close with evidence, dismiss)
``oversight.respond``      village_cadre, unit_leader           the case's village (report the
                                                                rectification done)
=========================  ===================================  ===============================

A committee member is a supervisor bound to a village; the township's discipline office
(纪委) is a supervisor bound to the township, and so sees and works every case of its
villages. Committee members read the rest of their village through the other apps'
``view`` grants (``audit.view`` for the village's audit trail).
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "oversight.view"
OPEN = "oversight.open"
RESPOND = "oversight.respond"

for _role in (Role.SUPERVISOR, Role.CITY_ADMIN, Role.UNIT_LEADER, Role.VILLAGE_CADRE):
    grant(_role, VIEW)
grant(Role.SUPERVISOR, OPEN)
for _role in (Role.VILLAGE_CADRE, Role.UNIT_LEADER):
    grant(_role, RESPOND)
