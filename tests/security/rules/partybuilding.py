"""Party building (党建): meetings, decisions, venues, culture, competitions."""

from __future__ import annotations

from typing import Final

from tests.security.rules.common import CITY, LEADERS, LOGIN, NOBODY, R, Rule

RULES: Final[dict[str, Rule]] = {
    "partybuilding:checklist": R(CITY),
    "partybuilding:competition_detail": R(
        frozenset({"org_department", "city_admin", "xc_secretary", "supervisor"}), "competition"
    ),
    "partybuilding:competition_edit": R(frozenset({"city_admin", "xc_secretary"}), "competition"),
    "partybuilding:competition_entries": R(
        frozenset({"city_admin", "xc_secretary"}), "competition"
    ),
    "partybuilding:competition_export": R(
        frozenset({"org_department", "city_admin", "xc_secretary", "supervisor"}), "competition"
    ),
    "partybuilding:competition_judges": R(frozenset({"city_admin", "xc_secretary"}), "competition"),
    "partybuilding:competition_new": R(LEADERS),
    "partybuilding:competition_rounds": R(frozenset({"city_admin", "xc_secretary"}), "competition"),
    "partybuilding:competition_transition": R(
        frozenset({"city_admin", "xc_secretary"}), "competition"
    ),
    "partybuilding:competitions": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:decision_link": R(frozenset({"city_admin", "xc_secretary"}), "decision"),
    "partybuilding:decision_rules": R(CITY),
    "partybuilding:decision_unlink": R(frozenset({"city_admin", "xc_secretary"}), "decision"),
    "partybuilding:decisions": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:decisions_export": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:entries_import": R(frozenset({"city_admin", "xc_secretary"}), "competition"),
    "partybuilding:entries_template": R(frozenset({"city_admin", "xc_secretary"}), "competition"),
    "partybuilding:histories": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:history_detail": R(
        frozenset(
            {
                "org_department",
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
            }
        ),
        "history",
    ),
    "partybuilding:history_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "history"
    ),
    "partybuilding:history_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:history_photo": R(
        frozenset(
            {
                "org_department",
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
            }
        ),
        "history_photo",
    ),
    "partybuilding:home": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:inspection_photo": R(
        frozenset(
            {
                "org_department",
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
            }
        ),
        "inspection_photo",
    ),
    "partybuilding:judging": R(LOGIN),
    "partybuilding:meeting_cancel": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "meeting"
    ),
    "partybuilding:meeting_detail": R(
        frozenset(
            {
                "org_department",
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
            }
        ),
        "meeting",
    ),
    "partybuilding:meeting_edit": R(frozenset({"city_admin", "village_cadre"}), "meeting"),
    "partybuilding:meeting_minutes": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "meeting"
    ),
    "partybuilding:meeting_minutes_file": R(NOBODY, "meeting"),
    "partybuilding:meeting_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:meeting_record": R(frozenset({"city_admin", "village_cadre"}), "meeting"),
    "partybuilding:meeting_reopen": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "meeting"
    ),
    "partybuilding:meetings": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:meetings_export": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:meetings_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:meetings_plan": R(CITY),
    "partybuilding:meetings_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:missed": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:missed_export": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:motto_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "motto"
    ),
    "partybuilding:motto_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:mottos": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:mottos_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:performer_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "performer"
    ),
    "partybuilding:performer_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:performers": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:performers_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:resolution_detail": R(
        frozenset(
            {
                "org_department",
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
            }
        ),
        "resolution",
    ),
    "partybuilding:resolution_new": R(frozenset({"city_admin", "village_cadre"}), "meeting"),
    "partybuilding:resolution_tasks": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "resolution"
    ),
    "partybuilding:song_audio": R(NOBODY, "song"),
    "partybuilding:song_detail": R(
        frozenset({"org_department", "city_admin", "xc_secretary", "supervisor"}), "song"
    ),
    "partybuilding:song_edit": R(frozenset({"city_admin", "xc_secretary"}), "song"),
    "partybuilding:song_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:songs": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:venue_detail": R(
        frozenset(
            {
                "org_department",
                "city_admin",
                "xc_secretary",
                "supervisor",
                "committee_member",
                "village_cadre",
            }
        ),
        "venue",
    ),
    "partybuilding:venue_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "venue"
    ),
    "partybuilding:venue_inspect": R(frozenset({"city_admin", "xc_secretary"}), "venue"),
    "partybuilding:venue_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:venue_status": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "venue"
    ),
    "partybuilding:venues": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:venues_export": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:venues_import": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:venues_map": R(
        frozenset(
            {
                "org_department",
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
    "partybuilding:venues_template": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"})
    ),
    "partybuilding:village_archive": R(
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
}
