"""Editing a scheme and its indicators (the office's editor: the Django admin).

``save_scheme`` writes the scheme, its new and changed indicators and removes the deleted
ones, in one transaction with one audit entry holding the before and after of all of it.
Only the city office (``assessment.manage`` over the scheme's root, old and new) edits. An
indicator that already has scores in a run is never deleted (the runs keep their
explanations); change it or add a new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import (
    Appeal,
    Indicator,
    ManualEntry,
    RatingForm,
    Scheme,
    Score,
)
from grassroots.assessment.permissions import MANAGE
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import User

SCHEME_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "year",
    "level",
    "root_id",
    "peer_rule",
    "total_points",
    "grade_quota",
    "list_rule",
    "reward_pool_fen",
    "reward_method",
    "reward_params",
    "shrinkage",
    "significance",
    "annual_weights",
    "training_places",
    "min_spread",
    "max_indicators",
    "max_manual",
    "appeal_workdays",
)
INDICATOR_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "category",
    "weight",
    "source",
    "metric",
    "normaliser",
    "direction",
    "rule",
    "params",
    "duty",
    "position",
)


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _state(scheme: Scheme) -> dict[str, Any]:
    return {
        **_snapshot(scheme, SCHEME_FIELDS),
        "indicators": [
            _snapshot(i, INDICATOR_FIELDS)
            for i in Indicator.objects.filter(scheme=scheme).order_by("position", "code")
        ],
    }


def _first_error(exc: ValidationError) -> AssessmentError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return AssessmentError(str(errors[0].messages[0]), field=field)
    return AssessmentError(str(exc.messages[0]))


@transaction.atomic
def save_scheme(
    scheme: Scheme,
    *,
    actor: User,
    indicators: Iterable[Indicator] = (),
    deleted: Iterable[Indicator] = (),
) -> Scheme:
    """Create or change ``scheme`` (an unsaved or changed instance), save ``indicators``
    (new or changed instances of it) and delete ``deleted``; audited as one change."""
    require(actor, MANAGE, scheme.root)
    before: dict[str, Any] | None = None
    if scheme.pk is not None:
        stored = Scheme.objects.select_for_update().select_related("root").get(pk=scheme.pk)
        require(actor, MANAGE, stored.root)
        before = _state(stored)
    try:
        scheme.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        raise _first_error(exc) from None
    scheme.save()
    gone = [i for i in deleted if i.pk is not None]
    if gone:
        ids = [i.pk for i in gone]
        scored = set(
            Score.objects.filter(indicator__in=ids).values_list("indicator__code", flat=True)
        )
        if scored:
            raise AssessmentError(
                _(
                    "Indicator %(codes)s already has scores in a run and cannot be deleted; "
                    "change it instead."
                )
                % {"codes": "、".join(sorted(scored))},
                field="indicators",
            )
        # the figures, forms and appeals that name an indicator keep it (PROTECT): refuse
        # here, with the reason, rather than fail in the database
        used = {
            code
            for model in (ManualEntry, RatingForm, Appeal)
            for code in model.objects.filter(indicator__in=ids).values_list(
                "indicator__code", flat=True
            )
        }
        if used:
            raise AssessmentError(
                _(
                    "Indicator %(codes)s already has entered figures, rating forms or appeals "
                    "and cannot be deleted; change it instead."
                )
                % {"codes": "、".join(sorted(used))},
                field="indicators",
            )
        Indicator.objects.filter(scheme=scheme, pk__in=[i.pk for i in gone]).delete()
    for ind in indicators:
        ind.scheme = scheme
        try:
            ind.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise _first_error(exc) from None
        if Indicator.objects.filter(scheme=scheme, code=ind.code).exclude(pk=ind.pk).exists():
            raise AssessmentError(
                _("The scheme already has an indicator %(code)s.") % {"code": ind.code},
                field="code",
            )
        ind.save()
    from grassroots.audit.actions import record

    record(
        "assessment.scheme.created" if before is None else "assessment.scheme.changed",
        scheme,
        actor=actor,
        before=before,
        after=_state(scheme),
        unit=scheme.root,
    )
    return scheme
