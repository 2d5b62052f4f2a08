"""Assessment schemes, their indicators, runs and the stored scores and results.

A ``Scheme`` (考核方案) says which units are assessed (the township- or village-level units
below ``root``), how they are grouped into peers, and the quota, list and reward rules. An
``Indicator`` scores one registered metric with a pure rule (see :mod:`rules`). A ``Run``
computes a scheme for one period; every recomputation is a new version (published runs are
never overwritten). ``Score`` (unit × indicator) and ``Result`` (unit) keep their
explanations so that every point can be traced back to its records.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.assessment.queries import ScopedQuerySet
from grassroots.assessment.rules import RULES, RuleError, check_rule
from grassroots.assessment.scoring import Direction, Normaliser
from grassroots.assessment.states import RunState
from grassroots.common.metrics import Period, PeriodError, UnknownMetricError
from grassroots.common.metrics import get as get_metric
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL


class Level(models.TextChoices):
    TOWNSHIP = "township", _("Townships and streets")  # 乡镇(街道)
    VILLAGE = "village", _("Villages and communities")  # 村(社区)


class PeerRule(models.TextChoices):
    PEER_GROUP = "peer_group", _("The unit's peer group")  # Unit.peer_group, else its kind
    KIND = "kind", _("The unit's kind")  # 街道/镇 apart; 社区/村 apart


class RewardMethod(models.TextChoices):
    GRADE = "grade", _("Grade coefficient × score")
    BASELINE = "baseline", _("Score above a baseline")


class Category(models.TextChoices):
    COMMON = "common", _("Common")  # 共性
    SPECIFIC = "specific", _("Specific")  # 个性/特色
    SATISFACTION = "satisfaction", _("Satisfaction")  # 满意度
    BONUS = "bonus", _("Bonus")  # 加分
    DEDUCTION = "deduction", _("Deduction")  # 扣分
    VETO = "veto", _("Veto")  # 一票否决


#: Categories whose weights add up to the scheme's total points.
BASE_CATEGORIES = frozenset({Category.COMMON, Category.SPECIFIC, Category.SATISFACTION})


class Source(models.TextChoices):
    METRIC = "metric", _("Registered metric")
    MANUAL = "manual", _("Manual rating")  # a rating form filled by raters (民主测评, 领导评价)
    ENTRY = "entry", _("Manual entry with evidence")  # one figure per unit, with a document


class GradeChoice(models.TextChoices):
    """The grades of :class:`grading.Grade`, with their names on the pages."""

    EXCELLENT = "excellent", pgettext_lazy("grade", "Excellent")  # 优秀
    GOOD = "good", pgettext_lazy("grade", "Good")  # 良好
    AVERAGE = "average", pgettext_lazy("grade", "Average")  # 一般
    POOR = "poor", pgettext_lazy("grade", "Poor")  # 较差


class ListStatus(models.TextChoices):
    NONE = "", _("Neither")
    RED = "red", _("Red list")  # 红榜
    BLACK = "black", _("Black list")  # 黑榜


def period_kind(label: str) -> str:
    """``2026-10`` → monthly, ``2026-Q3`` → quarterly, ``2026`` → annual (else ``other``)."""
    if "-Q" in label.upper():
        return "quarterly"
    if label.isdecimal():
        return "annual"
    if "-W" in label.upper():
        return "other"
    return "monthly"


class Scheme(models.Model):
    """An assessment scheme (考核方案) for one year and one level of units."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    root = models.ForeignKey(
        "org.Unit", verbose_name=_("units under"), on_delete=models.PROTECT, related_name="+"
    )
    peer_rule = models.CharField(
        _("peer groups"), max_length=16, choices=PeerRule.choices, default=PeerRule.PEER_GROUP
    )
    total_points = models.DecimalField(
        _("total points"), default=Decimal(100), max_digits=9, decimal_places=2
    )
    #: {"excellent_share": "0.2", "excellent_min_total": "85", "good_share": …,
    #:  "good_min_total": …, "poor_below": "60"}
    grade_quota = models.JSONField(_("grade quotas"), default=dict, blank=True)
    #: {"red_top_n": 3, "black_bottom_n": 3, "red_min_total": …, "black_max_total": …,
    #:  "significance_indicator": "<indicator code>"}
    list_rule = models.JSONField(_("red and black list rules"), default=dict, blank=True)
    reward_pool_fen = models.BigIntegerField(_("reward pool (fen)"), default=0)
    reward_method = models.CharField(
        _("reward method"), max_length=16, choices=RewardMethod.choices, default=RewardMethod.GRADE
    )
    #: {"excellent": "1.5", "good": "1.2", "average": "1.0"} or {"baseline": "60"}
    reward_params = models.JSONField(_("reward coefficients"), default=dict, blank=True)
    #: None: on for villages, off for townships (the default of the design).
    shrinkage = models.BooleanField(_("shrink small units' rates"), null=True, blank=True)
    significance = models.BooleanField(_("lists require significance"), null=True, blank=True)
    #: {"monthly": "0.4", "quarterly": "0.3", "year_end": "0.3"}
    annual_weights = models.JSONField(_("annual weights"), default=dict, blank=True)
    #: 外出学习培训: places allocated to the top units of each run (0: none).
    training_places = models.PositiveIntegerField(_("training places"), default=0)
    #: Publication refuses a run whose rewards do not spread: {"min_excellent_to_average":
    #: "1.2", "min_reward_gini": "0.05", "min_score_cv": "0.02"} (absent keys: no check).
    min_spread = models.JSONField(_("minimum reward spread"), default=dict, blank=True)
    #: 减负: the burden ceiling on the number of indicators and of manual items.
    max_indicators = models.PositiveSmallIntegerField(_("most indicators"), default=25)
    max_manual = models.PositiveSmallIntegerField(_("most manual items"), default=3)
    #: Appeals (申诉) are open this many working days after a publication.
    appeal_workdays = models.PositiveSmallIntegerField(_("appeal window (working days)"), default=5)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def unit_kinds(self) -> frozenset[str]:
        return TOWNSHIP_LEVEL if self.level == Level.TOWNSHIP else VILLAGE_LEVEL

    @property
    def shrinks(self) -> bool:
        return self.level == Level.VILLAGE if self.shrinkage is None else self.shrinkage

    @property
    def needs_significance(self) -> bool:
        return self.level == Level.VILLAGE if self.significance is None else self.significance

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for name in ("grade_quota", "list_rule", "reward_params", "annual_weights", "min_spread"):
            if not isinstance(getattr(self, name), dict):
                errors[name] = _("Enter a JSON object.")
        if self.reward_pool_fen < 0:
            errors["reward_pool_fen"] = _("The reward pool cannot be negative.")
        if self.total_points <= 0:
            errors["total_points"] = _("The total points must be positive.")
        if errors:
            raise ValidationError(errors)


class Indicator(models.Model):
    """One scored item of a scheme: a registered metric and the rule that turns it into points."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    weight = models.DecimalField(
        _("weight (points)"), default=Decimal(0), max_digits=9, decimal_places=2
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.METRIC
    )
    metric = models.CharField(_("metric"), max_length=100, blank=True)
    normaliser = models.CharField(
        _("normaliser"),
        max_length=24,
        choices=[(n.value, n.value) for n in Normaliser],
        default=Normaliser.NONE.value,
    )
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=[(d.value, d.value) for d in Direction],
        default=Direction.HIGHER.value,
    )
    rule = models.CharField(_("rule"), max_length=32, choices=[(r, r) for r in RULES])
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    #: The 乡镇履职事项 (statutory duty of the township) the indicator derives from.
    duty = models.CharField(_("duty it derives from"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="assessment_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.source != Source.METRIC and self.metric:
            errors["metric"] = _("Only an indicator drawn from a metric names a metric.")
        if self.source == Source.METRIC:
            try:
                get_metric(self.metric)
            except UnknownMetricError:
                errors["metric"] = _("No app registers a metric of this name.")
        if self.weight is not None and self.weight < 0:
            errors["weight"] = _("The weight cannot be negative.")
        if self.category == Category.VETO and self.rule != "veto":
            errors["rule"] = _("A veto indicator uses the veto rule.")
        try:
            check_rule(
                self.rule,
                self.params,
                weight=self.weight or Decimal(0),
                direction=Direction(self.direction),
            )
        except (RuleError, ValueError) as exc:
            errors["params"] = _("The rule cannot use these parameters: %(error)s") % {"error": exc}
        if errors:
            raise ValidationError(errors)


class Run(models.Model):
    """One computation of a scheme for a period; a recomputation is a new version."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs"
    )
    period = models.CharField(_("period"), max_length=16)
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("recomputes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recomputations",
    )
    fingerprint = models.CharField(_("inputs fingerprint (SHA-256)"), max_length=64, blank=True)
    diagnostics = models.JSONField(_("diagnostics"), default=dict, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")
        ordering = ["scheme", "-period", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period", "version"], name="assessment_run_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} {self.period} v{self.version}"

    @property
    def kind(self) -> str:
        """``monthly``, ``quarterly`` or ``annual`` (月考, 季晒, 年评), from the period."""
        return period_kind(self.period)

    def clean(self) -> None:
        try:
            Period.parse(self.period)
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc


class Score(models.Model):
    """One unit's points on one indicator in a run, with the explanation."""

    run = models.ForeignKey(
        Run, verbose_name=_("run"), on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scores"
    )
    raw_value = models.DecimalField(
        _("raw value"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    numerator = models.DecimalField(
        _("numerator"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    denominator = models.DecimalField(
        _("denominator"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    shrunk_value = models.DecimalField(
        _("shrunk value"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    points = models.DecimalField(_("points"), default=Decimal(0), max_digits=9, decimal_places=2)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["run", "unit", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "unit", "indicator"], name="assessment_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.indicator_id} {self.points}"


class Result(models.Model):
    """One unit's outcome in a run: total, rank in its peer group, grade, list, reward."""

    run = models.ForeignKey(
        Run, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    peer_group = models.CharField(_("peer group"), max_length=64)
    total = models.DecimalField(_("total"), default=Decimal(0), max_digits=9, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    group_size = models.PositiveIntegerField(_("group size"))
    grade = models.CharField(_("grade"), max_length=16, choices=GradeChoice.choices)
    list_status = models.CharField(
        _("list"), max_length=8, choices=ListStatus.choices, default=ListStatus.NONE, blank=True
    )
    list_reason = models.CharField(_("list reason"), max_length=200, blank=True)
    reward_fen = models.BigIntegerField(_("reward (fen)"), default=0)
    training_places = models.PositiveIntegerField(_("training places"), default=0)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["run", "peer_group", "rank", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="assessment_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} #{self.rank} {self.total}"


class FormState(models.TextChoices):
    OPEN = "open", pgettext_lazy("rating form", "Open")  # raters fill their sheets
    CLOSED = "closed", pgettext_lazy("rating form", "Closed")  # the ratings count in the runs


class RatingForm(models.Model):
    """A manual rating (民主测评, 领导评价, department scoring of townships) sent to raters.

    Each rater fills one ``RatingSheet``: a score from 0 to 100 for every unit of the
    scheme. The indicator's points are its weight × the mean of the counted sheets / 100.
    A form without an indicator is the scheme's year-end review (年终考评) used by the
    annual evaluation.
    """

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="forms"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forms",
    )
    period = models.CharField(_("period"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    closes_on = models.DateField(_("closes on"))
    state = models.CharField(
        _("state"), max_length=16, choices=FormState.choices, default=FormState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating form")
        verbose_name_plural = _("rating forms")
        ordering = ["scheme", "-period", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "indicator", "period"], name="assessment_form_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.period}"

    @property
    def is_year_end(self) -> bool:
        return self.indicator_id is None


class SheetState(models.TextChoices):
    PENDING = "pending", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")  # counts
    FLAGGED = "flagged", _("Flagged, needs a justification")  # does not count yet
    JUSTIFIED = "justified", _("Justified")  # flagged, explained by the rater: counts
    EXCLUDED = "excluded", _("Excluded by the office")  # never counts


#: Sheets whose scores count in a run.
COUNTED_SHEETS = frozenset({SheetState.SUBMITTED, SheetState.JUSTIFIED})


class RatingSheet(models.Model):
    """One rater's scores on a form, with the anti-averaging diagnostics of the sheet."""

    form = models.ForeignKey(
        RatingForm, verbose_name=_("rating form"), on_delete=models.CASCADE, related_name="sheets"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rater"),
        on_delete=models.PROTECT,
        related_name="rating_sheets",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=SheetState.choices, default=SheetState.PENDING
    )
    #: {"sd_ratio": "0.31", "range": "4", "identical_share": "0.8", "leniency_z": …,
    #:  "grade_entropy": …, "flags": ["sd_ratio", …]}
    diagnostics = models.JSONField(_("diagnostics"), default=dict, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    exclusion_reason = models.TextField(_("reason for exclusion"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rating sheet")
        verbose_name_plural = _("rating sheets")
        ordering = ["form", "rater"]
        constraints = [
            models.UniqueConstraint(fields=["form", "rater"], name="assessment_sheet_once")
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.rater_id} {self.state}"


class Rating(models.Model):
    """One score (0–100) given on a sheet to one unit."""

    sheet = models.ForeignKey(
        RatingSheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="ratings"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["sheet", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "unit"], name="assessment_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.score}"


class ManualEntry(models.Model):
    """A figure entered by the office for one unit, indicator and period, with evidence."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="entries"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=16)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    note = models.TextField(_("basis"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="assessment/evidence/%Y/%m/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("manual entry")
        verbose_name_plural = _("manual entries")
        ordering = ["indicator", "period", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"], name="assessment_entry_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period} {self.value}"


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")  # the score is corrected in a new run version
    REFUSED = "refused", _("Refused")


class Appeal(models.Model):
    """A unit's appeal (申诉) against one of its scores in a published run.

    An accepted appeal carries the corrected value; every later computation of the scheme
    and period uses it (explained as a correction), and the acceptance itself computes the
    new version whose differences from the appealed run are shown.
    """

    run = models.ForeignKey(
        Run, verbose_name=_("run"), on_delete=models.PROTECT, related_name="appeals"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField(_("reason"))
    evidence = models.FileField(_("evidence"), upload_to="assessment/appeals/%Y/%m/", blank=True)
    claimed_value = models.DecimalField(
        _("value claimed"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    state = models.CharField(
        _("state"), max_length=16, choices=AppealState.choices, default=AppealState.SUBMITTED
    )
    corrected_value = models.DecimalField(
        _("corrected value"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    new_run = models.ForeignKey(
        Run,
        verbose_name=_("new version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_appeals",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.unit_id} {self.indicator_id} {self.state}"


class Publication(models.Model):
    """The frozen snapshot of a published run (季晒 for a quarter, 年评 for a year, or a
    month): the rankings, grades, lists with their reasons and rewards as canonical JSON,
    and the SHA-256 of that JSON, which the public portal shows. Never changed: ``save``
    refuses to update a stored publication."""

    run = models.OneToOneField(
        Run, verbose_name=_("run"), on_delete=models.PROTECT, related_name="publication"
    )
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="publications"
    )
    period = models.CharField(_("period"), max_length=16)
    snapshot = models.JSONField(_("snapshot"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    appeal_until = models.DateField(_("appeals until"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.period} {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("a publication is never changed")
        super().save(*args, **kwargs)


class BulletinFormat(models.TextChoices):
    PDF = "pdf", "PDF"  # A4, for print and the meeting
    XLSX = "xlsx", "Excel"  # one sheet per peer group


class BulletinState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("bulletin", "Queued")  # waiting for the worker
    RUNNING = "running", pgettext_lazy("bulletin", "Rendering")  # the worker renders it
    DONE = "done", pgettext_lazy("bulletin", "Ready")  # the file is stored
    FAILED = "failed", pgettext_lazy("bulletin", "Failed")  # a new request tries again


class Bulletin(models.Model):
    """A publication's bulletin (季晒通报, 年评报告) in one format, rendered by a worker job
    from the publication's snapshot and kept: the publication never changes, so neither does
    its bulletin. The file is stored under ``MEDIA_ROOT/bulletins/`` named by its SHA-256."""

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="bulletins",
    )
    format = models.CharField(_("format"), max_length=8, choices=BulletinFormat.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=BulletinState.choices, default=BulletinState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # 0–100 (%)
    file = models.FileField(_("file"), upload_to="bulletins/", max_length=200, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)  # bytes
    seconds = models.DecimalField(_("rendering time"), max_digits=8, decimal_places=2, null=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "format"], name="assessment_bulletin_one_per_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.format} {self.state}"
