"""The registers' settings for a subtree (``Policy``): the homestead area standard, the
rectification deadline, the baseline date of "new" construction cases, the deadlines of
those cases, the 邛海天窗 programme's years and how often monitored households are
reviewed.

The nearest policy at or above a unit applies (``queries.policy_for``); ``update_policy``
writes the policy *of* one unit (creating it from the one that applied until then), after
checking every field it is given.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.org.permissions import require
from grassroots.registers.actions._base import lock
from grassroots.registers.errors import RegistersConflict, RegistersError
from grassroots.registers.models import Policy
from grassroots.registers.permissions import CONFIGURE
from grassroots.registers.queries import policy_for

if TYPE_CHECKING:
    from grassroots.org.models import Unit, User

AREA_MIN: Final = Decimal(10)
AREA_MAX: Final = Decimal(1000)
DAYS_MIN: Final = 1
DAYS_MAX: Final = 365
YEAR_MIN: Final = 2000
YEAR_MAX: Final = 2100
BASELINE_MIN: Final = dt.date(2000, 1, 1)
DAY_FIELDS: Final = (
    "rectify_workdays",
    "stop_within_days",
    "construction_workdays",
    "review_every_days",
)
YEAR_FIELDS: Final = ("window_first_year", "window_last_year")
#: Every field of the policy, in the order the page shows them.
FIELDS: Final = (
    "homestead_area_limit",
    "rectify_workdays",
    "baseline",
    "stop_within_days",
    "construction_workdays",
    "window_first_year",
    "window_last_year",
    "review_every_days",
)
#: Where the construction register keeps the refresh of its "new since the baseline" flags.
CONSTRUCTION_ACTIONS: Final = "grassroots.registers.actions.construction"


def _area(value: object) -> Decimal:
    field = "homestead_area_limit"
    try:
        number = Decimal(str(value).strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite():
        raise RegistersError(_("Enter a number."), field=field)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > 2:
        raise RegistersError(_("At most %(n)d decimal places, please.") % {"n": 2}, field=field)
    if not AREA_MIN <= number <= AREA_MAX:
        raise RegistersError(
            _("Enter a number from %(low)s to %(high)s.") % {"low": AREA_MIN, "high": AREA_MAX},
            field=field,
        )
    return number.quantize(Decimal("0.01"))


def _whole(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RegistersError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            field=field,
        )
    return value


def _baseline(value: object, today: dt.date) -> dt.date:
    field = "baseline"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise RegistersError(_("Enter a date."), field=field) from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RegistersError(_("Enter a date."), field=field)
    if value > today:
        raise RegistersError(_("The baseline date cannot be in the future."), field=field)
    if value < BASELINE_MIN:
        raise RegistersError(
            _("The baseline date cannot be before %(day)s.") % {"day": BASELINE_MIN.isoformat()},
            field=field,
        )
    return value


def clean_policy(values: Mapping[str, object], today: dt.date) -> dict[str, Any]:
    """The given fields checked (see the module's limits); the first problem raises
    ``RegistersError`` naming its field. Years are checked together in ``update_policy``."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise RegistersError(_("Unknown field: %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    clean: dict[str, Any] = {}
    for name in FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "homestead_area_limit":
            clean[name] = _area(value)
        elif name == "baseline":
            clean[name] = _baseline(value, today)
        elif name in DAY_FIELDS:
            clean[name] = _whole(value, name, DAYS_MIN, DAYS_MAX)
        else:
            clean[name] = _whole(value, name, YEAR_MIN, YEAR_MAX)
    return clean


def snapshot(policy: Policy) -> dict[str, Any]:
    """The policy's fields (for the audit entry and the page)."""
    return {name: getattr(policy, name) for name in FIELDS}


def construction_refresh() -> Any:
    """``refresh_new_flags(unit, *, actor)`` of the construction register, or None while
    that register does not offer it (its module or function missing)."""
    if importlib.util.find_spec(CONSTRUCTION_ACTIONS) is None:
        return None
    module = importlib.import_module(CONSTRUCTION_ACTIONS)
    return getattr(module, "refresh_new_flags", None)


@transaction.atomic
def update_policy(unit: Unit, fields: Mapping[str, object], *, actor: User) -> Policy:
    """Write the policy *of* ``unit`` (``registers.configure`` over it), creating it from
    the policy that applied until then. Rules: the area standard 10–1,000 m² (two
    decimals); every period 1–365 days; the baseline date from 2000-01-01 and not in the
    future; the programme's years 2000–2100, the last not before the first. Nothing is
    written unless every field given is right. When the baseline changes, the construction
    register's "new since the baseline" flags are refreshed (``refresh_new_flags``)."""
    require(actor, CONFIGURE, unit)
    clean = clean_policy(fields, timezone.localdate())
    applying = policy_for(unit)
    own = Policy.objects.filter(unit=unit).first()
    if own is None:
        own = Policy(unit=unit, **snapshot(applying))
        try:
            with transaction.atomic():
                own.save()
        except IntegrityError:
            raise RegistersConflict(
                _("Someone else saved this unit's policy meanwhile; reload the page.")
            ) from None
        created = True
    else:
        created = False
    policy = lock(Policy, own.pk, "unit")
    before = snapshot(applying if created else policy)
    for name, value in clean.items():
        setattr(policy, name, value)
    if policy.window_last_year < policy.window_first_year:
        raise RegistersError(
            _("The last year cannot be before the first year (%(year)d).")
            % {"year": policy.window_first_year},
            field="window_last_year" if "window_last_year" in clean else "window_first_year",
        )
    after = snapshot(policy)
    changed = [name for name in FIELDS if after[name] != before[name]]
    if not changed and not created:
        return policy
    policy.save(update_fields=[*FIELDS, "updated_at"])
    record(
        "registers.policy.updated",
        policy,
        actor=actor,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        note=_("Set as the own policy of %(unit)s") % {"unit": unit.name} if created else "",
    )
    if "baseline" in changed:
        refresh = construction_refresh()
        if refresh is not None:
            refresh(unit, actor=actor)
    return policy
