"""Meetings (党建月会, 党委会, 主题党日, 村民(代表)大会, 监督委员会会议), their attendance and
resolutions, the tasks a resolution creates, and the decision log (决策在先): which matters
need a resolution (``DecisionRule``) and which resolution authorised which record
(``DecisionLink``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.partybuilding.models.base import USER, FileFields, InUnit, PartyQuerySet, money
from grassroots.partybuilding.states import MatterKind, MeetingKind, MeetingStatus


class MeetingQuerySet(PartyQuerySet):
    scope_path_fields = ("unit_path",)


class Meeting(InUnit, FileFields):
    """One meeting of a unit: planned for a period (``2026-10`` for a monthly one), then
    held on a day with its attendance, minutes (a document: the ``FileFields`` hold it,
    empty until uploaded) and resolutions."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="meetings"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    #: The month it belongs to (``YYYY-MM``); a monthly meeting is planned once per month.
    period = models.CharField(_("period"), max_length=7, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chaired by"), max_length=64, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    #: Counted from the attendance rows when the meeting is recorded as held.
    expected_count = models.PositiveIntegerField(_("expected attendees"), default=0)
    present_count = models.PositiveIntegerField(_("present"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-period", "unit_path", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(kind=MeetingKind.PARTY_MONTHLY) & ~Q(status=MeetingStatus.CANCELLED),
                name="partybuilding_one_monthly_meeting",
            )
        ]
        indexes = [models.Index(fields=["kind", "period", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def has_minutes(self) -> bool:
        return bool(self.sha256)


class Attendance(models.Model):
    """An expected attendee of a meeting and whether they came (or why not)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    name = models.CharField(_("name"), max_length=64)
    post = models.CharField(_("post"), max_length=64, blank=True)
    user = models.ForeignKey(
        USER,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: Whether the person may vote on the meeting's resolutions (a committee member).
    voting = models.BooleanField(_("voting member"), default=True)
    present = models.BooleanField(_("present"), default=False)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.name


class Resolution(InUnit, models.Model):
    """A decision of a held meeting, with its vote (民主集中制: passed when more than half of
    the voting members — not of those present — voted for it, with a quorum present)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="resolutions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    #: Numbered within the meeting's unit and year: ``2026-07``.
    number = models.CharField(_("number"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    matter = models.CharField(
        _("matter"), max_length=12, choices=MatterKind.choices, default=MatterKind.OTHER
    )
    amount = money(verbose_name=_("amount (yuan)"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    members_total = models.PositiveIntegerField(_("voting members"))
    members_present = models.PositiveIntegerField(_("voting members present"))
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstained"), default=0)
    passed = models.BooleanField(_("passed"), default=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"], name="partybuilding_resolution_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ResolutionTask(models.Model):
    """A supervised task that a resolution created (its follow-through)."""

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="tasks"
    )
    task = models.OneToOneField(
        "supervision.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("task from a resolution")
        verbose_name_plural = _("tasks from resolutions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.resolution_id} → {self.task_id}"


class DecisionRule(models.Model):
    """Whether a kind of matter needs a resolution before it is acted on, and from what
    amount (a land or fund matter above the configured amount); one row per kind."""

    matter = models.CharField(_("matter"), max_length=12, choices=MatterKind.choices, unique=True)
    required = models.BooleanField(_("needs a resolution"), default=True)
    min_amount = money(
        verbose_name=_("from the amount (yuan)"),
        null=True,
        blank=True,
        help_text=_("Empty: whatever the amount."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        USER, verbose_name=_("updated by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("decision rule")
        verbose_name_plural = _("decision rules")
        ordering = ["matter"]

    def __str__(self) -> str:
        return self.get_matter_display()


class DecisionLinkQuerySet(PartyQuerySet):
    scope_path_fields = ("unit_path",)


class DecisionLink(InUnit, models.Model):
    """The resolution that authorised a record of another app (``reference`` as declared
    by its ``decisions.py``, e.g. ``supervision.task:12``)."""

    reference = models.CharField(_("record"), max_length=64, unique=True)
    matter = models.CharField(_("matter"), max_length=12, choices=MatterKind.choices)
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.PROTECT, related_name="links"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    #: The day the record acted (copied when linked): a resolution after it is "after the fact".
    acted_on = models.DateField(_("acted on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    linked_by = models.ForeignKey(
        USER, verbose_name=_("linked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    objects = DecisionLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision link")
        verbose_name_plural = _("decision links")
        ordering = ["-linked_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def after_the_fact(self) -> bool:
        return self.resolution.decided_on > self.acted_on
