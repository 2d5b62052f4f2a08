"""What each role may do with supervised tasks (grants via ``org.permissions.grant``).

Where a grant holds (the target the actions check it against):

=============================  ==========================  =====================================
action                         roles                       over
=============================  ==========================  =====================================
``supervision.view``           city_admin, unit_leader,    the task's unit, issuer or a co-unit
                               village_cadre, supervisor
``supervision.deploy``         city_admin                  the issuing unit of a new root task
``supervision.edit``           city_admin, unit_leader     the task's issuer (details, dates,
                                                           target, milestones)
``supervision.cascade``        city_admin, unit_leader     the task's unit (split it among the
                                                           units directly below)
``supervision.report``         unit_leader, village_cadre  a membership **on the task's unit
                                                           itself** (report progress, complete
                                                           milestones, request extensions)
``supervision.verify``         city_admin, unit_leader     the task's issuer (verify reports,
                                                           decide extensions)
``supervision.urge``           city_admin, unit_leader     the task's issuer
``supervision.close``          city_admin, unit_leader     the task's issuer (销号, cancel)
``supervision.feasibility``    city_admin, unit_leader     the task's unit or issuer
``supervision.commit``         unit_leader, village_cadre  the unit whose own meeting resolved
                                                           it (a commitment, 承诺事项, issued
                                                           by the unit's parent)
=============================  ==========================  =====================================

So a township leader splits its township's task among its villages, reports its own
township's progress, and verifies, urges and closes what it issued to its villages; a
village cadre reports for its own village only; verification and urging are always done
by the unit above the task's unit (its issuer), never by the reporting unit itself; a
supervisor reads and does nothing else; every other role has no part in supervision.
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "supervision.view"
DEPLOY = "supervision.deploy"
EDIT = "supervision.edit"
CASCADE = "supervision.cascade"
REPORT = "supervision.report"
VERIFY = "supervision.verify"
URGE = "supervision.urge"
CLOSE = "supervision.close"
FEASIBILITY = "supervision.feasibility"
COMMIT = "supervision.commit"

for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER, Role.VILLAGE_CADRE, Role.SUPERVISOR):
    grant(_role, VIEW)
grant(Role.CITY_ADMIN, DEPLOY)
for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER):
    grant(_role, EDIT, CASCADE, VERIFY, URGE, CLOSE, FEASIBILITY)
for _role in (Role.UNIT_LEADER, Role.VILLAGE_CADRE):
    grant(_role, REPORT)
grant(Role.UNIT_LEADER, COMMIT)
grant(Role.VILLAGE_CADRE, COMMIT)
