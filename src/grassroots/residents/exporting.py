"""Spreadsheets of the household register (xlsxwriter, in memory), for the pages to send as
downloads:

- ``register_workbook``: one row per person of the given households, with the import's
  own headers (网格编码, 户号, 门牌地址, 姓名, 与户主关系, 性别, 公民身份号码, 出生日期, 联系电话,
  人口类型, 状态, 变动日期, 备注) and the village's and grid's names after them; ID numbers
  and phones masked; a household without members gets one row of its own;
- ``template_workbook``: the empty register for the import, with one example row and a
  sheet explaining the columns.

Every text cell that would start a formula gets a leading quote (``safe_text``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Final

from grassroots.common.masking import mask_id_number, mask_phone
from grassroots.common.workbooks import TemplateColumn, import_template, safe_text
from grassroots.residents.importing.columns_households import COLUMNS, NAMES
from grassroots.residents.models import Household, Resident
from grassroots.residents.states import PersonStatus

#: Width of each column (characters), by import column key.
WIDTHS: Final = {
    "grid": 18,
    "number": 10,
    "address": 24,
    "name": 10,
    "relationship": 10,
    "gender": 6,
    "id_number": 21,
    "birth_date": 12,
    "phone": 14,
    "residence": 9,
    "status": 7,
    "changed_on": 12,
    "note": 24,
}
EXTRA_HEADERS: Final = ("村(社区)", "网格")
#: Columns written as text (codes and numbers Excel would turn into numbers).
TEXT_COLUMNS: Final = frozenset({"grid", "number", "id_number", "phone"})
REQUIRED: Final = frozenset(c.key for c in COLUMNS if c.required)


def changed_on(person: Resident) -> dt.date | None:
    """The date of the person's last move: moved out, died, or moved in."""
    if person.status == PersonStatus.MOVED_OUT:
        return person.moved_out_on
    if person.status == PersonStatus.DECEASED:
        return person.died_on
    return person.moved_in_on


def _person_cells(person: Resident) -> dict[str, str | dt.date | None]:
    return {
        "name": person.name,
        "relationship": NAMES.get(person.relationship, person.relationship),
        "gender": NAMES.get(person.gender, person.gender),
        "id_number": mask_id_number(person.id_number) if person.id_number else "",
        "birth_date": person.birth_date,
        "phone": mask_phone(person.phone) if person.phone else "",
        "residence": NAMES.get(person.residence, person.residence),
        "status": NAMES.get(person.status, person.status),
        "changed_on": changed_on(person),
        "note": person.note,
    }


def register_workbook(
    people: Iterable[Resident], empty_households: Iterable[Household] = ()
) -> bytes:
    """The register of ``people`` (their households, grids and villages selected) and of
    ``empty_households`` (households without any member), one row each, in the order
    given (the empty households last)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("户籍人口台账")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    text = book.add_format({"num_format": "@"})
    keys = [c.key for c in COLUMNS]
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.headers[0], bold)
        sheet.set_column(col, col, WIDTHS[column.key], text if column.key in TEXT_COLUMNS else None)
    for offset, header in enumerate(EXTRA_HEADERS):
        sheet.write_string(0, len(keys) + offset, header, bold)
        sheet.set_column(len(keys) + offset, len(keys) + offset, 16)
    row = 1

    def write(household: Household, cells: dict[str, str | dt.date | None]) -> None:
        nonlocal row
        values: dict[str, str | dt.date | None] = {
            "grid": household.grid.code,
            "number": household.number,
            "address": household.address,
            **cells,
        }
        for col, key in enumerate(keys):
            value = values.get(key)
            if isinstance(value, dt.date):
                sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
            elif value:
                sheet.write_string(row, col, safe_text(str(value)))
        sheet.write_string(row, len(keys), safe_text(household.village.name))
        sheet.write_string(row, len(keys) + 1, safe_text(household.grid.name))
        row += 1

    for person in people:
        write(person.household, _person_cells(person))
    for household in empty_households:
        write(household, {})
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(row - 1, 1), len(keys) + len(EXTRA_HEADERS) - 1)
    book.close()
    return buffer.getvalue()


#: The example row of the template.
_EXAMPLE: Final[dict[str, str | dt.date | None]] = {
    "grid": "513401101201001",
    "number": "0101",
    "address": "礼州镇礼州村1组12号",
    "name": "吉克阿依",
    "relationship": "户主",
    "gender": "女",
    "id_number": "513401198001010022",
    "birth_date": dt.date(1980, 1, 1),
    "phone": "13812345678",
    "residence": "常住",
    "status": "在住",
    "changed_on": None,
    "note": "",
}

_NOTES: Final = (
    ("列", "填写说明"),
    (
        "网格编码*",
        "人员所在户的网格编码（见网格基础页面）；须是您可以导入的网格。同一户号的各行须填同一网格。",
    ),
    ("户号*", "户号在村(社区)内唯一：已有的户按村(社区)+户号更新，没有的新建。"),
    ("门牌地址", "户的门牌地址；同一户的各行可只在一行填写。"),
    ("姓名*", "人员姓名。"),
    (
        "与户主关系*",
        "户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、儿媳/女婿、其他（儿子、女儿、妻子等亦可）。每户在住的户主只能有一人。",
    ),
    ("性别", "男或女；填写身份证号码时可不填（从号码读取）。"),
    (
        "公民身份号码",
        "18位，末位可为X；请将此列设为文本格式。已登记的号码更新该人员，文件内不能重复。",
    ),
    ("出生日期", "如 1980-01-01；填写身份证号码时可不填，填写则须与号码一致。"),
    ("联系电话", "11位手机号，或带区号的固定电话（如 0834-1234567）。"),
    ("人口类型", "常住（户籍）或流动；不填为常住。"),
    ("状态", "在住、迁出或死亡；不填为在住（已有人员保持原状态）。已死亡的人员不能再变动。"),
    (
        "变动日期",
        "迁出、死亡的日期（必填），或在住人员的迁入日期；不能晚于今天，不能早于出生日期。",
    ),
    ("备注", "不超过255字。"),
    (
        "",
        "整个文件先逐行检查：任何一行有问题，都不导入，并按行列出问题。导出的台账中身份证号码和电话已脱敏，不能直接再导入。",
    ),
)


def template_workbook() -> bytes:
    """The empty register with its headers (required ones marked ``*``), one example row
    and a sheet explaining the columns."""
    columns = [
        TemplateColumn(
            c.headers[0] + ("*" if c.key in REQUIRED else ""),
            WIDTHS[c.key],
            _EXAMPLE[c.key],
            text=c.key in TEXT_COLUMNS,
        )
        for c in COLUMNS
    ]
    return import_template("户籍人口台账", columns, _NOTES, freeze_cols=2)
