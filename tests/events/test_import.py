"""``grassroots import-events``: historical events from CSV or xlsx, checked, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.events import deadlines
from grassroots.events.importing import EventImportError, import_events
from grassroots.events.models import Event, EventAction
from grassroots.org.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=TZ)

HEADER = [
    "工单编号",
    "标题",
    "内容",
    "类别",
    "来源",
    "联系人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
    "所属网格",
    "乡镇(街道)",
    "村(社区)",
    "上报时间",
    "受理时间",
    "办结时间",
    "结案时间",
    "处置单位",
    "满意度",
    "状态",
]


def row(**values: str) -> dict[str, str]:
    """A good row (in 礼州村's grid by position), with some columns replaced."""
    base = {
        "工单编号": "SC202611010001",
        "标题": "楼道堆放杂物",
        "内容": "三单元楼道堆放杂物, 影响通行",
        "类别": "SRHJ01",
        "来源": "12345热线",
        "联系人": "王先生",
        "联系电话": "13812345678",
        "地址": "礼州镇礼州村3组",
        "经度": "102.05",
        "纬度": "27.85",
        "所属网格": "",
        "乡镇(街道)": "",
        "村(社区)": "",
        "上报时间": "2026-11-02 09:15:00",
        "受理时间": "2026-11-02 10:00",
        "办结时间": "2026-11-03 16:30",
        "结案时间": "2026-11-04 09:00",
        "处置单位": "",
        "满意度": "满意",
        "状态": "已办结",
    }
    base.update(values)
    return base


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def _write(
        rows: list[dict[str, str]], *, header: list[str] = HEADER, encoding: str = "utf-8"
    ) -> Path:
        path = tmp_path / "events.csv"
        with path.open("w", encoding=encoding, newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
            out.writeheader()
            out.writerows(rows)
        return path

    return _write


@pytest.fixture(autouse=True)
def _setup(grids: dict[str, Any], category: Any, official_calendar: None) -> Iterator[None]:
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(*args: int) -> dt.datetime:
    """A moment in 西昌 (UTC+8)."""
    return dt.datetime(*args, tzinfo=TZ)


def errors_of(path: Path, **kwargs: Any) -> list[tuple[int, str, str]]:
    with pytest.raises(EventImportError) as caught:
        import_events(path, **kwargs)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


# --- a good file -------------------------------------------------------------------------


def test_good_csv_imports_every_row_with_its_place_times_and_timeline(
    write_csv: Callable[..., Path], tree: dict[str, Any], grids: dict[str, Any]
) -> None:
    path = write_csv(
        [
            row(),
            row(工单编号="SC202611010002", 经度="102.15", 状态="", 满意度=""),
            row(工单编号="SC202611010003", 经度="", 纬度="", 所属网格="513401101201001"),
            row(
                工单编号="SC202611010004",
                经度="",
                纬度="",
                **{"乡镇(街道)": "礼州镇", "村(社区)": "田坝村"},
                结案时间="",
                办结时间="",
                受理时间="",
                满意度="",
                状态="",
            ),
        ]
    )
    summary = import_events(path)
    assert (summary.rows, summary.imported, summary.skipped) == (4, 4, 0)
    events = {e.number: e for e in Event.objects.select_related("grid", "village", "township")}
    first = events["SC202611010001"]
    assert first.grid == grids["grid"]
    assert first.village == tree["village"]
    assert first.township == tree["lizhou"]
    assert first.area_path == grids["grid"].path
    assert first.assignee == first.dispatcher == tree["village"]
    assert first.assignee_path == tree["village"].path
    assert (first.status, first.source, first.satisfaction) == ("closed", "hotline", "satisfied")
    assert (first.lon, first.lat) == (102.05, 27.85)
    assert first.contact_phone == "13812345678"
    assert first.reported_at == at(2026, 11, 2, 9, 15)
    assert first.accepted_at == first.responded_at == at(2026, 11, 2, 10)
    assert first.resolved_at == at(2026, 11, 3, 16, 30)
    assert first.closed_at == first.rated_at == at(2026, 11, 4, 9)
    assert first.reporter is None and first.idempotency_key is None

    # no status: derived from the times (closed); the position decides the grid
    second = events["SC202611010002"]
    assert second.status == "closed" and second.grid == grids["tianba_grid"]
    assert second.village == tree["neighbour_village"]
    # the grid column, then village and township by name
    assert events["SC202611010003"].grid == grids["grid"]
    fourth = events["SC202611010004"]
    assert fourth.grid is None and fourth.village == tree["neighbour_village"]
    assert fourth.area_path == tree["neighbour_village"].path
    assert fourth.status == "reported" and fourth.closed_at is None

    actions = list(EventAction.objects.order_by("event_id"))
    assert len(actions) == 4
    assert {a.kind for a in actions} == {"import"}
    assert {a.event_id for a in actions} == {e.pk for e in events.values()}
    by_event = {a.event_id: a for a in actions}
    assert by_event[first.pk].to_status == "closed"
    assert by_event[first.pk].data == {"line": 2}
    assert by_event[fourth.pk].data == {"line": 5}
    assert "events.csv" in by_event[first.pk].note

    audit = AuditEntry.objects.filter(action="events.event.imported")
    assert audit.count() == 1
    entry = audit.get()
    assert entry.after["imported"] == 4 and entry.after["file"] == "events.csv"
    assert len(entry.after["sha256"]) == 64
    assert entry.unit_path == tree["city"].path


def test_deadlines_are_those_of_intake_on_the_official_calendar(
    write_csv: Callable[..., Path], category: Any
) -> None:
    """2026-09-30 17:00 + 3 working days: the National Day holiday does not count."""
    moments = [
        "2026-09-30 17:00",
        "2026-09-30 07:10",
        "2026-10-01 10:00",
        "2026-10-10 13:00",
        "2026-11-21 10:00",
        "2026-11-20 17:59:59",
        "2026-11-20 12:00",
        "2026-02-14 18:30",
        "2026-06-19 08:29",
    ]
    path = write_csv(
        [
            row(
                工单编号=f"N{i}",
                上报时间=m,
                受理时间="",
                办结时间="",
                结案时间="",
                满意度="",
                状态="",
            )
            for i, m in enumerate(moments)
        ]
    )
    import_events(path)
    first = Event.objects.get(number="N0")
    assert first.resolve_by == at(2026, 10, 10, 23, 59, 59, 999999)
    assert first.respond_by == at(2026, 10, 8, 9, 30)
    for event in Event.objects.all():
        respond, resolve = deadlines.initial_deadlines(category, event.reported_at)
        assert (event.respond_by, event.resolve_by) == (respond, resolve), event.number


def test_english_headers_unknown_columns_ignored_and_numbers_generated(
    write_csv: Callable[..., Path], grids: dict[str, Any]
) -> None:
    header = ["title", "category", "reported_at", "grid", "remarks"]
    path = write_csv(
        [
            {
                "title": "井盖缺失",
                "category": "乱堆乱放",
                "reported_at": "2026/11/3 8:05",
                "grid": "513401101201001",
                "remarks": "x",
            },
            {
                "title": "路灯不亮",
                "category": "市容环境/乱堆乱放",
                "reported_at": "2026年11月4日 9时30分",
                "grid": "礼州村第1网格",
                "remarks": "",
            },
        ],
        header=header,
    )
    summary = import_events(path)
    assert summary.ignored_columns == ["remarks"]
    events = list(Event.objects.order_by("id"))
    assert [e.number for e in events] == [
        f"XC20261103{events[0].pk:06d}",
        f"XC20261104{events[1].pk:06d}",
    ]
    assert {e.source for e in events} == {"import"}
    assert events[1].reported_at == at(2026, 11, 4, 9, 30)
    assert all(e.grid == grids["grid"] for e in events)


def test_title_comes_from_the_description_when_missing(write_csv: Callable[..., Path]) -> None:
    text = "村口的垃圾桶已经三天没有清运了，夏天气味很大，请尽快安排清运车辆。"
    path = write_csv([row(标题="", 内容=text)])
    import_events(path)
    event = Event.objects.get()
    assert event.title == text[:29] + "…" and event.description == text


def test_assignee_by_name_and_the_unit_of_the_place_dispatches(
    write_csv: Callable[..., Path], tree: dict[str, Any]
) -> None:
    path = write_csv(
        [row(处置单位="住房和城乡建设局", 状态="处置中", 结案时间="", 办结时间="", 满意度="")]
    )
    import_events(path)
    event = Event.objects.get()
    assert event.status == "in_progress"
    assert event.assignee == tree["department"] and event.dispatcher == tree["village"]
    assert event.assignee_path == tree["department"].path


def test_gb18030_csv_and_masked_phones(write_csv: Callable[..., Path]) -> None:
    path = write_csv([row(联系电话="138****5678")], encoding="gb18030")
    summary = import_events(path)
    assert summary.encoding == "gb18030"
    event = Event.objects.get()
    assert event.title == "楼道堆放杂物" and event.contact_phone == "138****5678"


def test_xlsx_with_date_cells_and_numbers(tmp_path: Path, grids: dict[str, Any]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["工单编号", "标题", "类别", "联系电话", "经度", "纬度", "上报时间", "结案时间", "满意度"]
    )
    sheet.append(
        [
            20261101001,
            "噪音扰民",
            "SRHJ01",
            13812345678,
            102.05,
            27.85,
            dt.datetime(2026, 11, 1, 8, 30),  # noqa: DTZ001 - Excel cells have no zone
            dt.datetime(2026, 11, 2, 17, 0),  # noqa: DTZ001
            "基本满意",
        ]
    )
    sheet.append(
        [20261101002, "占道经营", "SRHJ01", None, 102.15, 27.85, dt.date(2026, 11, 3), None, None]
    )
    path = tmp_path / "hotline.xlsx"
    workbook.save(path)
    summary = import_events(path, source="hotline")
    assert summary.imported == 2
    first = Event.objects.get(number="20261101001")
    assert first.contact_phone == "13812345678"
    assert first.reported_at == at(2026, 11, 1, 8, 30)
    assert first.status == "closed" and first.satisfaction == "basically"
    assert first.source == "hotline" and first.grid == grids["grid"]
    second = Event.objects.get(number="20261101002")
    assert second.reported_at == at(2026, 11, 3)
    assert second.status == "reported" and second.grid == grids["tianba_grid"]


# --- bad files: every problem by line, nothing imported ---------------------------------


def test_bad_rows_are_all_listed_by_line_and_nothing_is_imported(
    write_csv: Callable[..., Path],
) -> None:
    path = write_csv(
        [
            row(),  # line 2: good
            row(工单编号="B3", 类别="没有这个类别", 上报时间="昨天"),  # two errors
            row(工单编号="B4", 经度="120.0", 纬度="31.0"),  # outside every grid
            row(工单编号="B5", 联系电话="12345"),
            row(工单编号="B6", 结案时间="2026-11-01 08:00"),  # before the report
            row(工单编号="B7", 上报时间="2026-12-25 08:00", 受理时间="", 办结时间="", 结案时间=""),
            row(工单编号="B8", 状态="处置中", 满意度=""),  # an open event with a closing time
            row(工单编号="B9", 状态="已受理", 结案时间="", 办结时间=""),  # rated but not resolved
            row(工单编号="B10", 状态="飞了"),
            row(工单编号="B11", 经度="102.05", 纬度=""),
            row(工单编号="B12", 经度="", 纬度="", **{"村(社区)": "安宁村", "乡镇(街道)": "礼州镇"}),
            row(工单编号="B13", 标题="", 内容=""),
            row(工单编号="B14", 标题="长" * 121),
            row(工单编号="B15", 经度="", 纬度="", 所属网格="999"),
            row(工单编号="B3"),  # the number again
        ]
    )
    found = errors_of(path)
    lines = [line for line, _column, _message in found]
    assert lines == sorted(lines)
    assert 2 not in lines
    assert set(lines) == set(range(3, 17))
    by_line: dict[int, list[tuple[str, str]]] = {}
    for line, column, message in found:
        by_line.setdefault(line, []).append((column, message))
    assert ("类别", "Unknown category 没有这个类别.") in by_line[3]
    assert any(c == "上报时间" and "is not a date and time" in m for c, m in by_line[3])
    assert any("outside every grid" in m for _c, m in by_line[4])
    assert by_line[5][0][0] == "联系电话"
    assert by_line[6] == [("结案时间", "Earlier than the time of the report.")]
    assert by_line[7] == [("上报时间", "The time is in the future.")]
    assert by_line[8][0][0] == "结案时间"
    assert by_line[9] == [("满意度", "Only a resolved or closed event can be rated.")]
    assert by_line[10] == [("状态", "Unknown status 飞了.")]
    assert by_line[11][0][1] == "Give both latitude and longitude, or neither."
    assert by_line[12] == [("村(社区)", "安宁村 is not in 礼州镇.")]
    assert by_line[13][0][1] == "Give a title or a description."
    assert by_line[14] == [("标题", "At most 120 characters.")]
    assert by_line[15] == [("所属网格", "Unknown grid 999.")]
    assert by_line[16] == [("工单编号", "Event number B3 appears twice (first on line 3).")]
    assert not Event.objects.exists()
    assert not EventAction.objects.exists()
    assert not AuditEntry.objects.filter(action="events.event.imported").exists()


def test_missing_columns_are_reported_on_line_one(write_csv: Callable[..., Path]) -> None:
    path = write_csv([{"标题": "x"}], header=["标题", "地址"])
    found = errors_of(path)
    assert {(line, column) for line, column, _m in found} == {
        (1, "类别"),
        (1, "上报时间"),
        (1, "所属网格"),
    }
    # headed in English, the columns are named in English
    path = write_csv([{"title": "x"}], header=["title", "address"])
    assert {column for _line, column, _m in errors_of(path)} == {
        "category",
        "reported_at",
        "grid",
    }


def test_messages_are_chinese_by_default(write_csv: Callable[..., Path]) -> None:
    path = write_csv([row(上报时间="")])
    with translation.override("zh-hans"), pytest.raises(EventImportError) as caught:
        import_events(path)
    (error,) = caught.value.errors
    assert error.line == 2 and error.column == "上报时间"
    assert str(error).startswith("第 2 行") or str(error).startswith("line 2")


def test_unreadable_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "events.pdf"
    path.write_bytes(b"%PDF")
    found = errors_of(path)
    assert found[0][0] == 0 and "csv" in found[0][2]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "Excel" in errors_of(broken)[0][2]


# --- numbers: idempotent by number --------------------------------------------------------


def test_existing_numbers_are_errors_or_skipped(write_csv: Callable[..., Path]) -> None:
    path = write_csv([row(), row(工单编号="SC2")])
    import_events(path)
    assert Event.objects.count() == 2
    found = errors_of(path)
    assert [(line, m) for line, _c, m in found] == [
        (2, "Event number SC202611010001 already exists."),
        (3, "Event number SC2 already exists."),
    ]
    path = write_csv([row(), row(工单编号="SC2"), row(工单编号="SC3")])
    summary = import_events(path, skip_existing=True)
    assert (summary.imported, summary.skipped) == (1, 2)
    assert Event.objects.count() == 3 and EventAction.objects.count() == 3
    assert AuditEntry.objects.filter(action="events.event.imported").count() == 2


def test_bad_rows_and_taken_numbers_are_listed_together(write_csv: Callable[..., Path]) -> None:
    import_events(write_csv([row(), row(工单编号="SC2")]))
    rows = [row(工单编号="NEW1", 类别="没有这个类别"), row(工单编号="NEW2"), row(工单编号="SC2")]
    found = errors_of(write_csv(rows))
    assert [(line, column) for line, column, _m in found] == [(2, "类别"), (4, "工单编号")]
    assert found[1][2] == "Event number SC2 already exists."
    assert Event.objects.count() == 2 and EventAction.objects.count() == 2


def test_the_foreign_keys_are_checked_per_row_without_the_right_to_skip_triggers(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database role that may not turn triggers off imports the same, the constraints
    checking every row (on PostgreSQL; elsewhere there is only one way)."""
    from django.db import connection

    monkeypatch.setattr("grassroots.events.importing.writing._replica_role", lambda cursor: False)
    summary = import_events(write_csv([row(), row(工单编号="SC2")]))
    assert summary.imported == 2 and Event.objects.count() == 2
    assert summary.key_checks == ("per row" if connection.vendor == "postgresql" else "")
    assert EventAction.objects.filter(event__number="SC2", data__line=3).exists()


def test_a_missing_referenced_row_fails_the_import(write_csv: Callable[..., Path]) -> None:
    """With the triggers off, the units and categories written are checked (and locked)
    once each: one missing is an error and nothing is written."""
    from django.db import IntegrityError, connection, transaction

    from grassroots.events.importing.writing import _lock_rows

    if connection.vendor != "postgresql":
        pytest.skip("the per-key check is PostgreSQL's")
    summary = import_events(write_csv([row()]))
    assert summary.key_checks == "per key"
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_rows(cursor, Unit, {Unit.objects.get(code="513401101201001").pk})
        with pytest.raises(IntegrityError, match="org_unit has no rows with id 999999"):
            _lock_rows(cursor, Unit, {999_999})


def test_dry_run_writes_nothing(write_csv: Callable[..., Path]) -> None:
    summary = import_events(write_csv([row()]), dry_run=True)
    assert summary.imported == 1 and not Event.objects.exists()


# --- the command ---------------------------------------------------------------------------


def test_command_prints_a_summary_and_lists_errors(
    write_csv: Callable[..., Path], city_admin: Any
) -> None:
    out = io.StringIO()
    call_command("import_events", str(write_csv([row()])), "--user", "city_admin", stdout=out)
    assert "1 imported" in out.getvalue()
    assert EventAction.objects.get().actor == city_admin
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_events", str(write_csv([row()])), stdout=io.StringIO(), stderr=err)
    assert "line 2, 工单编号: Event number SC202611010001 already exists." in err.getvalue()


def test_a_unit_without_a_grid_and_departments_refused_as_place(
    write_csv: Callable[..., Path], tree: dict[str, Any]
) -> None:
    Unit.objects.create(
        code="513401103", name="新村镇", kind=UnitKind.TOWNSHIP, parent=tree["city"]
    )
    path = write_csv([row(经度="", 纬度="", **{"乡镇(街道)": "513401103"})])
    import_events(path)
    event = Event.objects.get()
    assert event.township.code == "513401103" and event.village is None
    assert event.assignee == event.dispatcher == event.township


def test_a_number_taken_meanwhile_imports_nothing(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import_events(write_csv([row()]))
    # another import took the number between the check and the write
    monkeypatch.setattr(
        "grassroots.events.importing.writing.existing_numbers", lambda numbers, cursor=None: set()
    )
    found = errors_of(write_csv([row(工单编号="NEW1"), row()]))
    assert found[0][1] == "工单编号" and "meanwhile" in found[0][2]
    assert list(Event.objects.values_list("number", flat=True)) == ["SC202611010001"]
    assert EventAction.objects.count() == 1


def test_the_cached_deadlines_equal_the_intake_rules(category: Any) -> None:
    """The import's cache (per day, per working-day index) answers what
    ``deadlines.initial_deadlines`` answers, whatever the moment and the hours."""
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from grassroots.events.importing.lookups import Deadlines, hours_to_microseconds

    zone = ZoneInfo("Asia/Shanghai")
    cache = Deadlines(zone)
    rng = random.Random(42)
    for _ in range(400):
        local = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))  # noqa: DTZ001
        category.response_hours = Decimal(rng.choice(["0", "0.5", "2", "4", "7.25", "24", "72"]))
        category.resolve_workdays = rng.choice([0, 1, 3, 5, 10, 20])
        respond, resolve = deadlines.initial_deadlines(category, local.replace(tzinfo=zone))
        mine = cache.respond_by(local, hours_to_microseconds(category.response_hours))
        assert mine.replace(tzinfo=zone) == respond, local
        assert (
            cache.resolve_by(local.date(), category.resolve_workdays).replace(tzinfo=zone)
            == resolve
        )
