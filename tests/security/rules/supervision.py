"""Supervision (督办): tasks, their progress and evidence."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import CITY, LOGIN, NOBODY, R, Rule

RULES: Final[dict[str, Rule]] = {
    "supervision:act": R(NOBODY, "task", extra={"verb": "accept"}),
    "supervision:board": R(
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
    "supervision:detail": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "supervision:evidence": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task_evidence",
    ),
    "supervision:evidence_thumb": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task_evidence",
    ),
    "supervision:export": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "task",
    ),
    "supervision:export_list": R(
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
    "supervision:help": R(LOGIN),
    "supervision:import": R(CITY),
    "supervision:import_template": R(CITY),
    "supervision:list": R(
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
    "supervision:new": R(CITY),
    "supervision:projects": R(
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
