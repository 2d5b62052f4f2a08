"""The Excel export of a run (xlsxwriter, in memory, as the other exports of the platform).

One sheet per peer group; rows are the group's units in rank order; columns: rank (ties as
``2=``), unit code, name, total, grade, list (with its reason), reward in yuan, training
places, vetoed, then for every indicator its raw value and its points. Headers in the
viewer's language (Chinese by default), frozen with the unit columns; widths set.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from grassroots.assessment.models import (
    GradeChoice,
    Indicator,
    ListStatus,
    Result,
    Run,
    Score,
)
from grassroots.assessment.wording import group_name, list_reason_text
from grassroots.common.workbooks import XLSX_TYPE, safe_text
from grassroots.org.models import UnitKind

_SHEET_BAD: Final = re.compile(r"[\[\]:*?/\\]")


def sheet_title(key: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (≤ 31 characters) for a peer group."""
    name = group_name(key, {k: str(label) for k, label in UnitKind.choices})
    base = _SHEET_BAD.sub("_", name).strip("'")[:31] or "group"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def export_run(run: Run, *, results: QuerySet[Result] | Iterable[Result] | None = None) -> bytes:
    """The run as an .xlsx file. ``results`` narrows it to what the viewer may see (all
    the run's results when None)."""
    import xlsxwriter

    if results is None:
        results = Result.objects.filter(run=run)
    if isinstance(results, QuerySet):
        rows = list(
            results.filter(run=run)
            .select_related("unit")
            .defer("unit__geometry")
            .order_by("peer_group", "rank", "unit__code")
        )
    else:
        rows = sorted(results, key=lambda r: (r.peer_group, r.rank, r.unit.code))
    indicators = list(
        Indicator.objects.filter(scheme_id=run.scheme_id).order_by("position", "code")
    )
    values: dict[tuple[int, int], tuple[Decimal | None, Decimal]] = {
        (unit_id, ind_id): (raw, pts)
        for unit_id, ind_id, raw, pts in Score.objects.filter(
            run=run, unit_id__in=[r.unit_id for r in rows]
        ).values_list("unit_id", "indicator_id", "raw_value", "points")
    }
    groups: dict[str, list[Result]] = {}
    for r in rows:
        groups.setdefault(r.peer_group, []).append(r)

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    points_fmt = book.add_format({"num_format": "0.00"})
    raw_fmt = book.add_format({"num_format": "#,##0.######"})
    money = book.add_format({"num_format": "#,##0.00"})
    headers: list[tuple[str, int]] = [
        (_("Rank"), 6),
        (_("Unit code"), 16),
        (_("Unit"), 18),
        (_("Total"), 9),
        (_("Grade"), 8),
        (_("List"), 22),
        (_("Reward (yuan)"), 13),
        (_("Training places"), 9),
        (_("Vetoed"), 7),
    ]
    for ind in indicators:
        headers.append((_("%(name)s (raw value)") % {"name": ind.name}, 14))
        headers.append((_("%(name)s (points)") % {"name": ind.name}, 10))
    fixed = 9
    taken: set[str] = set()
    if not groups:
        groups = {"": []}
    for key, members in groups.items():
        sheet = book.add_worksheet(sheet_title(key or _("Results"), taken))
        for col, (text, width) in enumerate(headers):
            sheet.write_string(0, col, safe_text(text), head)
            sheet.set_column(col, col, width)
        sheet.set_row(0, 42)
        sheet.freeze_panes(1, 3)
        ties = Counter(r.rank for r in members)
        for row_no, r in enumerate(members, start=1):
            rank = f"{r.rank}=" if ties[r.rank] > 1 else r.rank
            if isinstance(rank, int):
                sheet.write_number(row_no, 0, rank)
            else:
                sheet.write_string(row_no, 0, rank)
            sheet.write_string(row_no, 1, safe_text(r.unit.code))
            sheet.write_string(row_no, 2, safe_text(r.unit.name))
            sheet.write_number(row_no, 3, float(r.total), points_fmt)
            sheet.write_string(row_no, 4, str(GradeChoice(r.grade).label) if r.grade else "")
            if r.list_status:
                reason = list_reason_text(r.list_reason)
                label = str(ListStatus(r.list_status).label)
                sheet.write_string(row_no, 5, f"{label}（{reason}）" if reason else label)
            sheet.write_number(row_no, 6, r.reward_fen / 100, money)
            sheet.write_number(row_no, 7, r.training_places)
            sheet.write_string(row_no, 8, _("Yes") if r.vetoed else "")
            for i, ind in enumerate(indicators):
                raw, pts = values.get((r.unit_id, ind.pk), (None, Decimal(0)))
                col = fixed + 2 * i
                shown = _number(raw)
                if shown is not None:
                    sheet.write_number(row_no, col, shown, raw_fmt)
                sheet.write_number(row_no, col + 1, float(pts), points_fmt)
        if members:
            sheet.autofilter(0, 0, len(members), len(headers) - 1)
    book.close()
    return buffer.getvalue()


__all__: list[Any] = ["XLSX_TYPE", "export_run", "sheet_title"]
