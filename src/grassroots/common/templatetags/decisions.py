"""``{% authorisation record %}``: the resolution that authorised a record (决策在先), or
"no resolution — flagged" when the rules required one, on the record's own page.

The record's reference is ``<app>.<model>:<pk>`` (as its app's ``decisions.py``
declares it) and its unit path is ``record.unit_path`` or ``record.unit.path``. The
resolution comes from ``common.decisions.authorisation``; whether the record is a
decision at all and whether it needed a resolution from the status function the
party-building app registers here (``register_status``). Nothing is shown for a record
that is not a decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from grassroots.common.decisions import Authorisation, authorisation

register = template.Library()

#: ``(reference, unit_path, authorisation) -> status`` (``authorised``, ``late``,
#: ``missing``, ``not_required``, or empty when the record is not a decision); the
#: authorisation already looked up is handed over so that it is not looked up twice.
StatusFunc = Callable[[str, str, Authorisation | None], str]
_STATUS: list[StatusFunc] = []


def register_status(func: StatusFunc) -> StatusFunc:
    """Set the function that tells a record's decision status (the party-building app)."""
    _STATUS[:] = [func]
    return func


def reference_of(record: Any) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def unit_path_of(record: Any) -> str:
    path = getattr(record, "unit_path", None)
    if path:
        return str(path)
    unit = getattr(record, "unit", None)
    return str(getattr(unit, "path", "") or "")


@register.inclusion_tag("common/_authorisation.html")
def authorisation_of(record: Any) -> dict[str, Any]:
    """The context of the box: ``status`` and ``auth`` (the resolution, when linked)."""
    reference = reference_of(record)
    found = authorisation(reference)  # loads the apps' decisions modules first
    status = ""
    if _STATUS:
        status = _STATUS[0](reference, unit_path_of(record), found)
    return {"status": status, "auth": found, "reference": reference}
