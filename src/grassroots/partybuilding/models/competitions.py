"""Culture competitions (文化竞演): a competition organised by a unit, its rounds, the
villages' entries, the judges named on it and their scores. Results rank the entries by
their judged score (a flagged judge's sheet needs a justification, as in the assessment's
rating forms) and are published on the portal."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.partybuilding.models.base import USER, InUnit, PartyQuerySet
from grassroots.partybuilding.states import CompetitionStatus


class CompetitionQuerySet(PartyQuerySet):
    scope_path_fields = ("organiser_path",)


class Competition(models.Model):
    organiser = models.ForeignKey(
        Unit, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    organiser_path = models.CharField(_("organiser path"), max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    max_score = models.DecimalField(
        _("highest score"), max_digits=6, decimal_places=2, default=Decimal(100)
    )
    #: Prizes by rank (一等奖 to the best ``first_prizes`` entries…), never shared equally.
    first_prizes = models.PositiveSmallIntegerField(_("first prizes"), default=1)
    second_prizes = models.PositiveSmallIntegerField(_("second prizes"), default=2)
    third_prizes = models.PositiveSmallIntegerField(_("third prizes"), default=3)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CompetitionStatus.choices,
        default=CompetitionStatus.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("culture competition")
        verbose_name_plural = _("culture competitions")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title

    def scope_paths(self) -> tuple[str, ...]:
        return (self.organiser_path,)


class Round(models.Model):
    competition = models.ForeignKey(
        Competition,
        verbose_name=_("competition"),
        on_delete=models.CASCADE,
        related_name="rounds",
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    held_on = models.DateField(_("held on"), null=True, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["competition", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Entry(InUnit, models.Model):
    """A village's entry (节目) in a round."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="entries"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("programme"), max_length=200)
    category = models.CharField(_("category"), max_length=64, blank=True)
    performers = models.CharField(_("performers"), max_length=500, blank=True)
    #: Filled when the scores close: the judged score and the rank within the round.
    final_score = models.DecimalField(
        _("final score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    prize = models.CharField(_("prize"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["round", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "title"], name="partybuilding_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class CompetitionJudge(models.Model):
    competition = models.ForeignKey(
        Competition,
        verbose_name=_("competition"),
        on_delete=models.CASCADE,
        related_name="judges",
    )
    user = models.ForeignKey(
        USER, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="+"
    )
    #: Why the judge's scores stand although flagged (spread too low, all alike, lenient…).
    justification = models.TextField(_("justification"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["competition", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "user"], name="partybuilding_judge_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class JudgeScore(models.Model):
    judge = models.ForeignKey(
        CompetitionJudge,
        verbose_name=_("judge"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="scores"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("judge's score")
        verbose_name_plural = _("judges' scores")
        ordering = ["entry", "judge"]
        constraints = [
            models.UniqueConstraint(fields=["judge", "entry"], name="partybuilding_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.score}"
