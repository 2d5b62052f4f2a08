"""Appeals (申诉): a unit contests one of its scores in a published run; the office decides.

A unit's leaders or cadres (``assessment.appeal`` over the unit) appeal while the run is
published and the publication's appeal window is open, with a reason, optionally the value
they claim and one piece of evidence (a PDF, JPEG or PNG of at most 10 MB; photos are
cleaned of their metadata). One appeal per run, unit and indicator waits at a time.

The office (``assessment.manage``) accepts — giving the corrected raw value of the score — or
refuses, always with a reason. Accepting recomputes the scheme and period as a new run
version (``compute_run`` reads every accepted appeal's correction), linked from the appeal;
the published version stays as it was.

The annual evaluation has no scores of its own (it combines the months and quarters): its
scores are appealed in the month or quarter they come from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.assessment.actions.compute import compute_run
from grassroots.assessment.errors import AssessmentError, IllegalTransition
from grassroots.assessment.evidence import MAX_BYTES, check_evidence
from grassroots.assessment.models import (
    Appeal,
    AppealState,
    Indicator,
    Publication,
    Result,
    Run,
)
from grassroots.assessment.permissions import APPEAL, MANAGE
from grassroots.assessment.states import RunState
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from grassroots.org.models import Unit, User

#: The largest evidence file accepted with an appeal.
EVIDENCE_MAX_BYTES = MAX_BYTES
#: Longest reason kept (a page of text).
MAX_REASON = 5000


#: What an appeal's evidence may be (of what ``assessment.evidence`` accepts).
EVIDENCE_KINDS = frozenset({"pdf", "jpeg", "png"})


def prepare_evidence(upload: Any) -> tuple[str, bytes]:
    """Check one evidence upload with the assessment's evidence check (by content and name,
    at most 10 MB, photos cleaned of their metadata) and keep only a PDF, JPEG or PNG.
    Returns (file name, bytes); ``AssessmentError(field="evidence")`` otherwise."""
    checked = check_evidence(upload)
    if checked.kind not in EVIDENCE_KINDS:
        raise AssessmentError(
            _("This type of file is not accepted: send a PDF, or a JPEG or PNG photo."),
            field="evidence",
            code="wrong_type",
        )
    return checked.name, checked.data


def _decimal(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise AssessmentError(_("Enter a number."), field=field)
    if abs(value) >= Decimal(10) ** 14:
        raise AssessmentError(_("This number is too large."), field=field)
    return value


def _reason(reason: str, field: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise AssessmentError(_("Give a reason."), field=field)
    if len(text) > MAX_REASON:
        raise AssessmentError(
            _("Keep the reason within %(n)s characters.") % {"n": MAX_REASON}, field=field
        )
    return text


@transaction.atomic
def submit_appeal(
    run: Run,
    unit: Unit,
    indicator: Indicator,
    *,
    reason: str,
    claimed_value: Decimal | None,
    evidence: UploadedFile | None,
    actor: User,
) -> Appeal:
    """Appeal ``unit``'s score on ``indicator`` in the published ``run``.

    Refused (nothing written) when the actor may not appeal for the unit (PermissionDenied),
    the run is not published or its appeal window has closed, a newer published version
    exists, the unit has no result in the run, the indicator is not the scheme's, the reason
    is missing, the evidence is not an accepted file, or an appeal on the same score waits.
    """
    require(actor, APPEAL, unit)
    text = _reason(reason, "reason")
    claimed = _decimal(claimed_value, "claimed_value")
    # the unit's result row serialises two appeals on the same score
    result = Result.objects.select_for_update().filter(run=run, unit=unit).first()
    run = Run.objects.select_related("scheme").get(pk=run.pk)
    if result is None:
        raise AssessmentError(_("This unit has no result in this run."), field="unit")
    if run.kind == "annual":
        raise AssessmentError(
            _(
                "The annual evaluation combines the months and quarters: appeal the score in "
                "the month or quarter it comes from."
            ),
            field="indicator",
        )
    if run.state != RunState.PUBLISHED:
        raise IllegalTransition(_("Only a published run can be appealed."))
    publication = Publication.objects.filter(run=run).first()
    if publication is None or timezone.localdate() > publication.appeal_until:
        raise IllegalTransition(
            _("The appeal window closed on %(date)s.")
            % {"date": publication.appeal_until.isoformat() if publication else "—"}
        )
    newer = Run.objects.filter(
        scheme=run.scheme_id,
        period=run.period,
        version__gt=run.version,
        state__in=[RunState.PUBLISHED, RunState.FROZEN],
    ).first()
    if newer is not None:
        raise IllegalTransition(
            _("A newer version (v%(version)s) has been published: appeal that one.")
            % {"version": newer.version}
        )
    if indicator.scheme_id != run.scheme_id:
        raise AssessmentError(_("This indicator is not part of the scheme."), field="indicator")
    if Appeal.objects.filter(
        run=run, unit=unit, indicator=indicator, state=AppealState.SUBMITTED
    ).exists():
        raise IllegalTransition(
            _("An appeal on this score already waits for a decision."), code="duplicate"
        )
    appeal = Appeal(
        run=run,
        unit=unit,
        indicator=indicator,
        reason=text,
        claimed_value=claimed,
        submitted_by=actor,
    )
    if evidence is not None:
        name, data = prepare_evidence(evidence)
        appeal.evidence.save(name, ContentFile(data), save=False)
    appeal.save()
    from grassroots.audit.actions import record

    record(
        "assessment.appeal.submitted",
        appeal,
        actor=actor,
        after={
            "run": run.pk,
            "unit": unit.code,
            "indicator": indicator.code,
            "claimed_value": claimed,
            "evidence": bool(appeal.evidence),
        },
        unit=unit,
    )
    return appeal


@transaction.atomic
def decide_appeal(
    appeal: Appeal,
    *,
    accept: bool,
    reason: str,
    corrected_value: Decimal | None,
    actor: User,
) -> Appeal:
    """Accept (with the corrected raw value of the score) or refuse a waiting appeal, with a
    reason. Accepting computes the scheme and period again as a new run version, which uses
    the correction; ``appeal.new_run`` is that version."""
    scheme_root = appeal.run.scheme.root
    require(actor, MANAGE, scheme_root)
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("run__scheme", "unit", "indicator")
        .get(pk=appeal.pk)
    )
    if appeal.state != AppealState.SUBMITTED:
        raise IllegalTransition(
            _("This appeal has already been decided (%(state)s).")
            % {"state": AppealState(appeal.state).label}
        )
    text = _reason(reason, "reason")
    corrected = _decimal(corrected_value, "corrected_value")
    if accept and corrected is None:
        raise AssessmentError(
            _("Accepting an appeal needs the corrected value."), field="corrected_value"
        )
    before = {"state": appeal.state}
    appeal.state = AppealState.ACCEPTED if accept else AppealState.REFUSED
    appeal.corrected_value = corrected if accept else None
    appeal.decision_reason = text
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.save(
        update_fields=["state", "corrected_value", "decision_reason", "decided_by", "decided_at"]
    )
    if accept:
        new_run = compute_run(appeal.run.scheme, appeal.run.period, actor=actor)
        appeal.new_run = new_run
        appeal.save(update_fields=["new_run"])
    from grassroots.audit.actions import record

    record(
        "assessment.appeal.accepted" if accept else "assessment.appeal.refused",
        appeal,
        actor=actor,
        before=before,
        after={
            "state": appeal.state,
            "reason": text,
            "corrected_value": appeal.corrected_value,
            "new_run": appeal.new_run_id,
        },
        unit=appeal.unit,
    )
    return appeal
