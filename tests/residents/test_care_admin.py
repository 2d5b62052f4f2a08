"""The residents admin: lists show ID numbers and phones masked (never as stored), rows are
read-only, and a key group edited there goes through the action (audited)."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.org.models import User
from grassroots.residents.models import KeyGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login: Any, tree: dict[str, Any]) -> Any:
    root = User.objects.create_superuser(username="root", password="x")
    return login(root)


def test_residents_are_listed_masked(admin_client: Any, make_household: Any) -> None:
    person = make_household(members=1).members.get()
    listing = admin_client.get("/admin/residents/resident/")
    body = listing.content.decode()
    assert listing.status_code == 200
    assert person.masked_id_number in body and person.masked_phone in body
    assert person.id_number not in body and person.phone not in body
    page = admin_client.get(f"/admin/residents/resident/{person.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert person.id_number not in body and person.phone not in body
    assert 'name="name"' not in body  # read-only: no input


def test_a_key_group_saved_in_the_admin_is_audited(admin_client: Any) -> None:
    group = KeyGroup.objects.get(code="veteran")
    response = admin_client.post(
        f"/admin/residents/keygroup/{group.pk}/change/",
        {
            "name": group.name,
            "description": group.description,
            "visit_every_days": "60",
            "order": str(group.order),
            "active": "on",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.visit_every_days == 60
    entry = AuditEntry.objects.get(action="residents.keygroup.updated")
    assert entry.before["visit_every_days"] == 90 and entry.after["visit_every_days"] == 60


def test_the_admin_refuses_a_frequency_out_of_range(admin_client: Any) -> None:
    group = KeyGroup.objects.get(code="veteran")
    response = admin_client.post(
        f"/admin/residents/keygroup/{group.pk}/change/",
        {"name": group.name, "visit_every_days": "0", "order": "1", "active": "on"},
    )
    assert response.status_code == 200  # the form again, with its error
    group.refresh_from_db()
    assert group.visit_every_days == 90
