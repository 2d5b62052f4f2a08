"""Serializers of the supervision endpoints (``/api/v1/tasks/…``): what programs read of
supervised tasks, and what they send.

Output classes are plain ``Serializer`` classes with every field declared, as for events
(``serializers_events``): they are the API's contract. The display status and the plan
line come from ``TaskQuerySet.with_status``'s annotations when the task was read through
it, else they are computed for the one task (``queries.status_of`` / ``plan_of``).

Input classes only parse (types, unit codes); the rules — dates, targets, splits, evidence
types — are the actions', which name the field at fault.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.api.serializers_events import UnitRefField
from grassroots.org.models import Unit
from grassroots.supervision.models import (
    Evidence,
    ExtensionRequest,
    Feasibility,
    Milestone,
    ProgressReport,
    SplitBasis,
    Task,
    TaskAction,
    TaskKind,
    TaskLevel,
)
from grassroots.supervision.queries import plan_of, status_of
from grassroots.supervision.states import (
    DisplayStatus,
    ExtensionState,
    ReportState,
    TaskState,
)


def _quantity(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        read_only=True, allow_null=True, max_digits=16, decimal_places=4, **kwargs
    )


def _percent(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(read_only=True, max_digits=5, decimal_places=2, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class PlainChoiceField(serializers.ChoiceField):
    """A choice documented as a plain string, its values in the description: the OpenAPI
    document names every enum after its field, and ``kind``, ``state`` and ``status``
    already mean other choice sets elsewhere (units, events)."""


def choice(choices: type[models.TextChoices], **kwargs: Any) -> PlainChoiceField:
    help_text = kwargs.pop("help_text", "")
    values = ", ".join(choices.values)
    kwargs["help_text"] = f"{help_text} ({values})" if help_text else values
    return PlainChoiceField(choices=choices.choices, **kwargs)


def _name(user: Any) -> str | None:
    return user.display_name if user is not None else None


def status_value(task: Task) -> str:
    """The display status: the ``with_status`` annotation, else computed."""
    value = getattr(task, "display_status", None)
    return str(value) if value is not None else str(status_of(task))


def plan_value(task: Task) -> Decimal | None:
    """Where the plan line stands today (open tasks only; ``None`` otherwise)."""
    if hasattr(task, "display_status"):
        value: Decimal | None = getattr(task, "plan_percent", None)
        return value
    return plan_of(task) if task.state == TaskState.OPEN else None


# --- output -----------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="bytes")
    original_name = serializers.CharField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="the file (documents as a download)")

    def get_url(self, evidence: Evidence) -> str:
        path = reverse("api:task-evidence", kwargs={"pk": evidence.task_id, "eid": evidence.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def _evidence(serializer: serializers.Serializer[Any], items: Any) -> list[dict[str, Any]]:
    return list(EvidenceSerializer(items, many=True, context=serializer.context).data)


class MilestoneSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    done = serializers.BooleanField(source="is_done", read_only=True)
    done_at = serializers.DateTimeField(read_only=True, allow_null=True)
    done_by = serializers.SerializerMethodField()
    note = serializers.CharField(read_only=True)
    evidence = serializers.SerializerMethodField()

    def get_done_by(self, milestone: Milestone) -> str | None:
        return _name(milestone.done_by)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, milestone: Milestone) -> list[dict[str, Any]]:
        return _evidence(self, milestone.evidence.all())


class ReportSerializer(serializers.Serializer[Any]):
    """A progress report: it counts only once accepted."""

    id = serializers.IntegerField(read_only=True)
    value = _quantity(help_text="cumulative amount reached (a task with a target)")
    percent = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        max_digits=5,
        decimal_places=2,
        help_text="progress (a task without one)",
    )
    ratio_percent = _percent(help_text="share of the target this report stands for")
    note = serializers.CharField(read_only=True)
    state = choice(ReportState, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    submitted_by = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(read_only=True)
    verified_by = serializers.SerializerMethodField()
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    return_reason = serializers.CharField(read_only=True)
    evidence = serializers.SerializerMethodField()

    def get_submitted_by(self, report: ProgressReport) -> str | None:
        return _name(report.submitted_by)

    def get_verified_by(self, report: ProgressReport) -> str | None:
        return _name(report.verified_by)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, report: ProgressReport) -> list[dict[str, Any]]:
        return _evidence(self, report.evidence.all())


class ExtensionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    previous_deadline = serializers.DateField(read_only=True)
    requested_deadline = serializers.DateField(read_only=True)
    reason = serializers.CharField(read_only=True)
    state = choice(ExtensionState, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    requested_by = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(read_only=True)
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True, help_text="the decision's note or reason")

    def get_requested_by(self, row: ExtensionRequest) -> str | None:
        return _name(row.requested_by)

    def get_decided_by(self, row: ExtensionRequest) -> str | None:
        return _name(row.decided_by)


class TaskActionSerializer(serializers.Serializer[Any]):
    """One line of a task's timeline."""

    id = serializers.IntegerField(read_only=True)
    action = serializers.CharField(
        source="kind", read_only=True, help_text="what happened: create, cascade, report, …"
    )
    action_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.SerializerMethodField()
    actor_unit = UnitRefField(allow_null=True)
    note = serializers.CharField(read_only=True)
    details = serializers.JSONField(source="data", read_only=True, help_text="details of the line")
    created_at = serializers.DateTimeField(read_only=True)

    def get_actor(self, line: TaskAction) -> str | None:
        return _name(line.actor)


class SplitGapSerializer(serializers.Serializer[Any]):
    """How the sub-tasks' shares add up against the target."""

    target = _quantity()
    assigned = serializers.DecimalField(read_only=True, max_digits=16, decimal_places=4)
    gap = _quantity(help_text="target − assigned; null without a target")
    children = serializers.IntegerField(read_only=True)
    complete = serializers.BooleanField(read_only=True, help_text="the shares add up")


class TaskSerializer(serializers.Serializer[Any]):
    """A task in a list or a tree."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:task-detail", read_only=True)
    title = serializers.CharField(read_only=True)
    doc_number = serializers.CharField(read_only=True)
    kind = choice(TaskKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level = serializers.ChoiceField(choices=TaskLevel.choices, read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    depth = serializers.IntegerField(read_only=True)
    unit = UnitRefField(help_text="the responsible unit")
    issuer = UnitRefField(help_text="the unit that verifies, urges and closes")
    start_date = serializers.DateField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    target_value = _quantity()
    target_measure = serializers.CharField(read_only=True)
    verified_value = _quantity(help_text="from accepted reports only")
    verified_percent = _percent(help_text="verified progress, from accepted reports only")
    plan_percent = serializers.SerializerMethodField(
        help_text="where the straight line from start to deadline stands today (open tasks)"
    )
    state = choice(TaskState, read_only=True)
    status = serializers.SerializerMethodField(
        help_text="derived, never stored: " + ", ".join(DisplayStatus.values)
    )
    status_display = serializers.SerializerMethodField()
    escalation_level = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="send back to detect races")
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.DecimalField(allow_null=True, max_digits=5, decimal_places=2))
    def get_plan_percent(self, task: Task) -> str | None:
        value = plan_value(task)
        return None if value is None else f"{value:.2f}"

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, task: Task) -> str:
        return status_value(task)

    def get_status_display(self, task: Task) -> str:
        return str(DisplayStatus(status_value(task)).label)


class TaskDetailSerializer(TaskSerializer):
    """One task with everything about it: sub-tasks, split gap, milestones, reports,
    extension requests and its timeline."""

    description = serializers.CharField(read_only=True)
    co_units = serializers.SerializerMethodField()
    split_basis = serializers.ChoiceField(choices=SplitBasis.choices, read_only=True)
    rollup = serializers.BooleanField(
        source="is_rollup", read_only=True, help_text="an umbrella: its progress is its sub-tasks'"
    )
    budget = serializers.DecimalField(
        read_only=True, allow_null=True, max_digits=14, decimal_places=4, help_text="万元"
    )
    location = serializers.CharField(read_only=True)
    beneficiaries = serializers.CharField(read_only=True)
    feasibility = serializers.ChoiceField(choices=Feasibility.choices, read_only=True)
    public_explanation = serializers.CharField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancel_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    children = serializers.SerializerMethodField(help_text="sub-tasks the caller may see")
    split_gap = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    extension_requests = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=UnitRefField()))
    def get_co_units(self, task: Task) -> list[dict[str, str]]:
        return [{"code": u.code, "name": u.name, "kind": u.kind} for u in task.co_units.all()]

    @extend_schema_field(TaskSerializer(many=True))
    def get_children(self, task: Task) -> list[dict[str, Any]]:
        children = self.context.get("children", {}).get(task.pk, [])
        return list(TaskSerializer(children, many=True, context=self.context).data)

    @extend_schema_field(SplitGapSerializer)
    def get_split_gap(self, task: Task) -> dict[str, Any]:
        gap = self.context["split_gaps"][task.pk]
        return dict(SplitGapSerializer(gap).data)

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, task: Task) -> list[dict[str, Any]]:
        return list(
            MilestoneSerializer(task.milestones.all(), many=True, context=self.context).data
        )

    @extend_schema_field(ReportSerializer(many=True))
    def get_reports(self, task: Task) -> list[dict[str, Any]]:
        return list(ReportSerializer(task.reports.all(), many=True, context=self.context).data)

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extension_requests(self, task: Task) -> list[dict[str, Any]]:
        rows = task.extension_requests.all()
        return list(ExtensionSerializer(rows, many=True, context=self.context).data)

    @extend_schema_field(TaskActionSerializer(many=True))
    def get_timeline(self, task: Task) -> list[dict[str, Any]]:
        lines = task.actions.all()
        return list(TaskActionSerializer(lines, many=True, context=self.context).data)


# --- input ------------------------------------------------------------------------------


def _unit_ref(**kwargs: Any) -> serializers.SlugRelatedField[Unit]:
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(active=True), **kwargs
    )


class MilestoneInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class VersionMixin(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="the task's version you saw: a changed task answers 409",
    )


class TaskCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    kind = choice(TaskKind)
    unit = _unit_ref(help_text="code of the responsible (lead) unit")
    issuer = _unit_ref(
        required=False,
        allow_null=True,
        default=None,
        help_text="code of the issuing unit (default: the unit of your post that deploys)",
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField()
    doc_number = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=TaskLevel.choices, default=TaskLevel.NORMAL)
    target_value = serializers.DecimalField(
        required=False, allow_null=True, default=None, max_digits=16, decimal_places=4
    )
    target_measure = serializers.CharField(required=False, allow_blank=True, default="")
    co_units = _unit_ref(many=True, required=False, default=list, help_text="unit codes")
    milestones = MilestoneInputSerializer(many=True, required=False, default=list)
    budget = serializers.DecimalField(
        required=False, allow_null=True, default=None, max_digits=14, decimal_places=4
    )
    location = serializers.CharField(required=False, allow_blank=True, default="")
    beneficiaries = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TaskUpdateSerializer(VersionMixin):
    """Only the fields sent are changed."""

    title = serializers.CharField(max_length=200, required=False)
    doc_number = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=TaskLevel.choices, required=False)
    start_date = serializers.DateField(required=False)
    deadline = serializers.DateField(required=False)
    target_value = serializers.DecimalField(
        required=False, allow_null=True, max_digits=16, decimal_places=4
    )
    target_measure = serializers.CharField(required=False, allow_blank=True)
    co_units = _unit_ref(many=True, required=False, help_text="unit codes")
    budget = serializers.DecimalField(
        required=False, allow_null=True, max_digits=14, decimal_places=4
    )
    location = serializers.CharField(required=False, allow_blank=True)
    beneficiaries = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not set(attrs) - {"note", "version"}:
            raise serializers.ValidationError(_("Nothing to change."))
        return attrs


class ShareSerializer(serializers.Serializer[Any]):
    unit = _unit_ref(help_text="unit code")
    value = serializers.DecimalField(max_digits=16, decimal_places=4)


class CascadeSerializer(VersionMixin):
    shares = ShareSerializer(
        many=True, required=False, allow_null=True, default=None, help_text="split by hand"
    )
    basis = serializers.ChoiceField(
        choices=[str(SplitBasis.HOUSEHOLDS), str(SplitBasis.POPULATION)],
        required=False,
        allow_null=True,
        default=None,
        help_text="split pro rata instead",
    )
    units = _unit_ref(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text="unit codes: the units of a pro-rata split, or of a task without a target",
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_shares(self, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        if value is not None:
            codes = [item["unit"].code for item in value]
            if len(codes) != len(set(codes)):
                raise serializers.ValidationError(_("Each unit may have one share only."))
        return value


class TaskNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VersionNoteSerializer(VersionMixin, TaskNoteSerializer):
    pass


class TaskReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class VersionReasonSerializer(VersionMixin, TaskReasonSerializer):
    pass


class AddMilestoneSerializer(VersionMixin, MilestoneInputSerializer):
    pass


class EvidenceMixin(serializers.Serializer[Any]):
    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="photos (JPEG, PNG, WebP), PDF, Excel (.xlsx) or Word (.docx) files",
    )


class CompleteMilestoneSerializer(EvidenceMixin):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressSerializer(EvidenceMixin):
    value = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        max_digits=16,
        decimal_places=4,
        help_text="cumulative amount reached (a task with a target)",
    )
    percent = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        max_digits=5,
        decimal_places=2,
        help_text="a task without one",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReportVerifySerializer(serializers.Serializer[Any]):
    accepted = serializers.BooleanField(help_text="true: it counts; false: sent back")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="required when sent back"
    )


class ExtensionInputSerializer(serializers.Serializer[Any]):
    requested_deadline = serializers.DateField()
    reason = serializers.CharField()


class FeasibilitySerializer(VersionMixin):
    feasible = serializers.BooleanField()
    explanation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="public: required when not feasible; no phone or ID numbers",
    )


class TaskFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the task list."""

    unit = serializers.CharField(required=False, help_text="code of the responsible unit")
    within = serializers.CharField(
        required=False, help_text="unit code: tasks of that unit and every unit below"
    )
    kind = choice(TaskKind, required=False)
    level = serializers.ChoiceField(choices=TaskLevel.choices, required=False)
    status = serializers.CharField(
        required=False, help_text="display status, or several separated by commas"
    )
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="open and past the deadline"
    )
    at_risk = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="lagging behind the plan"
    )
    deadline_after = serializers.DateField(required=False, help_text="deadline on or after")
    deadline_before = serializers.DateField(required=False, help_text="deadline on or before")
    roots = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="only tasks without a parent"
    )
    q = serializers.CharField(required=False, help_text="words of the title or document number")
    ordering = serializers.ChoiceField(
        choices=["urgency", "deadline", "-deadline", "-updated_at"],
        required=False,
        default="urgency",
    )

    def validate_status(self, value: str) -> list[str]:
        statuses = [part.strip() for part in value.split(",") if part.strip()]
        bad = [x for x in statuses if x not in DisplayStatus.values]
        if bad:
            raise serializers.ValidationError(
                _("Unknown status “%(status)s”.") % {"status": bad[0]}
            )
        return statuses
