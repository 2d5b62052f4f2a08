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
    MANUAL = "manual", _("Manual rating")


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
        for name in ("grade_quota", "list_rule", "reward_params", "annual_weights"):
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
