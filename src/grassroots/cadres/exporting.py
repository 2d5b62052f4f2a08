"""Spreadsheets of cadre work (xlsxwriter, in memory), for the pages to send as downloads:

- ``roster_workbook``: the roster (干部花名册) of the given files, with the import's own
  headers (so that the organisation department can correct it and import it back) and the
  status; ID numbers and phones in full only where ``full(cadre)`` says so (the
  organisation department), masked otherwise (a unit leader);
- ``pool_workbook``: reserve entries with their status, target level and the democratic
  recommendation's tally;
- ``training_workbook``: a year's training hours of each cadre against the hours their
  unit's policy requires;
- ``template_workbook``: the empty roster for the import, with one example row and a
  sheet explaining the columns.

Every sheet has a frozen header, column widths and an autofilter; text that would start a
formula gets a leading quote. ``actions.files.log_export`` writes a ``FileView``
(``what="export"``) for every cadre an export holds.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from grassroots.cadres.importing.columns import (
    COLUMNS,
    EDUCATION_NAMES,
    GENDER_NAMES,
    LEVEL_NAMES,
)
from grassroots.cadres.models import Cadre, PostRecord, ReserveEntry
from grassroots.cadres.shape import Progress
from grassroots.cadres.states import CadreStatus, Education, Gender, Level, ReserveStatus
from grassroots.common.masking import mask_id_number, mask_phone
from grassroots.common.workbooks import XLSX_TYPE, TemplateColumn, import_template, safe_text

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet


#: Width of each roster column (characters), by import column key.
_ROSTER_WIDTHS: Final = {
    "name": 10,
    "gender": 6,
    "ethnicity": 8,
    "birth_date": 12,
    "id_number": 21,
    "phone": 14,
    "education": 11,
    "party_joined_on": 12,
    "grassroots_since": 14,
    "unit_code": 15,
    "unit_name": 22,
    "post": 24,
    "level": 15,
    "post_since": 12,
}
STATUS_HEADER: Final = "状态"


@dataclass(slots=True)
class _Sheet:
    """A workbook with one sheet being written: headers, formats, and the next row."""

    book: Workbook
    sheet: Worksheet
    buffer: io.BytesIO
    formats: dict[str, Any]
    width: int
    row: int = 1

    def text(self, col: int, value: str) -> None:
        if value:
            self.sheet.write_string(self.row, col, safe_text(value))

    def date(self, col: int, value: dt.date | None) -> None:
        if value is not None:
            self.sheet.write_datetime(
                self.row, col, dt.datetime.combine(value, dt.time()), self.formats["date"]
            )

    def number(self, col: int, value: Decimal | int | None, fmt: str = "number") -> None:
        if value is not None:
            self.sheet.write_number(self.row, col, float(value), self.formats[fmt])

    def close(self) -> bytes:
        self.sheet.autofilter(0, 0, max(self.row - 1, 1), self.width - 1)
        self.book.close()
        return self.buffer.getvalue()


def _open(title: str, headers: Sequence[tuple[str, int]], *, freeze_cols: int = 1) -> _Sheet:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    formats = {
        "bold": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "number": book.add_format({"num_format": "#,##0.#"}),
        "integer": book.add_format({"num_format": "0"}),
        "percent": book.add_format({"num_format": "0.0"}),
    }
    for col, (header, width) in enumerate(headers):
        sheet.write_string(0, col, header, formats["bold"])
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, freeze_cols)
    return _Sheet(book, sheet, buffer, formats, len(headers))


# --- the roster ----------------------------------------------------------------------------


def current_post_starts(cadre_ids: list[int]) -> dict[int, dt.date]:
    """When each cadre's open post record began (one query)."""
    starts: dict[int, dt.date] = {}
    for cadre_id, started in (
        PostRecord.objects.filter(cadre_id__in=cadre_ids, ended_on__isnull=True)
        .order_by("cadre_id", "started_on")
        .values_list("cadre_id", "started_on")
    ):
        starts[cadre_id] = started
    return starts


def roster_workbook(cadres: list[Cadre], *, full: Callable[[Cadre], bool]) -> bytes:
    """The roster of ``cadres`` (units joined), in the import's columns plus the status.
    ``full(cadre)``: whether its ID number and phone are written in full."""
    headers = [(c.headers[0], _ROSTER_WIDTHS[c.key]) for c in COLUMNS]
    out = _open("干部花名册", [*headers, (STATUS_HEADER, 8)])
    keys = [c.key for c in COLUMNS]
    starts = current_post_starts([c.pk for c in cadres])
    for cadre in cadres:
        shown = full(cadre)
        values: dict[str, Any] = {
            "name": cadre.name,
            "gender": GENDER_NAMES.get(Gender(cadre.gender), cadre.gender),
            "ethnicity": cadre.ethnicity,
            "birth_date": cadre.birth_date,
            "id_number": cadre.id_number if shown else mask_id_number(cadre.id_number),
            "phone": cadre.phone if shown else mask_phone(cadre.phone),
            "education": EDUCATION_NAMES.get(Education(cadre.education), cadre.education),
            "party_joined_on": cadre.party_joined_on,
            "grassroots_since": cadre.grassroots_since,
            "unit_code": cadre.unit.code,
            "unit_name": cadre.unit.name,
            "post": cadre.post,
            "level": LEVEL_NAMES.get(Level(cadre.level), cadre.level),
            "post_since": starts.get(cadre.pk),
        }
        for col, key in enumerate(keys):
            value = values[key]
            if isinstance(value, dt.date):
                out.date(col, value)
            elif value:
                out.text(col, str(value))
        out.text(len(keys), str(CadreStatus(cadre.status).label))
        out.row += 1
    return out.close()


# --- the reserve pool ----------------------------------------------------------------------


def pool_workbook(entries: list[ReserveEntry], today: dt.date | None = None) -> bytes:
    """Reserve entries (cadre and units joined) with status, target level and tally."""
    today = today or timezone.localdate()
    out = _open(
        _("Reserve pool"),
        [
            (pgettext("person", "Name"), 10),
            (_("Gender"), 6),
            (_("Age"), 6),
            (_("Ethnicity"), 8),
            (_("Education"), 11),
            (_("Unit"), 22),
            (_("Current post"), 24),
            (_("Nominating unit"), 22),
            (_("Target post level"), 15),
            (_("Status"), 16),
            (_("People taking part"), 10),
            (_("Recommendation votes"), 10),
            (_("Share of votes (%)"), 10),
            (_("Nominated on"), 12),
            (_("Entered the pool on"), 12),
            (_("Left the pool on"), 12),
            (_("Reason for leaving"), 30),
        ],
    )
    for entry in entries:
        cadre = entry.cadre
        out.text(0, cadre.name)
        out.text(1, GENDER_NAMES.get(Gender(cadre.gender), cadre.gender))
        out.number(2, cadre.age_on(today), "integer")
        out.text(3, cadre.ethnicity)
        out.text(4, EDUCATION_NAMES.get(Education(cadre.education), cadre.education))
        out.text(5, cadre.unit.name)
        out.text(6, cadre.post)
        out.text(7, entry.unit.name)
        out.text(8, LEVEL_NAMES.get(Level(entry.target_level), entry.target_level))
        out.text(9, str(ReserveStatus(entry.status).label))
        out.number(10, entry.voters, "integer")
        out.number(11, entry.votes, "integer")
        if entry.voters:
            out.number(12, Decimal(entry.votes * 100) / Decimal(entry.voters), "percent")
        out.date(13, timezone.localtime(entry.nominated_at).date())
        out.date(14, entry.entered_on)
        out.date(15, entry.exited_on)
        out.text(16, entry.exit_reason)
        out.row += 1
    return out.close()


# --- training hours ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingLine:
    """A cadre's training hours in a year against the hours required, and the courses
    counted."""

    cadre: Cadre
    progress: Progress
    courses: int


def training_workbook(lines: Iterable[TrainingLine], year: int) -> bytes:
    """Each cadre's hours counted towards ``year`` against their unit's requirement."""
    out = _open(
        _("Training hours %(year)d") % {"year": year},
        [
            (pgettext("person", "Name"), 10),
            (_("Unit"), 22),
            (_("Current post"), 24),
            (pgettext("cadre", "Level"), 15),
            (_("Courses"), 8),
            (_("Hours done"), 10),
            (_("Hours required"), 10),
            (_("Done (%)"), 9),
            (_("Hours missing"), 10),
        ],
    )
    for line in lines:
        cadre = line.cadre
        out.text(0, cadre.name)
        out.text(1, cadre.unit.name)
        out.text(2, cadre.post)
        out.text(3, LEVEL_NAMES.get(Level(cadre.level), cadre.level))
        out.number(4, line.courses, "integer")
        out.number(5, line.progress.hours)
        out.number(6, line.progress.required)
        out.number(7, line.progress.percent, "integer")
        out.number(8, line.progress.missing)
        out.row += 1
    return out.close()


# --- the import template -------------------------------------------------------------------

#: The example row of the template (a fictitious person; the ID number's check digit is
#: right, so that the example itself imports).
EXAMPLE: Final[dict[str, Any]] = {
    "name": "吉克阿果",
    "gender": "男",
    "ethnicity": "彝族",
    "birth_date": dt.date(1990, 5, 17),
    "id_number": "51340119900517001X",
    "phone": "13800000000",
    "education": "大学本科",
    "party_joined_on": dt.date(2012, 7, 1),
    "grassroots_since": dt.date(2014, 8, 1),
    "unit_code": "513401101",
    "unit_name": "礼州镇",
    "post": "党委委员、副镇长",
    "level": "副科级",
    "post_since": dt.date(2021, 9, 1),
}

_NOTES: Final = (
    ("列", "说明"),
    ("姓名*", "必填"),
    ("性别", "男或女；可不填，按身份证号确定，填写时须与身份证号一致"),
    ("民族*", "56个民族之一，如 汉族、彝族（可省略“族”字）"),
    ("出生日期", "可不填，按身份证号确定；填写时须与身份证号一致（可只填年月，如 1990.05）"),
    (
        "身份证号*",
        "18位，校验码须正确（GB 11643）；请将此列设为“文本”格式。"
        "已有档案的身份证号：按本行更新该干部档案（未填的手机号、入党时间、参加基层工作时间保留原值）",
    ),
    ("手机号", "11位手机号码"),
    ("学历*", "研究生、大学本科、大学专科、中专及高中、初中及以下"),
    ("入党时间", "日期，如 2012-07-01 或 2012.07；不早于年满18周岁"),
    ("参加基层工作时间", "日期；不早于年满16周岁"),
    ("单位代码", "单位编码（统计用区划代码）；与单位名称至少填一项，都填时须一致"),
    ("单位名称", "在您管理范围内唯一的单位名称，村可省略“村民委员会”，重名时请填单位代码"),
    ("现任职务*", "如 党委委员、副镇长；村党组织书记、主任"),
    ("职级*", "正科级、副科级、科员、村(社区)正职、村(社区)两委委员"),
    ("任现职时间", "日期；默认导入当天。单位、职务或职级变化时，原任职经历于此前一天结束"),
    (
        "导入规则",
        "先检查全部行，任何一行有问题都不导入；检查通过后预览“新建N人、更新M人”，确认后一次导入",
    ),
)


def template_workbook() -> bytes:
    """The import sheet: the headers of ``importing.COLUMNS`` (required ones marked with
    ``*``, which the import ignores), one example row, and a sheet explaining them."""
    return import_template(
        "干部花名册",
        [
            TemplateColumn(
                header=column.headers[0] + ("*" if column.required else ""),
                width=_ROSTER_WIDTHS[column.key],
                example=EXAMPLE[column.key],
                text=column.key in ("id_number", "phone", "unit_code"),
            )
            for column in COLUMNS
        ],
        _NOTES,
        notes_widths=(18, 100),
        freeze_cols=1,
    )


# --- the log -------------------------------------------------------------------------------


__all__ = [
    "XLSX_TYPE",
    "TrainingLine",
    "current_post_starts",
    "pool_workbook",
    "roster_workbook",
    "template_workbook",
    "training_workbook",
]
