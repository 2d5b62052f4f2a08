"""Writing a checked roster, in the caller's transaction: new files and their current post
in bulk, the files it updates locked (in ``pk`` order) and compared again under the lock,
a post record closed and opened where the unit, post or level changed, one audit entry
per file created or changed and one for the whole file."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres.actions._base import lock_many
from grassroots.cadres.importing.checking import _Checker, changed_fields
from grassroots.cadres.importing.columns import (
    FIELDS,
    POST_FIELDS,
    CadreImportError,
    ImportSummary,
    Row,
)
from grassroots.cadres.models import Cadre, PostRecord
from grassroots.cadres.states import CadreStatus
from grassroots.common.crypto import fill_blind_indexes
from grassroots.common.masking import mask_id_number, mask_phone
from grassroots.common.tabular import RowError
from grassroots.org.models import PATH_SEPARATOR, Unit

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

BATCH: Final = 500


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """File fields as the audit log keeps them: the ID number and phone masked (the log is
    read by people who may not see a cadre's file)."""
    shown = dict(values)
    if shown.get("id_number"):
        shown["id_number"] = mask_id_number(str(shown["id_number"]))
    if shown.get("phone"):
        shown["phone"] = mask_phone(str(shown["phone"]))
    return shown


def common_unit(paths: list[str]) -> Unit | None:
    """The lowest unit above (or at) every one of ``paths``."""
    if not paths:
        return None
    parts = [p.split(PATH_SEPARATOR) for p in paths]
    shared: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        shared.append(segment[0])
    if not shared:
        return None
    return Unit.objects.filter(path=PATH_SEPARATOR.join(shared)).first()


class _Writer:
    """Writes the checked rows (``checker.rows``) as ``actor``."""

    def __init__(
        self,
        checker: _Checker,
        actor: User,
        note: str,
        summary: ImportSummary,
        progress: ProgressCallback | None,
        phase: str,
    ) -> None:
        self.checker = checker
        self.actor = actor
        self.note = note
        self.summary = summary
        self.progress = progress
        self.phase = phase
        self.today = checker.today
        self.done = 0
        ids = {r.unit_id for r in checker.rows} | {v["unit_id"] for v in checker.existing.values()}
        self.units = Unit.objects.only("pk", "path", "name", "code").in_bulk(
            [i for i in ids if i is not None]
        )

    def tick(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.phase, self.done, self.summary.rows)

    def write(self) -> None:
        rows = self.checker.rows
        self.create([r for r in rows if r.cadre_id is None])
        self.update([r for r in rows if r.cadre_id is not None])

    # --- new files ------------------------------------------------------------------------

    def create(self, rows: list[Row]) -> None:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cadres = [
                Cadre(
                    **{f: getattr(r, f) for f in FIELDS if f != "phone"},
                    phone=r.phone or "",
                    status=CadreStatus.ACTIVE,
                )
                for r in batch
            ]
            for cadre in cadres:
                fill_blind_indexes(cadre)  # bulk_create: Cadre.save() does not run
            Cadre.objects.bulk_create(cadres)
            posts = []
            for row, cadre in zip(batch, cadres, strict=True):
                if cadre.pk is None:  # a backend that cannot return ids
                    cadre.pk = Cadre.objects.values_list("pk", flat=True).get(
                        id_digest=cadre.id_digest
                    )
                posts.append(self._post(cadre.pk, row))
            PostRecord.objects.bulk_create(posts)
            for row, cadre in zip(batch, cadres, strict=True):
                after = snapshot({f: getattr(cadre, f) for f in FIELDS})
                record(
                    "cadres.cadre.created",
                    cadre,
                    actor=self.actor,
                    after=after,
                    unit=self.units[_unit_id(row)],
                    note=self.note,
                )
            self.summary.created += len(batch)
            self.tick(len(batch))

    def _post(self, cadre_id: int, row: Row) -> PostRecord:
        return PostRecord(
            cadre_id=cadre_id,
            unit_id=_unit_id(row),
            post=row.post,
            level=row.level,
            started_on=row.post_since or self.today,
        )

    # --- files updated --------------------------------------------------------------------

    def update(self, rows: list[Row]) -> None:
        if not rows:
            return
        locked = {c.pk: c for c in lock_many(Cadre, [_cadre_id(r) for r in rows])}
        changed: list[Cadre] = []
        moved: dict[int, Row] = {}
        now = timezone.now()
        for row in rows:
            cadre = locked.get(_cadre_id(row))
            self._still_yours(row, cadre)
            assert cadre is not None  # noqa: S101 - checked just above
            values = {f: getattr(cadre, f) for f in FIELDS}
            fields = changed_fields(row, values)
            if not fields:
                self.summary.unchanged += 1
                continue
            before = snapshot({f: values[f] for f in fields})
            for name in fields:
                setattr(cadre, name, getattr(row, name))
            cadre.updated_at = now
            changed.append(cadre)
            if any(f in POST_FIELDS for f in fields):
                moved[cadre.pk] = row
            record(
                "cadres.cadre.updated",
                cadre,
                actor=self.actor,
                before=before,
                after=snapshot({f: getattr(cadre, f) for f in fields}),
                unit=self.units[_unit_id(row)],
                note=self.note,
            )
        Cadre.objects.bulk_update(changed, [*FIELDS, "updated_at"], batch_size=BATCH)
        self._move(moved)
        self.summary.updated += len(changed)
        self.tick(len(rows))

    def _still_yours(self, row: Row, cadre: Cadre | None) -> None:
        """The file may have changed since the check (another person, another import)."""
        problem = ""
        if cadre is None:
            problem = _("The file of this ID number was deleted meanwhile.")
        elif cadre.id_number != row.id_number:
            problem = _("The ID number on this file was changed meanwhile.")
        elif cadre.status != CadreStatus.ACTIVE:
            problem = _("This cadre's file was marked “%(status)s” meanwhile.") % {
                "status": CadreStatus(cadre.status).label
            }
        else:
            unit = self.units.get(cadre.unit_id) or Unit.objects.get(pk=cadre.unit_id)
            if not self.checker.within(unit.path):
                problem = _("This cadre was moved outside your units meanwhile.")
        if problem:
            raise CadreImportError([RowError(row.line, self.checker.column("id_number"), problem)])

    def _move(self, moved: dict[int, Row]) -> None:
        """For each cadre whose unit, post or level changed: close the open post record
        the day before the new one begins and open the new one — or, when the new one
        begins the day the open one did, correct that one (as ``update_cadre`` does)."""
        if not moved:
            return
        closing: list[PostRecord] = []
        correcting: list[PostRecord] = []
        opening = dict(moved)
        for post in PostRecord.objects.filter(
            Q(cadre_id__in=list(moved)), ended_on__isnull=True
        ).order_by("pk"):
            row = moved[post.cadre_id]
            start = row.post_since or self.today
            if start <= post.started_on:  # the same day (the check refused earlier ones)
                post.unit_id, post.post, post.level = _unit_id(row), row.post, row.level
                correcting.append(post)
                opening.pop(post.cadre_id, None)
            else:
                post.ended_on = start - dt.timedelta(days=1)
                closing.append(post)
        PostRecord.objects.bulk_update(closing, ["ended_on"], batch_size=BATCH)
        PostRecord.objects.bulk_update(correcting, ["unit", "post", "level"], batch_size=BATCH)
        PostRecord.objects.bulk_create([self._post(pk, row) for pk, row in opening.items()])

    # --- the file -------------------------------------------------------------------------

    def record_file(self, name: str, sha256: str) -> None:
        """The audit entry of the whole import, with its counts."""
        paths = [self.units[_unit_id(r)].path for r in self.checker.rows]
        record(
            "cadres.cadre.imported",
            None,
            actor=self.actor,
            unit=common_unit(paths),
            after={
                "file": name,
                "sha256": sha256,
                "rows": self.summary.rows,
                "created": self.summary.created,
                "updated": self.summary.updated,
                "unchanged": self.summary.unchanged,
            },
            note=self.note,
        )


def _cadre_id(row: Row) -> int:
    assert row.cadre_id is not None  # noqa: S101 - only rows that update a file
    return row.cadre_id


def _unit_id(row: Row) -> int:
    assert row.unit_id is not None  # noqa: S101 - every checked row has its unit
    return row.unit_id
