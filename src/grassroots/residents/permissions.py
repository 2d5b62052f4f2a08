"""What each role may do with the people and places of the grids (grants via
``org.permissions.grant``), in the subtree of its membership's unit.

Personal details (names, households, key groups, visits) are seen only by the grid's own
workers and the units above them (village, township, city). Departments and supervisors
see none of it. ID numbers and phones are masked on every screen and in every export.

=============================  ====================================  ==========================
action                         roles                                 what
=============================  ====================================  ==========================
``residents.view``             grid_worker, village_cadre,           places, households,
                               unit_leader, city_admin               residents, key groups,
                                                                     visits and their lists
``residents.edit``             grid_worker, village_cadre,           keep places, households
                               unit_leader                           and residents current;
                                                                     put people in care groups
``residents.visit``            grid_worker, village_cadre            record a care visit (走访)
``residents.import``           village_cadre, unit_leader,           the spreadsheet import
                               city_admin                            and export
``residents.configure``        city_admin                            the key-group categories
                                                                     and visit frequencies
=============================  ====================================  ==========================
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "residents.view"
EDIT = "residents.edit"
VISIT = "residents.visit"
IMPORT = "residents.import"
CONFIGURE = "residents.configure"

grant(Role.GRID_WORKER, VIEW, EDIT, VISIT)
grant(Role.VILLAGE_CADRE, VIEW, EDIT, VISIT, IMPORT)
grant(Role.UNIT_LEADER, VIEW, EDIT, IMPORT)
grant(Role.CITY_ADMIN, VIEW, IMPORT, CONFIGURE)
