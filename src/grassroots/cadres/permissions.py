"""What each role may do with cadres (grants via ``org.permissions.grant``).

A cadre's file is sensitive (干部档案): the organisation department (组织部, its membership
on the city) and the leader of the cadre's own unit (a township leader over the township and
its villages) see it; nobody else does, a city supervision office and a supervisor
included. Every look at a file is logged.

=============================  =========================  ======================================
action                         roles                      over
=============================  =========================  ======================================
``cadres.view_file``           org_department,            the cadre's unit (files, pool, training,
                               unit_leader                tempering, key moments, grades)
``cadres.manage``              org_department             the cadre's / vacancy's / case's unit:
                                                          files, import/export, review and exit
                                                          of reserves, tempering, vacancies,
                                                          ranking and decisions, policy, key posts,
                                                          tolerance verification and decisions
``cadres.nominate``            org_department,            the nominating unit (民主推荐)
                               unit_leader
``cadres.develop``             org_department,            the cadre's unit: training records,
                               unit_leader                mentors, hand-entered key moments,
                                                          evaluating a tempering at its end
``cadres.grade``               org_department,            the unit the grade counts against
                               unit_leader
``cadres.apply_tolerance``     org_department,            the unit (a unit's application); a
                               unit_leader                cadre with a login applies for
                                                          themself (``Cadre.user``)
``cadres.view_tolerance``      org_department,            the case's unit: the 纪委 follows
                               unit_leader, supervisor    error-tolerance cases read-only
=============================  =========================  ======================================

Objections to a case under public notice may be filed by anyone (the portal page, with a
name and phone, rate-limited) or by any login.
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW_FILE = "cadres.view_file"
MANAGE = "cadres.manage"
NOMINATE = "cadres.nominate"
DEVELOP = "cadres.develop"
GRADE = "cadres.grade"
APPLY_TOLERANCE = "cadres.apply_tolerance"
VIEW_TOLERANCE = "cadres.view_tolerance"

grant(Role.ORG_DEPARTMENT, VIEW_FILE, MANAGE, NOMINATE, DEVELOP, GRADE, APPLY_TOLERANCE)
grant(Role.ORG_DEPARTMENT, VIEW_TOLERANCE)
grant(Role.UNIT_LEADER, VIEW_FILE, NOMINATE, DEVELOP, GRADE, APPLY_TOLERANCE, VIEW_TOLERANCE)
grant(Role.SUPERVISOR, VIEW_TOLERANCE)
