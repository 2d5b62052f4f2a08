"""The decision log's writes (决策在先): tie a decision to the resolution that authorised
it, untie it (with a reason), and set the rules of which matters need a resolution.

Rules of a link (``PartybuildingError`` on the field at fault, nothing written):

* the record is a decision declared by an app (``common.decisions``) in the actor's view
  (``partybuilding.view``), else ``DecisionNotFound`` (404: an unknown record and one
  outside the actor's area look the same); the actor holds ``partybuilding.link`` over the
  record's unit (``PermissionDenied``, 403);
* the resolution passed, is of the record's unit or a unit above it, and decides a
  compatible matter (``queries_decisions.COMPATIBLE``);
* a record has at most one resolution: linking a linked record is a conflict (409).

A resolution decided after the day the record acted is accepted and kept "after the
fact" (flagged to the oversight committee).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.decisions import Decision
from grassroots.org.models import Unit
from grassroots.org.permissions import require
from grassroots.org.queries import grant_paths
from grassroots.partybuilding.actions._base import lock
from grassroots.partybuilding.errors import PartybuildingConflict, PartybuildingError
from grassroots.partybuilding.models import DecisionLink, DecisionRule, Resolution
from grassroots.partybuilding.permissions import CONFIGURE, LINK, VIEW
from grassroots.partybuilding.queries_decisions import (
    COMPATIBLE,
    ancestors,
    find_decision,
    viewer_paths,
)
from grassroots.partybuilding.states import MatterKind

if TYPE_CHECKING:
    from grassroots.org.models import User

REFERENCE_RE: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[1-9][0-9]{0,17}$")
NOTE_MAX: Final = 500
AMOUNT_MAX: Final = Decimal("999999999999.99")


class DecisionNotFound(PartybuildingError):  # noqa: N818 -- the word the views use
    """No such decision in the actor's area (404)."""

    default_code = "not_found"
    http_status = 404


def _text(value: object, field: str, *, required: bool, label: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise PartybuildingError(_("Enter text."), field=field)
    text = value.strip()
    if "\x00" in text:
        raise PartybuildingError(_("The text holds a character that is not allowed."), field=field)
    if len(text) > NOTE_MAX:
        raise PartybuildingError(
            _("%(label)s is too long (at most %(n)d characters).")
            % {"label": label, "n": NOTE_MAX},
            field=field,
        )
    if required and not text:
        raise PartybuildingError(_("%(label)s is required.") % {"label": label}, field=field)
    return text


def decision_for(reference: object, *, actor: User) -> Decision:
    """The decision ``reference`` as ``actor`` sees it (``DecisionNotFound`` otherwise)."""
    if not isinstance(reference, str) or not REFERENCE_RE.fullmatch(reference):
        raise DecisionNotFound(_("No such decision in your area."), field="reference")
    paths = viewer_paths(actor, VIEW)
    decision = None if paths == [] else find_decision(reference, paths)
    if decision is None:
        raise DecisionNotFound(_("No such decision in your area."), field="reference")
    return decision


def _resolution_id(value: object) -> int:
    if isinstance(value, Resolution):
        return value.pk
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    if not text.isdecimal() or len(text) > 18:
        raise PartybuildingError(_("Choose a resolution."), field="resolution")
    return int(text)


def _check_resolution(resolution: Resolution, decision: Decision, unit: Unit) -> None:
    if resolution.unit_path not in ancestors(decision.unit_path):
        raise PartybuildingError(
            _("The resolution “%(number)s” is not of %(unit)s or of a unit above it.")
            % {"number": resolution.number, "unit": unit.name},
            field="resolution",
        )
    if not resolution.passed:
        raise PartybuildingError(
            _("The resolution “%(number)s” did not pass: it cannot authorise a decision.")
            % {"number": resolution.number},
            field="resolution",
        )
    if resolution.matter not in COMPATIBLE.get(decision.matter, frozenset()):
        raise PartybuildingError(
            _("The resolution “%(number)s” decides a %(kind)s, not a %(matter)s.")
            % {
                "number": resolution.number,
                "kind": MatterKind(resolution.matter).label,
                "matter": MatterKind(decision.matter).label,
            },
            field="resolution",
        )


@transaction.atomic
def link_decision(
    reference: object, resolution: object, *, actor: User, note: object = ""
) -> DecisionLink:
    """Record that ``resolution`` (a passed resolution of the record's unit or above,
    of a compatible matter) authorised the decision ``reference``. The day the record
    acted is copied onto the link: a resolution decided after it is "after the fact".
    Audit ``partybuilding.decisionlink.linked`` on the record's unit."""
    decision = decision_for(reference, actor=actor)
    unit = Unit.objects.get(pk=decision.unit_id)
    require(actor, LINK, unit)
    remark = _text(note, "note", required=False, label=_("Note"))
    resolution_id = _resolution_id(resolution)
    if not Resolution.objects.filter(pk=resolution_id).exists():
        raise PartybuildingError(_("No such resolution."), field="resolution")
    chosen = lock(Resolution, resolution_id)
    _check_resolution(chosen, decision, unit)
    if DecisionLink.objects.filter(reference=decision.reference).exists():
        raise PartybuildingConflict(
            _("This decision is already linked to a resolution: unlink it first."),
            field="resolution",
        )
    try:
        with transaction.atomic():
            link = DecisionLink.objects.create(
                reference=decision.reference,
                matter=decision.matter,
                resolution=chosen,
                unit=unit,
                unit_path=decision.unit_path,
                acted_on=decision.acted_on,
                note=remark,
                linked_by=actor,
            )
    except IntegrityError as exc:
        raise PartybuildingConflict(
            _("Someone linked this decision meanwhile; look again."), field="resolution"
        ) from exc
    record(
        "partybuilding.decisionlink.linked",
        link,
        actor=actor,
        after={
            "reference": link.reference,
            "matter": link.matter,
            "resolution": chosen.number,
            "resolution_id": chosen.pk,
            "acted_on": link.acted_on,
            "after_the_fact": link.after_the_fact,
        },
        note=remark,
    )
    return link


@transaction.atomic
def unlink_decision(reference: object, *, actor: User, reason: object) -> None:
    """Remove the link of ``reference`` to its resolution (a wrong resolution was
    chosen), with the reason. Audit ``partybuilding.decisionlink.unlinked`` with the link
    as it was."""
    if not isinstance(reference, str) or not REFERENCE_RE.fullmatch(reference):
        raise DecisionNotFound(_("No such decision in your area."), field="reference")
    found = DecisionLink.objects.visible_to(actor).filter(reference=reference).first()
    if found is None:
        raise DecisionNotFound(_("No resolution is linked to this decision."), field="reference")
    require(actor, LINK, found)
    why = _text(reason, "reason", required=True, label=_("The reason"))
    link = lock(DecisionLink, found.pk, "resolution", "unit")
    record(
        "partybuilding.decisionlink.unlinked",
        link,
        actor=actor,
        before={
            "reference": link.reference,
            "matter": link.matter,
            "resolution": link.resolution.number,
            "resolution_id": link.resolution_id,
            "acted_on": link.acted_on,
        },
        note=why,
    )
    link.delete()


def _amount(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PartybuildingError(_("Enter an amount in yuan."), field="min_amount")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise PartybuildingError(_("Enter an amount in yuan."), field="min_amount") from exc
    if not amount.is_finite() or amount < 0:
        raise PartybuildingError(_("The amount cannot be negative."), field="min_amount")
    if amount > AMOUNT_MAX:
        raise PartybuildingError(_("The amount is too large."), field="min_amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise PartybuildingError(_("At most two decimals (fen)."), field="min_amount")
    return amount.quantize(Decimal("0.01"))


class RuleError(PartybuildingError):
    """A rule refused, with the matter it was for."""

    def __init__(self, exc: PartybuildingError, matter: str) -> None:
        super().__init__(exc.message, field=exc.field, code=exc.code)
        self.matter = matter


@transaction.atomic
def update_rules(rules: Mapping[str, tuple[object, object]], *, actor: User) -> list[DecisionRule]:
    """Set several rules at once (``{matter: (required, min_amount)}``), all or none:
    ``RuleError`` names the matter refused."""
    done = []
    for matter, (required, min_amount) in rules.items():
        try:
            done.append(update_rule(matter, actor=actor, required=required, min_amount=min_amount))
        except RuleError:
            raise
        except PartybuildingError as exc:
            raise RuleError(exc, matter) from exc
    return done


@transaction.atomic
def update_rule(
    matter: object, *, actor: User, required: object, min_amount: object
) -> DecisionRule:
    """Set whether decisions of ``matter`` need a resolution and from what amount (yuan;
    empty: whatever the amount), by the city office (``partybuilding.configure``). Audit
    ``partybuilding.decisionrule.updated`` with the rule before and after, on the city."""
    require(actor, CONFIGURE)
    if not isinstance(matter, str) or matter not in MatterKind.values:
        raise PartybuildingError(_("Unknown kind of matter."), field="matter")
    if not isinstance(required, bool):
        raise PartybuildingError(_("Say whether a resolution is needed."), field="required")
    amount = _amount(min_amount)
    rule, _created = DecisionRule.objects.get_or_create(matter=matter)
    rule = lock(DecisionRule, rule.pk)
    before = {"required": rule.required, "min_amount": rule.min_amount}
    after = {"required": required, "min_amount": amount}
    if before == after:
        return rule
    rule.required = required
    rule.min_amount = amount
    rule.updated_by = actor
    rule.save(update_fields=["required", "min_amount", "updated_by", "updated_at"])
    city = Unit.objects.filter(path__in=grant_paths(actor, CONFIGURE)).order_by("path").first()
    record(
        "partybuilding.decisionrule.updated",
        rule,
        actor=actor,
        before={"matter": matter, **before},
        after={"matter": matter, **after},
        unit=city,
    )
    return rule
