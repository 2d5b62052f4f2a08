"""Target supervision (目督): tasks cascaded from the city down to every village, their
milestones, progress reports with evidence, extension requests, urging and the timeline.

Scope: a task sits in the tree by its responsible unit (``unit_path``) and by the unit
that issued it (``issuer_path``, the unit above, which verifies and urges); co-units see
it too (``queries.TaskQuerySet.visible_to``).

The task tree: ``tree_path`` is the ids of the task's ancestors and its own, zero-padded
and joined by dots (``000000000012.000000000345``), so a whole tree, or one task with its
ancestors and descendants, is one indexed query (``TaskQuerySet.tree_of``) and sorting by
it lists the tree depth-first.

Status: ``state`` is the lifecycle (open / completed / closed / cancelled). What people
see — 未开始, 正常推进, 进度滞后, 逾期, 已完成, 已销号 — is derived from it, the dates and
the verified progress (``progress.display_status``), never stored.

Quantities are ``Decimal`` with four places (a target in 万元 is then exact to the yuan);
percentages are ``Decimal`` with two places, rounded half-up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grassroots.supervision.queries import ExtensionQuerySet, ReportQuerySet, TaskQuerySet
from grassroots.supervision.states import ExtensionState, ReportState, TaskState

if TYPE_CHECKING:
    from grassroots.org.models import Unit

#: Digits of the zero-padded ids in ``Task.tree_path``.
TREE_ID_WIDTH = 12
TREE_SEPARATOR = "."
#: Quantities (targets, values reached): 12 digits before the point, 4 after.
QUANTITY_DIGITS = 16
QUANTITY_PLACES = 4


class TaskKind(models.TextChoices):
    KEY_TASK = "key_task", _("Key task")  # 重点任务
    LIVELIHOOD = "livelihood", _("Livelihood project")  # 民生工程
    CAMPAIGN = "campaign", _("Special campaign")  # 专项行动


class TaskLevel(models.TextChoices):
    NORMAL = "normal", _("Normal supervision")  # 一般
    KEY = "key", _("Key supervision")  # 重点
    LISTED = "listed", _("Listed supervision")  # 挂牌督办


class SplitBasis(models.TextChoices):
    MANUAL = "manual", _("By hand")  # 手工分解
    HOUSEHOLDS = "households", _("Pro rata by households")  # 按户数
    POPULATION = "population", _("Pro rata by population")  # 按人口


class Feasibility(models.TextChoices):
    PENDING = "pending", _("Not yet decided")  # 待论证
    FEASIBLE = "feasible", _("Feasible")  # 具备条件
    INFEASIBLE = "infeasible", _("Not feasible now")  # 不具备条件


class UrgeKind(models.TextChoices):
    MANUAL = "manual", _("Urged by the issuer")  # 催办 (by a person)
    BEFORE_DEADLINE = "before_deadline", _("Reminder before the deadline")  # 临期提醒
    AFTER_DEADLINE = "after_deadline", _("Reminder after the deadline")  # 逾期提醒
    ESCALATION = "escalation", _("Supervision level raised")  # 升级督办


#: Urges written by the daily job: at most one of a kind per task and day.
AUTOMATIC_URGES = (UrgeKind.BEFORE_DEADLINE, UrgeKind.AFTER_DEADLINE, UrgeKind.ESCALATION)
#: Urges sent at most once per task and deadline.
ONCE_PER_DEADLINE = (UrgeKind.BEFORE_DEADLINE, UrgeKind.ESCALATION)


class ActionKind(models.TextChoices):
    CREATE = "create", _("Deployed")  # 下达
    UPDATE = "update", _("Changed")  # 修改
    CASCADE = "cascade", _("Split among the units below")  # 分解下达
    ADD_MILESTONE = "add_milestone", _("Milestone added")
    COMPLETE_MILESTONE = "complete_milestone", _("Milestone done")
    REPORT = "report", _("Progress reported")  # 报送进度
    ACCEPT_REPORT = "accept_report", _("Progress verified")  # 核实通过
    RETURN_REPORT = "return_report", _("Progress report returned")  # 退回
    COMPLETE = "complete", _("Completed")  # 完成
    REQUEST_EXTENSION = "request_extension", _("Extension requested")  # 申请延期
    APPROVE_EXTENSION = "approve_extension", _("Extension approved")
    REFUSE_EXTENSION = "refuse_extension", _("Extension refused")
    URGE = "urge", _("Urged")  # 催办
    REMIND = "remind", _("Reminder sent")  # 临期提醒
    LAPSE = "lapse", _("Overdue reminder sent")  # 逾期提醒
    ESCALATE = "escalate", _("Supervision level raised")  # 升级督办
    FEASIBILITY = "feasibility", _("Feasibility decided")  # 可行性论证
    CLOSE = "close", _("Struck off")  # 销号
    CANCEL = "cancel", _("Cancelled")  # 撤销


class Task(models.Model):
    """One task (目督任务) of one responsible unit: a root deployed from a document, or a
    share of its parent's target assigned to a unit below the parent's unit."""

    title = models.CharField(_("title"), max_length=200)
    doc_number = models.CharField(_("document number"), max_length=64, blank=True)  # 文号
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(
        _("supervision level"), max_length=16, choices=TaskLevel.choices, default=TaskLevel.NORMAL
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    tree_path = models.CharField(_("tree path"), max_length=255, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    #: The responsible unit: the lead unit of a root task, the assigned unit of a child.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # sup_task_unit_queue starts with it
    )
    unit_path = models.CharField(_("unit path"), max_length=255)
    #: The unit that deployed it (a child's issuer is its parent's unit): it verifies
    #: progress, decides extensions, urges and closes. A root task whose issuer is its own
    #: unit is that unit's umbrella over the shares of the units below (its progress is
    #: theirs added up, see ``Task.is_rollup``).
    issuer = models.ForeignKey(
        "org.Unit",
        verbose_name=_("issuing unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # sup_task_issuer_queue starts with it
    )
    issuer_path = models.CharField(_("issuer path"), max_length=255)
    co_units: models.ManyToManyField[Unit, TaskCoUnit] = models.ManyToManyField(
        "org.Unit",
        verbose_name=_("co-units"),
        through="TaskCoUnit",
        related_name="co_tasks",
        blank=True,
    )

    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    target_value = models.DecimalField(
        _("target"),
        null=True,
        blank=True,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
    )
    target_measure = models.CharField(_("unit of measure"), max_length=16, blank=True)
    split_basis = models.CharField(
        _("split basis"), max_length=16, choices=SplitBasis.choices, default=SplitBasis.MANUAL
    )

    state = models.CharField(
        _("state"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN
    )
    #: Denormalised from the accepted reports (the highest accepted value), written only
    #: by verification under the task's row lock.
    verified_value = models.DecimalField(
        _("verified value"),
        null=True,
        blank=True,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
    )
    verified_percent = models.DecimalField(
        _("verified progress (%)"), default=Decimal(0), max_digits=5, decimal_places=2
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("struck off at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    #: Grows by one with every change (optimistic concurrency for forms and the API).
    version = models.PositiveIntegerField(_("version"), default=1)

    # Livelihood projects (民生工程).
    budget = models.DecimalField(
        _("budget (10,000 yuan)"), null=True, blank=True, max_digits=14, decimal_places=4
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    beneficiaries = models.CharField(_("beneficiaries"), max_length=200, blank=True)
    feasibility = models.CharField(
        _("feasibility"), max_length=16, choices=Feasibility.choices, default=Feasibility.PENDING
    )
    feasibility_decided_at = models.DateTimeField(
        _("feasibility decided at"), null=True, blank=True
    )
    #: Shown to residents on the public portal: never personal data.
    public_explanation = models.TextField(_("public explanation"), blank=True)
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)

    #: Where the task came from when not deployed by hand: ``partybuilding.resolution:12``
    #: for a task that a meeting's resolution created (承诺事项).
    origin = models.CharField(_("origin"), max_length=64, blank=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervised task")
        verbose_name_plural = _("supervised tasks")
        ordering = ["deadline", "id"]
        indexes = [
            # A unit's own tasks by state and deadline (its list, the reminders, metrics).
            models.Index(fields=["unit", "state", "deadline"], name="sup_task_unit_queue"),
            # What a unit issued and must verify, urge or close.
            models.Index(fields=["issuer", "state", "deadline"], name="sup_task_issuer_queue"),
            # Due work: reminders, overdue lists, "due in the period".
            models.Index(fields=["state", "deadline"], name="sup_task_state_deadline"),
            models.Index(fields=["deadline"], name="sup_task_deadline"),
            # Scope: a prefix of the unit's or the issuer's path.
            models.Index(
                fields=["unit_path"], name="sup_task_unit_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["issuer_path"],
                name="sup_task_issuer_path",
                opclasses=["varchar_pattern_ops"],
            ),
            # A tree: one prefix match.
            models.Index(
                fields=["tree_path"], name="sup_task_tree_path", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("start_date")), name="sup_task_deadline_after_start"
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gt=0),
                name="sup_task_target_positive",
            ),
            models.CheckConstraint(
                condition=Q(verified_percent__gte=0) & Q(verified_percent__lte=100),
                name="sup_task_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_paths(self) -> tuple[str, ...]:
        """The responsible unit's path, the issuer's, and the co-units' (read once per
        instance, or from ``prefetch_related("co_units")``): the same places as
        ``TaskQuerySet.visible_to``."""
        cached = self.__dict__.get("_co_unit_paths")
        if cached is None:
            cached = tuple(u.path for u in self.co_units.all()) if self.pk else ()
            self.__dict__["_co_unit_paths"] = cached
        return (self.unit_path, self.issuer_path, *cached)

    @property
    def is_rollup(self) -> bool:
        """A task its own unit issued (a city-wide umbrella): it takes no reports, its
        progress is its sub-tasks' verified progress added up."""
        return self.unit_id == self.issuer_id

    @property
    def has_target(self) -> bool:
        return self.target_value is not None

    def ancestor_ids(self) -> list[int]:
        """The ids of the task's ancestors, root first (read from ``tree_path``)."""
        return [int(part) for part in self.tree_path.split(TREE_SEPARATOR)[:-1] if part]


def tree_path_of(task_id: int, parent_path: str | None) -> str:
    own = str(task_id).zfill(TREE_ID_WIDTH)
    return f"{parent_path}{TREE_SEPARATOR}{own}" if parent_path else own


class TaskCoUnit(models.Model):
    """A co-unit (协办单位) of a task: it sees the task, the lead unit answers for it."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("co-unit")
        verbose_name_plural = _("co-units")
        ordering = ["task_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="sup_counit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.unit_id}"


class Milestone(models.Model):
    """A dated step of a task (节点), marked done by the responsible unit."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task_id", "due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ProgressReport(models.Model):
    """Progress reported by the responsible unit: the cumulative value reached (a task
    with a target) or a percentage (a task without one). Counts only once accepted."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports"
    )
    value = models.DecimalField(
        _("value reached"),
        null=True,
        blank=True,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
    )
    percent = models.DecimalField(
        _("progress (%)"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    #: The share of the target this report stands for (``value / target``, or
    #: ``percent``), 0–100, fixed when submitted.
    ratio_percent = models.DecimalField(
        _("share of the target (%)"), default=Decimal(0), max_digits=5, decimal_places=2
    )
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task_id", "submitted_at", "id"]
        indexes = [
            models.Index(fields=["task", "state"], name="sup_report_task_state"),
            # The verification queue, oldest first.
            models.Index(
                fields=["submitted_at"],
                name="sup_report_waiting",
                condition=Q(state=ReportState.SUBMITTED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(percent__isnull=False),
                name="sup_report_value_or_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.value if self.value is not None else self.percent}"


class Evidence(models.Model):
    """A file backing a progress report or a milestone (photo, PDF, spreadsheet, Word
    document), checked by content and stored under the data directory by SHA-256."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="evidence"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("type"), max_length=100)
    extension = models.CharField(_("file extension"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["task_id", "id"]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]


class ExtensionRequest(models.Model):
    """A request of the responsible unit for a later deadline (申请延期)."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    previous_deadline = models.DateField(_("deadline when requested"))
    requested_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["task_id", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state=ExtensionState.PENDING),
                name="sup_extension_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=F("previous_deadline")),
                name="sup_extension_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.requested_deadline}"


class Urge(models.Model):
    """One urging of a task (催办): by a person, or by the daily job before and after the
    deadline and when it raises the supervision level."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="urges"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=UrgeKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The urging unit (the issuer's side), when a person urged.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("urging unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    #: The local date it was sent, and the task's deadline then.
    day = models.DateField(_("day"))
    deadline = models.DateField(_("deadline then"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["task_id", "created_at", "id"]
        indexes = [
            # "Urged in the period" of the metrics.
            models.Index(fields=["created_at"], name="sup_urge_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "day"],
                condition=Q(kind__in=[str(k) for k in AUTOMATIC_URGES]),
                name="sup_urge_auto_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["task", "kind", "deadline"],
                condition=Q(kind__in=[str(k) for k in ONCE_PER_DEADLINE]),
                name="sup_urge_once_per_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.day}"


class TaskAction(models.Model):
    """One line of a task's timeline (every action writes one)."""

    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="actions",
        db_index=False,  # sup_action_task_time starts with it
    )
    kind = models.CharField(_("action"), max_length=24, choices=ActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("task action")
        verbose_name_plural = _("task actions")
        ordering = ["task_id", "created_at", "id"]
        indexes = [
            models.Index(fields=["task", "created_at"], name="sup_action_task_time"),
            # "What moved this week" of the weekly board.
            models.Index(fields=["created_at"], name="sup_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"


class ReminderRun(models.Model):
    """The row the daily reminder job locks, so that two runs never overlap."""

    name = models.CharField(max_length=32, unique=True, default="default")
    last_day = models.DateField(_("last day run"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.last_day}"
