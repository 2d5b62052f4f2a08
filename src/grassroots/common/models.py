"""China's official working-day calendar: the exceptions to Monday–Friday, by date.

Only exceptions are stored: a statutory holiday (法定节假日, a day off, also when it falls
on a weekend inside a holiday block) and a make-up workday (调休上班, a Saturday or Sunday
worked). Any date without a row is a working day when it is Monday to Friday.

A year counts as *covered* only when a ``CalendarYear`` row marks it complete: the State
Council's notice for that year has been entered in full. Rows of a year not marked
complete still apply; the admin warns while the next 60 days reach an uncovered year.

``CalendarRevision`` is one row whose random token changes, in the writer's transaction,
with every change to the two tables (see ``grassroots.common.workdays`` for why a token
and not a counter). The signal receivers below keep it current for saves and deletes made
through the ORM (the admin among them); bulk writers call ``calendar_changed()``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")  # 法定节假日休息
    WORKDAY = "workday", _("Make-up workday")  # 调休上班


class CalendarDay(models.Model):
    """One date on which the official calendar departs from Monday–Friday (or confirms a
    weekend day off inside a holiday block)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(
        _("name"), max_length=64, blank=True, help_text=_("The holiday, e.g. 国庆节.")
    )
    notice_year = models.PositiveSmallIntegerField(
        _("notice year"),
        db_index=True,
        blank=True,
        help_text=_(
            "The year of the State Council notice that set this day: usually the date's "
            "own year; a notice may also set the last days of the previous December. "
            "Left empty, the date's year."
        ),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CalendarDayKind.values),
                name="common_calendarday_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        label = CalendarDayKind(self.kind).label if self.kind in CalendarDayKind.values else ""
        return " ".join(part for part in (self.date.isoformat(), self.name, f"({label})") if part)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.notice_year is None and self.date is not None:
            self.notice_year = self.date.year
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "notice_year"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.date is None:
            return
        if self.notice_year is None:
            self.notice_year = self.date.year
        if not notice_year_allowed(self.date, self.notice_year):
            raise ValidationError(
                {
                    "notice_year": _(
                        "A day belongs to the notice of its own year, or of the next year "
                        "when it is in December."
                    )
                }
            )
        if self.kind == CalendarDayKind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"date": _("A make-up workday must be a Saturday or a Sunday.")})


def notice_year_allowed(day: dt.date, notice_year: int) -> bool:
    """A notice for year Y sets days of Y, and may set days of December of Y − 1 (the
    2019 notice, for one, moved 2018-12-29..31)."""
    return notice_year == day.year or (notice_year == day.year + 1 and day.month == 12)


class CalendarYear(models.Model):
    """Whether the official calendar of one year has been entered in full, and from what."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_("Every holiday and make-up workday of the year's notice is entered."),
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕x号"),
    )
    published = models.DateField(_("published on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarRevision(models.Model):
    """A single row (pk 1) whose token changes with every change to the calendar."""

    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.token

    @classmethod
    def bump(cls) -> str:
        """Give the calendar a new token, in the caller's transaction; return it."""
        token = uuid.uuid4().hex
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(token=token, changed_at=now):
            cls.objects.update_or_create(pk=1, defaults={"token": token, "changed_at": now})
        return token

    @classmethod
    def current(cls) -> str:
        """The current token ("" before any calendar exists)."""
        token = cls.objects.filter(pk=1).values_list("token", flat=True).first()
        return token or ""


def calendar_changed() -> None:
    """Tell every process that the calendar changed: call after writes that send no
    signals (``bulk_create``, ``QuerySet.update``), inside the same transaction."""
    from grassroots.common import workdays

    CalendarRevision.bump()
    workdays.mark_stale()


def _on_calendar_write(sender: type[models.Model], **kwargs: Any) -> None:
    calendar_changed()


for _model in (CalendarDay, CalendarYear):
    post_save.connect(_on_calendar_write, sender=_model, dispatch_uid=f"calendar-{_model}-save")
    post_delete.connect(_on_calendar_write, sender=_model, dispatch_uid=f"calendar-{_model}-delete")
