"""Writing checked rows: ids, event rows and their timeline lines, in bulk.

PostgreSQL gets ``COPY … FROM STDIN`` (psycopg 3's ``cursor.copy``); other databases
``executemany`` of one prepared INSERT. Every value is already in its database form (the
checker formats moments), so a row is written without any per-field work in Python.

:class:`BatchWriter` writes an import batch by batch inside the caller's transaction. On
PostgreSQL a batch is looked up (numbers), given ids and copied in a worker thread while
the caller checks the next one, so that the server's work (the table's indexes, the
foreign keys) and Python's (reading and checking rows) run side by side on two cores.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection
from django.db.models import Model

from grassroots.events.importing.checking import EVENT_FIELDS, STATUS_AT
from grassroots.events.models import ActionKind, Category, Event, EventAction
from grassroots.org.models import Unit, User

logger = logging.getLogger(__name__)

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


def existing_numbers(numbers: list[str], cursor: Any = None) -> set[str]:
    """Which of ``numbers`` events already carry (on ``cursor``, by default a new one of
    Django's connection)."""
    if cursor is None:
        with connection.cursor() as own:
            return existing_numbers(numbers, own)
    found: set[str] = set()
    table, column = _quoted(Event._meta.db_table, ["number"])
    postgresql = connection.vendor == "postgresql"
    # PostgreSQL: one array parameter; elsewhere within SQLite's 999 placeholders.
    chunk_size = LOOKUP_CHUNK if postgresql else 900
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

    def take(self, count: int, cursor: Any = None) -> list[int]:
        """``count`` new ids (on ``cursor``, by default a new one of Django's connection)."""
        if count <= 0:
            return []
        if self.sequence:
            if cursor is None:
                with connection.cursor() as own:
                    return self.take(count, own)
            # One text value, not thousands of rows: far less for the driver to read.
            cursor.execute(
                "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
                [self.sequence, count],
            )
            return list(map(int, cursor.fetchone()[0].split(",")))
        first = self.next_id
        self.next_id += count
        return list(range(first, first + count))


# --- an import's batches ------------------------------------------------------------------

#: Where the foreign keys sit in a written event row (``id``, ``number``, EVENT_FIELDS).
_AT = {name: 2 + EVENT_FIELDS.index(name) for name in EVENT_FIELDS}
UNIT_KEYS: Final = tuple(
    _AT[name] for name in ("grid", "village", "township", "assignee", "dispatcher")
)
CATEGORY_AT: Final = _AT["category"]
REPORTER_AT: Final = _AT["reporter"]


@dataclass(slots=True)
class Written:
    """What became of one batch of checked rows: the numbers already taken (those rows
    skipped, or the batch not written), the rows written and their ids."""

    existing: set[str] = field(default_factory=set)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


#: Batches handed back by :meth:`BatchWriter.submit`: each with what became of it.
Finished = list[tuple[list[tuple[Any, ...]], Written]]


@dataclass(frozen=True, slots=True)
class Plan:
    """How an import writes: fixed for all its batches.

    ``careful``: look the numbers of every batch up before writing it. Otherwise only
    batches not written are looked up (a dry run, or after a problem), and a written
    batch relies on the unique index: a number already taken fails the COPY
    (:func:`number_taken`), and the import runs again carefully to list every such
    number. A first import of a file so never pays for the lookups."""

    skip_existing: bool
    actor_id: int | None
    note: str
    now_db: str | dt.datetime
    careful: bool = True


class BatchWriter:
    """Writes batches of checked rows (``Checker.check``'s) with their timeline lines,
    in the caller's transaction.

    :meth:`submit` a batch, :meth:`close` at the end; both hand back what became of the
    batches finished meanwhile, in order. A batch is written only when asked to (a file
    with problems has its numbers looked up, to list them all, and nothing written), and
    only if none of its numbers exists yet (unless skipped by ``skip_existing``).

    On PostgreSQL the foreign keys are checked either way, but how:

    - per row, by the constraints' triggers, made IMMEDIATE for the import so that each
      batch is checked as it is copied (beside the checking of the next) instead of all of
      them at commit;
    - or, when the database role may set ``session_replication_role`` (a superuser, or
      ``GRANT SET ON PARAMETER session_replication_role``), once per referenced row: the
      triggers are off for the import's own rows (as ``pg_restore --disable-triggers``
      does) and the units, categories and users the rows refer to are read ``FOR KEY
      SHARE`` — what each trigger does for its row, done once per distinct key — so that
      none of them can be deleted before the import commits. A timeline line refers to
      the event just written with it.
    """

    def __init__(self, plan: Plan, *, write: bool = True, set_based_keys: bool = True) -> None:
        self.plan = plan
        self.write = write
        self.postgresql = connection.vendor == "postgresql"
        self.ids = IdAllocator() if write else None
        self.prefix = settings.EVENT_NUMBER_PREFIX
        self.set_based = False
        self._locked: dict[type[Model], set[int]] = {Unit: set(), Category: set(), User: set()}
        self._pool: ThreadPoolExecutor | None = None
        self._pending: tuple[list[tuple[Any, ...]], Future[Written]] | None = None
        self._copy_events = self._copy_actions = ""
        self._event_types: list[int] = []
        self._action_types: list[int] = []
        if not self.postgresql:
            return
        if write:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                if set_based_keys:
                    self.set_based = _replica_role(cursor)
                table, columns = _quoted(Event._meta.db_table, EVENT_COLUMNS)
                self._copy_events = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
                self._event_types = _column_types(cursor, Event._meta.db_table, EVENT_COLUMNS)
                table, columns = _quoted(EventAction._meta.db_table, ACTION_COLUMNS)
                self._copy_actions = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
                self._action_types = _column_types(
                    cursor, EventAction._meta.db_table, ACTION_COLUMNS
                )
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="event-import")

    def submit(self, rows: list[tuple[Any, ...]], *, write: bool = True) -> Finished:
        """Hand over one batch (written only if ``write`` too); the batches finished."""
        done = self._collect()
        write = write and self.write
        if self._pool is None:
            with connection.cursor() as cursor:
                done.append((rows, self._batch(cursor, rows, write)))
            return done
        # The driver's connection, from the worker: nobody else uses it meanwhile.
        connection.ensure_connection()
        raw = connection.connection
        self._pending = (rows, self._pool.submit(self._batch_on, raw, rows, write))
        return done

    def close(self) -> Finished:
        """The last batch finished; the session as before (triggers on, constraints
        deferred as declared)."""
        try:
            done = self._collect()
        finally:
            self._shutdown()
        if self.postgresql and self.write:
            with connection.cursor() as cursor:
                if self.set_based:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return done

    def abandon(self) -> None:
        """After an error: let a running batch end (its own error is moot: the
        transaction is rolled back)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                pending[1].result()
            except Exception:
                logger.debug("import batch failed after an earlier error", exc_info=True)
        self._shutdown()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _collect(self) -> Finished:
        """The batch in the worker, once finished; its error raised as Django's."""
        pending, self._pending = self._pending, None
        if pending is None:
            return []
        with connection.wrap_database_errors:
            return [(pending[0], pending[1].result())]

    def _batch_on(self, raw: Any, rows: list[tuple[Any, ...]], write: bool) -> Written:
        import psycopg

        # Server-side binding: thousands of numbers go as one array parameter.
        with psycopg.Cursor(raw) as cursor:
            return self._batch(cursor, rows, write)

    def _batch(self, cursor: Any, rows: list[tuple[Any, ...]], write: bool) -> Written:
        plan = self.plan
        existing: set[str] = set()
        if plan.careful or plan.skip_existing or not write:
            numbers = [row[1] for row in rows if row[1] is not None]
            existing = existing_numbers(numbers, cursor) if numbers else set()
        if existing and plan.skip_existing:
            rows = [row for row in rows if row[1] is None or row[1] not in existing]
        elif existing:
            write = False
        if not write or not rows or self.ids is None:
            return Written(existing, rows)
        ids = self.ids.take(len(rows), cursor)
        prefix = self.prefix
        events = [
            (pk, row[1] or f"{prefix}{row[2]}{pk:06d}", *row[3:])
            for pk, row in zip(ids, rows, strict=True)
        ]
        actor, note, now_db = plan.actor_id, plan.note, plan.now_db
        actions = [
            (pk, IMPORT_KIND, "", row[STATUS_AT], actor, None, note, _line(row[0]), now_db)
            for pk, row in zip(ids, rows, strict=True)
        ]
        if self.set_based:
            self._lock_references(cursor, events)
        if self.postgresql:
            _register_raw_jsonb(cursor)
            for statement, types, lines in (
                (self._copy_events, self._event_types, events),
                (self._copy_actions, self._action_types, actions),
            ):
                with cursor.copy(statement) as copy:
                    copy.set_types(types)
                    write_row = copy.write_row
                    for line in lines:
                        write_row(line)
        else:
            insert_events(events)
            insert_actions(actions)
        return Written(existing, rows, ids)

    def _lock_references(self, cursor: Any, events: list[tuple[Any, ...]]) -> None:
        wanted: dict[type[Model], set[int | None]] = {
            Unit: set(),
            Category: {row[CATEGORY_AT] for row in events},
            User: {row[REPORTER_AT] for row in events} | {self.plan.actor_id},  # + lines' actor
        }
        units = wanted[Unit]
        for row in events:
            units.update([row[at] for at in UNIT_KEYS])
        for model, keys in wanted.items():
            known = self._locked[model]
            new = {key for key in keys if key is not None} - known
            if new:
                _lock_rows(cursor, model, new)
                known.update(new)


def number_taken(exc: BaseException) -> bool:
    """Whether a write failed on the unique event number (a number already taken)."""
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return getattr(diag, "constraint_name", None) == "ev_number_unique"
    return "events_event.number" in str(cause)  # SQLite: UNIQUE constraint failed: …


def _column_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The type oids of ``columns``, for a binary COPY; ``timestamp`` for
    ``timestamptz``: the checker gives naive UTC moments (``Moments.db``), and both types
    travel as the same eight bytes (microseconds since 2000-01-01, UTC for timestamptz),
    so the driver's naive-datetime encoder writes exactly the timestamptz value."""
    cursor.execute(
        "SELECT attname, CASE WHEN atttypid = 'timestamptz'::regtype "
        "THEN 'timestamp'::regtype ELSE atttypid END FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    oids = {name: int(oid) for name, oid in cursor.fetchall()}
    return [oids[column] for column in columns]


def _register_raw_jsonb(cursor: Any) -> None:
    """Write ``jsonb`` values that are JSON text already (``"{}"``, ``{"line": 2}``) as
    they are, in binary COPY (the driver would dump a str as a JSON string)."""
    from psycopg import pq
    from psycopg.adapt import Dumper

    class RawJsonbDumper(Dumper):
        format = pq.Format.BINARY
        oid = cursor.adapters.types["jsonb"].oid

        def dump(self, obj: Any) -> bytes:
            text: str = obj
            return b"\x01" + text.encode()

    cursor.adapters.register_dumper(None, RawJsonbDumper)


def _line(line: int) -> str:
    return f'{{"line": {line}}}'


def _replica_role(cursor: Any) -> bool:
    """Turn the triggers off for this transaction if the role may; whether it did."""
    cursor.execute("SAVEPOINT event_import_role")
    try:
        cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        cursor.execute("ROLLBACK TO SAVEPOINT event_import_role")
        return False
    cursor.execute("RELEASE SAVEPOINT event_import_role")
    return True


def _lock_rows(cursor: Any, model: type[Model], keys: set[int]) -> None:
    """``FOR KEY SHARE`` on the rows with these primary keys, as a foreign key check does;
    IntegrityError when one is missing (deleted meanwhile)."""
    table = model._meta.db_table
    cursor.execute(
        f'SELECT id FROM "{table}" WHERE id = ANY(%s) FOR KEY SHARE',  # noqa: S608
        [sorted(keys)],
    )
    missing = sorted(keys - {row[0] for row in cursor.fetchall()})
    if missing:
        raise IntegrityError(f"{table} has no rows with id {', '.join(map(str, missing[:10]))}")
