"""Writing many plain rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` builds a model instance per row and, on PostgreSQL, sends every column as
an array literal that psycopg escapes value by value in Python: for the 700,000 scores
of a province's monthly assessment that is most of the run. ``insert_rows`` takes plain
tuples in the order of ``fields`` (attribute names: ``run_id``, not ``run``) holding the
Python values the fields take (``Decimal``, ``int``, ``str``, ``None``, a ``dict`` or
``list`` for a ``JSONField``) and streams them with ``COPY … FROM STDIN`` (psycopg's C
row formatter). Defaults, ``auto_now`` and ``save()`` are not applied: give every column
that has no database default. Constraints and triggers apply as for any insert.

Foreign keys are checked by PostgreSQL row by row (deferred to the commit: three checks per
score). With ``set_based_keys`` — inside a transaction, when the database role may set
``session_replication_role`` — they are checked once per distinct key instead, the way
the events import does it: the triggers are off for the ``COPY`` alone and every
referenced row is then read ``FOR KEY SHARE`` (what each trigger would have done),
``IntegrityError`` when one is missing. Without that right the row checks run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DatabaseError, IntegrityError, connections, models, router

#: Rows per ``bulk_create`` batch where ``COPY`` is not available.
BATCH = 2000


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    set_based_keys: bool = False,
) -> int:
    """Insert ``rows`` (values in the order of ``fields``) into ``model``'s table; the
    number of rows written."""
    using = router.db_for_write(model)
    connection = connections[using]
    opts = model._meta
    by_name: dict[str, models.Field[Any, Any]] = {}
    for field in opts.concrete_fields:
        by_name[field.name] = by_name[field.attname] = field
    unknown = [f for f in fields if f not in by_name]
    if unknown:
        raise ValueError(f"{opts.label} has no column {', '.join(unknown)}")
    columns = [by_name[f] for f in fields]
    json_at = [i for i, f in enumerate(columns) if isinstance(f, models.JSONField)]
    if connection.vendor != "postgresql":
        names = [f.attname for f in columns]
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model._default_manager.using(using).bulk_create(objs, batch_size=BATCH)
        return len(objs)
    # one encoder per JSON column, not one per value (json.dumps with cls= builds a new one)
    encode = {
        i: (getattr(columns[i], "encoder", None) or json.JSONEncoder)(ensure_ascii=False).encode
        for i in json_at
    }
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(opts.db_table), ", ".join(quote(str(f.column)) for f in columns)
    )
    keys_at = [i for i, f in enumerate(columns) if isinstance(f, models.ForeignKey)]
    count = 0
    with connection.cursor() as cursor:
        set_based = set_based_keys and connection.in_atomic_block and _replica_role(cursor)
        keys: dict[int, set[Any]] = {i: set() for i in keys_at} if set_based else {}
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        if row[i] is not None or not columns[i].null:
                            row[i] = encode[i](row[i])
                for i, seen in keys.items():
                    seen.add(row[i])
                copy.write_row(row)
                count += 1
        if set_based:
            cursor.execute("SET LOCAL session_replication_role = origin")
            for i, seen in keys.items():
                _lock_rows(cursor, columns[i], seen)
    return count


def _replica_role(cursor: Any) -> bool:
    """Turn the triggers off for this transaction if the role may; whether it did."""
    cursor.execute("SAVEPOINT bulk_insert_role")
    try:
        cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        cursor.execute("ROLLBACK TO SAVEPOINT bulk_insert_role")
        return False
    cursor.execute("RELEASE SAVEPOINT bulk_insert_role")
    return True


def _lock_rows(cursor: Any, field: models.Field[Any, Any], keys: set[Any]) -> None:
    """``FOR KEY SHARE`` on the rows the foreign key ``field`` refers to with ``keys``, as
    its check does; IntegrityError when one is missing."""
    keys.discard(None)
    if not keys:
        return
    target = field.target_field  # type: ignore[attr-defined]
    table = target.model._meta.db_table
    column = target.column
    cursor.execute(
        f'SELECT "{column}" FROM "{table}" WHERE "{column}" = ANY(%s) FOR KEY SHARE',  # noqa: S608
        [sorted(keys)],
    )
    missing = sorted(keys - {row[0] for row in cursor.fetchall()})
    if missing:
        shown = ", ".join(map(str, missing[:10]))
        raise IntegrityError(f"{field.model._meta.db_table}.{field.column}: no {table} {shown}")
