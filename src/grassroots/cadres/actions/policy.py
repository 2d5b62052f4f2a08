"""The organisation department's settings for a subtree (``Policy``): the reserve ratio,
the yearly training hours, the quota of 优秀 grades, the public notice period of
error-tolerance cases, the years in grassroots work required for promotion, the age
limits by level and the readiness weights (``scoring.FACTORS``).

The nearest policy at or above a unit applies (``queries.policy_for``); ``set_policy``
writes the policy *of* one unit, every field at once, after checking them all."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres.actions._base import lock
from grassroots.cadres.errors import CadresError
from grassroots.cadres.models import Policy
from grassroots.cadres.permissions import MANAGE
from grassroots.cadres.scoring import FACTORS, MAX_WEIGHT
from grassroots.cadres.states import Level
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import Unit, User

AGE_MIN = 18
AGE_MAX = 65
NOTICE_MIN = 1
NOTICE_MAX = 30
GRASSROOTS_YEARS_MAX = 30
RATIO_MAX = Decimal("99.99")
HOURS_MAX = Decimal("99999.9")

FIELDS = (
    "reserve_ratio",
    "yearly_training_hours",
    "excellent_quota_percent",
    "public_notice_workdays",
    "min_grassroots_years",
    "max_age",
    "weights",
)


def weight_field(factor: str) -> str:
    """The input name of a factor's weight (forms and errors)."""
    return f"weight_{factor}"


def age_field(level: str) -> str:
    """The input name of a level's age limit (forms and errors)."""
    return f"max_age_{level}"


def _decimal(value: object, field: str, *, places: int, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if value is not None and value != "" else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise CadresError(_("Enter a number."), field=field)
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise CadresError(_("At most %(n)d decimal places, please.") % {"n": places}, field=field)
    if not low <= number <= high:
        raise CadresError(
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return number


def _whole(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CadresError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            field=field,
        )
    return value


def _snapshot(policy: Policy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in FIELDS}


@transaction.atomic
def set_policy(
    unit: Unit,
    *,
    actor: User,
    reserve_ratio: object,
    yearly_training_hours: object,
    excellent_quota_percent: object,
    public_notice_workdays: object,
    min_grassroots_years: object,
    max_age: Mapping[str, int | None],
    weights: Mapping[str, object],
) -> Policy:
    """Write the policy of ``unit`` (the organisation department, ``cadres.manage`` over
    the unit). Rules: reserves per key post > 0 (two decimals); training hours ≥ 0 (one
    decimal); the 优秀 quota 0–100 %; the public notice 1–30 working days; years in
    grassroots 0–30; each weight 0–100 points (every factor of ``scoring.FACTORS``, an
    unknown one refused); each age limit 18–65 (a level left empty has none). Nothing is
    written unless every field is right."""
    require(actor, MANAGE, unit)
    ratio = _decimal(reserve_ratio, "reserve_ratio", places=2, low=Decimal(0), high=RATIO_MAX)
    if ratio <= 0:
        raise CadresError(_("The ratio must be more than 0."), field="reserve_ratio")
    hours = _decimal(
        yearly_training_hours, "yearly_training_hours", places=1, low=Decimal(0), high=HOURS_MAX
    )
    quota = _whole(excellent_quota_percent, "excellent_quota_percent", 0, 100)
    notice = _whole(public_notice_workdays, "public_notice_workdays", NOTICE_MIN, NOTICE_MAX)
    years = _whole(min_grassroots_years, "min_grassroots_years", 0, GRASSROOTS_YEARS_MAX)
    unknown = sorted(set(weights) - set(FACTORS))
    if unknown:
        raise CadresError(
            _("Unknown factor: %(name)s.") % {"name": unknown[0]}, field=weight_field(unknown[0])
        )
    clean_weights = {f: _whole(weights.get(f), weight_field(f), 0, MAX_WEIGHT) for f in FACTORS}
    bad_levels = sorted(set(max_age) - set(Level.values))
    if bad_levels:
        raise CadresError(
            _("Unknown level: %(name)s.") % {"name": bad_levels[0]}, field=age_field(bad_levels[0])
        )
    ages = {
        level: _whole(limit, age_field(level), AGE_MIN, AGE_MAX)
        for level, limit in sorted(max_age.items())
        if limit is not None
    }

    policy, _created = Policy.objects.get_or_create(unit=unit)
    policy = lock(Policy, policy.pk, "unit")
    before = _snapshot(policy)
    policy.reserve_ratio = ratio
    policy.yearly_training_hours = hours
    policy.excellent_quota_percent = quota
    policy.public_notice_workdays = notice
    policy.min_grassroots_years = years
    policy.max_age = ages
    policy.weights = clean_weights
    policy.save(update_fields=[*FIELDS, "updated_at"])
    record("cadres.policy.set", policy, actor=actor, before=before, after=_snapshot(policy))
    return policy
