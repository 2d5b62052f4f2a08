"""``grassroots backup`` and ``grassroots restore`` (``common.backup``).

The tests run on whichever database the suite runs on: on SQLite pytest-django's test
database is an in-memory database shared by the process, and SQLite's backup API copies it
to a file and back as it does a file database (the command uses Django's own connection),
so no separate file is needed. On PostgreSQL they run ``pg_dump``/``pg_restore``/``psql``
against the test database (skipped when the programs are missing). Restoring replaces the
database outside any transaction, so the tests are ``transaction=True``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from grassroots.common import backup
from tests.events import conftest as events_fixtures
from tests.events.photos import image_bytes, upload

pytestmark = [pytest.mark.django_db(transaction=True)]

# The events tests' fixtures: two grids, a category, ``report(**overrides)``.
grids = events_fixtures.grids
category = events_fixtures.category
report = events_fixtures.report


def _pg_tools_missing() -> bool:
    try:
        for tool in ("pg_dump", "pg_restore", "psql"):
            backup.pg_tool(tool)
    except backup.SnapshotError:
        return True
    return False


@pytest.fixture(autouse=True)
def _tools() -> None:
    if connection.vendor == "postgresql" and _pg_tools_missing():
        pytest.skip("pg_dump, pg_restore or psql is missing")


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def event_with_photo(report: Callable[..., Any], media: Path) -> Any:
    """An event reported through the app's action with one photo: (event, photo path)."""
    from grassroots.events.attachments import photo_path
    from grassroots.events.models import Attachment

    event = report(photos=[upload("scene.jpg", image_bytes(color=(10, 120, 40)))])
    attachment = Attachment.objects.get(event=event)
    path = photo_path(attachment)
    assert path.is_file()
    return event, path


def _snapshot(tmp_path: Path) -> Path:
    target = tmp_path / "snap"
    call_command("backup", "--output", str(target), verbosity=0)
    return target


def _rewrite_manifest(snapshot: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the manifest and give it a matching checksum (a deliberate edit)."""
    path = snapshot / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    manifest["manifest_sha256"] = backup.manifest_digest(manifest)
    path.write_text(json.dumps(manifest))


def test_backup_writes_a_complete_snapshot_with_checksums(
    event_with_photo: Any, tmp_path: Path, capsys: Any
) -> None:
    _event, photo = event_with_photo
    (photo.parent / ".upload-half-written").write_bytes(b"partial")
    thumbs = Path(photo).parents[2] / "thumbs" / "ab"
    thumbs.mkdir(parents=True)
    (thumbs / "x-320.jpg").write_bytes(b"thumb")
    target = tmp_path / "snap"
    call_command("backup", "--output", str(target))
    out = capsys.readouterr()
    assert str(target) in out.out
    assert "GRASSROOTS_FIELD_KEYS" in out.err  # the keys are not in it: said every time
    manifest = backup.verify_snapshot(target)
    assert manifest["vendor"] == connection.vendor
    assert manifest["latest_migrations"]["events"].startswith("00")
    assert manifest["field_key_fingerprints"] == backup.key_fingerprints()
    names = {entry["path"] for entry in manifest["files"]}
    rel = photo.relative_to(photo.parents[2]).as_posix()
    assert f"media/{rel}" in names
    assert (target / "media" / rel).read_bytes() == photo.read_bytes()
    # Files being written and the thumbnails (drawn again on demand) are left out.
    assert not any("upload-half" in n or n.startswith("media/thumbs") for n in names)
    # No key and no temporary directory beside it.
    assert not any("key" in n for n in names)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(target), verbosity=0)


def test_round_trip_brings_back_records_and_attachment_bytes(
    event_with_photo: Any,
    report: Callable[..., Any],
    tmp_path: Path,
) -> None:
    from grassroots.events.models import Attachment, Event

    event, photo = event_with_photo
    original = photo.read_bytes()
    snapshot = _snapshot(tmp_path)
    # After the backup: an edit, a new event, a deleted event's photo and a damaged photo.
    Event.objects.filter(pk=event.pk).update(title="被改掉的标题")
    later = report(title="备份之后的事件")
    photo.unlink()
    events_before = Event.objects.count()
    assert events_before == 2

    call_command("restore", str(snapshot), "--yes", verbosity=0)

    event.refresh_from_db()
    assert event.title == "路边堆放建筑垃圾"
    assert not Event.objects.filter(pk=later.pk).exists()
    assert Event.objects.count() == 1
    assert Attachment.objects.filter(event=event).count() == 1
    assert photo.read_bytes() == original
    # A second restore of the same snapshot writes no attachment again.
    photo.write_bytes(b"damaged")
    call_command("restore", str(snapshot), "--yes", verbosity=0)
    assert photo.read_bytes() == original


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _database_file(snapshot: Path) -> Path:
    return snapshot / json.loads((snapshot / "manifest.json").read_text())["database_file"]


def _photo_in(snapshot: Path) -> Path:
    return next(p for p in (snapshot / "media").rglob("*") if p.is_file())


TAMPERINGS: dict[str, tuple[Callable[[Path], None], str]] = {
    "database byte": (lambda s: _flip_byte(_database_file(s)), "database"),
    "attachment byte": (lambda s: _flip_byte(_photo_in(s)), "is damaged"),
    "attachment deleted": (lambda s: _photo_in(s).unlink(), "is missing"),
    "extra file": (
        lambda s: (s / "media" / "events" / "planted.jpg").write_bytes(b"x"),
        "planted.jpg",
    ),
    "manifest edited": (
        lambda s: (s / "manifest.json").write_text(
            (s / "manifest.json").read_text().replace('"size": ', '"size": 1', 1)
        ),
        "manifest.json",
    ),
    "manifest missing": (lambda s: (s / "manifest.json").unlink(), "manifest.json"),
    "database listed as something else": (
        lambda s: _rewrite_manifest(s, lambda m: m.update(database_file="media")),
        "no database file",
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_a_tampered_snapshot_is_refused_and_nothing_changes(
    tampering: str, event_with_photo: Any, tmp_path: Path
) -> None:
    from grassroots.events.models import Event

    event, photo = event_with_photo
    snapshot = _snapshot(tmp_path)
    Event.objects.filter(pk=event.pk).update(title="备份之后改的")
    photo.unlink()
    damage, message = TAMPERINGS[tampering]
    damage(snapshot)

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(snapshot), "--yes", verbosity=0)

    event.refresh_from_db()
    assert event.title == "备份之后改的"
    assert not photo.exists()  # the attachments were not touched either


def test_a_snapshot_of_another_database_vendor_is_refused(
    event_with_photo: Any, tmp_path: Path
) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    snapshot = _snapshot(tmp_path)
    _rewrite_manifest(snapshot, lambda m: m.update(vendor=other))
    with pytest.raises(CommandError, match=f"{other} database"):
        call_command("restore", str(snapshot), "--yes", verbosity=0)


def test_a_snapshot_of_a_newer_schema_is_refused(event_with_photo: Any, tmp_path: Path) -> None:
    snapshot = _snapshot(tmp_path)
    _rewrite_manifest(
        snapshot, lambda m: m["applied_migrations"].append("events.9999_from_the_future")
    )
    with pytest.raises(CommandError, match="9999_from_the_future"):
        call_command("restore", str(snapshot), "--yes", verbosity=0)


def test_a_snapshot_whose_field_keys_are_gone_is_refused(
    event_with_photo: Any, tmp_path: Path, settings: Any
) -> None:
    from cryptography.fernet import Fernet

    from grassroots.events.models import Event

    event, _photo = event_with_photo
    keys = list(settings.FIELD_KEYS)
    snapshot = _snapshot(tmp_path)
    Event.objects.filter(pk=event.pk).update(title="备份之后改的")
    settings.FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="field keys"):
        call_command("restore", str(snapshot), "--yes", verbosity=0)
    event.refresh_from_db()
    assert event.title == "备份之后改的"
    # A new key in front of the snapshot's keys (rotated since) is fine.
    settings.FIELD_KEYS = [Fernet.generate_key().decode(), *keys]
    call_command("restore", str(snapshot), "--yes", verbosity=0)
    event.refresh_from_db()
    assert event.title == "路边堆放建筑垃圾"


def test_restore_without_yes_and_without_a_terminal_changes_nothing(
    event_with_photo: Any, tmp_path: Path
) -> None:
    from grassroots.events.models import Event

    event, _photo = event_with_photo
    snapshot = _snapshot(tmp_path)
    Event.objects.filter(pk=event.pk).update(title="备份之后改的")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(snapshot), verbosity=0)
    event.refresh_from_db()
    assert event.title == "备份之后改的"


def test_restore_check_verifies_without_changing(event_with_photo: Any, tmp_path: Path) -> None:
    from grassroots.events.models import Event

    event, _photo = event_with_photo
    snapshot = _snapshot(tmp_path)
    Event.objects.filter(pk=event.pk).update(title="备份之后改的")
    call_command("restore", str(snapshot), "--check", verbosity=0)
    event.refresh_from_db()
    assert event.title == "备份之后改的"


def test_a_crashed_backup_leaves_nothing_that_looks_complete(
    event_with_photo: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    def broken(source: Path, target: Path) -> tuple[int, str]:
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_copy_hashing", broken)
    with pytest.raises(OSError, match="disk full"):
        call_command("backup", "--output", str(tmp_path / "snap"), verbosity=0)
    assert list(tmp_path.iterdir()) == [tmp_path / "media"]


@pytest.mark.postgres
def test_postgresql_round_trip_replaces_tables_made_after_the_snapshot(
    event_with_photo: Any, tmp_path: Path
) -> None:
    """On PostgreSQL the restore drops what the snapshot does not have (a table made after
    it), in the same transaction as the reload."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from grassroots.events.models import Event

    event, photo = event_with_photo
    snapshot = _snapshot(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE made_after_the_backup (id int)")
    Event.objects.filter(pk=event.pk).update(title="备份之后改的")
    shutil.rmtree(photo.parents[2])

    call_command("restore", str(snapshot), "--yes", verbosity=0)

    event.refresh_from_db()
    assert event.title == "路边堆放建筑垃圾"
    assert photo.is_file()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('made_after_the_backup')")
        assert cursor.fetchone() == (None,)
