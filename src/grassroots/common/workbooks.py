"""Pieces the apps' spreadsheets share (xlsxwriter, in memory): the content type, the
guard against formulas in text, and the empty import template (headers, one example row,
a sheet explaining the columns)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A cell may not start a formula (CSV/Excel injection): such text gets a leading quote.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text`` as a cell may hold it: a leading quote before anything starting a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    """A column of an import template: its header (``*`` marks a required one), width in
    characters, the example row's value, and whether the column is formatted as text (ID
    numbers, codes: Excel would otherwise turn them into numbers)."""

    header: str
    width: int
    example: str | dt.date | Decimal | None
    text: bool = False


def import_template(
    title: str,
    columns: Sequence[TemplateColumn],
    notes: Sequence[tuple[str, str]],
    *,
    notes_widths: tuple[int, int] = (16, 90),
    freeze_cols: int = 0,
) -> bytes:
    """A workbook with the sheet ``title`` (bold headers, the example row, frozen header)
    and the sheet 填写说明 of ``notes`` (its first line bold: the headings)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    text = book.add_format({"num_format": "@"})
    for col, column in enumerate(columns):
        fmt = text if column.text else None
        sheet.write_string(0, col, column.header, bold)
        sheet.set_column(col, col, column.width, fmt)
        value = column.example
        if isinstance(value, dt.date):
            sheet.write_datetime(1, col, dt.datetime.combine(value, dt.time()), date)
        elif isinstance(value, Decimal):
            sheet.write_number(1, col, float(value))
        elif value:
            sheet.write_string(1, col, value, fmt)
    sheet.freeze_panes(1, freeze_cols)
    sheet_notes = book.add_worksheet("填写说明")
    sheet_notes.set_column(0, 0, notes_widths[0])
    sheet_notes.set_column(1, 1, notes_widths[1])
    for row, (header, explanation) in enumerate(notes):
        sheet_notes.write_string(row, 0, header, bold if row == 0 else None)
        sheet_notes.write_string(row, 1, explanation, bold if row == 0 else None)
    book.close()
    return buffer.getvalue()
