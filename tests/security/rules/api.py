"""The REST API (``/api/``): who may call each endpoint."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import CITY, LOGIN, NOBODY, PUBLIC, R, Rule

RULES: Final[dict[str, Rule]] = {
    "api:api-root": R(LOGIN),
    "api:assessment-appeal-decide": R(
        frozenset({"city_admin", "xc_secretary", "supervisor"}), "appeal"
    ),
    "api:assessment-appeal-detail": R(
        frozenset({"city_admin", "xc_secretary", "supervisor"}), "appeal"
    ),
    "api:assessment-appeal-list": R(LOGIN),
    "api:assessment-publication-detail": R(PUBLIC, "publication"),
    "api:assessment-publication-list": R(PUBLIC),
    "api:assessment-result-detail": R(CITY, "result_api"),
    "api:assessment-result-list": R(LOGIN),
    "api:assessment-run-detail": R(CITY, "run"),
    "api:assessment-run-list": R(LOGIN),
    "api:assessment-scheme-compute": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "outsider",
            }
        ),
        "scheme",
    ),
    "api:assessment-scheme-detail": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "outsider",
            }
        ),
        "scheme",
    ),
    "api:assessment-scheme-list": R(LOGIN),
    "api:assessment-score-detail": R(CITY, "score"),
    "api:assessment-score-evidence": R(CITY, "score"),
    "api:assessment-score-list": R(LOGIN),
    "api:attachment-detail": R(
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
    "api:category-detail": R(LOGIN, None, extra={"code": "AQYH01"}),
    "api:category-list": R(LOGIN),
    "api:docs": R(PUBLIC),
    "api:event-accept": R(frozenset({"city_admin", "xc_secretary"}), "event_number"),
    "api:event-close": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "event_number"
    ),
    "api:event-comment": R(
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
        "event_number",
    ),
    "api:event-deadline": R(
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
        "event_number",
    ),
    "api:event-detail": R(
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
        "event_number",
    ),
    "api:event-dispatch": R(
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
        "event_number",
    ),
    "api:event-escalate": R(frozenset({"city_admin", "xc_secretary"}), "event_number"),
    "api:event-list": R(LOGIN),
    "api:event-reject": R(
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
        "event_number",
    ),
    "api:event-resolve": R(
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
        "event_number",
    ),
    "api:event-resolve-on-spot": R(
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
        "event_number",
    ),
    "api:event-return": R(
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
        "event_number",
    ),
    "api:event-start": R(frozenset({"city_admin", "xc_secretary"}), "event_number"),
    "api:event-urge": R(frozenset({"city_admin", "xc_secretary", "village_cadre"}), "event_number"),
    "api:event-verify": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "event_number"
    ),
    "api:me": R(LOGIN),
    "api:schema": R(PUBLIC),
    "api:task-approve_extension": R(NOBODY, "task", extra={"eid": 999999}),
    "api:task-cancel": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "api:task-cascade": R(frozenset({"city_admin", "xc_secretary"}), "task"),
    "api:task-close": R(frozenset({"city_admin", "xc_secretary"}), "task"),
    "api:task-complete_milestone": R(NOBODY, "task", extra={"mid": 999999}),
    "api:task-detail": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "api:task-evidence": R(NOBODY, "task", extra={"eid": 999999}),
    "api:task-extensions": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "api:task-feasibility": R(frozenset({"city_admin", "xc_secretary"}), "task"),
    "api:task-list": R(LOGIN),
    "api:task-milestones": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "api:task-progress": R(frozenset({"xc_secretary", "village_cadre"}), "task"),
    "api:task-refuse_extension": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
        extra={"eid": 999999},
    ),
    "api:task-tree": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "api:task-update": R(frozenset({"city_admin", "xc_secretary"}), "task"),
    "api:task-urge": R(frozenset({"city_admin", "xc_secretary"}), "task"),
    "api:task-verify": R(NOBODY, "task", extra={"rid": 999999}),
    "api:unit-detail": R(
        frozenset(
            {
                "org_department",
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
    "api:unit-list": R(LOGIN),
}
