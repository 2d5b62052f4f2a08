"""Every write to units and memberships: scope check, row lock, audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.org.errors import OrgError
from grassroots.org.models import Membership, Unit, User, compute_path
from grassroots.org.permissions import require

UNIT_FIELDS = ("name", "kind", "peer_group", "population", "households", "geometry", "active")


def _record(action: str, obj: Any, *, actor: User | None, **kw: Any) -> None:
    from grassroots.audit.actions import record

    record(action, obj, actor=actor, **kw)


def _snapshot(unit: Unit) -> dict[str, Any]:
    data = {f: getattr(unit, f) for f in UNIT_FIELDS if f != "geometry"}
    data["parent"] = unit.parent.code if unit.parent else None
    return data


def lock_unit(unit_id: int) -> Unit:
    unit: Unit = (
        Unit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit_id)
    )
    return unit


@transaction.atomic
def create_unit(
    *, actor: User, code: str, name: str, kind: str, parent: Unit | None, **fields: Any
) -> Unit:
    """Add a unit below ``parent`` (a root only for a superuser)."""
    if parent is None:
        if not actor.is_superuser:
            raise OrgError(
                _("Only a system administrator may add a top-level unit."), field="parent"
            )
    else:
        require(actor, "org.change_unit", parent)
    if Unit.objects.filter(code=code).exists():
        raise OrgError(
            _("A unit with code %(code)s exists already.") % {"code": code}, field="code"
        )
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    unit = Unit(code=code, name=name, kind=kind, parent=parent, **fields)
    unit.save()
    _record("org.unit.created", unit, actor=actor, after=_snapshot(unit))
    return unit


@transaction.atomic
def update_unit(unit_id: int, *, actor: User, changes: dict[str, Any]) -> Unit:
    """Change a unit's attributes; a new ``parent`` moves its whole subtree."""
    unit = lock_unit(unit_id)
    require(actor, "org.change_unit", unit)
    before = _snapshot(unit)
    new_parent = changes.pop("parent", unit.parent)
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(unit, field, value)
    if (new_parent.pk if new_parent else None) != unit.parent_id:
        _move(unit, new_parent, actor=actor)
    unit.save(update_fields=[*changes, "updated_at"])
    _record("org.unit.changed", unit, actor=actor, before=before, after=_snapshot(unit))
    return unit


def _move(unit: Unit, new_parent: Unit | None, *, actor: User) -> None:
    if new_parent is None:
        if not actor.is_superuser:
            raise OrgError(
                _("Only a system administrator may make a unit top-level."), field="parent"
            )
    else:
        require(actor, "org.change_unit", new_parent)
        if unit.contains(new_parent):
            raise OrgError(_("A unit cannot be moved below itself."), field="parent")
    old_path, old_depth = unit.path, unit.depth
    unit.parent = new_parent
    new_path, new_depth = compute_path(unit.code, new_parent)
    rewrite_subtree_paths(old_path, new_path, new_depth - old_depth)
    unit.path, unit.depth = new_path, new_depth
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent, path=new_path, depth=new_depth)


def rewrite_subtree_paths(old_path: str, new_path: str, depth_delta: int) -> int:
    """Re-root everything strictly below ``old_path`` at ``new_path`` in one UPDATE."""
    return Unit.objects.filter(path__startswith=old_path + ".").update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )


@transaction.atomic
def grant_membership(
    *,
    actor: User,
    user: User,
    unit: Unit,
    role: str,
    title: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Membership:
    """Bind ``user`` to ``unit`` in ``role`` for a period."""
    require(actor, "org.manage_membership", unit)
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start:
        raise OrgError(_("The end date cannot be before the start date."), field="valid_to")
    if Membership.objects.filter(user=user, unit=unit, role=role, valid_from=start).exists():
        raise OrgError(_("This person already holds this role here from that date."), field="role")
    membership = Membership.objects.create(
        user=user, unit=unit, role=role, title=title, valid_from=start, valid_to=valid_to
    )
    _record(
        "org.membership.granted",
        membership,
        actor=actor,
        unit=unit,
        after={
            "user": user.username,
            "role": role,
            "title": title,
            "valid_from": start,
            "valid_to": valid_to,
        },
    )
    return membership


@transaction.atomic
def change_membership(membership_id: int, *, actor: User, changes: dict[str, Any]) -> Membership:
    """Change a membership's post title or dates (role and unit are fixed: grant anew)."""
    membership: Membership = (
        Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership_id)
    )
    require(actor, "org.manage_membership", membership.unit)
    allowed = {"title", "valid_from", "valid_to"}
    if set(changes) - allowed:
        raise OrgError(
            _("Role and unit of a membership cannot be changed; end it and grant a new one."),
            field="role",
        )
    before = {f: getattr(membership, f) for f in allowed}
    for field, value in changes.items():
        setattr(membership, field, value)
    if membership.valid_to is not None and membership.valid_to < membership.valid_from:
        raise OrgError(_("The end date cannot be before the start date."), field="valid_to")
    membership.save(update_fields=[*changes, "updated_at"])
    _record(
        "org.membership.changed",
        membership,
        actor=actor,
        unit=membership.unit,
        before=before,
        after={f: getattr(membership, f) for f in allowed},
    )
    return membership


def end_membership(membership_id: int, *, actor: User, on: dt.date | None = None) -> Membership:
    """End a membership on ``on`` (default today): the role stops granting scope after it."""
    day = on or timezone.localdate()
    return change_membership(membership_id, actor=actor, changes={"valid_to": day})
