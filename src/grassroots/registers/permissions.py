"""What each role may do with the special registers (专项台账), in the subtree of its
membership's unit (grants via ``org.permissions.grant``).

=============================  ====================================  ==========================
action                         roles                                 what
=============================  ====================================  ==========================
``registers.view``             city_admin, unit_leader,              every register, its
                               village_cadre, grid_worker,           checks, cases, charts and
                               supervisor                            history (names masked)
``registers.manage``           city_admin, unit_leader,              enter and correct records,
                               village_cadre                         import and export, move
                                                                     and close cases
``registers.report``           grid_worker                           open an illegal
                                                                     construction case and add
                                                                     its photos (patrol)
``registers.configure``        city_admin                            the policy: area standard,
                                                                     baseline date, deadlines,
                                                                     the 天窗 programme years
=============================  ====================================  ==========================
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "registers.view"
MANAGE = "registers.manage"
REPORT = "registers.report"
CONFIGURE = "registers.configure"

grant(Role.CITY_ADMIN, VIEW, MANAGE, REPORT, CONFIGURE)
grant(Role.UNIT_LEADER, VIEW, MANAGE, REPORT)
grant(Role.VILLAGE_CADRE, VIEW, MANAGE, REPORT)
grant(Role.GRID_WORKER, VIEW, REPORT)
grant(Role.SUPERVISOR, VIEW)
