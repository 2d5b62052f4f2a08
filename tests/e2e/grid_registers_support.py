"""Helpers of ``test_grid_registers``: the pages a phone must fit, the personal data a page
must never show in full, the spreadsheets (downloaded templates read and filled with
openpyxl, uploaded through the import forms), and the set-up written through the actions
on top of the demo seed (a second township, this year's illegal buildings of 礼州镇)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.utils import timezone

DEMO_PASSWORD: Final = "Xichang-2026"  # README: every demo login
WIDTH: Final = 375
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: 礼州镇, the demo township; 安宁镇, the second township added for the zero line.
LIZHOU: Final = "513401101"
ANNING: Final = "513401102"
ANNING_VILLAGE: Final = "513401102201"


# --- what every page must allow ---------------------------------------------------------------


def no_sideways_scroll(page: Any, what: str) -> None:
    """At 375 px wide the page scrolls only up and down; a page open on a wider screen is
    narrowed for the check and widened back."""
    size = page.viewport_size
    narrowed = size["width"] != WIDTH
    if narrowed:
        page.set_viewport_size({"width": WIDTH, "height": 812})
    try:
        width = int(page.evaluate("document.scrollingElement.scrollWidth"))
    finally:
        if narrowed:
            page.set_viewport_size(size)
    assert width <= WIDTH, f"{what}: {width} px wide at {WIDTH} px"


def shows_none_of(page: Any, numbers: Iterable[str], what: str) -> None:
    """Neither the page's markup nor its text holds any of the full ``numbers`` (ID numbers,
    phones)."""
    html = page.content()
    text = page.locator("body").inner_text()
    shown = sorted(n for n in numbers if n and (n in html or n in text))
    assert not shown, f"{what}: shown in full: {shown}"


def send(page: Any, form: str) -> int:
    """Submit ``form`` (a selector) with its submit button; the status of the page the
    browser lands on (200 after a redirect, 400 for a form sent back with its errors)."""
    with page.expect_navigation() as landing:
        page.locator(f"{form} button[type=submit]").first.click()
    response = landing.value
    return int(response.status) if response is not None else 0


def text_of(page: Any, selector: str) -> str:
    return " ".join(t.strip() for t in page.locator(selector).all_inner_texts())


# --- spreadsheets -----------------------------------------------------------------------------


def download(page: Any, link: str) -> tuple[str, bytes]:
    """Click the download ``link`` (a selector); the file's suggested name and its bytes."""
    with page.expect_download() as started:
        page.locator(link).first.click()
    got = started.value
    path = got.path()
    assert path is not None, f"{link}: the download failed: {got.failure()}"
    with open(path, "rb") as file:
        return str(got.suggested_filename), file.read()


def headers_of(workbook: bytes) -> tuple[list[str], list[str]]:
    """The first sheet's header row and the names of the sheets."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook), read_only=True)
    sheet = book.worksheets[0]
    first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    names = list(book.sheetnames)
    book.close()
    return [str(v) for v in first if v is not None], names


def filled(template: bytes, rows: Iterable[Mapping[str, object]]) -> bytes:
    """The template with its example row replaced by ``rows`` ({header without "*": value}),
    as a clerk fills it in Excel."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    columns = {
        str(cell.value).rstrip("*"): cell.column for cell in sheet[1] if cell.value is not None
    }
    if sheet.max_row > 1:
        sheet.delete_rows(2, sheet.max_row - 1)
    for n, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=n, column=columns[header], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page: Any, workbook: bytes, name: str) -> int:
    """Choose ``workbook`` in the import page's upload form and check it; the status."""
    page.set_input_files(
        "form.upload-form input[name=file]",
        files=[{"name": name, "mimeType": XLSX, "buffer": workbook}],
    )
    return send(page, "form.upload-form")


def error_rows(page: Any) -> list[tuple[str, str, str]]:
    """The import's refusal as shown: (line, column, problem) per row."""
    rows = page.locator(".import-errors tr.row-error")
    out = []
    for n in range(rows.count()):
        cells = [c.strip() for c in rows.nth(n).locator("td").all_inner_texts()]
        out.append((cells[0], cells[1], cells[2]))
    return out


def broken_check_digit(number: str) -> str:
    """``number`` with another check character (a typo Excel users make)."""
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


# --- the set-up on top of the demo ------------------------------------------------------------


def person(username: str) -> Any:
    from grassroots.org.models import User

    return User.objects.get(username=username)


def unit_of(username: str) -> Any:
    """The unit of the demo login's (first) membership."""
    from grassroots.org.models import Membership

    membership = (
        Membership.objects.filter(user__username=username)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    assert membership is not None, username
    return membership.unit


def add_second_township() -> Any:
    """安宁镇 and one village beside the demo's 礼州镇, so that the city has two townships
    (the demo's ``town`` scale has one); no case there."""
    from grassroots.org.models import Unit, UnitKind

    root = Unit.objects.get(code="513401")
    anning = Unit.objects.create(
        code=ANNING,
        name="安宁镇",
        kind=UnitKind.TOWNSHIP,
        parent=root,
        peer_group="513401:township",
    )
    Unit.objects.create(
        code=ANNING_VILLAGE,
        name="安宁村",
        kind=UnitKind.VILLAGE,
        parent=anning,
        peer_group="513401:village",
    )
    return anning


@dataclass(frozen=True)
class FoundToday:
    """This year's cases the set-up adds in the demo village: one new illegal building,
    one report dismissed after checking (neither is zero-line news the other way)."""

    new: Any
    dismissed: Any


def illegal_buildings_found_today() -> FoundToday:
    """The village cadre's inspection finds a new illegal building today (started ten days
    ago: after the baseline) and a second report that, checked, was a lawful repair."""
    from grassroots.registers.actions import construction

    cadre = person("village_cadre")
    village = unit_of("village_cadre")
    today = timezone.localdate()
    new = construction.open_case(
        actor=cadre,
        unit=village,
        kind="building",
        address=f"{village.name}4组村道旁",
        started_on=today - dt.timedelta(days=10),
        found_on=today,
        party_name="沙马拉且",
        description="未经审批在承包地上新建砖混结构房屋一层，约80平方米",
        area="80",
    )
    other = construction.open_case(
        actor=cadre,
        unit=village,
        kind="building",
        address=f"{village.name}2组",
        started_on=today - dt.timedelta(days=3),
        found_on=today,
        description="群众反映新建围墙",
    )
    dismissed = construction.dismiss(
        other.pk, actor=cadre, reason="经核实为原址修缮围墙，已办理审批，不属违建"
    )
    return FoundToday(new=new, dismissed=dismissed)


def new_cases_this_year(path: str) -> int:
    """The zero line's count of a unit: new cases (not dismissed) found this year under
    ``path``, both kinds."""
    from grassroots.org.queries import subtree_q
    from grassroots.registers.models import ConstructionCase

    year = timezone.localdate().year
    cases = ConstructionCase.objects.filter(subtree_q("unit__path", path), is_new=True)
    return cases.filter(found_on__year=year).exclude(status="dismissed").count()


def digits(text: str) -> int:
    found = re.search(r"\d+", text.replace(",", ""))
    assert found, text
    return int(found.group(0))
