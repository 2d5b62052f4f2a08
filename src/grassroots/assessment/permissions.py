"""What each role may do with the assessment (grants via ``org.permissions.grant``).

``assessment.view`` (city office, township leaders, village cadres, supervisors): the results
and scores of units in the subtree of their membership. ``assessment.compute`` (city office
only): compute a run of a scheme whose root lies in its subtree. ``assessment.manage`` (city
office): rating forms, manual entries, publication, appeals' decisions. ``assessment.appeal``
(a unit's leaders and village cadres): appeal a score of a unit in their subtree.
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "assessment.view"
COMPUTE = "assessment.compute"

for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER, Role.VILLAGE_CADRE, Role.SUPERVISOR):
    grant(_role, VIEW)
grant(Role.CITY_ADMIN, COMPUTE)

#: Rating forms, manual entries, publication and freezing, deciding appeals (city office).
MANAGE = "assessment.manage"
#: Appeal (申诉) a score of a unit in the subtree of the membership (its leaders and cadres).
APPEAL = "assessment.appeal"

grant(Role.CITY_ADMIN, MANAGE)
grant(Role.UNIT_LEADER, APPEAL)
grant(Role.VILLAGE_CADRE, APPEAL)
