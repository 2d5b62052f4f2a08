"""Writing checked rows: ids, event rows and their timeline lines, in bulk.

PostgreSQL gets ``COPY … FROM STDIN`` (psycopg 3's ``cursor.copy``); other databases
``executemany`` of one prepared INSERT. Every value is already in its database form (the
checker formats moments), so a row is written without any per-field work in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from django.db import connection
from django.db.models import Model

from grassroots.events.importing.checking import EVENT_FIELDS
from grassroots.events.models import ActionKind, Event, EventAction

#: The timeline line every imported event gets.
IMPORT_KIND: Final = str(ActionKind.IMPORT)
ACTION_FIELDS: Final = (
    "event",
    "kind",
    "from_status",
    "to_status",
    "actor",
    "actor_unit",
    "note",
    "data",
    "created_at",
)


def _columns(model: type[Model], names: Sequence[str]) -> list[str]:
    return [str(model._meta.get_field(name).column) for name in names]  # type: ignore[union-attr]


EVENT_COLUMNS: Final = _columns(Event, ("id", "number", *EVENT_FIELDS))
ACTION_COLUMNS: Final = _columns(EventAction, ACTION_FIELDS)


#: Numbers looked up in the database per query.
LOOKUP_CHUNK: Final = 5000


def existing_numbers(numbers: list[str]) -> set[str]:
    """Which of ``numbers`` events already carry."""
    found: set[str] = set()
    table, column = _quoted(Event._meta.db_table, ["number"])
    postgresql = connection.vendor == "postgresql"
    # PostgreSQL: one array parameter; elsewhere within SQLite's 999 placeholders.
    chunk_size = LOOKUP_CHUNK if postgresql else 900
    with connection.cursor() as cursor:
        for start in range(0, len(numbers), chunk_size):
            chunk = numbers[start : start + chunk_size]
            if postgresql:
                sql = f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)"  # noqa: S608
                cursor.execute(sql, [chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"  # noqa: S608
                cursor.execute(sql, chunk)
            found.update(row[0] for row in cursor.fetchall())
    return found


def _quoted(table: str, columns: Sequence[str]) -> tuple[str, str]:
    qn = connection.ops.quote_name
    return qn(table), ", ".join(qn(c) for c in columns)


def _insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    name, column_list = _quoted(table, columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            # The driver's own cursor: its errors are made Django's (IntegrityError …) here.
            with (
                connection.wrap_database_errors,
                raw.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy,
            ):
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Identifiers come from the models' metadata, quoted; values are parameters.
            sql = f"INSERT INTO {name} ({column_list}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)


def insert_events(rows: Sequence[Sequence[Any]]) -> None:
    """Insert event rows (``id``, ``number``, then :data:`EVENT_FIELDS`)."""
    _insert(Event._meta.db_table, EVENT_COLUMNS, rows)


def insert_actions(rows: Sequence[Sequence[Any]]) -> None:
    """Insert timeline lines (:data:`ACTION_FIELDS`; ids from the database)."""
    _insert(EventAction._meta.db_table, ACTION_COLUMNS, rows)


class IdAllocator:
    """Event ids for rows written in bulk, taken before they are written (the timeline
    lines refer to them).

    PostgreSQL: ``nextval`` of the table's sequence, many at once, so that intake running
    beside the import draws other numbers. Elsewhere (SQLite, one writer at a time) the
    ids after the largest ever given (``sqlite_sequence``, since Django's tables use
    AUTOINCREMENT); the insert itself moves that counter on.
    """

    def __init__(self) -> None:
        self.vendor = connection.vendor
        table = Event._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                self.sequence = cursor.fetchone()[0]
                self.next_id = 0
            else:
                self.sequence = ""
                cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                largest = cursor.fetchone()[0] or 0
                if self.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    found = cursor.fetchone()
                    largest = max(largest, found[0] if found else 0)
                self.next_id = largest + 1

    def take(self, count: int) -> list[int]:
        if count <= 0:
            return []
        if self.sequence:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, count]
                )
                return [row[0] for row in cursor.fetchall()]
        first = self.next_id
        self.next_id += count
        return list(range(first, first + count))
