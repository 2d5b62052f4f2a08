"""Residents (人口): households, places, key persons and their care."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import CITY, R, Rule

RULES: Final[dict[str, Rule]] = {
    "residents:care": R(
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
    "residents:care_add": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "member_for_care"
    ),
    "residents:care_detail": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "grid_worker"}), "keyperson"
    ),
    "residents:care_end": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "keyperson"
    ),
    "residents:export": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "residents:home": R(
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
    "residents:household_detail": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:household_edit": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:household_move": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:household_new": R(
        frozenset({"xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker", "outsider"})
    ),
    "residents:household_status": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:households": R(
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
    "residents:import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "residents:import_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "residents:keygroups": R(CITY),
    "residents:m_home": R(
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
    "residents:m_household": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:m_household_new": R(
        frozenset({"xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker", "outsider"})
    ),
    "residents:m_member_add": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:m_member_status": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "member"
    ),
    "residents:m_place_new": R(
        frozenset({"xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker", "outsider"})
    ),
    "residents:m_visits": R(frozenset({"village_cadre", "neighbour_cadre", "grid_worker"})),
    "residents:member_add": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "household"
    ),
    "residents:member_edit": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "member"
    ),
    "residents:member_status": R(
        frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "member"
    ),
    "residents:overdue": R(
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
    "residents:place_detail": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "grid_worker"}), "place"
    ),
    "residents:place_edit": R(frozenset({"xc_secretary", "village_cadre", "grid_worker"}), "place"),
    "residents:place_new": R(
        frozenset({"xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker", "outsider"})
    ),
    "residents:places": R(
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
    "residents:visit_photo": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "grid_worker"}), "visit_photo"
    ),
}
