"""Steps for data migrations that encrypt a column which held plain text.

A migration first turns the column into an ``EncryptedCharField`` (a TEXT column; the plain
values still read back as they are, ``crypto.decrypt`` passes a non-token through), then runs
``encrypt_columns(...)``: every row is written again, so the field encrypts it. Blind indexes
named in ``digests`` are filled from their plain value in the same pass. Going back writes
the plain text again, so the column can return to a short VARCHAR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import migrations
from django.db.models import Q

from grassroots.common.crypto import rewrite_rows

BATCH = 2000


def encrypt_columns(
    app_label: str,
    model_name: str,
    fields: tuple[str, ...],
    digests: Mapping[str, str] | None = None,
) -> migrations.RunPython:
    digests = dict(digests or {})

    def rows(apps: Any) -> tuple[Any, Any]:
        model = apps.get_model(app_label, model_name)
        having = Q()
        for field in fields:
            having |= ~Q(**{field: ""})
        return model, model.objects.filter(having).order_by("pk")

    def forward(apps: Any, schema_editor: Any) -> None:
        _model, found = rows(apps)
        rewrite_rows(found, fields, digests, batch=BATCH)

    def backward(apps: Any, schema_editor: Any) -> None:
        model, found = rows(apps)
        table = schema_editor.quote_name(model._meta.db_table)
        sets = ", ".join(f"{schema_editor.quote_name(f)} = %s" for f in fields)
        with schema_editor.connection.cursor() as cursor:
            for row in found.only("pk", *fields).iterator(chunk_size=BATCH):
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608 - quoted names
                    [*(getattr(row, f) for f in fields), row.pk],
                )

    forward_step: Callable[[Any, Any], None] = forward
    return migrations.RunPython(forward_step, backward, elidable=False)
