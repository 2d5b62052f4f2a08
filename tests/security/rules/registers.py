"""The registers (台账): homesteads, construction, windows, poverty, income."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import NOBODY, R, Rule

RULES: Final[dict[str, Rule]] = {
    "registers:case_supervise": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "grid_worker",
            }
        ),
        "homestead_case",
        extra={"kind": "homestead"},
    ),
    "registers:construction": R(
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
    "registers:construction_detail": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "construction",
    ),
    "registers:construction_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "construction"
    ),
    "registers:construction_export": R(
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
    "registers:construction_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:construction_move": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}),
        "construction",
        extra={"verb": "stop"},
    ),
    "registers:construction_new": R(
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
    "registers:construction_photo": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "construction_photo",
    ),
    "registers:construction_photos": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "construction"
    ),
    "registers:construction_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:home": R(
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
    "registers:homestead_case": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "grid_worker",
            }
        ),
        "homestead_case",
    ),
    "registers:homestead_case_move": R(NOBODY, "homestead_case"),
    "registers:homestead_cases": R(
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
    "registers:homestead_check": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:homestead_detail": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "grid_worker",
            }
        ),
        "homestead",
    ),
    "registers:homestead_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"}), "homestead"
    ),
    "registers:homestead_export": R(
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
    "registers:homestead_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:homestead_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:homestead_retire": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"}), "homestead"
    ),
    "registers:homestead_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:homesteads": R(
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
    "registers:income": R(
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
    "registers:income_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "income"
    ),
    "registers:income_export": R(
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
    "registers:income_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:income_target": R(NOBODY),
    "registers:income_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:monitor_assist": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"}), "monitored"
    ),
    "registers:monitor_detail": R(
        frozenset(
            {
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
                "neighbour_cadre",
                "grid_worker",
            }
        ),
        "monitored",
    ),
    "registers:monitor_export": R(
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
    "registers:monitor_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:monitor_late": R(
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
    "registers:monitor_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:monitor_review": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"}), "monitored"
    ),
    "registers:monitor_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:monitoring": R(
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
    "registers:policy": R(
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
    "registers:window_detail": R(
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
        "window",
    ),
    "registers:window_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "window"
    ),
    "registers:window_export": R(
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
    "registers:window_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:window_map": R(
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
    "registers:window_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:window_restore": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "window"
    ),
    "registers:window_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "registers:windows": R(
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
    "registers:zero_line": R(
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
}
