"""The event taxonomy (事件分类) of 西昌: two levels, shipped in ``data/categories.json``.

Each entry gives a code, a name, the response deadline in working hours, the handling
deadline in working days, whether residents and Open311 clients are offered it
(``public``), search keywords, Open311 attribute definitions, and the usual handling
department by **code suffix**: the demo (and most county set-ups) names departments
``<county code>D01`` … ``D08``:

    D01 住房和城乡建设局   D02 自然资源局   D03 生态环境局   D04 农业农村局
    D05 应急管理局         D06 信访局       D07 城市管理局   D08 民政局

``load_taxonomy`` upserts the file into ``Category`` (parents first), idempotently: a
second run changes nothing and returns 0. The demo seed and ``grassroots
load-categories`` call it; there is no data migration, so an office may run its own
taxonomy instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from grassroots.events.models import Category
from grassroots.org.models import Unit, UnitKind

if TYPE_CHECKING:
    from grassroots.org.models import User

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "categories.json"
#: The fields of an entry that the file decides.
FIELDS = (
    "name",
    "parent_id",
    "description",
    "default_department_id",
    "response_hours",
    "resolve_workdays",
    "public",
    "keywords",
    "attributes",
    "order",
)


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the entry."""


def read_taxonomy(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The entries of the file, parents before their children, each with ``parent``."""
    raw = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()

    def walk(items: list[dict[str, Any]], parent: str | None) -> None:
        for item in items:
            code = item.get("code")
            if not isinstance(code, str) or not code or len(code) > 32:
                raise TaxonomyError(f"category without a valid code: {item!r:.80}")
            if code in seen:
                raise TaxonomyError(f"category {code} is listed twice")
            if not isinstance(item.get("name"), str) or not item["name"]:
                raise TaxonomyError(f"category {code} has no name")
            seen.add(code)
            entries.append({**item, "parent": parent})
            walk(item.get("children", []), code)

    walk(raw.get("categories", []), None)
    return entries


def departments_by_suffix_default() -> dict[str, Unit]:
    """Active departments by code suffix (``D01``): for each suffix, the department
    nearest the root; none when two are equally near (each county has its own, so a
    prefecture-wide default would be a guess — see :func:`default_department_for`)."""
    best: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True).order_by("depth"):
        suffix = _suffix(unit.code)
        if suffix is None:
            continue
        kept = best.setdefault(suffix, [])
        if not kept or kept[0].depth == unit.depth:
            kept.append(unit)
    return {suffix: units[0] for suffix, units in best.items() if len(units) == 1}


def _suffix(code: str) -> str | None:
    """``513401D07`` → ``D07``."""
    position = code.rfind("D")
    tail = code[position:] if position > 0 else ""
    return tail if len(tail) == 3 and tail[1:].isdecimal() else None


def default_department_for(category: Category, unit: Unit) -> Unit | None:
    """The department that usually handles ``category`` for an event placed at ``unit``:
    the department with the same suffix as the category's default, under the county that
    contains ``unit`` (so a prefecture's counties each get their own); else the
    category's default department itself."""
    default = category.default_department
    if default is None:
        return None
    suffix = _suffix(default.code)
    if suffix is None:
        return default
    county: Unit | None = (
        Unit.objects.filter(code__in=unit.path.split("."), kind=UnitKind.COUNTY)
        .order_by("-depth")
        .first()
    )
    if county is not None:
        local: Unit | None = Unit.objects.filter(
            code=f"{county.code}{suffix}", kind=UnitKind.DEPARTMENT, active=True
        ).first()
        if local is not None:
            return local
    return default


def _values(
    entry: dict[str, Any], parent_id: int | None, departments: Mapping[str, Unit]
) -> dict[str, Any]:
    department = departments.get(entry.get("department") or "")
    attributes = entry.get("attributes") or []
    if not isinstance(attributes, list):
        raise TaxonomyError(f"category {entry['code']}: attributes must be a list")
    return {
        "name": entry["name"][:64],
        "parent_id": parent_id,
        "description": (entry.get("description") or "")[:255],
        "default_department_id": department.pk if department is not None else None,
        "response_hours": Decimal(str(entry.get("response_hours", "2"))),
        "resolve_workdays": int(entry.get("resolve_workdays", 5)),
        "public": bool(entry.get("public", True)),
        "keywords": (entry.get("keywords") or "")[:255],
        "attributes": attributes,
        "order": int(entry.get("order", 0)),
    }


@transaction.atomic
def load_taxonomy(
    departments_by_suffix: Mapping[str, Unit] | None = None,
    *,
    path: Path | str | None = None,
    update: bool = True,
    actor: User | None = None,
) -> int:
    """Create or update the categories of the taxonomy file; return how many were
    created or changed (0 when the database already matches).

    ``departments_by_suffix`` maps ``"D01"`` … to department units (default:
    :func:`departments_by_suffix_default`); a suffix with no department leaves the
    category without a default department. With ``update=False`` existing categories
    are kept as they are (an office's own edits survive) and only missing ones are
    added. Categories missing from the file are left alone. Each write goes through
    ``actions.save_category`` and so has its audit entry.
    """
    from grassroots.events.actions.categories import save_category

    entries = read_taxonomy(path)
    departments = (
        departments_by_suffix
        if departments_by_suffix is not None
        else departments_by_suffix_default()
    )
    existing = {c.code: c for c in Category.objects.filter(code__in=[e["code"] for e in entries])}
    written = 0
    for entry in entries:
        parent = existing.get(entry["parent"]) if entry["parent"] else None
        values = _values(entry, parent.pk if parent else None, departments)
        category = existing.get(entry["code"])
        if category is None:
            category = Category(code=entry["code"], **values)
        elif not update or all(
            _same(getattr(category, field), value) for field, value in values.items()
        ):
            continue
        else:
            for field, value in values.items():
                setattr(category, field, value)
        save_category(category, actor=actor)
        existing[entry["code"]] = category
        written += 1
    return written


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return Decimal(str(current)) == Decimal(str(new))
    return bool(current == new)
