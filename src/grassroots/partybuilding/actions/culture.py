"""The culture archive's writes (村歌, 村史, 家训家风, 乡土文艺骨干).

Rules (``PartybuildingError`` on the field at fault, nothing written): the record's unit is
a village or a community and the actor holds ``partybuilding.record`` over it
(PermissionDenied otherwise — also for a record outside the actor's scope); texts are
stripped, without NUL characters, within their lengths; a recording is checked by its
bytes (``partybuilding.audio``), photos are cleaned (``files.prepare_photos``); the
history's HTML is cleaned (``richtext``) against the chapter's own photo URLs. Every
update locks its row; every change writes an audit entry ``partybuilding.<model>.<verb>``
(a performer's phone masked in it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text
from grassroots.common.masking import mask_phone
from grassroots.org.models import VILLAGE_LEVEL, Unit
from grassroots.org.permissions import require
from grassroots.partybuilding import audio, files, richtext
from grassroots.partybuilding.actions._base import lock
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.models import (
    FamilyMotto,
    HistoryPhoto,
    Performer,
    Song,
    VillageHistory,
)
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.states import PerformerSpecialty

if TYPE_CHECKING:
    from grassroots.org.models import User

TITLE_MAX: Final = 200
NAME_MAX: Final = 64
LYRICS_MAX: Final = 20_000
STORY_MAX: Final = 10_000
MOTTO_MAX: Final = 500
TROUPE_MAX: Final = 100
NOTE_MAX: Final = 500
PHOTOS_MAX: Final = 30
ORDER_MAX: Final = 999
FIRST_BIRTH_YEAR: Final = 1900

SONG_FIELDS: Final = ("title", "lyricist", "composer", "lyrics")
HISTORY_FIELDS: Final = ("title", "body", "order")
MOTTO_FIELDS: Final = ("family", "motto", "story")
PERFORMER_FIELDS: Final = (
    "name",
    "specialty",
    "troupe",
    "birth_year",
    "phone",
    "leader",
    "active",
    "note",
)


# --- parsing ------------------------------------------------------------------------------


def text_of(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """Stripped text without NUL characters (``PartybuildingError`` on ``field``)."""
    return clean_text(
        value, field=field, error=PartybuildingError, required=required, max_length=limit
    )


def village_of(unit: object, *, actor: User, field: str = "unit") -> Unit:
    """``unit`` if it is an active village or community whose archive ``actor`` keeps."""
    if not isinstance(unit, Unit) or unit.pk is None:
        raise PartybuildingError(_("Choose a village."), field=field)
    require(actor, RECORD, unit)
    if unit.kind not in VILLAGE_LEVEL or not unit.active:
        raise PartybuildingError(
            _("The culture archive is kept by a village or a community, not by %(unit)s.")
            % {"unit": unit.name},
            field=field,
        )
    return unit


def _whole(value: object, field: str, low: int, high: int, *, required: bool) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PartybuildingError(_("This field is required."), field=field)
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        number = int(value.strip()) if len(value.strip()) < 10 else None
    if number is None or not low <= number <= high:
        raise PartybuildingError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            field=field,
        )
    return number


def _flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("1", "true", "yes", "on", "是", "y"):
        return True
    if text in ("", "0", "false", "no", "off", "否", "n"):
        return False
    raise PartybuildingError(_("Answer yes or no."), field=field)


def phone_of(value: object, field: str = "phone") -> str:
    """A phone number: digits (with an optional leading + and dashes), 7 to 20 long."""
    text = text_of(value, field, 20)
    digits = text.replace("-", "").replace(" ", "")
    if not digits:
        return ""
    body = digits[1:] if digits.startswith("+") else digits
    if not body.isascii() or not body.isdecimal() or not 7 <= len(digits) <= 20:
        raise PartybuildingError(_("Enter a phone number (digits only)."), field=field)
    return digits


def specialty_of(value: object, field: str = "specialty") -> str:
    if not isinstance(value, str) or value not in PerformerSpecialty.values:
        raise PartybuildingError(_("Choose a specialty."), field=field)
    return value


def _unknown(fields: Mapping[str, object], known: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise PartybuildingError(
            _("Unknown field: %(name)s.") % {"name": unknown[0]}, field=unknown[0]
        )


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in after if before.get(k) != after[k]]


# --- songs ----------------------------------------------------------------------------------


def _song_values(fields: Mapping[str, object]) -> dict[str, Any]:
    _unknown(fields, SONG_FIELDS)
    limits = {"title": TITLE_MAX, "lyricist": NAME_MAX, "composer": NAME_MAX}
    clean: dict[str, Any] = {}
    for name in SONG_FIELDS:
        if name in fields:
            limit = limits.get(name, LYRICS_MAX)
            clean[name] = text_of(fields[name], name, limit, required=name == "title")
    return clean


def _song_snapshot(song: Song) -> dict[str, Any]:
    return {name: getattr(song, name) for name in SONG_FIELDS}


@transaction.atomic
def create_song(
    unit: object, fields: Mapping[str, object], *, actor: User, recording: Any = None
) -> Song:
    """A village's song (title required), with its recording when one is given (checked
    by its bytes). Audit ``partybuilding.song.created``."""
    village = village_of(unit, actor=actor)
    values = _song_values(fields)
    if not values.get("title"):
        raise PartybuildingError(_("This field is required."), field="title")
    prepared = audio.prepare_audio(recording) if recording is not None else None
    file_fields: dict[str, Any] = {"sha256": "", "content_type": "", "size": 0}
    if prepared is not None:
        files.write(prepared)
        file_fields = prepared.fields()
    song = Song.objects.create(
        unit=village, unit_path=village.path, created_by=actor, **values, **file_fields
    )
    record(
        "partybuilding.song.created",
        song,
        actor=actor,
        after={**values, "recording": file_fields["sha256"]},
    )
    return song


@transaction.atomic
def update_song(song_id: int, fields: Mapping[str, object], *, actor: User) -> Song:
    """Correct a song's title, authors or lyrics. Audit ``partybuilding.song.updated``
    with the fields that changed."""
    song = lock(Song, song_id, "unit")
    require(actor, RECORD, song)
    values = _song_values(fields)
    if "title" in values and not values["title"]:
        raise PartybuildingError(_("This field is required."), field="title")
    before = _song_snapshot(song)
    for name, value in values.items():
        setattr(song, name, value)
    after = _song_snapshot(song)
    changed = _changed(before, after)
    if changed:
        song.save(update_fields=[*changed, "updated_at"])
        record(
            "partybuilding.song.updated",
            song,
            actor=actor,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return song


@transaction.atomic
def upload_recording(song_id: int, recording: Any, *, actor: User) -> Song:
    """Set (or replace) a song's recording: an MP3, M4A, Ogg, WAV or FLAC file by its bytes.
    Audit ``partybuilding.song.recording_set`` with the old and new SHA-256."""
    song = lock(Song, song_id, "unit")
    require(actor, RECORD, song)
    prepared = audio.prepare_audio(recording)
    before = {"sha256": song.sha256, "size": song.size}
    if song.sha256 == prepared.sha256:
        return song
    files.write(prepared)
    for name, value in prepared.fields().items():
        setattr(song, name, value)
    song.save(update_fields=["sha256", "content_type", "size", "original_name", "updated_at"])
    record(
        "partybuilding.song.recording_set",
        song,
        actor=actor,
        before=before,
        after={"sha256": song.sha256, "size": song.size, "name": song.original_name},
    )
    return song


@transaction.atomic
def delete_song(song_id: int, *, actor: User) -> None:
    """Remove a song (its stored recording stays, content-addressed). Audit
    ``partybuilding.song.deleted`` with what it held."""
    song = lock(Song, song_id, "unit")
    require(actor, RECORD, song)
    record(
        "partybuilding.song.deleted",
        song,
        actor=actor,
        before={**_song_snapshot(song), "recording": song.sha256},
    )
    song.delete()


# --- histories ------------------------------------------------------------------------------


def photo_url(photo: HistoryPhoto) -> str:
    """The URL a chapter's body names its photo by (the scope-checked photo page)."""
    return reverse("partybuilding:history_photo", args=[photo.history_id, photo.pk])


def _history_photo_urls(history: VillageHistory) -> list[str]:
    return [
        photo_url(p) for p in HistoryPhoto.objects.filter(history=history).only("pk", "history")
    ]


def _history_values(fields: Mapping[str, object]) -> dict[str, Any]:
    _unknown(fields, HISTORY_FIELDS)
    clean: dict[str, Any] = {}
    if "title" in fields:
        clean["title"] = text_of(fields["title"], "title", TITLE_MAX, required=True)
    if "body" in fields:
        body = fields["body"]
        if body is None:
            body = ""
        if not isinstance(body, str):
            raise PartybuildingError(_("This must be text."), field="body")
        if len(body) > richtext.MAX_LENGTH:
            raise PartybuildingError(
                _("At most %(n)d characters.") % {"n": richtext.MAX_LENGTH}, field="body"
            )
        clean["body"] = body
    if "order" in fields:
        clean["order"] = _whole(fields["order"], "order", 0, ORDER_MAX, required=False) or 0
    return clean


def _history_snapshot(history: VillageHistory) -> dict[str, Any]:
    return {name: getattr(history, name) for name in HISTORY_FIELDS}


def _photos(uploads: Any) -> list[files.Prepared]:
    photos = files.prepare_photos(uploads, field="photos", max_count=PHOTOS_MAX)
    for photo in photos:
        files.write(photo)
    return photos


@transaction.atomic
def create_history(
    unit: object, fields: Mapping[str, object], *, actor: User, photos: Any = None
) -> VillageHistory:
    """A chapter of a village's history: its title (required), its body (cleaned HTML),
    its place among the chapters, its photos. Audit ``partybuilding.history.created``."""
    village = village_of(unit, actor=actor)
    values = _history_values(fields)
    if not values.get("title"):
        raise PartybuildingError(_("This field is required."), field="title")
    prepared = _photos(photos)
    body = values.pop("body", "")
    history = VillageHistory.objects.create(
        unit=village, unit_path=village.path, created_by=actor, **values
    )
    for photo in prepared:
        HistoryPhoto.objects.create(history=history, **photo.fields())
    history.body = richtext.clean_html(body, photo_urls=_history_photo_urls(history))
    history.save(update_fields=["body"])
    record(
        "partybuilding.history.created",
        history,
        actor=actor,
        after={**values, "body_length": len(history.body), "photos": len(prepared)},
    )
    return history


@transaction.atomic
def update_history(history_id: int, fields: Mapping[str, object], *, actor: User) -> VillageHistory:
    """Correct a chapter's title, body (cleaned again) or order. Audit
    ``partybuilding.history.updated`` with the fields that changed."""
    history = lock(VillageHistory, history_id, "unit")
    require(actor, RECORD, history)
    values = _history_values(fields)
    if "body" in values:
        values["body"] = richtext.clean_html(
            values["body"], photo_urls=_history_photo_urls(history)
        )
    before = _history_snapshot(history)
    for name, value in values.items():
        setattr(history, name, value)
    after = _history_snapshot(history)
    changed = _changed(before, after)
    if changed:
        history.save(update_fields=[*changed, "updated_at"])
        shown = {k: (len(v) if k == "body" else v) for k, v in after.items() if k in changed}
        was = {k: (len(v) if k == "body" else v) for k, v in before.items() if k in changed}
        record("partybuilding.history.updated", history, actor=actor, before=was, after=shown)
    return history


@transaction.atomic
def add_history_photos(
    history_id: int, uploads: Any, *, actor: User, caption: object = ""
) -> list[HistoryPhoto]:
    """Add photos to a chapter (cleaned: upright, shrunk, without metadata), at most
    ``PHOTOS_MAX`` in all. Audit ``partybuilding.history.photos_added``."""
    history = lock(VillageHistory, history_id, "unit")
    require(actor, RECORD, history)
    text = text_of(caption, "caption", 200)
    uploads = list(uploads or ())
    if not uploads:
        raise PartybuildingError(_("Choose a photo to upload."), field="photos")
    have = HistoryPhoto.objects.filter(history=history).count()
    if have + len(uploads) > PHOTOS_MAX:
        raise PartybuildingError(
            _("A chapter has at most %(n)d photos.") % {"n": PHOTOS_MAX}, field="photos"
        )
    added = [
        HistoryPhoto.objects.create(history=history, caption=text, **photo.fields())
        for photo in _photos(uploads)
    ]
    history.save(update_fields=["updated_at"])
    record(
        "partybuilding.history.photos_added",
        history,
        actor=actor,
        after={"photos": [p.sha256 for p in added], "caption": text},
    )
    return added


@transaction.atomic
def remove_history_photo(photo_id: int, *, actor: User) -> VillageHistory:
    """Remove a photo from its chapter (and from the chapter's text). Audit
    ``partybuilding.history.photo_removed``."""
    found = HistoryPhoto.objects.select_related("history__unit").filter(pk=photo_id).first()
    if found is None:
        raise PartybuildingError(_("No such photo."), field="photo")
    history = lock(VillageHistory, found.history_id, "unit")
    require(actor, RECORD, history)
    photo = HistoryPhoto.objects.filter(pk=photo_id, history=history).first()
    if photo is None:
        raise PartybuildingError(_("No such photo."), field="photo")
    record(
        "partybuilding.history.photo_removed",
        history,
        actor=actor,
        before={"photo": photo.sha256, "caption": photo.caption},
    )
    photo.delete()
    history.body = richtext.clean_html(history.body, photo_urls=_history_photo_urls(history))
    history.save(update_fields=["body", "updated_at"])
    return history


# --- family mottos --------------------------------------------------------------------------


def _motto_values(fields: Mapping[str, object]) -> dict[str, Any]:
    _unknown(fields, MOTTO_FIELDS)
    limits = {"family": NAME_MAX, "motto": MOTTO_MAX, "story": STORY_MAX}
    return {
        name: text_of(fields[name], name, limits[name], required=name != "story")
        for name in MOTTO_FIELDS
        if name in fields
    }


@transaction.atomic
def create_motto(unit: object, fields: Mapping[str, object], *, actor: User) -> FamilyMotto:
    """A family's motto (family and motto required, its story optional). Audit
    ``partybuilding.motto.created``."""
    village = village_of(unit, actor=actor)
    values = _motto_values(fields)
    for name in ("family", "motto"):
        if not values.get(name):
            raise PartybuildingError(_("This field is required."), field=name)
    motto = FamilyMotto.objects.create(
        unit=village, unit_path=village.path, created_by=actor, **values
    )
    record("partybuilding.motto.created", motto, actor=actor, after=values)
    return motto


@transaction.atomic
def update_motto(motto_id: int, fields: Mapping[str, object], *, actor: User) -> FamilyMotto:
    """Correct a family motto. Audit ``partybuilding.motto.updated``."""
    motto = lock(FamilyMotto, motto_id, "unit")
    require(actor, RECORD, motto)
    values = _motto_values(fields)
    before = {name: getattr(motto, name) for name in MOTTO_FIELDS}
    for name, value in values.items():
        setattr(motto, name, value)
    after = {name: getattr(motto, name) for name in MOTTO_FIELDS}
    changed = _changed(before, after)
    if changed:
        motto.save(update_fields=[*changed, "updated_at"])
        record(
            "partybuilding.motto.updated",
            motto,
            actor=actor,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return motto


@transaction.atomic
def delete_motto(motto_id: int, *, actor: User) -> None:
    """Remove a family motto. Audit ``partybuilding.motto.deleted`` with what it said."""
    motto = lock(FamilyMotto, motto_id, "unit")
    require(actor, RECORD, motto)
    record(
        "partybuilding.motto.deleted",
        motto,
        actor=actor,
        before={name: getattr(motto, name) for name in MOTTO_FIELDS},
    )
    motto.delete()


# --- performers -----------------------------------------------------------------------------


def _performer_values(fields: Mapping[str, object], today: dt.date) -> dict[str, Any]:
    _unknown(fields, PERFORMER_FIELDS)
    clean: dict[str, Any] = {}
    for name in fields:
        value = fields[name]
        if name == "name":
            clean[name] = text_of(value, name, NAME_MAX, required=True)
        elif name == "specialty":
            clean[name] = specialty_of(value)
        elif name == "troupe":
            clean[name] = text_of(value, name, TROUPE_MAX)
        elif name == "note":
            clean[name] = text_of(value, name, NOTE_MAX)
        elif name == "birth_year":
            clean[name] = _whole(value, name, FIRST_BIRTH_YEAR, today.year, required=False)
        elif name == "phone":
            clean[name] = phone_of(value)
        else:
            clean[name] = _flag(value, name)
    return clean


def performer_snapshot(performer: Performer) -> dict[str, Any]:
    """The performer's fields as an audit entry holds them (the phone masked)."""
    values = {name: getattr(performer, name) for name in PERFORMER_FIELDS}
    values["phone"] = mask_phone(performer.phone or "")
    return values


def _audit_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (mask_phone(v or "") if k == "phone" else v) for k, v in values.items()}


@transaction.atomic
def create_performer(unit: object, fields: Mapping[str, object], *, actor: User) -> Performer:
    """A local performer or cultural leader of a village (name and specialty required).
    Audit ``partybuilding.performer.created`` (phone masked)."""
    village = village_of(unit, actor=actor)
    values = _performer_values(fields, timezone.localdate())
    for name in ("name", "specialty"):
        if name not in values:
            raise PartybuildingError(
                _("This field is required.") if name == "name" else _("Choose a specialty."),
                field=name,
            )
    performer = Performer.objects.create(
        unit=village, unit_path=village.path, created_by=actor, **values
    )
    record(
        "partybuilding.performer.created",
        performer,
        actor=actor,
        after=performer_snapshot(performer),
    )
    return performer


@transaction.atomic
def update_performer(performer_id: int, fields: Mapping[str, object], *, actor: User) -> Performer:
    """Correct a performer's record (an empty ``phone`` removes it). Audit
    ``partybuilding.performer.updated`` with the changed fields (phone masked)."""
    performer = lock(Performer, performer_id, "unit")
    require(actor, RECORD, performer)
    values = _performer_values(fields, timezone.localdate())
    before = {name: getattr(performer, name) for name in PERFORMER_FIELDS}
    for name, value in values.items():
        setattr(performer, name, value)
    after = {name: getattr(performer, name) for name in PERFORMER_FIELDS}
    changed = _changed(before, after)
    if changed:
        performer.save(update_fields=[*changed, "updated_at"])
        record(
            "partybuilding.performer.updated",
            performer,
            actor=actor,
            before=_audit_values({k: before[k] for k in changed}),
            after=_audit_values({k: after[k] for k in changed}),
        )
    return performer


@transaction.atomic
def deactivate_performer(performer_id: int, *, actor: User) -> Performer:
    """Take a performer off the active roster (kept in the archive). Audit
    ``partybuilding.performer.deactivated``; an inactive one is left as it is."""
    performer = lock(Performer, performer_id, "unit")
    require(actor, RECORD, performer)
    if not performer.active:
        return performer
    performer.active = False
    performer.save(update_fields=["active", "updated_at"])
    record(
        "partybuilding.performer.deactivated",
        performer,
        actor=actor,
        before={"active": True},
        after={"active": False},
    )
    return performer
