"""Manual entries (one figure per unit, indicator and period, with evidence): entered by
the city office, checked (indicator, scope, period, number, file type and size), audited
with the value before and after, imported from a spreadsheet all or nothing, listed and
downloaded within scope, and read by a run."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook
from PIL import Image

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.entries import enter_value, import_entries
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Category, Indicator, ManualEntry, Score
from grassroots.audit.models import AuditEntry
from grassroots.common.tabular import ImportRefused
from tests.events.test_races import race

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEADER = ["单位代码", "指标代码", "期间", "数值", "依据"]


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def scheme(scheme_factory: Any) -> Any:
    return scheme_factory(shrinkage=False, significance=False)


@pytest.fixture
def indicator(scheme: Any) -> Indicator:
    """入户走访完成率 (10 points, linear from 0 to 100), entered by the office."""
    found = Indicator(
        scheme=scheme,
        code="visits",
        name="入户走访完成率",
        category=Category.SPECIFIC,
        weight=Decimal(10),
        source="entry",
        rule="range_linear",
        params={"floor": 0, "target": 100},
        position=20,
    )
    found.full_clean()
    found.save()
    return found


def pdf(name: str = "走访记录.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png_with_exif(name: str = "现场照片.png") -> SimpleUploadedFile:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera"  # model
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def enter(indicator: Indicator, unit: Any, actor: Any, **kw: Any) -> ManualEntry:
    args: dict[str, Any] = {"period": "2026-10", "value": Decimal("92.5"), "note": "走访台账"}
    args.update(kw)
    period, value = args.pop("period"), args.pop("value")
    args.setdefault("evidence", None)
    return enter_value(indicator, unit, period, value, actor=actor, **args)


# --- entering ----------------------------------------------------------------------------


def test_the_office_enters_a_figure_with_its_evidence(
    indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    entry = enter(indicator, tree["village"], city_admin, evidence=pdf())

    assert entry.value == Decimal("92.5") and entry.period == "2026-10"
    assert entry.entered_by == city_admin and entry.note == "走访台账"
    assert entry.evidence.name.endswith(".pdf")
    with entry.evidence.open("rb") as handle:
        assert handle.read() == PDF
    audit = AuditEntry.objects.get(action="assessment.entry.entered")
    assert audit.before is None and audit.after["value"] == "92.500000"


def test_a_correction_updates_the_entry_and_keeps_the_value_before(
    indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    first = enter(indicator, tree["village"], city_admin, evidence=pdf())
    second = enter(indicator, tree["village"], city_admin, value=Decimal(80), note="更正")

    assert second.pk == first.pk and ManualEntry.objects.count() == 1
    assert second.value == Decimal(80) and second.evidence.name == first.evidence.name
    audits = AuditEntry.objects.filter(action="assessment.entry.entered").order_by("pk")
    assert audits[1].before["value"] == "92.500000" and audits[1].after["value"] == "80.000000"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2027-01"}, "period"),
        ({"value": "abc"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1.1234567"}, "value"),
        ({"value": "1e20"}, "value"),
        ({"note": "说" * 2001}, "note"),
    ],
)
def test_bad_input_is_refused_on_its_field(
    indicator: Indicator, tree: dict[str, Any], city_admin: Any, change: Any, field: str
) -> None:
    with pytest.raises(AssessmentError) as caught:
        enter(indicator, tree["village"], city_admin, **change)

    assert caught.value.field == field and not ManualEntry.objects.exists()


def test_only_an_entry_indicator_and_a_unit_of_the_scheme(
    scheme: Any, indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    metric = Indicator.objects.get(scheme=scheme, code="patrol")

    with pytest.raises(AssessmentError) as wrong_indicator:
        enter(metric, tree["village"], city_admin)
    with pytest.raises(AssessmentError) as township:
        enter(indicator, tree["lizhou"], city_admin)  # a village scheme
    with pytest.raises(AssessmentError) as grid:
        enter(indicator, tree["grid"], city_admin)

    assert wrong_indicator.value.field == "indicator"
    assert township.value.field == "unit" and grid.value.field == "unit"
    assert not ManualEntry.objects.exists()


def test_only_the_city_office_enters(
    indicator: Indicator, tree: dict[str, Any], xc_secretary: Any, village_cadre: Any
) -> None:
    for someone in (xc_secretary, village_cadre):
        with pytest.raises(PermissionDenied):
            enter(indicator, tree["village"], someone)
    assert not ManualEntry.objects.exists()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("setup.exe", b"MZ\x90\x00" * 10), "wrong_type"),
        (SimpleUploadedFile("说明.pdf", b"MZ\x90\x00" * 10), "wrong_type"),  # not a PDF inside
        (SimpleUploadedFile("照片.png", PDF), "mismatch"),  # a PDF called .png
        (SimpleUploadedFile("broken.pdf", b"%PDF-1.4 no end"), "damaged"),
        (SimpleUploadedFile("empty.pdf", b""), "empty"),
        (SimpleUploadedFile("fake.jpg", b"\xff\xd8\xff" + b"0" * 50), "damaged"),
        (SimpleUploadedFile("data.xlsx", b"PK\x03\x04garbage"), "damaged"),
        (
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024) + b"%%EOF"),
            "too_large",
        ),
    ],
    ids=["exe", "renamed-exe", "mismatch", "broken-pdf", "empty", "fake-jpeg", "bad-zip", "big"],
)
def test_an_unacceptable_file_is_refused_and_nothing_changes(
    indicator: Indicator,
    tree: dict[str, Any],
    city_admin: Any,
    upload: SimpleUploadedFile,
    code: str,
) -> None:
    enter(indicator, tree["village"], city_admin)

    with pytest.raises(AssessmentError) as caught:
        enter(indicator, tree["village"], city_admin, value=Decimal(1), evidence=upload)

    assert caught.value.field == "evidence" and caught.value.code == code
    entry = ManualEntry.objects.get()
    assert entry.value == Decimal("92.5") and not entry.evidence


def test_office_documents_and_photos_are_accepted_photos_without_metadata(
    indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = enter(
        indicator,
        tree["village"],
        city_admin,
        evidence=SimpleUploadedFile("台账.xlsx", buffer.getvalue()),
    )
    assert sheet.evidence.name.endswith(".xlsx")

    photo = enter(indicator, tree["neighbour_village"], city_admin, evidence=png_with_exif())

    with photo.evidence.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "PNG" and not stored.getexif()


def test_a_run_reads_the_entered_figures(
    scheme: Any, indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    enter(indicator, tree["village"], city_admin, value=Decimal(80))

    run = compute_run(scheme, "2026-10", actor=city_admin)

    score = Score.objects.get(run=run, unit=tree["village"], indicator=indicator)
    assert score.raw_value == Decimal(80) and score.points == Decimal("8.00")
    none = Score.objects.get(run=run, unit=tree["other_village"], indicator=indicator)
    assert none.raw_value is None


# --- the spreadsheet import --------------------------------------------------------------


def workbook(rows: list[list[Any]], header: list[str] = HEADER, name: str = "录入.xlsx") -> Any:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def test_an_import_enters_every_row_through_the_action(
    scheme: Any, indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    enter(indicator, tree["village"], city_admin, value=Decimal(10))
    upload = workbook(
        [
            ["513401101201", "visits", "2026-10", 95, "十月台账"],
            ["513401101202", "visits", dt.date(2026, 10, 1), "87.5", ""],  # Excel's date
            ["513401102201", "visits", "2026-Q3", 70, "三季度"],
        ]
    )

    summary = import_entries(scheme, upload, actor=city_admin)

    assert (summary.rows, summary.created, summary.updated) == (3, 2, 1)
    values = {(e.unit.name, e.period): e.value for e in ManualEntry.objects.select_related("unit")}
    assert values == {
        ("礼州村", "2026-10"): Decimal(95),
        ("田坝村", "2026-10"): Decimal("87.5"),
        ("安宁村", "2026-Q3"): Decimal(70),
    }
    assert AuditEntry.objects.filter(action="assessment.entry.entered").count() == 4


def test_an_import_with_problems_writes_nothing_and_lists_them_by_line(
    scheme: Any, indicator: Indicator, city_admin: Any
) -> None:
    upload = workbook(
        [
            ["513401101201", "visits", "2026-10", 95, ""],  # line 2: fine
            ["999999999999", "visits", "2026-10", 95, ""],  # line 3: unknown unit
            ["513401101202", "nope", "2026-10", 95, ""],  # line 4: unknown indicator
            ["513401101202", "visits", "2026-13", "x", ""],  # line 5: period and value
            ["513401101201", "visits", "2026-10", 90, ""],  # line 6: same as line 2
            ["513401101", "patrol", "2026-10", 90, ""],  # line 7: township, metric indicator
        ]
    )

    with pytest.raises(ImportRefused) as caught:
        import_entries(scheme, upload, actor=city_admin)

    found = [(e.line, e.column) for e in caught.value.errors]
    assert found == [
        (3, "单位代码"),
        (4, "指标代码"),
        (5, "期间"),
        (5, "数值"),
        (6, "单位代码"),
    ]
    assert not ManualEntry.objects.exists()


def test_an_import_refused_by_the_action_rolls_back_every_row(
    scheme: Any, indicator: Indicator, city_admin: Any
) -> None:
    upload = workbook(
        [
            ["513401101201", "visits", "2026-10", 95, ""],
            ["513401101", "visits", "2026-10", 90, ""],  # a township: not in a village scheme
            ["513401101202", "patrol", "2026-10", 90, ""],  # a metric indicator
        ]
    )

    with pytest.raises(ImportRefused) as caught:
        import_entries(scheme, upload, actor=city_admin)

    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "单位代码"), (4, "指标代码")]
    assert not ManualEntry.objects.exists()
    assert not AuditEntry.objects.filter(action="assessment.entry.entered").exists()


def test_an_import_without_the_required_columns_is_refused(
    scheme: Any, indicator: Indicator, city_admin: Any
) -> None:
    upload = workbook([["513401101201", "visits", 95]], header=["单位代码", "指标代码", "数值"])

    with pytest.raises(ImportRefused) as caught:
        import_entries(scheme, upload, actor=city_admin)

    assert [(e.line, e.column) for e in caught.value.errors] == [(1, "期间")]


def test_only_the_office_imports(scheme: Any, indicator: Indicator, xc_secretary: Any) -> None:
    with pytest.raises(PermissionDenied):
        import_entries(scheme, workbook([]), actor=xc_secretary)


# --- the page ----------------------------------------------------------------------------


def test_the_page_lists_the_entries_within_scope(
    login: Any,
    indicator: Indicator,
    tree: dict[str, Any],
    city_admin: Any,
    village_cadre: Any,
    grid_worker: Any,
) -> None:
    enter(indicator, tree["village"], city_admin, evidence=pdf())
    enter(indicator, tree["neighbour_village"], city_admin, note="田坝村走访台账")

    office = login(city_admin).get("/assessment/entries/")
    cadre = login(village_cadre).get("/assessment/entries/")

    assert office.status_code == 200
    assert "礼州村" in office.content.decode() and "田坝村走访台账" in office.content.decode()
    assert 'name="action" value="import"' in office.content.decode()
    assert cadre.status_code == 200
    assert "礼州村" in cadre.content.decode() and "田坝村走访台账" not in cadre.content.decode()
    assert 'value="import"' not in cadre.content.decode()  # no entry forms for a cadre
    assert login(grid_worker).get("/assessment/entries/").status_code == 403


def test_the_page_filters_by_indicator_and_period(
    login: Any, indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    enter(indicator, tree["village"], city_admin, note="十月")
    enter(indicator, tree["village"], city_admin, period="2026-09", note="九月")

    page = login(city_admin).get(
        "/assessment/entries/", {"indicator": indicator.pk, "period": "2026-09"}
    )

    assert "九月" in page.content.decode() and "十月" not in page.content.decode()


def fetch(client: Any, path: str) -> tuple[Any, bytes]:
    """A file answer and its bytes (read to the end and closed without ``response.close()``,
    whose request_finished signal would close the test's database connection)."""
    response = client.get(path)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    stream = getattr(response, "file_to_stream", None)
    if stream is not None:
        stream.close()
    return response, data


def test_the_evidence_is_downloaded_within_scope_only(
    login: Any,
    indicator: Indicator,
    tree: dict[str, Any],
    city_admin: Any,
    village_cadre: Any,
    outsider: Any,
) -> None:
    entry = enter(indicator, tree["village"], city_admin, evidence=pdf())
    url = f"/assessment/entries/{entry.pk}/evidence/"

    office, data = fetch(login(city_admin), url)
    cadre, _ = fetch(login(village_cadre), url)

    assert office.status_code == 200 and data == PDF
    assert office["Content-Type"] == "application/pdf"
    assert office["Content-Disposition"].startswith("attachment")
    assert office["X-Content-Type-Options"] == "nosniff"
    assert cadre.status_code == 200
    assert login(outsider).get(url).status_code == 404
    bare = enter(indicator, tree["neighbour_village"], city_admin)
    assert login(city_admin).get(f"/assessment/entries/{bare.pk}/evidence/").status_code == 404


def test_entering_from_the_page(
    login: Any, indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    client = login(city_admin)
    data = {
        "action": "enter",
        "indicator": indicator.pk,
        "unit": "513401101201",
        "period": "2026-10",
        "value": "88",
        "note": "入户走访台账",
    }

    bad_value = client.post("/assessment/entries/", {**data, "value": "八十八"})
    bad_unit = client.post("/assessment/entries/", {**data, "unit": "513401102"})
    bad_file = client.post(
        "/assessment/entries/", {**data, "evidence": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert [r.status_code for r in (bad_value, bad_unit, bad_file)] == [400, 400, 400]
    assert 'data-field="value"' in bad_value.content.decode()
    assert 'role="alert"' in bad_file.content.decode()
    assert not ManualEntry.objects.exists()

    done = client.post("/assessment/entries/", {**data, "evidence": pdf()})

    assert done.status_code == 302
    entry = ManualEntry.objects.get()
    assert entry.value == Decimal(88) and entry.evidence


def test_importing_from_the_page(
    login: Any, scheme: Any, indicator: Indicator, city_admin: Any, village_cadre: Any
) -> None:
    client = login(city_admin)
    bad = client.post(
        "/assessment/entries/",
        {
            "action": "import",
            "scheme": scheme.pk,
            "file": workbook([["513401101201", "visits", "2026-10", "x", ""]]),
        },
    )
    assert bad.status_code == 400 and "数值" in bad.content.decode()
    assert not ManualEntry.objects.exists()

    good = client.post(
        "/assessment/entries/",
        {
            "action": "import",
            "scheme": scheme.pk,
            "file": workbook([["513401101201", "visits", "2026-10", 90, ""]]),
        },
    )

    assert good.status_code == 302 and ManualEntry.objects.count() == 1
    refused = login(village_cadre).post(
        "/assessment/entries/", {"action": "import", "scheme": scheme.pk}
    )
    assert refused.status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
def test_two_entries_of_one_figure_at_once_make_one_entry(
    indicator: Indicator, tree: dict[str, Any], city_admin: Any
) -> None:
    for period in ("2026-07", "2026-08", "2026-09"):
        results = race(
            lambda p=period: enter(indicator, tree["village"], city_admin, period=p, value=1),
            lambda p=period: enter(indicator, tree["village"], city_admin, period=p, value=2),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        entry = ManualEntry.objects.get(period=period)
        assert entry.value in (Decimal(1), Decimal(2))
        audits = AuditEntry.objects.filter(action="assessment.entry.entered", after__period=period)
        assert sorted(a.before is None for a in audits) == [False, True]
