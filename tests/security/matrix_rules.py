"""The permission matrix's rule table: for every named route, who may open it and which
kind of object its URL names.

``test_permission_matrix`` walks the URL configuration and fails for every route without
a rule here (and every rule naming a route that no longer exists), so a new endpoint
cannot ship without someone deciding who may open it.

Roles are the cast of ``tests/conftest.py`` (same names, same places in the tree), bound
to the seeded demo town (:func:`grassroots.demo.seeding.seed` ``"town"``), which holds
an object of every kind: 礼州镇 with its villages. ``village_cadre``, ``committee_member``
and ``grid_worker`` sit in the first village (陈远村) and its first grid; ``neighbour_cadre``
in the second (白沙村); ``outsider`` leads a township (安宁镇) added beside 礼州镇, which
holds nothing.

An object is *inside* a viewer's scope when its unit lies in the subtree of one of the
viewer's units; the matrix takes one object of each kind in the first village (or, when
that village has none, somewhere in 礼州镇) and one in another village, and checks each
role on both.
"""

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

#: Routes that cannot be a security concern, with the reason.
EXCLUDED: Final[dict[str, str]] = {
    "set_language": "Django's i18n view: sets a language cookie, no data",
    "open311:token": "public by design, keyed by an unguessable token (404 for any other)",
    "portal:captcha": "public by design, keyed by an unguessable token (404 for any other)",
}

#: Route names still waiting for a rule: listed here, visibly, rather than skipped. They
#: serve files (photos, evidence) or windows, of which the seeded town holds none: a rule
#: for them needs a builder that uploads one first.
NOT_YET_COVERED: Final[set[str]] = {
    "api:attachment-detail",
    "events:photo",
    "events:thumbnail",
    "partybuilding:history_photo",
    "partybuilding:inspection_photo",
    "registers:construction_photo",
    "registers:window_detail",
    "registers:window_edit",
    "registers:window_restore",
    "residents:visit_photo",
    "supervision:evidence",
    "supervision:evidence_thumb",
    # which notice the seeded town gives whom depends on the day: needs its own builder
    "inbox:mark_read",
    # the Prometheus endpoint (common.prometheus), added while the matrix was written
    "metrics",
}

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
    "cadres:detail": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:edit": R(NOBODY, "cadre"),
    "cadres:export": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:export_pool": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:export_roster": R(frozenset({"xc_secretary", "outsider"})),
    # without its period the export answers 400 to those it lets in
    "cadres:export_training": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:grade": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:grades": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:home": R(frozenset({"xc_secretary", "supervisor", "committee_member", "outsider"})),
    "cadres:import": R(NOBODY),
    "cadres:import_template": R(NOBODY),
    "cadres:keypost_remove": R(PUBLIC, "keypost"),
    "cadres:keyposts": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:list": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:mentor_add": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:mentor_end": R(frozenset({"xc_secretary"}), "mentorship"),
    "cadres:moment_add": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:new": R(NOBODY),
    "cadres:nominate": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:policy": R(NOBODY),
    "cadres:pool": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:print": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:remove": R(NOBODY, "reserve"),
    "cadres:review": R(NOBODY, "reserve"),
    "cadres:status": R(NOBODY, "cadre"),
    "cadres:tempering_add": R(NOBODY, "cadre"),
    "cadres:tempering_cancel": R(NOBODY, "tempering"),
    "cadres:tempering_evaluate": R(frozenset({"xc_secretary"}), "tempering"),
    "cadres:tolerance": R(
        frozenset({"xc_secretary", "supervisor", "committee_member", "village_cadre", "outsider"})
    ),
    "cadres:tolerance_act": R(NOBODY, "tolerance", extra={"verb": "verify"}),
    "cadres:tolerance_case": R(
        frozenset({"xc_secretary", "supervisor", "committee_member", "village_cadre"}), "tolerance"
    ),
    "cadres:tolerance_new": R(
        frozenset({"xc_secretary", "supervisor", "village_cadre", "outsider"})
    ),
    "cadres:training_add": R(frozenset({"xc_secretary"}), "cadre"),
    "cadres:training_short": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:vacancies": R(frozenset({"xc_secretary", "outsider"})),
    "cadres:vacancy": R(frozenset({"xc_secretary"}), "vacancy"),
    "cadres:vacancy_cancel": R(NOBODY, "vacancy"),
    "cadres:vacancy_decide": R(NOBODY, "vacancy"),
    "cadres:vacancy_new": R(NOBODY),
    "cadres:vacancy_rank": R(NOBODY, "vacancy"),
    "cadres:vacancy_sync": R(NOBODY, "vacancy"),
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
    "events:list": R(STAFF),
    "events:queue": R(STAFF),
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
    "inbox:list": R(LOGIN),
    "inbox:mark_all_read": R(LOGIN),
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
    "mobile:home": R(STAFF),
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
    "org:twofactor_enrol": R(LOGIN),
    "org:twofactor_reset": R(NOBODY, "member_user"),
    "org:twofactor_verify": R(LOGIN),
    "org:unit_detail": R(
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
    "partybuilding:checklist": R(CITY),
    "partybuilding:competition_detail": R(
        frozenset({"city_admin", "xc_secretary", "supervisor"}), "competition"
    ),
    "partybuilding:competition_edit": R(frozenset({"city_admin", "xc_secretary"}), "competition"),
    "partybuilding:competition_entries": R(
        frozenset({"city_admin", "xc_secretary"}), "competition"
    ),
    "partybuilding:competition_export": R(
        frozenset({"city_admin", "xc_secretary", "supervisor"}), "competition"
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
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "history",
    ),
    "partybuilding:history_edit": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "history"
    ),
    "partybuilding:history_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:home": R(
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
    "partybuilding:judge_sheet": R(frozenset({"xc_secretary"}), "judge"),
    "partybuilding:judging": R(LOGIN),
    "partybuilding:meeting_cancel": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "meeting"
    ),
    "partybuilding:meeting_detail": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
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
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
        ),
        "resolution",
    ),
    "partybuilding:resolution_new": R(frozenset({"city_admin", "village_cadre"}), "meeting"),
    "partybuilding:resolution_tasks": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre"}), "resolution"
    ),
    "partybuilding:song_audio": R(NOBODY, "song"),
    "partybuilding:song_detail": R(frozenset({"city_admin", "xc_secretary", "supervisor"}), "song"),
    "partybuilding:song_edit": R(frozenset({"city_admin", "xc_secretary"}), "song"),
    "partybuilding:song_new": R(
        frozenset({"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre"})
    ),
    "partybuilding:songs": R(
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
    "partybuilding:venue_detail": R(
        frozenset(
            {"city_admin", "xc_secretary", "supervisor", "committee_member", "village_cadre"}
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
    "residents:m_visit": R(frozenset({"village_cadre"}), "visit"),
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
