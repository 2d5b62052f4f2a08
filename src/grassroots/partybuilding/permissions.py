"""What each role may do in party building and culture (grants via ``org.permissions.grant``).

=================================  ==============================  ==============================
action                             roles                           over
=================================  ==============================  ==============================
``partybuilding.view``             city_admin, org_department,     the record's unit
                                   unit_leader, village_cadre,
                                   supervisor
``partybuilding.record``           city_admin, unit_leader,        the record's unit (meetings,
                                   village_cadre                   attendance, minutes,
                                                                   resolutions, venues, culture)
``partybuilding.link``             city_admin, unit_leader,        the record's unit (tie a
                                   village_cadre                   decision to its resolution)
``partybuilding.inspect``          city_admin, unit_leader         the venue's unit
``partybuilding.configure``        city_admin                      the city (checklist, decision
                                                                   rules, meeting plans)
``partybuilding.organise``         city_admin, unit_leader         the competition's organiser
=================================  ==============================  ==============================

Judging a competition needs no role: a judge is a person named on the competition
(``CompetitionJudge``), and only scores the entries of a competition in judging. The
``partybuilding.judge`` grant of the rater role only puts "score sheets" in a rater's
navigation (raters see nothing else of party building).
A supervisor reads; the oversight committee's own work is in the ``oversight`` app.
"""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

VIEW = "partybuilding.view"
RECORD = "partybuilding.record"
LINK = "partybuilding.link"
INSPECT = "partybuilding.inspect"
CONFIGURE = "partybuilding.configure"
ORGANISE = "partybuilding.organise"
JUDGE_NAV = "partybuilding.judge"

for _role in (
    Role.CITY_ADMIN,
    Role.ORG_DEPARTMENT,
    Role.UNIT_LEADER,
    Role.VILLAGE_CADRE,
    Role.SUPERVISOR,
):
    grant(_role, VIEW)
for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER, Role.VILLAGE_CADRE):
    grant(_role, RECORD, LINK)
for _role in (Role.CITY_ADMIN, Role.UNIT_LEADER):
    grant(_role, INSPECT, ORGANISE)
grant(Role.CITY_ADMIN, CONFIGURE)
grant(Role.RATER, JUDGE_NAV)
