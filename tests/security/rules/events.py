"""Events (事件), the mobile pages, Open311, the public portal and the site's own routes."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import LOGIN, PUBLIC, STAFF, R, Rule

#: Every role bound to a unit but the organisation department, which keeps the cadres'
#: files and has no ``events.view``.
EVENT_STAFF: Final = STAFF - {"org_department"}

RULES: Final[dict[str, Rule]] = {
    "events:act": R(frozenset({"city_admin", "xc_secretary"}), "event", extra={"verb": "accept"}),
    "events:detail": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "grid_worker",
            }
        ),
        "event",
    ),
    "events:help_metrics": R(LOGIN),
    "events:list": R(EVENT_STAFF),
    "events:photo": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "grid_worker",
            }
        ),
        "attachment",
    ),
    "events:queue": R(EVENT_STAFF),
    "events:thumbnail": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "grid_worker",
            }
        ),
        "attachment",
    ),
    "events:weekly": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
            }
        ),
        "unit",
    ),
    "healthz": R(PUBLIC),
    "home": R(LOGIN),
    "login": R(PUBLIC),
    "logout": R(PUBLIC),
    "mobile:close_on_spot": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "grid_worker",
            }
        ),
        "event",
    ),
    "mobile:event": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "grid_worker",
            }
        ),
        "event",
    ),
    "mobile:follow_up": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "grid_worker",
            }
        ),
        "event",
    ),
    "mobile:home": R(EVENT_STAFF),
    "mobile:report": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "village_cadre",
                "neighbour_cadre",
                "grid_worker",
                "outsider",
            }
        )
    ),
    "open311:discovery": R(PUBLIC, None, extra={"fmt": "json"}),
    "open311:request": R(PUBLIC, "event_request", extra={"fmt": "json"}),
    "open311:requests": R(PUBLIC, None, extra={"fmt": "json"}),
    "open311:service": R(PUBLIC, None, extra={"fmt": "json", "code": "AQYH01"}),
    "open311:services": R(PUBLIC, None, extra={"fmt": "json"}),
    # /metrics answers a loopback peer that did not come through the reverse proxy (the
    # test client: REMOTE_ADDR 127.0.0.1, no X-Forwarded-For), whoever is logged in, or a
    # bearer of GRASSROOTS_METRICS_TOKEN; test_metrics_refuses_proxied_and_remote checks
    # that a proxied or remote caller is refused
    "metrics": R(PUBLIC),
    "password_change": R(LOGIN),
    "password_change_done": R(LOGIN),
    "portal:assessment": R(PUBLIC),
    "portal:assessment_bulletin": R(PUBLIC, "publication_sha", extra={"fmt": "pdf"}),
    "portal:assessment_json": R(PUBLIC, "publication_sha"),
    "portal:assessment_publication": R(PUBLIC, "publication_sha"),
    "portal:competition": R(PUBLIC, "competition"),
    "portal:competitions": R(PUBLIC),
    "portal:index": R(PUBLIC),
    "portal:lists": R(PUBLIC),
    "portal:lookup": R(PUBLIC),
    "portal:projects": R(PUBLIC),
    "portal:rate": R(PUBLIC, "event_number"),
    "portal:report": R(PUBLIC),
    "portal:report_done": R(PUBLIC),
    "portal:tolerance": R(PUBLIC),
    "portal:tolerance_objection": R(PUBLIC, "tolerance_number"),
    "portal:track": R(PUBLIC, "event_number"),
}
