"""Supervision cases of the oversight committees (监督事项): the matter and findings, the
rectification requested with its deadline, the village's response, the closure with its
evidence, and every step on the case's timeline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.org.queries import ScopedQuerySet
from grassroots.oversight.masking import mask_text
from grassroots.oversight.permissions import VIEW
from grassroots.oversight.states import CaseCategory, CaseSource, CaseStatus, StepKind

USER = settings.AUTH_USER_MODEL


class CaseQuerySet(ScopedQuerySet):
    scope_path_fields = ("unit_path",)
    view_action = VIEW


class Case(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    #: ``JD-2026-0007``: per village and year.
    number = models.CharField(_("number"), max_length=32)
    matter = models.CharField(_("matter"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=CaseCategory.choices)
    source = models.CharField(
        _("source"), max_length=12, choices=CaseSource.choices, default=CaseSource.INSPECTION
    )
    #: What the case is about when it came from a record (``supervision.task:12``,
    #: ``audit.entry:345``): shown as a link on the case.
    reference = models.CharField(_("record concerned"), max_length=64, blank=True)
    findings = models.TextField(_("findings"))
    request = models.TextField(_("rectification requested"), blank=True)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    #: The deadline first set by the rectification request; a return may set a later
    #: ``deadline``, but the on-time figure keeps to this one (no moving the goalposts).
    first_deadline = models.DateField(_("first deadline"), null=True, blank=True)
    response = models.TextField(_("rectification reported"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    opened_by = models.ForeignKey(
        USER, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("oversight case")
        verbose_name_plural = _("oversight cases")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="oversight_case_number")
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        # The audit entry's object name and the admin show this: numbers typed into the
        # matter are masked (``masking``).
        return f"{self.number} {mask_text(self.matter)}"

    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)

    @property
    def closed_on_time(self) -> bool | None:
        """True/False once closed with a deadline; None while open or without one."""
        if self.closed_on is None or self.deadline is None:
            return None
        return self.closed_on <= self.deadline

    def overdue_on(self, day: dt.date) -> bool:
        return (
            self.deadline is not None
            and self.closed_on is None
            and self.status not in (CaseStatus.DISMISSED,)
            and day > self.deadline
        )


class Step(models.Model):
    """One step on a case's timeline (who, what, when, with what note)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=12, choices=StepKind.choices)
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseEvidence(models.Model):
    """A file attached to a case (findings, the village's response, the closure), stored
    by SHA-256 like the supervision evidence."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="evidence"
    )
    step = models.ForeignKey(
        Step, verbose_name=_("step"), null=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case evidence")
        verbose_name_plural = _("case evidence")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]
