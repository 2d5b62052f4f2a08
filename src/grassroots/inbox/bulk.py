"""Many rows into one table, fast: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

Used where a background job writes thousands of rows in one go (the deadline sweep's
timeline lines, the messages about them): Django's ``bulk_create`` spends most of its time
building model instances and SQL parameters, which a ``COPY`` does not need.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, JSONField, Model
from psycopg import sql


def insert_rows(
    model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert ``rows`` (values of ``fields``, in that order) into ``model``'s table in
    the current transaction; their new primary keys, ascending and in the rows' order.

    Values go in as they are (no field defaults, no ``auto_now``, no signals): give every
    column without a database default. JSON fields take Python data.
    """
    if not rows:
        return []
    meta = model._meta
    json_at = [i for i, f in enumerate(fields) if isinstance(meta.get_field(f), JSONField)]
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=500
        )
        return [int(obj.pk) for obj in created]
    pk_column = meta.pk.column if meta.pk is not None else "id"
    columns = [pk_column]
    for name in fields:
        field = meta.get_field(name)
        columns.append(field.column if isinstance(field, Field) else name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk_column, len(rows)],
        )
        ids = sorted(int(r[0]) for r in cursor.fetchall())
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join([sql.Identifier(c) for c in columns])
        )
        with cursor.cursor.copy(statement) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = list(row)
                for i in json_at:
                    values[i] = json.dumps(values[i], ensure_ascii=False)
                copy.write_row((pk, *values))
    return ids
