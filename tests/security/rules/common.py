"""What the rule modules share: the roles and their usual groups, the kinds of object a
URL names (``KINDS``) and the rule itself (``Rule``, short ``R``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

# --- who ---------------------------------------------------------------------------------

PUBLIC: Final = "public"  # anyone, anonymous included
LOGIN: Final = "login"  # any logged-in user, with or without a membership

ROLES: Final = (
    "city_admin",
    "xc_secretary",
    "supervisor",
    "committee_member",
    "village_cadre",
    "neighbour_cadre",
    "grid_worker",
    "dept_staff",
    "org_department",
    "outsider",
    "resident",
)
#: Every role bound to a unit (the resident of the conftest cast has no membership).
STAFF: Final = frozenset(ROLES) - {"resident"}
#: The township's and the city's people.
TOWN: Final = frozenset({"city_admin", "xc_secretary", "supervisor", "outsider"})
#: Those who run things (no supervisors, no department).
LEADERS: Final = frozenset({"city_admin", "xc_secretary", "outsider"})
VILLAGE: Final = frozenset({"village_cadre", "neighbour_cadre"})
CITY: Final = frozenset({"city_admin"})
#: The organisation department (组织部), on the city: the only one who manages cadres.
ORG: Final = frozenset({"org_department"})
#: Nobody on the seeded object (it has no file to show, or the id beside it names
#: nothing): the route is still held to refusing and changing nothing.
NOBODY: Final[frozenset[str]] = frozenset()


# --- which object ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Objects of ``model`` (app_label.Model), placed in the tree by the unit at
    ``unit`` (a lookup path from the object to an org.Unit, "" for a unit itself)."""

    model: str
    unit: str
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda o: {"pk": o.pk})
    #: extra filter on the objects to pick from (e.g. a state that the page shows)
    filter: dict[str, Any] = field(default_factory=dict)
    #: the city's own objects (assessment schemes, runs, forms, publications): seen by
    #: every role the route lets in, wherever its unit lies
    citywide: bool = False


def _pk(o: Any) -> dict[str, Any]:
    return {"pk": o.pk}


KINDS: Final[dict[str, Kind]] = {
    "unit": Kind("org.Unit", "", lambda o: {"code": o.code}, {"kind": "village"}),
    "event": Kind("events.Event", "grid"),
    "event_number": Kind("events.Event", "grid", lambda o: {"number": o.number}),
    "attachment": Kind("events.Attachment", "event__grid"),
    "task": Kind("supervision.Task", "unit"),
    "task_evidence": Kind("supervision.Evidence", "task__unit"),
    "cadre": Kind("cadres.Cadre", "unit"),
    "mentorship": Kind("cadres.Mentorship", "cadre__unit"),
    "tempering": Kind("cadres.Tempering", "cadre__unit"),
    "reserve": Kind("cadres.ReserveEntry", "unit"),
    "keypost": Kind("cadres.KeyPost", "unit"),
    "vacancy": Kind("cadres.Vacancy", "unit"),
    "tolerance": Kind("cadres.ToleranceCase", "unit"),
    "tolerance_number": Kind("cadres.ToleranceCase", "unit", lambda o: {"number": o.number}),
    "place": Kind("residents.Place", "grid"),
    "household": Kind("residents.Household", "grid"),
    "member": Kind("residents.Resident", "household__grid"),
    "member_for_care": Kind(
        "residents.Resident", "household__grid", lambda o: {"resident_pk": o.pk}
    ),
    "keyperson": Kind("residents.KeyPerson", "grid"),
    "visit": Kind("residents.Visit", "grid"),
    "visit_photo": Kind("residents.VisitPhoto", "visit__grid"),
    "homestead": Kind(
        "registers.Homestead", "household__grid", filter={"household__isnull": False}
    ),
    "homestead_case": Kind(
        "registers.HomesteadCase", "household__grid", filter={"household__isnull": False}
    ),
    "construction": Kind("registers.ConstructionCase", "unit"),
    "construction_photo": Kind("registers.CasePhoto", "case__unit"),
    "window": Kind("registers.Window", "unit"),
    "monitored": Kind(
        "registers.MonitoredHousehold", "household__grid", filter={"household__isnull": False}
    ),
    "income": Kind(
        "registers.CollectiveIncome", "unit", lambda o: {"code": o.unit.code, "year": o.year}
    ),
    "meeting": Kind("partybuilding.Meeting", "unit"),
    "resolution": Kind("partybuilding.Resolution", "unit"),
    "decision": Kind("partybuilding.DecisionLink", "unit", lambda o: {"reference": o.reference}),
    "venue": Kind("partybuilding.Venue", "unit"),
    "inspection_photo": Kind("partybuilding.InspectionPhoto", "inspection__venue__unit"),
    "song": Kind("partybuilding.Song", "unit"),
    "history": Kind("partybuilding.VillageHistory", "unit"),
    "history_photo": Kind(
        "partybuilding.HistoryPhoto", "history__unit", lambda o: {"pk": o.history_id, "photo": o.pk}
    ),
    "motto": Kind("partybuilding.FamilyMotto", "unit"),
    "performer": Kind("partybuilding.Performer", "unit"),
    "competition": Kind("partybuilding.Competition", "organiser"),
    "judge": Kind("partybuilding.CompetitionJudge", "competition__organiser"),
    "case": Kind("oversight.Case", "unit"),
    "case_evidence": Kind("oversight.CaseEvidence", "case__unit"),
    "scheme": Kind("assessment.Scheme", "root", citywide=True),
    "run": Kind("assessment.Run", "scheme__root", citywide=True),
    "result": Kind("assessment.Result", "unit", lambda o: {"pk": o.run_id, "unit_pk": o.unit_id}),
    "score": Kind("assessment.Score", "unit"),
    "rating_form": Kind("assessment.RatingForm", "scheme__root", citywide=True),
    "manual_entry": Kind("assessment.ManualEntry", "unit"),
    "appeal": Kind("assessment.Appeal", "unit"),
    "publication": Kind("assessment.Publication", "run__scheme__root", citywide=True),
    "publication_sha": Kind(
        "assessment.Publication",
        "run__scheme__root",
        lambda o: {"sha256": o.sha256},
        citywide=True,
    ),
    "result_api": Kind("assessment.Result", "unit"),
    "event_request": Kind("events.Event", "grid", lambda o: {"request_id": o.number}),
    # village_cadre's own notices: only the recipient may mark one read
    "notification": Kind(
        "inbox.Notification",
        "recipient__memberships__unit",
        filter={"recipient__username": "village_cadre"},
    ),
    "member_user": Kind("org.User", "memberships__unit"),
}


# --- the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """``access``: PUBLIC, LOGIN or the role names that may open the route (on an object
    inside their scope). ``kind``: the kind of object the URL names (KINDS), if any;
    ``extra``: fixed URL arguments beside it (a verb, a format)."""

    access: str | frozenset[str]
    kind: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: roles whose scope reaches objects outside the tree's subtree rule (a department
    #: sees the events and tasks sent to it): not held to "outside → refused"
    reaches: frozenset[str] = frozenset()
    note: str = ""


R = Rule
