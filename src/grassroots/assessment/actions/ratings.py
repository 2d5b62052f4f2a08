"""Manual ratings (民主测评, 领导评价, department scoring of townships): the office sends a
rating form to raters, each rater fills one sheet in the browser, the office closes the
form. Anti-averaging (杜绝平均化): every submitted sheet gets the rater's diagnostics against
the form's other sheets (:func:`grassroots.assessment.diagnostics.rater_diagnostics`); a
flagged sheet counts only once its rater has justified it in writing, and the office may
exclude any sheet with a reason. Closing the form recomputes every sheet's diagnostics
against the whole group. Only the counted sheets of a closed form reach a run
(:mod:`grassroots.assessment.manual`).

Sheet states::

    pending ──submit──▶ submitted ◀──┐ (resubmitted while open, not flagged)
       │                   │ close: now flagged
       │      submit: flagged ▼        │
       │            ──────▶ flagged ──justify──▶ justified
       └──────── any state but excluded ──exclude (office)──▶ excluded

Locks are taken form first, then its sheets in id order.

Raters hear of their sheets in their inbox, after the action commits
(:mod:`grassroots.assessment.rating_notices`): a new form (the link to the sheet and the
closing date), and a sheet left flagged by a submission or by the close (a justification
is needed). The closing job (:mod:`grassroots.assessment.actions.rating_sweep`) closes
forms past their closing day as the system (``actor=None``) and reminds raters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.assessment import rating_notices
from grassroots.assessment.actions.compute import units_in_scope
from grassroots.assessment.diagnostics import RaterDiagnostics, rater_diagnostics
from grassroots.assessment.errors import AssessmentError, IllegalTransition
from grassroots.assessment.models import (
    FormState,
    Indicator,
    Rating,
    RatingForm,
    RatingSheet,
    Scheme,
    SheetState,
    Source,
    period_kind,
)
from grassroots.assessment.permissions import MANAGE
from grassroots.common.metrics import Period, PeriodError
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import Unit, User

#: Sheets whose scores take part in the diagnostics of the others (filled, not excluded).
FILLED_SHEETS = frozenset({SheetState.SUBMITTED, SheetState.FLAGGED, SheetState.JUSTIFIED})
SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(100)
JUSTIFICATION_MIN = 10
TEXT_MAX = 4000
TITLE_MAX = 200


def score_field(unit_id: int) -> str:
    """The name of a unit's score on the sheet page and in errors (``score_<unit id>``)."""
    return f"score_{unit_id}"


def _audit(
    action: str,
    obj: Any,
    *,
    actor: User | None,
    unit: Unit,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    from grassroots.audit.actions import record

    record(action, obj, actor=actor, before=before, after=after, unit=unit, note=note)


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str, *, field: str, required: bool, maximum: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise AssessmentError(_("This field is required."), field=field, code="required")
    if len(text) > maximum:
        raise AssessmentError(
            _("At most %(n)d characters.") % {"n": maximum}, field=field, code="too_long"
        )
    return text


def check_period(scheme: Scheme, period: str) -> str:
    """The period's label when it parses and lies in the scheme's year (field ``period``)."""
    try:
        parsed = Period.parse(str(period or ""))
    except PeriodError:
        raise AssessmentError(
            _("Enter a period such as 2026-10 (month), 2026-Q3 (quarter) or 2026 (year)."),
            field="period",
            code="invalid",
        ) from None
    if parsed.label[:4] != str(scheme.year) or period_kind(parsed.label) == "other":
        raise AssessmentError(
            _("The period must be a month, quarter or the year %(year)d of the scheme.")
            % {"year": scheme.year},
            field="period",
            code="invalid",
        )
    return parsed.label


# --- scores and diagnostics --------------------------------------------------------------


def _as_score(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        score = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not score.is_finite():
        return None
    return score


def score_errors(scores: Mapping[int, object], units: Sequence[Unit]) -> dict[int, str]:
    """Every unit whose score is missing, not a number, outside 0–100 or with more than two
    decimals, with the message (unit id → message); empty when the sheet is complete."""
    errors: dict[int, str] = {}
    for unit in units:
        raw = scores.get(unit.pk)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            errors[unit.pk] = _("Give %(unit)s a score from 0 to 100.") % {"unit": unit.name}
            continue
        score = _as_score(raw)
        if score is None or not SCORE_MIN <= score <= SCORE_MAX:
            errors[unit.pk] = _("The score of %(unit)s must be a number from 0 to 100.") % {
                "unit": unit.name
            }
        elif -int(score.as_tuple().exponent) > 2:
            errors[unit.pk] = _("The score of %(unit)s may have at most two decimals.") % {
                "unit": unit.name
            }
    return errors


def _diagnostics_json(found: RaterDiagnostics, *, group: int, basis: str) -> dict[str, Any]:
    """A sheet's diagnostics as stored (``RatingSheet.diagnostics``): exact decimals as text."""
    return {
        "count": found.count,
        "mean": str(found.mean),
        "std": str(found.std),
        "sd_ratio": None if found.std_ratio is None else str(found.std_ratio),
        "range": str(found.score_range),
        "identical_share": str(found.identical_share),
        "leniency_z": str(found.leniency_z),
        "grade_entropy": str(found.grade_entropy_bits),
        "flags": list(found.flags),
        "group_sheets": group,
        "basis": basis,
    }


def _group_scores(form: RatingForm, *, without: int | None = None) -> dict[int, dict[int, Decimal]]:
    """The scores of the form's filled sheets (sheet id → unit id → score), in one query."""
    rows = Rating.objects.filter(sheet__form=form, sheet__state__in=FILLED_SHEETS)
    if without is not None:
        rows = rows.exclude(sheet_id=without)
    group: dict[int, dict[int, Decimal]] = {}
    for sheet_id, unit_id, score in rows.values_list("sheet_id", "unit_id", "score").order_by():
        group.setdefault(sheet_id, {})[unit_id] = Decimal(score)
    return group


# --- the office: forms -------------------------------------------------------------------


@transaction.atomic
def create_form(
    scheme: Scheme,
    *,
    indicator: Indicator | None,
    period: str,
    title: str,
    closes_on: dt.date,
    raters: Sequence[User],
    actor: User,
    instructions: str = "",
) -> RatingForm:
    """Send a rating form for ``indicator`` (a manual-rating indicator of ``scheme``; None:
    the scheme's year-end review, whose period is the scheme's year) and ``period`` to
    ``raters``: one pending sheet each, and each rater is told (inbox, after commit). Needs
    ``assessment.manage`` over the scheme's root. One form per scheme, indicator and period."""
    require(actor, MANAGE, scheme.root)
    scheme = Scheme.objects.select_for_update().select_related("root").get(pk=scheme.pk)
    title = _text(title, field="title", required=True, maximum=TITLE_MAX)
    instructions = _text(instructions, field="instructions", required=False)
    if indicator is not None:
        indicator = Indicator.objects.filter(pk=indicator.pk, scheme=scheme).first()
        if indicator is None or indicator.source != Source.MANUAL:
            raise AssessmentError(
                _("Choose a manual-rating indicator of this scheme."), field="indicator"
            )
    label = check_period(scheme, period)
    if indicator is None and period_kind(label) != "annual":
        raise AssessmentError(
            _("A year-end review form is for the whole year: enter %(year)d.")
            % {"year": scheme.year},
            field="period",
        )
    if not isinstance(closes_on, dt.date) or isinstance(closes_on, dt.datetime):
        raise AssessmentError(_("Enter a valid date."), field="closes_on")
    if closes_on < _today():
        raise AssessmentError(
            _("The closing date cannot be in the past."), field="closes_on", code="past"
        )
    people: dict[int, User] = {}
    for rater in raters:
        if rater.pk is None or not rater.is_active:
            raise AssessmentError(
                _("%(name)s cannot log in and cannot rate.") % {"name": rater}, field="raters"
            )
        people.setdefault(rater.pk, rater)
    if not people:
        raise AssessmentError(_("Choose at least one rater."), field="raters", code="required")
    same = RatingForm.objects.filter(scheme=scheme, period=label)
    same = same.filter(indicator=indicator) if indicator else same.filter(indicator__isnull=True)
    if same.exists():
        raise AssessmentError(
            _("This scheme already has a rating form for this indicator and period."),
            field="period",
            code="duplicate",
        )
    form = RatingForm.objects.create(
        scheme=scheme,
        indicator=indicator,
        period=label,
        title=title,
        instructions=instructions,
        closes_on=closes_on,
        state=FormState.OPEN,
        created_by=actor,
    )
    RatingSheet.objects.bulk_create(
        RatingSheet(form=form, rater_id=pk, state=SheetState.PENDING) for pk in sorted(people)
    )
    sheets = RatingSheet.objects.filter(form=form).order_by("pk").values_list("pk", "rater_id")
    rating_notices.notify_on_commit(
        [
            rating_notices.SheetNotice(
                kind=rating_notices.SENT,
                sheet_id=sheet_id,
                rater_id=rater_id,
                form_id=form.pk,
                title=title,
                closes_on=closes_on,
                instructions=instructions,
            )
            for sheet_id, rater_id in sheets
        ]
    )
    _audit(
        "assessment.form.created",
        form,
        actor=actor,
        unit=scheme.root,
        after={
            "scheme": scheme.code,
            "indicator": indicator.code if indicator else None,
            "period": label,
            "title": title,
            "closes_on": closes_on,
            "raters": sorted(people),
        },
    )
    return form


def _lock_form(form: RatingForm | int) -> RatingForm:
    pk = form.pk if isinstance(form, RatingForm) else form
    found = (
        RatingForm.objects.select_for_update(of=("self",))
        .select_related("scheme__root", "indicator")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise AssessmentError(_("No such rating form."), code="not_found")
    return found


def _lock_sheet(sheet: RatingSheet | int) -> RatingSheet:
    """The sheet's form (locked first) and the sheet, locked."""
    pk = sheet.pk if isinstance(sheet, RatingSheet) else sheet
    form_id = RatingSheet.objects.filter(pk=pk).values_list("form_id", flat=True).first()
    if form_id is None:
        raise AssessmentError(_("No such rating sheet."), code="not_found")
    form = _lock_form(form_id)
    found = RatingSheet.objects.select_for_update(of=("self",)).get(pk=pk)
    found.form = form
    return found


@transaction.atomic
def close_form(form: RatingForm, *, actor: User | None) -> RatingForm:
    """Close an open form: no more sheets; every filled sheet's diagnostics are recomputed
    against the whole group. A submitted sheet now flagged becomes flagged (it needs a
    justification before it counts; its rater is told), a flagged one no longer flagged
    becomes submitted, a justified one stays justified; pending sheets stay pending and
    never count. ``actor`` None is the system (the closing job, after the closing day);
    a person needs ``assessment.manage`` over the scheme's root."""
    if actor is not None:
        require(actor, MANAGE, form.scheme.root)
    form = _lock_form(form)
    if actor is not None:
        require(actor, MANAGE, form.scheme.root)
    if form.state != FormState.OPEN:
        raise IllegalTransition(_("This rating form is already closed."), code="closed")
    form.state = FormState.CLOSED
    form.closed_at = timezone.now()
    form.save(update_fields=["state", "closed_at"])
    sheets = list(
        RatingSheet.objects.select_for_update(of=("self",)).filter(form=form).order_by("pk")
    )
    group = _group_scores(form)
    found = rater_diagnostics(group)
    root = form.scheme.root
    counts = {state.value: 0 for state in SheetState}
    notices: list[rating_notices.SheetNotice] = []
    for sheet in sheets:
        if sheet.pk in found:
            result = found[sheet.pk]
            sheet.diagnostics = _diagnostics_json(result, group=len(group), basis="close")
            before = sheet.state
            if result.flagged and sheet.state == SheetState.SUBMITTED:
                sheet.state = SheetState.FLAGGED
            elif not result.flagged and sheet.state == SheetState.FLAGGED:
                sheet.state = SheetState.SUBMITTED
            sheet.save(update_fields=["diagnostics", "state", "updated_at"])
            if sheet.state == SheetState.FLAGGED and before != SheetState.FLAGGED:
                notices.append(_flag_notice(sheet, form, result.flags, at_close=True))
            if sheet.state != before:
                _audit(
                    "assessment.sheet.rechecked",
                    sheet,
                    actor=actor,
                    unit=root,
                    before={"state": before},
                    after={"state": sheet.state, "flags": list(result.flags)},
                    note="form closed",
                )
        counts[sheet.state] += 1
    _audit(
        "assessment.form.closed",
        form,
        actor=actor,
        unit=root,
        before={"state": FormState.OPEN},
        after={"state": FormState.CLOSED, "sheets": counts},
        note="" if actor is not None else "closed by the system: the closing day has passed",
    )
    rating_notices.notify_on_commit(notices)
    return form


def _flag_notice(
    sheet: RatingSheet, form: RatingForm, flags: Sequence[str], *, at_close: bool
) -> rating_notices.SheetNotice:
    return rating_notices.SheetNotice(
        kind=rating_notices.FLAGGED,
        sheet_id=sheet.pk,
        rater_id=sheet.rater_id,
        form_id=form.pk,
        title=form.title,
        closes_on=form.closes_on,
        flags=tuple(flags),
        at_close=at_close,
    )


# --- the rater: sheets -------------------------------------------------------------------


def _require_rater(sheet: RatingSheet, actor: User) -> None:
    if actor is None or actor.pk != sheet.rater_id or not actor.is_active:
        raise PermissionDenied(_("Only the rater of this sheet may do this."))


@transaction.atomic
def submit_sheet(sheet: RatingSheet, scores: Mapping[int, Decimal], *, actor: User) -> RatingSheet:
    """The rater's scores (unit id → 0–100, at most two decimals) for every unit of the
    scheme, while the form is open and its closing day (Asia/Shanghai) has not passed.
    Replaces the sheet's earlier scores. The sheet's diagnostics are computed against the
    form's other filled sheets: flagged → ``flagged`` (a justification is needed before it
    counts; an earlier justification no longer holds; the rater is told in the inbox),
    else ``submitted``."""
    sheet = _lock_sheet(sheet)
    _require_rater(sheet, actor)
    form = sheet.form
    if form.state != FormState.OPEN:
        raise IllegalTransition(_("This rating form is closed."), code="closed")
    if _today() > form.closes_on:
        raise IllegalTransition(
            _("This rating form closed on %(date)s.") % {"date": form.closes_on.isoformat()},
            code="closed",
        )
    if sheet.state == SheetState.EXCLUDED:
        raise IllegalTransition(
            _("The office excluded this sheet; it can no longer be changed."), code="excluded"
        )
    units = units_in_scope(form.scheme)
    wanted = {u.pk for u in units}
    for unit_id in scores:
        if unit_id not in wanted:
            raise AssessmentError(
                _("Unit %(id)s is not assessed by this scheme.") % {"id": unit_id},
                field="scores",
            )
    errors = score_errors(scores, units)
    if errors:
        first = next(u for u in units if u.pk in errors)
        raise AssessmentError(errors[first.pk], field=score_field(first.pk))
    clean = {u.pk: _as_score(scores[u.pk]) or Decimal(0) for u in units}  # all checked above
    group = _group_scores(form, without=sheet.pk)
    group[sheet.pk] = clean
    result = rater_diagnostics(group)[sheet.pk]
    before = {"state": sheet.state}
    Rating.objects.filter(sheet=sheet).delete()
    Rating.objects.bulk_create(
        Rating(sheet=sheet, unit_id=unit_id, score=score) for unit_id, score in clean.items()
    )
    sheet.diagnostics = _diagnostics_json(result, group=len(group), basis="submit")
    sheet.state = SheetState.FLAGGED if result.flagged else SheetState.SUBMITTED
    sheet.justification = ""
    sheet.submitted_at = timezone.now()
    sheet.save(
        update_fields=["diagnostics", "state", "justification", "submitted_at", "updated_at"]
    )
    _audit(
        "assessment.sheet.submitted",
        sheet,
        actor=actor,
        unit=form.scheme.root,
        before=before,
        after={
            "state": sheet.state,
            "flags": list(result.flags),
            "scores": {str(k): str(v) for k, v in clean.items()},
        },
    )
    if sheet.state == SheetState.FLAGGED:
        rating_notices.notify_on_commit([_flag_notice(sheet, form, result.flags, at_close=False)])
    return sheet


@transaction.atomic
def justify_sheet(sheet: RatingSheet, justification: str, *, actor: User) -> RatingSheet:
    """The rater explains a flagged sheet in writing (at least ten characters); the sheet
    is then ``justified`` and counts. Also after the form closed (its diagnostics against
    the whole group may have flagged it then)."""
    sheet = _lock_sheet(sheet)
    _require_rater(sheet, actor)
    if sheet.state != SheetState.FLAGGED:
        raise IllegalTransition(
            _("Only a flagged sheet needs a justification."), code="not_flagged"
        )
    text = _text(justification, field="justification", required=True)
    if len(text) < JUSTIFICATION_MIN:
        raise AssessmentError(
            _("Explain your scores in at least %(n)d characters.") % {"n": JUSTIFICATION_MIN},
            field="justification",
            code="too_short",
        )
    sheet.state = SheetState.JUSTIFIED
    sheet.justification = text
    sheet.save(update_fields=["state", "justification", "updated_at"])
    _audit(
        "assessment.sheet.justified",
        sheet,
        actor=actor,
        unit=sheet.form.scheme.root,
        before={"state": SheetState.FLAGGED},
        after={"state": SheetState.JUSTIFIED, "justification": text},
    )
    return sheet


@transaction.atomic
def exclude_sheet(sheet: RatingSheet, reason: str, *, actor: User) -> RatingSheet:
    """The office excludes a sheet (in any state but excluded) with a reason; it never
    counts and can no longer be changed."""
    sheet = _lock_sheet(sheet)
    require(actor, MANAGE, sheet.form.scheme.root)
    if sheet.state == SheetState.EXCLUDED:
        raise IllegalTransition(_("This sheet is already excluded."), code="excluded")
    text = _text(reason, field="reason", required=True)
    before = {"state": sheet.state}
    sheet.state = SheetState.EXCLUDED
    sheet.exclusion_reason = text
    sheet.save(update_fields=["state", "exclusion_reason", "updated_at"])
    _audit(
        "assessment.sheet.excluded",
        sheet,
        actor=actor,
        unit=sheet.form.scheme.root,
        before=before,
        after={"state": SheetState.EXCLUDED, "reason": text},
    )
    return sheet
