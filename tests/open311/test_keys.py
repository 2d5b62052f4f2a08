"""API keys: issued in the admin and on the command line (shown once, stored hashed),
revoked, audited; the demo key."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots.audit.models import AuditEntry
from grassroots.open311 import actions
from grassroots.open311.keys import authenticate
from grassroots.open311.models import ApiKey
from grassroots.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_city_admin(city_admin: Any) -> Any:
    User.objects.filter(pk=city_admin.pk).update(is_staff=True)
    city_admin.refresh_from_db()
    return city_admin


def test_issue_stores_only_the_hash_and_audits(city_admin: Any) -> None:
    issued = actions.issue_api_key(name="  市民通 app ", actor=city_admin)
    row = ApiKey.objects.get()
    assert row.name == "市民通 app"
    assert row.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    assert issued.key.startswith("gr311_") and len(issued.key) > 40
    assert row.prefix == issued.key[:12]
    assert issued.key not in repr(list(ApiKey.objects.values()))
    entry = AuditEntry.objects.get(action="open311.apikey.issued")
    assert entry.actor == city_admin
    assert entry.unit_path == "513401"  # the city office sees it in its audit log
    assert issued.key not in repr(entry.after)
    assert authenticate(issued.key) == row
    assert authenticate(issued.key + "x") is None
    assert authenticate("") is None


def test_only_the_city_office_issues_keys(xc_secretary: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.issue_api_key(name="x", actor=xc_secretary)
    assert not ApiKey.objects.exists()


def test_a_name_is_required(db: Any) -> None:
    with pytest.raises(actions.ApiKeyError):
        actions.issue_api_key(name="   ", actor=None)
    with pytest.raises(actions.ApiKeyError):
        actions.issue_api_key(name="x" * 101, actor=None)


def test_revoke(db: Any) -> None:
    issued = actions.issue_api_key(name="伙伴", actor=None)
    actions.revoke_api_key(issued.api_key.pk, actor=None)
    actions.revoke_api_key(issued.api_key.pk, actor=None)  # twice is harmless
    assert authenticate(issued.key) is None
    assert AuditEntry.objects.filter(action="open311.apikey.revoked").count() == 1


def test_command_create_prints_the_key_once(db: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_key", "create", "12345 热线对接", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert authenticate(key) is not None
    assert ApiKey.objects.get().name == "12345 热线对接"
    listing = io.StringIO()
    call_command("open311_key", "list", stdout=listing)
    assert key not in listing.getvalue()
    assert key[:12] in listing.getvalue()
    assert "active" in listing.getvalue()
    call_command("open311_key", "revoke", key[:12], stdout=io.StringIO())
    assert authenticate(key) is None
    with pytest.raises(CommandError):
        call_command("open311_key", "revoke", "gr311_", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "create", " ", stdout=io.StringIO(), stderr=io.StringIO())


def test_console_script_open311_key_create(
    db: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``grassroots open311-key create NAME`` prints the key (and nothing else) on stdout."""
    from django.db import connections

    from grassroots import cli

    # run_from_argv closes the connections when it ends: keep the test's transaction
    monkeypatch.setattr(connections, "close_all", lambda: None)
    cli.main(["grassroots", "open311-key", "create", "伙伴 A"])
    out = capsys.readouterr().out.strip()
    assert authenticate(out) == ApiKey.objects.get(name="伙伴 A")


def test_demo_key_is_stable_and_stored_hashed(db: Any) -> None:
    key = actions.ensure_demo_key()
    assert key == actions.DEMO_KEY
    assert actions.ensure_demo_key() == key
    assert ApiKey.objects.count() == 1
    assert authenticate(key) is not None
    assert ApiKey.objects.get().key_hash != key


def test_admin_issues_a_key_and_shows_it_once(login: Any, staff_city_admin: Any) -> None:
    client = login(staff_city_admin)
    assert client.get("/admin/open311/apikey/add/").status_code == 200
    response = client.post("/admin/open311/apikey/add/", {"name": "街道 app"}, follow=True)
    assert response.status_code == 200
    row = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    keys = [word for m in shown for word in m.split() if word.startswith("gr311_")]
    assert len(keys) == 1
    assert authenticate(keys[0]) == row
    assert row.created_by == staff_city_admin
    # the key is not on any later page
    assert keys[0] not in client.get(f"/admin/open311/apikey/{row.pk}/change/").content.decode()
    assert keys[0] not in client.get("/admin/open311/apikey/").content.decode()


def test_admin_revokes_by_action(login: Any, staff_city_admin: Any) -> None:
    issued = actions.issue_api_key(name="伙伴", actor=None)
    client = login(staff_city_admin)
    response = client.post(
        "/admin/open311/apikey/",
        {"action": "revoke", "_selected_action": [issued.api_key.pk]},
    )
    assert response.status_code == 302
    assert authenticate(issued.key) is None


def test_admin_is_closed_to_other_staff(login: Any, xc_secretary: Any) -> None:
    User.objects.filter(pk=xc_secretary.pk).update(is_staff=True)
    client = login(xc_secretary)
    assert client.get("/admin/open311/apikey/").status_code == 403
    assert client.post("/admin/open311/apikey/add/", {"name": "x"}).status_code == 403
    assert not ApiKey.objects.exists()
