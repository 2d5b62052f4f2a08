"""The bulletin's content (pure, from the snapshot), its PDF (A4, text, the CJK font
embedded) and its Excel workbook (one sheet per peer group, frozen header, widths)."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from grassroots.assessment.bulletins import download_name, render_pdf, render_xlsx
from grassroots.assessment.bulletins.content import bulletin_content, bulletin_title
from grassroots.assessment.models import Result
from tests.assessment.bulletin_support import embedded_fonts, pdf_text, published_quarter

TITLE = "西昌市2026年第3季度村(社区)目标绩效考核情况通报"


@pytest.fixture
def publication(tree: dict[str, Any], city_admin: Any) -> Any:
    return published_quarter(tree, city_admin)


def test_titles_name_the_quarter_the_year_and_the_month() -> None:
    with translation.override("zh-hans"):
        assert bulletin_title("西昌市", "2026-Q3", "quarterly", "township") == (
            "西昌市2026年第3季度乡镇(街道)目标绩效考核情况通报"
        )
        assert bulletin_title("西昌市", "2026", "annual", "village") == (
            "西昌市2026年度村(社区)目标绩效考核评价报告"
        )
        assert bulletin_title("西昌市", "2026-10", "monthly", "township") == (
            "西昌市2026年10月乡镇(街道)目标绩效考核情况通报"
        )


def _result(code: str, group: str, rank: int, total: str, **extra: Any) -> dict[str, Any]:
    base = {
        "unit": code,
        "name": f"单位{code}",
        "peer_group": group,
        "rank": rank,
        "group_size": 3,
        "total": total,
        "grade": "average",
        "list_status": "",
        "list_reason": "",
        "reward_fen": 12345,
        "training_places": 0,
        "vetoed": False,
    }
    return {**base, **extra}


def test_content_groups_ranks_ties_and_reasons_come_from_the_snapshot() -> None:
    snapshot = {
        "scheme": {"code": "s", "name": "方案", "level": "township"},
        "period": "2026",
        "kind": "annual",
        "version": 2,
        "list_rule": {"red_top_n": 1},
        "results": [
            _result("b", "g:street", 1, "80.00", training_places=2),
            _result("a", "g:township", 2, "70.00"),
            _result("c", "g:township", 2, "70.00"),
            _result("d", "g:township", 1, "90.00", list_status="red"),
        ],
        "lists": {
            "red": [
                {
                    "unit": "d",
                    "name": "单位d",
                    "peer_group": "g:township",
                    "rank": 1,
                    "group_size": 3,
                    "total": "90.00",
                    "reasons": ["top_n"],
                    "vetoes": [],
                }
            ],
            "black": [],
        },
    }
    with translation.override("zh-hans"):
        content = bulletin_content(
            snapshot,
            sha256="0" * 64,
            area="西昌市",
            published_at=dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC),
            appeal_until=dt.date(2027, 1, 19),
            verify_url="/x.json",
        )
    assert content.title == "西昌市2026年度乡镇(街道)目标绩效考核评价报告"
    assert [g.label for g in content.groups] == ["街道", "乡镇"]
    township = content.groups[1]
    assert [r.rank_label for r in township.rows] == ["1", "2=", "2="]  # a tie shown as 2=
    assert township.rows[0].list_label == "红榜"
    assert "位列同组前 1 名" in township.red[0].reason
    assert content.show_training  # a year's report shows the training places
    assert content.reward_yuan == "493.80"


def test_pdf_has_the_title_the_units_and_the_hash(publication: Any, tmp_path: Path) -> None:
    data = render_pdf(publication)

    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    flat = "".join(text.split())
    assert TITLE in flat
    for name in ("礼州村", "田坝村", "安宁村"):
        assert name in text
    assert publication.sha256 in flat
    assert "红榜" in text and "黑榜" in text
    assert "第1页共" in flat  # 第 N 页 共 M 页 in the footer
    assert "sha256sum" in text  # how to check the hash


def test_pdf_embeds_the_chinese_font(publication: Any, tmp_path: Path) -> None:
    fonts = embedded_fonts(render_pdf(publication), tmp_path)

    cjk = [name for name, embedded in fonts if "CJK" in name]
    assert cjk, fonts
    assert all(embedded for _name, embedded in fonts)


def test_pdf_reads_the_snapshot_not_the_live_tables(
    publication: Any, tree: dict[str, Any], tmp_path: Path
) -> None:
    Result.objects.filter(unit=tree["village"]).update(total="1.00")

    text = "".join(pdf_text(render_pdf(publication), tmp_path).split())

    assert "85.00" in text and "1.00" not in text.replace("91.00", "")


def _two_groups(tree: dict[str, Any], city_admin: Any) -> Any:
    from grassroots.assessment.actions.publishing import publish_run
    from tests.assessment.publishing_support import plain_scheme, run_with_results

    scheme = plain_scheme(tree, list_rule={})
    run = run_with_results(
        scheme,
        "2026-Q3",
        [(tree["village"], "85.00"), (tree["neighbour_village"], "60.00")],
    )
    Result.objects.filter(run=run, unit=tree["neighbour_village"]).update(
        peer_group="513401:community", rank=1, group_size=1
    )
    return publish_run(run, actor=city_admin)


def test_excel_has_one_sheet_per_peer_group_frozen_and_sized(
    tree: dict[str, Any], city_admin: Any
) -> None:
    publication = _two_groups(tree, city_admin)

    book = load_workbook(io.BytesIO(render_xlsx(publication)))

    assert book.sheetnames == ["社区", "村"]
    sheet = book["村"]
    assert sheet.freeze_panes == "D4"  # title and hash above, the header frozen with the units
    assert TITLE in str(sheet["A1"].value)
    assert publication.sha256 in str(sheet["A2"].value)
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["排名", "单位代码", "单位", "总分", "等次"]
    assert sheet["C4"].value == "礼州村" and sheet["D4"].value == 85.0
    assert sheet.column_dimensions["C"].width >= 20
    assert sheet.column_dimensions["F"].width >= 40
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") for row in sheet for c in row
    )
    book.close()


def test_the_download_name_is_the_chinese_title(publication: Any) -> None:
    assert download_name(publication, "pdf") == f"{TITLE}-2026-Q3-v1.pdf"


def test_city_scale_rendering_time_is_reported(publication: Any, capsys: Any) -> None:
    """Not a bar (the benchmark measures the city); prints the time of a small bulletin."""
    started = time.perf_counter()
    render_pdf(publication)
    with capsys.disabled():
        print(f"\nbulletin pdf (3 units): {time.perf_counter() - started:.2f} s")


def test_the_command_writes_the_bulletin(publication: Any, tmp_path: Path) -> None:
    import io as _io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = _io.StringIO()
    target = tmp_path / "q3.xlsx"
    call_command(
        "bulletin",
        "--publication",
        publication.sha256[:10],
        "--format",
        "xlsx",
        "-o",
        str(target),
        stdout=out,
    )

    assert target.read_bytes().startswith(b"PK")  # a zip: the workbook
    assert str(target) in out.getvalue() and " s" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("bulletin", "--publication", "0" * 12)


def test_rendering_leaves_photo_checks_strict_and_fetches_nothing(publication: Any) -> None:
    """WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES when imported; after a bulletin
    the process still refuses a truncated photo, and a bulletin never fetches a URL."""
    from PIL import ImageFile

    from grassroots.assessment.bulletins.pdf import _no_fetching

    render_pdf(publication)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(ValueError, match="fetch nothing"):
        _no_fetching("file:///etc/passwd")
