"""Writes of the category taxonomy by people (the admin): permission and audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.forms.models import model_to_dict

from grassroots.events.models import Category
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import User

MANAGE = "events.manage_categories"
FIELDS = (
    "code",
    "name",
    "parent",
    "description",
    "default_department",
    "response_hours",
    "resolve_workdays",
    "public",
    "keywords",
    "attributes",
    "active",
    "order",
)


def category_snapshot(category: Category) -> dict[str, Any]:
    data = model_to_dict(category, fields=FIELDS)
    return {key: data.get(key) for key in FIELDS}


@transaction.atomic
def save_category(category: Category, *, actor: User | None) -> Category:
    """Create or change a category (the admin form's instance, already validated).

    Needs ``events.manage_categories`` (the city office); ``actor=None`` is the system
    (the taxonomy loader). Writes ``events.category.created`` or ``.changed`` with the
    fields before and after.
    """
    from grassroots.audit.actions import record

    if actor is not None:
        require(actor, MANAGE)
    before = None
    if category.pk is not None:
        previous = Category.objects.select_for_update().filter(pk=category.pk).first()
        before = category_snapshot(previous) if previous is not None else None
    category.save()
    verb = "changed" if before is not None else "created"
    record(
        f"events.category.{verb}",
        category,
        actor=actor,
        before=before,
        after=category_snapshot(category),
    )
    return category
