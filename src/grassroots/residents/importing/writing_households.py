"""Writing a checked household register (``households.import_households``): the
households and people in bulk, the existing ones locked in ``pk`` order and compared again,
the open care of people who changed grid following them."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Final, cast

from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.tabular import RowError
from grassroots.org.models import PATH_SEPARATOR, Unit
from grassroots.residents.actions._base import lock_many
from grassroots.residents.importing.columns_households import (
    PERSON_FIELDS,
    PROGRESS_EVERY,
    HouseholdImportError,
    ImportSummary,
    Row,
    apply_row,
    chunks,
    household_changes,
    new_person,
)
from grassroots.residents.models import Household, KeyPerson, Resident
from grassroots.residents.states import PersonStatus, Relationship

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

BATCH: Final = 1000

if TYPE_CHECKING:
    from grassroots.residents.importing.households import _Checker


def _present_head(row: Row, person: Resident | None) -> bool:
    relationship = row.relationship or (person.relationship if person else "")
    status = row.status or (person.status if person else PersonStatus.PRESENT)
    return relationship == Relationship.HEAD and status == PersonStatus.PRESENT


class _Writer:
    """Writes the checked rows as ``actor`` in the caller's transaction."""

    def __init__(self, checker: _Checker, summary: ImportSummary) -> None:
        self.checker = checker
        self.summary = summary

    def count(self) -> None:
        """What the import would do (the preview): ``apply_row`` on the people as read."""
        checker = self.checker
        self.summary.households_created = sum(
            1 for k in checker.groups if k not in checker.households
        )
        self.summary.households_updated = sum(
            1 for k, h in checker.households.items() if household_changes(h, checker.groups[k])
        )
        for row in checker.rows:
            if row.resident_id is None:
                self.summary.residents_created += 1
            elif apply_row(checker.people[row.resident_id], row, row.household_id or 0):
                self.summary.residents_updated += 1
            else:
                self.summary.residents_unchanged += 1

    def write(self, progress: ProgressCallback | None, phase: str) -> None:
        checker = self.checker
        existing = {
            h.pk: h for h in lock_many(Household, [h.pk for h in checker.households.values()])
        }
        ids: dict[tuple[int, str], int] = {}
        changed_households: list[Household] = []
        moved: set[int] = set()
        for key, checked in checker.households.items():
            household = existing.get(checked.pk)
            if household is None or household.number != checked.number:
                raise HouseholdImportError(
                    [
                        RowError(
                            checker.groups[key][0].line,
                            checker.column("number"),
                            _("This household was changed meanwhile; import the file again."),
                        )
                    ]
                )
            ids[key] = household.pk
            fields = household_changes(household, checker.groups[key])
            if fields:
                household.updated_at = timezone.now()
                changed_households.append(household)
                if "grid" in fields:
                    moved.add(household.pk)
        Household.objects.bulk_update(
            changed_households, ["grid", "place", "address", "updated_at"], batch_size=BATCH
        )
        self.summary.households_updated = len(changed_households)
        new = [
            Household(
                grid_id=cast("int", rows[0].grid_id),  # a group's rows have their grid
                village_id=key[0],
                number=key[1],
                address=next((r.address for r in rows if r.address), ""),
            )
            for key, rows in checker.groups.items()
            if key not in ids
        ]
        for household in Household.objects.bulk_create(new, batch_size=BATCH):
            ids[(household.village_id, household.number)] = household.pk
        self.summary.households_created = len(new)
        self._people(ids, moved, progress, phase)

    def _people(
        self,
        ids: dict[tuple[int, str], int],
        moved_households: set[int],
        progress: ProgressCallback | None,
        phase: str,
    ) -> None:
        checker = self.checker
        locked = {p.pk: p for p in lock_many(Resident, list(checker.people))}
        creating: list[Resident] = []
        updating: list[Resident] = []
        regridded: set[int] = set()
        now = timezone.now()
        for done, row in enumerate(checker.rows, start=1):
            household_id = ids[row.key]
            if row.resident_id is None:
                creating.append(new_person(row, household_id))
            else:
                person = locked.get(row.resident_id)
                checked = checker.people[row.resident_id]
                if (
                    person is None
                    or person.status != checked.status
                    or person.id_digest != checked.id_digest
                ):
                    raise HouseholdImportError(
                        [
                            RowError(
                                row.line,
                                checker.column("name"),
                                _("This person was changed meanwhile; import the file again."),
                            )
                        ]
                    )
                before_household = person.household_id
                fields = apply_row(person, row, household_id)
                if fields:
                    person.updated_at = now
                    updating.append(person)
                    if "household_id" in fields and before_household not in moved_households:
                        regridded.add(person.pk)
                else:
                    self.summary.residents_unchanged += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(phase, done, len(checker.rows))
        Resident.objects.bulk_create(creating, batch_size=BATCH)
        Resident.objects.bulk_update(updating, [*PERSON_FIELDS, "updated_at"], batch_size=BATCH)
        self.summary.residents_created = len(creating)
        self.summary.residents_updated = len(updating)
        self._care_follows(moved_households, regridded)

    def _care_follows(self, households: set[int], people: set[int]) -> None:
        """Open care records take the grid of their person's household."""
        if not households and not people:
            return
        by_grid: dict[int, list[int]] = defaultdict(list)
        cares = KeyPerson.objects.filter(ended_on__isnull=True).filter(
            resident__household_id__in=sorted(households)
        ) | KeyPerson.objects.filter(ended_on__isnull=True, resident_id__in=sorted(people))
        for pk, grid_id, current in cares.values_list(
            "pk", "resident__household__grid_id", "grid_id"
        ):
            if grid_id != current:
                by_grid[grid_id].append(pk)
        now = timezone.now()
        for grid_id, pks in by_grid.items():
            for chunk in chunks(pks):
                KeyPerson.objects.filter(pk__in=chunk).update(grid_id=grid_id, updated_at=now)

    def record_file(self, actor: User, name: str, sha256: str) -> None:
        """The audit entry of the whole import, with its counts."""
        paths = [g.path for g in self.checker.grids.values()]
        s = self.summary
        record(
            "residents.household.imported",
            None,
            actor=actor,
            unit=common_unit(paths),
            after={
                "file": name,
                "sha256": sha256,
                "rows": s.rows,
                "households_created": s.households_created,
                "households_updated": s.households_updated,
                "residents_created": s.residents_created,
                "residents_updated": s.residents_updated,
                "residents_unchanged": s.residents_unchanged,
            },
            note=_("Imported from %(file)s") % {"file": name},
        )


def common_unit(paths: list[str]) -> Unit | None:
    """The lowest unit above (or at) every one of ``paths``."""
    if not paths:
        return None
    shared: list[str] = []
    for segment in zip(*(p.split(PATH_SEPARATOR) for p in paths), strict=False):
        if len(set(segment)) != 1:
            break
        shared.append(segment[0])
    return Unit.objects.filter(path=PATH_SEPARATOR.join(shared)).first() if shared else None
