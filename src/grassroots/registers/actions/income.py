"""The village collective economy (村集体经济): a village's yearly income by source, and
its yearly target — set by hand or taken from the supervised task of the cascade that
carries it.

Rules (``RegistersError`` on the field at fault, nothing written): the unit is a village
or a community and the actor holds ``registers.manage`` over it (PermissionDenied
otherwise); the year from 2000 to this year (a target: to next year); amounts in yuan
with at most two decimals, income ≥ 0, a target > 0. A task named for a target must
exist and be visible to the actor (``supervision.view``), be that village's own task, and
carry a quantitative target in yuan or 万元 when the amount is taken from it.

Writes of one village are serialised by a lock on the village's row.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.org.models import VILLAGE_LEVEL, Unit
from grassroots.registers.actions._base import lock
from grassroots.registers.actions.windows import decimal_of, holder_unit, text_of, whole_of
from grassroots.registers.errors import RegistersConflict, RegistersError
from grassroots.registers.models import CollectiveIncome, IncomeTarget
from grassroots.registers.states import IncomeSource

if TYPE_CHECKING:
    from grassroots.org.models import User

FIRST_YEAR: Final = 2000
AMOUNT_MAX: Final = Decimal("999999999999.99")
NOTE_MAX: Final = 255
#: What a task's unit of measure means in yuan (a measure not listed is not money).
MONEY_MEASURES: Final = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def village_of(unit: object, *, actor: User) -> Unit:
    """``unit`` if it is a village or community whose registers ``actor`` keeps."""
    checked = holder_unit(unit, actor=actor)
    if checked.kind not in VILLAGE_LEVEL:
        raise RegistersError(
            _("Collective income is kept by a village or a community, not by %(unit)s.")
            % {"unit": checked.name},
            field="unit",
        )
    return checked


def _year(value: object, *, ahead: int = 0) -> int:
    return whole_of(value, "year", FIRST_YEAR, timezone.localdate().year + ahead)


def _money(value: object, field: str, *, required: bool) -> Decimal | None:
    return decimal_of(value, field, high=AMOUNT_MAX, required=required)


@transaction.atomic
def set_income(
    unit: object,
    year: object,
    amounts: Mapping[str, object],
    *,
    actor: User,
    note: object = "",
) -> dict[str, Decimal]:
    """Set a village's income of ``year`` by source: ``amounts`` maps a source
    (``IncomeSource``) to its amount in yuan; an empty amount (``None`` or "") removes
    that source's figure; sources not given stay as they are. Returns every source's
    amount of that year afterwards. Audit ``registers.collective_income.set`` (on the
    village) with the amounts before and after, when anything changed."""
    village = village_of(unit, actor=actor)
    the_year = _year(year)
    unknown = sorted(set(amounts) - set(IncomeSource.values))
    if unknown:
        raise RegistersError(
            _("Unknown source of income: %(name)s.") % {"name": unknown[0]}, field=unknown[0]
        )
    wanted = {s: _money(amounts[s], s, required=False) for s in IncomeSource.values if s in amounts}
    remark = text_of(note, "note", NOTE_MAX)
    lock(Unit, village.pk)
    rows = {
        row.source: row
        for row in CollectiveIncome.objects.select_for_update().filter(unit=village, year=the_year)
    }
    before = {s: row.amount for s, row in rows.items()}
    for source, amount in wanted.items():
        row = rows.get(source)
        if amount is None:
            if row is not None:
                row.delete()
                del rows[source]
        elif row is None:
            rows[source] = CollectiveIncome.objects.create(
                unit=village, year=the_year, source=source, amount=amount, note=remark
            )
        elif row.amount != amount:
            row.amount = amount
            row.note = remark or row.note
            row.save(update_fields=["amount", "note", "updated_at"])
    after = {s: row.amount for s, row in rows.items()}
    if after != before:
        record(
            "registers.collective_income.set",
            village,
            actor=actor,
            before={"year": the_year, **before},
            after={"year": the_year, **after},
            note=remark,
        )
    return after


def _task_target(task_id: object, village: Unit, actor: User) -> tuple[int, Any]:
    """The supervised task ``task_id`` as the target may name it: visible to ``actor``,
    the village's own, with a quantitative target."""
    from grassroots.supervision.models import Task

    if isinstance(task_id, bool) or not isinstance(task_id, int | str):
        raise RegistersError(_("Choose a supervised task."), field="task")
    text = str(task_id).strip()
    if not text.isdecimal() or len(text) > 18:
        raise RegistersError(_("Choose a supervised task."), field="task")
    task = Task.objects.visible_to(actor).filter(pk=int(text)).first()
    if task is None:
        raise RegistersError(_("No such supervised task in your view."), field="task")
    if task.unit_id != village.pk:
        raise RegistersError(
            _("The task “%(title)s” is not %(village)s's own task.")
            % {"title": task.title, "village": village.name},
            field="task",
        )
    if task.target_value is None:
        raise RegistersError(
            _("The task “%(title)s” has no quantitative target.") % {"title": task.title},
            field="task",
        )
    return task.pk, task


@transaction.atomic
def set_target(
    unit: object,
    year: object,
    *,
    actor: User,
    amount: object = None,
    task_id: object = None,
) -> IncomeTarget:
    """Set a village's collective income target of ``year`` (to next year), in yuan: the
    ``amount`` given, or — when only a supervised task is named (``task_id``) — the
    task's target value converted from its unit of measure (元, 万元, 亿元). Audit
    ``registers.income_target.set`` with the target before and after."""
    village = village_of(unit, actor=actor)
    the_year = _year(year, ahead=1)
    given = _money(amount, "amount", required=False)
    linked: int | None = None
    if task_id not in (None, ""):
        linked, task = _task_target(task_id, village, actor)
        if given is None:
            measure = (task.target_measure or "").strip()
            factor = MONEY_MEASURES.get(measure)
            if factor is None:
                raise RegistersError(
                    _(
                        "The task's target is in “%(measure)s”, not an amount of money: "
                        "give the amount."
                    )
                    % {"measure": measure or "—"},
                    field="amount",
                )
            given = (task.target_value * factor).quantize(Decimal("0.01"))
    if given is None:
        raise RegistersError(
            _("Give the amount, or a supervised task that carries it."), field="amount"
        )
    if given <= 0:
        raise RegistersError(_("The target must be more than 0."), field="amount")
    if given > AMOUNT_MAX:
        raise RegistersError(_("The target is too large."), field="amount")
    lock(Unit, village.pk)
    target: IncomeTarget | None = (
        IncomeTarget.objects.select_for_update().filter(unit=village, year=the_year).first()
    )
    before = None if target is None else {"amount": target.amount, "task_id": target.task_id}
    if target is None:
        try:
            with transaction.atomic():
                target = IncomeTarget.objects.create(
                    unit=village, year=the_year, amount=given, task_id=linked
                )
        except IntegrityError as exc:
            raise RegistersConflict(
                _("Someone set this target meanwhile; look again."), field="amount"
            ) from exc
    elif (target.amount, target.task_id) != (given, linked):
        target.amount = given
        target.task_id = linked
        target.save(update_fields=["amount", "task_id", "updated_at"])
    else:
        return target
    record(
        "registers.income_target.set",
        target,
        actor=actor,
        before=before,
        after={"year": the_year, "amount": target.amount, "task_id": target.task_id},
    )
    return target
