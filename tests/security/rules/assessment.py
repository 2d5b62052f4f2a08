"""The assessment (考核), its dashboards and the audit log."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import CITY, LOGIN, NOBODY, R, Rule

RULES: Final[dict[str, Rule]] = {
    "assessment:appeal": R(frozenset({"city_admin", "xc_secretary", "supervisor"}), "appeal"),
    "assessment:appeal_evidence": R(NOBODY, "appeal"),
    "assessment:appeal_new": R(NOBODY, "run"),
    "assessment:appeals": R(LOGIN),
    "assessment:bulletin": R(
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
        "publication",
    ),
    "assessment:bulletin_file": R(NOBODY, "publication", extra={"fmt": "pdf"}),
    "assessment:catalogue": R(
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
        )
    ),
    "assessment:diff": R(NOBODY, "run"),
    "assessment:entries": R(
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
        )
    ),
    "assessment:entry_evidence": R(NOBODY, "manual_entry"),
    "assessment:evidence": R(CITY, "score"),
    "assessment:form": R(CITY, "rating_form"),
    "assessment:form_new": R(CITY),
    "assessment:forms": R(LOGIN),
    "assessment:freeze": R(CITY, "run"),
    "assessment:home": R(
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
        )
    ),
    "assessment:mine": R(
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
        )
    ),
    "assessment:publications": R(
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
        )
    ),
    "assessment:publish": R(CITY, "run"),
    "assessment:result": R(CITY, "result"),
    "assessment:run": R(CITY, "run"),
    "assessment:run_export": R(CITY, "run"),
    "assessment:runs": R(
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
        )
    ),
    "assessment:scheme": R(
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
    "assessment:schemes": R(
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
        )
    ),
    "assessment:sheet": R(NOBODY, "rating_form"),
    "audit:entry_list": R(frozenset({"city_admin", "supervisor", "committee_member"})),
    "dashboards:map": R(
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
    "dashboards:mine": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "grid_worker",
                "outsider",
            }
        )
    ),
    "dashboards:unit": R(
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
}
