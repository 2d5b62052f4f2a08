"""Cadres (干部选育用管): files, post history, the reserve pool, training, tempering, key
moments, yearly grades, selection for vacancies and error tolerance (容错纠错).

A cadre's file is sensitive: only the organisation department and the leader of the
cadre's own unit (``cadres.view_file`` over ``Cadre.unit``) see it, and every look at it
is written down (``FileView``). Every other page shows names only, and ID numbers and
phones masked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.cadres import shape
from grassroots.cadres.permissions import VIEW_FILE, VIEW_TOLERANCE
from grassroots.cadres.states import (
    OPEN_RESERVE,
    Applicant,
    Appraisal,
    CadreStatus,
    Education,
    Gender,
    KeyMomentKind,
    Level,
    MeasureState,
    ObjectionState,
    Outcome,
    ReserveStatus,
    TemperingKind,
    TemperingState,
    ToleranceState,
    TrainingResult,
    VacancyState,
    YearGrade,
)
from grassroots.common.crypto import BlindIndexed, EncryptedCharField
from grassroots.org.models import Unit
from grassroots.org.queries import ScopedQuerySet

USER = settings.AUTH_USER_MODEL


class InUnit:
    """A record that belongs to ``unit``: the permission checks place it there
    (``org.permissions.scope_paths``), and ``objects.visible_to(user, action)`` finds the
    rows under the units where the user holds ``action`` (by default the one below)."""

    unit: Unit

    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit.path,)


class FileQuerySet(ScopedQuerySet):
    """Rows placed by their unit and seen with ``cadres.view_file``."""

    view_action = VIEW_FILE


class CadreRecordQuerySet(FileQuerySet):
    """A cadre's own records (tempering…), placed by the cadre's unit."""

    scope_path_fields = ("cadre__unit__path",)


class ToleranceQuerySet(ScopedQuerySet):
    """Error-tolerance cases, seen with ``cadres.view_tolerance`` (the 纪委 too)."""

    view_action = VIEW_TOLERANCE


class Policy(InUnit, models.Model):
    """The organisation department's settings for a subtree (the nearest one above a unit
    applies: ``queries.policy_for``)."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="cadre_policy"
    )
    #: Reserves wanted per key post (1:2 → 2).
    reserve_ratio = models.DecimalField(
        _("reserves per key post"), max_digits=4, decimal_places=2, default=Decimal(2)
    )
    yearly_training_hours = models.DecimalField(
        _("required training hours a year"), max_digits=6, decimal_places=1, default=Decimal(56)
    )
    #: Share of a unit's cadres that may be graded 优秀 in one year (percent).
    excellent_quota_percent = models.PositiveSmallIntegerField(
        _("share of Excellent grades (%)"), default=20
    )
    public_notice_workdays = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=5
    )
    min_grassroots_years = models.PositiveSmallIntegerField(
        _("years in grassroots work required for promotion"), default=2
    )
    #: ``{level: oldest age at appointment}``, e.g. ``{"deputy_section": 40}``.
    max_age = models.JSONField(_("age limits by level"), default=dict, blank=True)
    #: Readiness weights ``{factor: points}`` (``scoring.FACTORS``); missing → default.
    weights = models.JSONField(_("readiness weights"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre policy")
        verbose_name_plural = _("cadre policies")

    def __str__(self) -> str:
        return str(self.unit)


class Cadre(BlindIndexed, InUnit, models.Model):
    """A cadre's file (干部档案)."""

    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=16)  # 民族, e.g. 彝族
    birth_date = models.DateField(_("date of birth"))
    #: 身份证号: unique when given; never shown unmasked outside the file.
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    #: The ID number's blind index (``common.crypto.digest``): the unique key and look-ups.
    id_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone = EncryptedCharField(_("mobile phone"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    party_joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    #: When their work at township or village level began (for years in grassroots).
    grassroots_since = models.DateField(_("in grassroots work since"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cadres"
    )
    post = models.CharField(_("current post"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=CadreStatus.choices, default=CadreStatus.ACTIVE
    )
    #: Their login, when they have one: links their tasks and events (key moments) and lets
    #: them apply for error tolerance themselves.
    user = models.OneToOneField(
        USER,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["unit__path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_digest"], condition=~Q(id_digest=""), name="cadre_id_number_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="cadre_unit_status")]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: dt.date) -> int:
        return shape.age_on(self.birth_date, day)


class FileView(models.Model):
    """One look at a cadre's file (or its export): who, when, what."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now, db_index=True)
    #: ``file``, ``export``, ``print``.
    what = models.CharField(max_length=16, default="file")

    class Meta:
        verbose_name = _("file view")
        verbose_name_plural = _("file views")
        ordering = ["-viewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.cadre} ({self.what})"


class PostRecord(models.Model):
    """One post a cadre held (任职经历); the open one (no ``ended_on``) is the current post."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="posts")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    post = models.CharField(_("post"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    #: The vacancy whose decision made this appointment, when it came from a selection.
    vacancy = models.ForeignKey(
        "Vacancy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("post held")
        verbose_name_plural = _("posts held")
        ordering = ["cadre", "-started_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cadre} {self.post}"


class KeyPost(InUnit, models.Model):
    """A key post (关键岗位) of a unit; the reserve ratio is counted against these."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="key_posts"
    )
    title = models.CharField(_("post"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    holder = models.ForeignKey(
        Cadre,
        verbose_name=_("holder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_posts",
    )

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("key post")
        verbose_name_plural = _("key posts")
        ordering = ["unit__path", "level", "title"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title}"


class ReserveEntry(InUnit, models.Model):
    """A cadre's way through the reserve pool (后备干部): nominated by a unit with the
    democratic recommendation tally, reviewed, entered, and left (appointed or removed)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="reserve_entries"
    )
    #: The unit that nominated them (its leader's scope): the pool is counted by it.
    unit = models.ForeignKey(Unit, verbose_name=_("nominating unit"), on_delete=models.PROTECT)
    target_level = models.CharField(_("target post level"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ReserveStatus.choices, default=ReserveStatus.NOMINATED
    )
    # 民主推荐: who took part and how many recommended them.
    voters = models.PositiveIntegerField(_("people taking part in the recommendation"))
    votes = models.PositiveIntegerField(_("recommendation votes"))
    reason = models.TextField(_("grounds for the nomination"))
    nominated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review opinion"), blank=True)
    entered_on = models.DateField(_("entered the pool on"), null=True, blank=True)
    exited_on = models.DateField(_("left the pool on"), null=True, blank=True)
    exit_reason = models.TextField(_("reason for leaving"), blank=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("reserve entry")
        verbose_name_plural = _("reserve entries")
        ordering = ["-nominated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status__in=[s.value for s in OPEN_RESERVE]),
                name="reserve_one_open_per_cadre",
            ),
            models.CheckConstraint(
                condition=Q(votes__lte=models.F("voters")), name="reserve_votes_le_voters"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="reserve_unit_status")]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.get_target_level_display()}"


class Mentorship(models.Model):
    """A mentor (导师帮带) assigned to a cadre."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(
        Cadre, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="mentees"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["cadre", "-started_on"]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.cadre}"


class TrainingRecord(models.Model):
    """One course a cadre took (教育培训)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=100)  # 党校, 行政学院, 网络学院…
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    result = models.CharField(_("result"), max_length=16, choices=TrainingResult.choices)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["cadre", "-ended_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
            models.CheckConstraint(
                condition=Q(ended_on__gte=models.F("started_on")), name="training_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.course}"


class Tempering(models.Model):
    """An assignment to hard work or a hard place (到难点/一线/艰苦地方锻炼), with its period
    and the evaluation at its end. A cadre's assignments never overlap."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="temperings")
    kind = models.CharField(_("kind of work"), max_length=16, choices=TemperingKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("where"), on_delete=models.PROTECT)
    post = models.CharField(_("post"), max_length=100)
    started_on = models.DateField(_("from"))
    planned_end = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=TemperingState.choices, default=TemperingState.ONGOING
    )
    appraisal = models.CharField(
        _("evaluation"), max_length=16, choices=Appraisal.choices, blank=True
    )
    evaluation = models.TextField(_("evaluation remarks"), blank=True)
    evaluated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    objects = CadreRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("tempering assignment")
        verbose_name_plural = _("tempering assignments")
        ordering = ["cadre", "-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("started_on")), name="tempering_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_kind_display()}"


class KeyMoment(models.Model):
    """How a cadre did when it mattered. Tasks and escalated events are derived from the
    supervision and events data (``source`` names the record, unique per cadre);
    emergencies, commendations and warnings are entered by hand."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="key_moments")
    kind = models.CharField(_("kind"), max_length=16, choices=KeyMomentKind.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("details"), blank=True)
    #: ``supervision.task:12`` / ``events.event:34`` for derived ones, empty by hand.
    source = models.CharField(_("source"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("key-moment record")
        verbose_name_plural = _("key-moment records")
        ordering = ["cadre", "-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "source"], condition=~Q(source=""), name="key_moment_source_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.title}"


class Grade(models.Model):
    """A cadre's yearly evaluation grade (年度考核等次), within the unit's quota."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="grades")
    year = models.PositiveSmallIntegerField(_("year"))
    #: The unit the grade counts against (the cadre's unit at the time).
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    grade = models.CharField(_("grade"), max_length=16, choices=YearGrade.choices)
    note = models.TextField(_("remarks"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("yearly grade")
        verbose_name_plural = _("yearly grades")
        ordering = ["-year", "cadre"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="grade_once_a_year")]
        indexes = [models.Index(fields=["unit", "year"], name="grade_unit_year")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year} {self.get_grade_display()}"


class CommitteeVote(models.Model):
    """The vote of a committee (民主集中制): members, who came, and how they voted."""

    members = models.PositiveSmallIntegerField(_("committee members"), null=True, blank=True)
    present = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    meeting_on = models.DateField(_("meeting date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True


class Vacancy(InUnit, CommitteeVote):
    """A post to fill (职位空缺): the pool's eligible candidates are ranked by readiness
    (``Candidate`` rows, kept as ranked), and the committee's decision is recorded against
    the ranking."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    key_post = models.ForeignKey(
        KeyPost, verbose_name=_("key post"), on_delete=models.SET_NULL, null=True, blank=True
    )
    title = models.CharField(_("post"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=VacancyState.choices, default=VacancyState.OPEN
    )
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    #: The weights the last ranking used (a copy: the policy may change afterwards).
    weights = models.JSONField(_("weights used"), default=dict, blank=True)
    ranked_at = models.DateTimeField(_("ranked at"), null=True, blank=True)
    chosen = models.ForeignKey(
        ReserveEntry,
        verbose_name=_("appointed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Required when the chosen candidate was not the best ranked (跳过排名靠前者的理由).
    skip_reason = models.TextField(
        _("reason for passing over higher-ranked candidates"), blank=True
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title}"


class Candidate(models.Model):
    """One reserve in a vacancy's ranking, with the score broken down point by point."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="candidates")
    entry = models.ForeignKey(ReserveEntry, on_delete=models.CASCADE, related_name="+")
    eligible = models.BooleanField(_("eligible"))
    #: Why not, when not eligible (age, years in grassroots, level…).
    ineligible_reason = models.CharField(_("why not eligible"), max_length=200, blank=True)
    score = models.DecimalField(_("readiness score"), max_digits=7, decimal_places=2)
    #: ``[{"factor", "value", "points", "weight"}]`` as ``scoring.readiness`` made it.
    breakdown = models.JSONField(_("breakdown"), default=list)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["vacancy", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["vacancy", "entry"], name="candidate_once")]

    def __str__(self) -> str:
        return f"{self.vacancy_id}#{self.rank} {self.entry_id}"


class ToleranceCase(InUnit, CommitteeVote):
    """An error-tolerance case (容错纠错): the application, the verification on the
    published conditions, the committee's decision, the public notice with its objections,
    the waived assessment deductions and the corrective measures."""

    number = models.CharField(_("number"), max_length=20, unique=True)  # RC2026-0001
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tolerance_cases",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    applicant = models.CharField(_("applicant"), max_length=8, choices=Applicant.choices)
    applied_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    title = models.CharField(_("the mistake"), max_length=200)
    facts = models.TextField(_("facts"))
    occurred_on = models.DateField(_("when it happened"))
    #: The assessment month whose deductions it concerns (first day of the month).
    affected_month = models.DateField(_("assessment month concerned"))
    #: The metric of the deduction or veto indicator it concerns, and how many items.
    metric = models.CharField(_("assessment item concerned"), max_length=64, blank=True)
    items = models.PositiveIntegerField(_("items to waive"), default=0)
    state = models.CharField(
        _("state"), max_length=16, choices=ToleranceState.choices, default=ToleranceState.APPLIED
    )
    #: ``{condition: {"met": bool, "note": str}}`` (``rules.CONDITIONS``).
    checklist = models.JSONField(_("verification"), default=dict, blank=True)
    verified_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    notice_starts = models.DateTimeField(_("public notice from"), null=True, blank=True)
    notice_ends = models.DateTimeField(
        _("public notice until"), null=True, blank=True, db_index=True
    )
    effective_at = models.DateTimeField(_("effective from"), null=True, blank=True)
    refused_reason = models.TextField(_("why not tolerated"), blank=True)
    #: Set when every corrective measure is done (纠错完成).
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = ToleranceQuerySet.as_manager()

    class Meta:
        verbose_name = _("error-tolerance case")
        verbose_name_plural = _("error-tolerance cases")
        ordering = ["-applied_at", "-pk"]
        indexes = [models.Index(fields=["state", "affected_month"], name="tolerance_state_month")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Objection(models.Model):
    """An objection filed during a case's public notice (公示期异议)."""

    case = models.ForeignKey(ToleranceCase, on_delete=models.CASCADE, related_name="objections")
    #: The person objecting: a login, or a name and phone given on the public page.
    filed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=64)
    phone = EncryptedCharField(_("mobile phone"), max_length=20, blank=True)
    text = models.TextField(_("objection"))
    filed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["case", "filed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.name}"


class CorrectiveMeasure(models.Model):
    """A corrective measure (纠错整改) of a tolerated case, tracked to completion."""

    case = models.ForeignKey(ToleranceCase, on_delete=models.CASCADE, related_name="measures")
    description = models.TextField(_("measure"))
    responsible = models.CharField(_("responsible"), max_length=100)
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"), max_length=16, choices=MeasureState.choices, default=MeasureState.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("corrective measure")
        verbose_name_plural = _("corrective measures")
        ordering = ["case", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.description[:30]}"
