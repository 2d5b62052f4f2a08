"""What a person can do on a task's page: one form and ONE action each.

``offered(task, user)`` decides which forms to show (the task's state and the user's role
over the unit that acts: its own unit reports, the issuer verifies, urges and closes);
the action checks again and has the last word. Verbs that act on one item of the task (a
progress report, an extension request, a milestone) are drawn next to that item
(``placement``), the others in the "what you can do" panel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import User
from grassroots.org.permissions import can
from grassroots.org.queries import active_grants
from grassroots.supervision import actions
from grassroots.supervision import permissions as perms
from grassroots.supervision.forms import (
    CascadeForm,
    DecideExtensionForm,
    ExtensionForm,
    FeasibilityForm,
    MilestoneDoneForm,
    MilestoneForm,
    NoteForm,
    ReasonForm,
    ReportForm,
    VerifyForm,
)
from grassroots.supervision.models import Task, TaskKind
from grassroots.supervision.states import TaskState


def on_own_unit(user: User, task: Task, action: str = perms.REPORT) -> bool:
    """A membership on the task's unit itself grants ``action`` (a unit answers for its
    own tasks), or the user is a superuser."""
    from grassroots.org.permissions import role_may

    if user.is_superuser:
        return True
    return any(g.unit_id == task.unit_id and role_may(g.role, action) for g in active_grants(user))


def over_issuer(user: User, task: Task, action: str) -> bool:
    return can(user, action, task.issuer)


def is_open(task: Task) -> bool:
    return task.state == TaskState.OPEN


def _form_of(verb: Verb, task: Task, data: Any, files: Any, candidates: Sequence[Any]) -> Any:
    kwargs: dict[str, Any] = {"prefix": verb.name}
    if verb.form_class is CascadeForm:
        kwargs.update(units=candidates, with_target=task.has_target)
    elif verb.form_class is ReportForm:
        kwargs.update(with_target=task.has_target, measure=task.target_measure)
    return verb.form_class(data, files, **kwargs)


@dataclass(frozen=True)
class Verb:
    """One form on the task page."""

    name: str  # the URL slug and the form prefix
    label: str | Promise
    form_class: type[forms.Form]
    perform: Callable[[Task, User, dict[str, Any]], object]
    offered: Callable[[Task, User], bool]
    danger: bool = False
    #: where the form is drawn: the actions panel, or beside a report / request / milestone
    placement: str = "panel"
    #: ``{action's field: form field}`` for errors the action names differently
    aliases: tuple[tuple[str, str], ...] = ()

    def form(
        self, task: Task, data: Any = None, files: Any = None, candidates: Sequence[Any] = ()
    ) -> Any:
        return _form_of(self, task, data, files, candidates)


def _cascade(task: Task, user: User, d: dict[str, Any]) -> object:
    if not task.has_target:
        return actions.cascade_task(
            task.pk, actor=user, units=d["units"], deadline=d["deadline"], note=d["note"]
        )
    if d["basis"] == "manual":
        return actions.cascade_task(
            task.pk, actor=user, shares=d["shares"], deadline=d["deadline"], note=d["note"]
        )
    return actions.cascade_task(
        task.pk, actor=user, basis=d["basis"], deadline=d["deadline"], note=d["note"]
    )


def _report(task: Task, user: User, d: dict[str, Any]) -> object:
    return actions.report_progress(
        task.pk,
        actor=user,
        value=d.get("value") or None,
        percent=d.get("percent") or None,
        note=d["note"],
        evidence=d["evidence"],
    )


def _verify(task: Task, user: User, d: dict[str, Any]) -> object:
    from grassroots.supervision.errors import SupervisionNotFound
    from grassroots.supervision.models import ProgressReport

    if not ProgressReport.objects.filter(pk=d["report"], task=task).exists():
        raise SupervisionNotFound(d["report"])
    return actions.verify_progress(
        d["report"],
        actor=user,
        accepted=d["outcome"] == VerifyForm.ACCEPT,
        reason=d["reason"],
    )


def _decide(task: Task, user: User, d: dict[str, Any]) -> object:
    from grassroots.supervision.errors import SupervisionNotFound
    from grassroots.supervision.models import ExtensionRequest

    if not ExtensionRequest.objects.filter(pk=d["request"], task=task).exists():
        raise SupervisionNotFound(d["request"])
    if d["outcome"] == DecideExtensionForm.APPROVE:
        return actions.approve_extension(d["request"], actor=user, note=d["note"])
    return actions.refuse_extension(d["request"], actor=user, reason=d["note"])


def _milestone_done(task: Task, user: User, d: dict[str, Any]) -> object:
    from grassroots.supervision.errors import SupervisionNotFound
    from grassroots.supervision.models import Milestone

    if not Milestone.objects.filter(pk=d["milestone"], task=task).exists():
        raise SupervisionNotFound(d["milestone"])
    return actions.complete_milestone(
        d["milestone"], actor=user, note=d["note"], evidence=d["evidence"]
    )


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb(
            "report",
            _("Report progress"),
            ReportForm,
            _report,
            lambda t, u: is_open(t) and not t.is_rollup and on_own_unit(u, t),
        ),
        Verb(
            "cascade",
            _("Split among the units below"),
            CascadeForm,
            _cascade,
            lambda t, u: is_open(t) and can(u, perms.CASCADE, t.unit),
            aliases=(("shares", "__all__"),),
        ),
        Verb(
            "urge",
            _("Urge"),
            NoteForm,
            lambda t, u, d: actions.urge_task(t.pk, actor=u, note=d["note"]),
            lambda t, u: is_open(t) and not t.is_rollup and over_issuer(u, t, perms.URGE),
        ),
        Verb(
            "extension",
            _("Ask for more time"),
            ExtensionForm,
            lambda t, u, d: actions.request_extension(
                t.pk, actor=u, requested_deadline=d["requested_deadline"], reason=d["reason"]
            ),
            lambda t, u: is_open(t) and on_own_unit(u, t),
        ),
        Verb(
            "feasibility",
            _("Decide feasibility"),
            FeasibilityForm,
            lambda t, u, d: actions.decide_feasibility(
                t.pk,
                actor=u,
                feasible=d["feasible"] == FeasibilityForm.YES,
                explanation=d["explanation"],
            ),
            lambda t, u: (
                is_open(t)
                and t.kind == TaskKind.LIVELIHOOD
                # the task's unit or issuer, as the action checks (not a co-unit)
                and (can(u, perms.FEASIBILITY, t.unit) or over_issuer(u, t, perms.FEASIBILITY))
            ),
        ),
        Verb(
            "milestone",
            _("Add a milestone"),
            MilestoneForm,
            lambda t, u, d: actions.add_milestone(
                t.pk, actor=u, title=d["title"], due_date=d["due_date"]
            ),
            lambda t, u: is_open(t) and over_issuer(u, t, perms.EDIT),
        ),
        Verb(
            "close",
            _("Strike off"),
            NoteForm,
            lambda t, u, d: actions.close_task(t.pk, actor=u, note=d["note"]),
            lambda t, u: t.state == TaskState.COMPLETED and over_issuer(u, t, perms.CLOSE),
        ),
        Verb(
            "cancel",
            _("Cancel the task"),
            ReasonForm,
            lambda t, u, d: actions.cancel_task(t.pk, actor=u, reason=d["reason"]),
            lambda t, u: (
                t.state in (TaskState.OPEN, TaskState.COMPLETED) and over_issuer(u, t, perms.CLOSE)
            ),
            danger=True,
        ),
        Verb(
            "verify",
            _("Verify the report"),
            VerifyForm,
            _verify,
            lambda t, u: not t.is_rollup and over_issuer(u, t, perms.VERIFY),
            placement="report",
            aliases=(("accepted", "outcome"),),
        ),
        Verb(
            "decide",
            _("Decide"),
            DecideExtensionForm,
            _decide,
            lambda t, u: is_open(t) and over_issuer(u, t, perms.VERIFY),
            placement="extension",
            aliases=(("reason", "note"),),
        ),
        Verb(
            "done",
            _("Mark done"),
            MilestoneDoneForm,
            _milestone_done,
            lambda t, u: is_open(t) and on_own_unit(u, t),
            placement="milestone",
        ),
    )
}


def available_verbs(task: Task, user: User) -> list[Verb]:
    """The verbs to offer ``user`` on ``task`` now, in the order of the page."""
    return [v for v in VERBS.values() if v.offered(task, user)]
