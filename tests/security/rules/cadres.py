"""Cadres (干部), the organisation tree, oversight cases and the inbox."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import LOGIN, NOBODY, ORG, R, Rule

RULES: Final[dict[str, Rule]] = {
    "cadres:detail": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:edit": R(ORG, "cadre"),
    "cadres:export": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:export_pool": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:export_roster": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    # without its period the export answers 400 to those it lets in
    "cadres:export_training": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:grade": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:grades": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:home": R(
        frozenset({"xc_secretary", "org_department", "supervisor", "committee_member", "outsider"})
    ),
    "cadres:import": R(ORG),
    "cadres:import_template": R(ORG),
    "cadres:keypost_remove": R(ORG, "keypost"),
    "cadres:keyposts": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:list": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:mentor_add": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:mentor_end": R(frozenset({"xc_secretary", "org_department"}), "mentorship"),
    "cadres:moment_add": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:new": R(ORG),
    "cadres:nominate": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:policy": R(ORG),
    "cadres:pool": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:print": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:remove": R(ORG, "reserve"),
    "cadres:review": R(ORG, "reserve"),
    "cadres:status": R(ORG, "cadre"),
    "cadres:tempering_add": R(ORG, "cadre"),
    "cadres:tempering_cancel": R(ORG, "tempering"),
    "cadres:tempering_evaluate": R(frozenset({"xc_secretary", "org_department"}), "tempering"),
    "cadres:tolerance": R(
        frozenset(
            {
                "xc_secretary",
                "org_department",
                "supervisor",
                "committee_member",
                "village_cadre",
                "outsider",
            }
        )
    ),
    "cadres:tolerance_act": R(ORG, "tolerance", extra={"verb": "verify"}),
    "cadres:tolerance_case": R(
        frozenset(
            {"xc_secretary", "org_department", "supervisor", "committee_member", "village_cadre"}
        ),
        "tolerance",
    ),
    "cadres:tolerance_new": R(
        frozenset({"xc_secretary", "org_department", "supervisor", "village_cadre", "outsider"})
    ),
    "cadres:training_add": R(frozenset({"xc_secretary", "org_department"}), "cadre"),
    "cadres:training_short": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:vacancies": R(frozenset({"xc_secretary", "org_department", "outsider"})),
    "cadres:vacancy": R(frozenset({"xc_secretary", "org_department"}), "vacancy"),
    "cadres:vacancy_cancel": R(ORG, "vacancy"),
    "cadres:vacancy_decide": R(ORG, "vacancy"),
    "cadres:vacancy_new": R(ORG),
    "cadres:vacancy_rank": R(ORG, "vacancy"),
    "cadres:vacancy_sync": R(ORG, "vacancy"),
    "inbox:list": R(LOGIN),
    "inbox:mark_all_read": R(LOGIN),
    "inbox:mark_read": R(
        frozenset({"village_cadre"}), "notification", note="only the recipient of the notice"
    ),
    "org:twofactor_enrol": R(LOGIN),
    "org:twofactor_reset": R(NOBODY, "member_user"),
    "org:twofactor_verify": R(LOGIN),
    "org:unit_detail": R(
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
    "org:unit_list": R(LOGIN),
    "oversight:audit_trail": R(frozenset({"city_admin", "supervisor", "committee_member"})),
    "oversight:case_close": R(frozenset({"supervisor", "committee_member"}), "case"),
    "oversight:case_detail": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "case",
    ),
    "oversight:case_dismiss": R(frozenset({"supervisor", "committee_member"}), "case"),
    "oversight:case_new": R(frozenset({"supervisor", "committee_member"})),
    "oversight:case_request": R(frozenset({"supervisor", "committee_member"}), "case"),
    "oversight:case_respond": R(frozenset({"xc_secretary", "village_cadre"}), "case"),
    "oversight:case_return": R(frozenset({"supervisor", "committee_member"}), "case"),
    "oversight:evidence_file": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "case_evidence",
    ),
    "oversight:export": R(
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
    "oversight:flags": R(
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
    "oversight:home": R(
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
}
