"""Import of the statistics bureau's division files: kinds, paths, idempotency, errors."""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.org import divisions
from grassroots.org.divisions import (
    DivisionImportError,
    TerminalProgress,
    default_peer_group,
    import_divisions,
    short_name,
    street_kind,
    village_kind,
    writing,
)
from grassroots.org.models import Unit

REPO = Path(__file__).resolve().parents[2]
SHARED_DIVISIONS = (
    Path(os.environ.get("GRASSROOTS_SHARED_DATA", REPO.parent / "shared" / "data")) / "divisions"
)
XICHANG_CSV = REPO / "src" / "grassroots" / "demo" / "data" / "xichang.csv"

FILES = {
    "provinces.csv": """code,name
51,"四川省"
11,"北京市"
""",
    "cities.csv": """code,name,provinceCode
5134,"凉山彝族自治州",51
5101,"成都市",51
1101,"市辖区",11
""",
    "areas.csv": """code,name,cityCode,provinceCode
513401,"西昌市",5134,51
513402,"会理市",5134,51
510104,"锦江区",5101,51
110101,"东城区",1101,11
""",
    "streets.csv": """code,name,areaCode,provinceCode,cityCode
513401001,"北城街道",513401,51,5134
513401101,"礼州镇",513401,51,5134
513401203,"四合乡",513401,51,5134
513402400,"国营林场",513402,51,5134
510104020,"春熙路街道",510104,51,5101
110101001,"东华门街道",110101,11,1101
""",
    "villages.csv": """code,name,streetCode,provinceCode,cityCode,areaCode
513401001003,"大通门社区居民委员会",513401001,51,5134,513401
513401001004,"月城社区",513401001,51,5134,513401
513401101200,"陈远村村民委员会",513401101,51,5134,513401
513401101201,"白沙村村委会",513401101,51,5134,513401
513401203001,"四合场镇居委",513401203,51,5134,513401
513401203201,"四合生活区",513401203,51,5134,513401
513402400498,"林场家属区",513402400,51,5134,513402
510104020001,"书院街社区居委会",510104020,51,5101,510104
110101001001,"多福巷社区居委会",110101001,11,1101,110101
""",
}
TOTAL = 2 + 3 + 4 + 6 + 9


@pytest.fixture(autouse=True)
def _english() -> Any:
    # Messages are asserted in their English msgids, whatever the catalogue holds.
    with translation.override("en"):
        yield


def write_files(directory: Path, files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (files or FILES).items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def files(tmp_path: Path) -> Path:
    return write_files(tmp_path / "divisions")


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


# --- pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "kind"),
    [
        ("大通门社区居民委员会", "513401001003", "community"),
        ("多福巷社区居委会", "110101001001", "community"),
        ("月城社区", "513401001004", "community"),
        ("陈远村村民委员会", "513401101200", "village"),
        ("白沙村村委会", "513401101201", "village"),
        ("巴彦嘎查", "150203102211", "village"),
        # by the 10th–12th digits: 001–199 居委会, 200–399 村委会, 4xx/5xx alike
        ("四合场镇居委", "513401203001", "community"),
        ("四合生活区", "513401203201", "village"),
        ("林场家属区", "513402400498", "community"),
        ("万柳生活区", "110108023500", "village"),
    ],
)
def test_village_kind(name: str, code: str, kind: str) -> None:
    assert village_kind(name, code) == kind


def test_street_kind() -> None:
    assert street_kind("北城街道") == "street"
    assert street_kind("城关街道办事处") == "street"
    assert street_kind("礼州镇") == "township"
    assert street_kind("四合乡") == "township"
    assert street_kind("巴彦苏木") == "township"
    assert street_kind("国营林场") == "township"


def test_default_peer_group() -> None:
    assert default_peer_group("province", "51") == "CN:province"
    assert default_peer_group("prefecture", "5134") == "51:prefecture"
    assert default_peer_group("county", "513401") == "5134:county"
    assert default_peer_group("township", "513401101") == "513401:township"
    assert default_peer_group("street", "513401001") == "513401:street"
    assert default_peer_group("village", "513401101200") == "513401:village"
    assert default_peer_group("community", "513401001003") == "513401:community"
    assert default_peer_group("grid", "513401101200001") == "513401:grid"
    assert default_peer_group("department", "513401D01") == "513401:department"


def test_short_name() -> None:
    assert short_name("白沙村村民委员会") == "白沙村"
    assert short_name("大通门社区居民委员会") == "大通门社区"
    assert short_name("多福巷社区居委会") == "多福巷社区"
    assert short_name("新建村委会") == "新建村"
    assert short_name("礼州镇") == "礼州镇"


# --- importing -------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_the_tree_with_kinds_paths_and_peer_groups(files: Path) -> None:
    summary = import_divisions(files)

    assert summary.created == TOTAL and summary.updated == 0
    assert Unit.objects.count() == TOTAL
    kinds = dict(Unit.objects.values_list("code", "kind"))
    assert kinds["51"] == "province"
    assert kinds["5134"] == "prefecture"
    assert kinds["513401"] == "county"
    assert kinds["513401001"] == "street"
    assert kinds["513401101"] == "township"
    assert kinds["513402400"] == "township"
    assert kinds["513401001003"] == "community"
    assert kinds["513401101200"] == "village"
    assert kinds["513401203001"] == "community"
    assert kinds["513401203201"] == "village"
    village = unit("513401101200")
    assert village.path == "51.5134.513401.513401101.513401101200"
    assert village.depth == 4
    assert village.parent == unit("513401101")
    assert village.name == "陈远村村民委员会"  # the official name, as published
    assert village.peer_group == "513401:village"
    assert unit("513401101").peer_group == "513401:township"
    assert unit("51").parent is None and unit("51").path == "51"
    assert Unit.objects.within(unit("5134")).count() == 1 + 2 + 4 + 7
    entry = AuditEntry.objects.get(action="org.divisions.imported")
    assert entry.after["created"] == TOTAL
    assert entry.after["levels"]["villages"]["created"] == 9


@pytest.mark.django_db
def test_a_second_run_changes_nothing(files: Path) -> None:
    import_divisions(files)
    before = list(Unit.objects.values_list("id", "code", "path", "updated_at").order_by("id"))

    with CaptureQueriesContext(connection) as queries:
        summary = import_divisions(files)

    assert (summary.created, summary.updated, summary.moved) == (0, 0, 0)
    assert summary.unchanged == TOTAL
    assert list(Unit.objects.values_list("id", "code", "path", "updated_at").order_by("id")) == (
        before
    )
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert AuditEntry.objects.filter(action="org.divisions.imported").count() == 1


@pytest.mark.django_db
def test_a_changed_row_is_the_only_one_updated(files: Path) -> None:
    import_divisions(files)
    lizhou = unit("513401101")
    lizhou.peer_group = "西昌:平坝乡镇"  # chosen by the office: kept
    lizhou.save(update_fields=["peer_group"])
    changed = dict(FILES)
    changed["villages.csv"] = changed["villages.csv"].replace("白沙村村委会", "白沙村村民委员会")
    changed["streets.csv"] = changed["streets.csv"].replace('"礼州镇"', '"礼州镇 "')
    write_files(files, changed)

    summary = import_divisions(files)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, TOTAL - 1)
    assert unit("513401101201").name == "白沙村村民委员会"
    assert unit("513401101").name == "礼州镇"
    assert unit("513401101").peer_group == "西昌:平坝乡镇"


@pytest.mark.django_db
def test_under_imports_the_subtree_and_its_ancestors(files: Path) -> None:
    summary = import_divisions(files, under="513401")

    codes = set(Unit.objects.values_list("code", flat=True))
    assert codes == {
        "51",
        "5134",
        "513401",
        "513401001",
        "513401101",
        "513401203",
        "513401001003",
        "513401001004",
        "513401101200",
        "513401101201",
        "513401203001",
        "513401203201",
    }
    assert summary.created == len(codes)
    assert unit("513401203201").path == "51.5134.513401.513401203.513401203201"

    # the rest of the province later: the subtree already there is left as it is
    summary = import_divisions(files, under="51")
    assert summary.unchanged == len(codes)
    assert summary.created == 7  # 成都市, 会理市, 锦江区, two streets, two villages
    assert not Unit.objects.filter(code__startswith="11").exists()


@pytest.mark.django_db
def test_a_unit_under_another_parent_is_moved_with_its_subtree(files: Path) -> None:
    # a city seeded on its own: 西昌市 is a root, with units below it that no file knows
    city = Unit.objects.create(code="513401", name="西昌市", kind="county")
    town = Unit.objects.create(code="513401101", name="礼州镇", kind="township", parent=city)
    village = Unit.objects.create(
        code="513401101200", name="陈远村村民委员会", kind="village", parent=town
    )
    grids = [
        Unit.objects.create(
            code=f"513401101200{i:03d}", name=f"网格{i}", kind="grid", parent=village
        )
        for i in range(1, 6)
    ]
    department = Unit.objects.create(
        code="513401D01", name="西昌市住房和城乡建设局", kind="department", parent=city
    )

    with CaptureQueriesContext(connection) as queries:
        summary = import_divisions(files, under="513401")

    assert summary.moved == 1
    assert [level.moved for level in summary.levels] == [0, 0, 1, 0, 0]
    city.refresh_from_db()
    assert city.parent == unit("5134")
    assert (city.path, city.depth) == ("51.5134.513401", 2)
    for grid in grids:
        grid.refresh_from_db()
        assert grid.path == f"51.5134.513401.513401101.513401101200.{grid.code}"
        assert grid.depth == 5
    department.refresh_from_db()
    assert department.path == "51.5134.513401.513401D01"
    # the subtree (grids, department) is rewritten by one set-based UPDATE, not row by row
    path_updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and "SUBSTR" in q["sql"].upper()
    ]
    assert len(path_updates) == 1
    assert Unit.objects.within(unit("51")).count() == Unit.objects.count()

    again = import_divisions(files, under="513401")
    assert (again.created, again.updated, again.moved) == (0, 0, 0)


@pytest.mark.django_db
def test_parents_may_come_from_the_database(files: Path, tmp_path: Path) -> None:
    import_divisions(files, under="513401")
    only_villages = write_files(
        tmp_path / "update",
        {"villages.csv": 'code,name,streetCode\n513401101202,"新村村民委员会",513401101\n'},
    )

    summary = import_divisions(only_villages)

    assert summary.created == 1
    assert [level.present for level in summary.levels] == [False, False, False, False, True]
    assert unit("513401101202").path == "51.5134.513401.513401101.513401101202"


@pytest.mark.django_db
def test_bad_rows_are_reported_with_file_and_line_and_nothing_is_imported(
    files: Path,
) -> None:
    bad = dict(FILES)
    bad["streets.csv"] += '51340110,"短码镇",513401,51,5134\n'  # line 8
    bad["villages.csv"] += (
        '513401101201,"重复村",513401101,51,5134,513401\n'  # line 11: duplicate
        '51340110120X,"字母村",513401101,51,5134,513401\n'  # line 12: not digits
        '513401999201,"无主村",513401999,51,5134,513401\n'  # line 13: unknown parent
        '513401101205,"错区村",513401101,51,5134,513402\n'  # line 14: areaCode mismatch
        '513401101206,"",513401101,51,5134,513401\n'  # line 15: empty name
        '513401101207,"少列村",513401101\n'  # line 16: too few fields
    )
    write_files(files, bad)

    with pytest.raises(DivisionImportError) as raised:
        import_divisions(files)

    messages = [str(error) for error in raised.value.errors]
    where = [(e.file.rsplit("/", 1)[-1], e.line, e.field) for e in raised.value.errors]
    assert ("streets.csv", 8, "code") in where
    assert ("villages.csv", 11, "code") in where
    assert ("villages.csv", 12, "code") in where
    assert ("villages.csv", 13, "streetCode") in where
    assert ("villages.csv", 14, "areaCode") in where
    assert ("villages.csv", 15, "name") in where
    assert ("villages.csv", 16, "row") in where
    assert len(where) == 7
    assert any(
        m.endswith("villages.csv:11: code: duplicate code 513401101201 (first on line 5)")
        for m in messages
    )
    assert Unit.objects.count() == 0
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_missing_columns_and_bad_encoding_are_reported(files: Path) -> None:
    (files / "areas.csv").write_text(
        'code,name,provinceCode\n513401,"西昌市",51\n', encoding="utf-8"
    )
    (files / "streets.csv").write_bytes(
        FILES["streets.csv"].encode("utf-8") + '513401102,"安宁镇",513401,51,5134\n'.encode("gbk")
    )

    with pytest.raises(DivisionImportError) as raised:
        import_divisions(files)

    where = [(e.file.rsplit("/", 1)[-1], e.line, e.field) for e in raised.value.errors]
    assert ("areas.csv", 1, "cityCode") in where
    assert ("streets.csv", 8, "encoding") in where
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_under_code_is_an_error(files: Path) -> None:
    with pytest.raises(DivisionImportError) as raised:
        import_divisions(files, under="999999")
    assert [e.field for e in raised.value.errors] == ["code"]
    with pytest.raises(DivisionImportError):
        import_divisions(files, under="51x")


@pytest.mark.django_db
def test_an_interrupted_import_leaves_nothing(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = writing._write_level

    def interrupted(directory: Path, level: divisions.Level, *args: Any) -> Any:
        if level.file == "villages.csv":
            raise KeyboardInterrupt
        return real(directory, level, *args)

    monkeypatch.setattr(writing, "_write_level", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_divisions(files)
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_progress_is_reported(files: Path) -> None:
    calls: list[tuple[str, int, int | None]] = []
    import_divisions(files, progress=lambda phase, done, total: calls.append((phase, done, total)))
    phases = {phase for phase, _, _ in calls}
    assert any("villages.csv" in phase for phase in phases)
    assert any(done == total for _, done, total in calls)


def test_terminal_progress_draws_only_when_enabled() -> None:
    with TerminalProgress(enabled=False) as quiet:
        assert quiet.callback is None
        quiet("phase", 1, 2)
    with TerminalProgress(enabled=True) as bar:
        assert bar.callback is bar
        bar("Importing villages.csv", 5, 10)
        bar("Importing villages.csv", 10, 10)


# --- the command -----------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_a_summary_and_is_idempotent(files: Path) -> None:
    out = io.StringIO()
    call_command("import_divisions", str(files), stdout=out)
    assert f"{TOTAL} created, 0 updated, 0 unchanged" in out.getvalue()
    assert "villages" in out.getvalue()

    out = io.StringIO()
    call_command("import_divisions", str(files), "--under", "5134", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


@pytest.mark.django_db
def test_command_reports_errors_and_fails(files: Path) -> None:
    bad = dict(FILES)
    bad["villages.csv"] += '5134011012,"短码村",513401101,51,5134,513401\n'
    write_files(files, bad)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_divisions", str(files), stdout=io.StringIO(), stderr=err)
    assert f"{files / 'villages.csv'}:11: code: " in err.getvalue()
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_command_refuses_a_directory_without_files(tmp_path: Path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_divisions", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "directory" in err.getvalue()


# --- the real files ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.skipif(not SHARED_DIVISIONS.is_dir(), reason="shared division files not present")
def test_real_xichang_matches_the_shipped_file() -> None:
    summary = import_divisions(SHARED_DIVISIONS, under="513401")

    assert summary.created == 1 + 1 + 1 + 25 + 174
    counts = Counter(Unit.objects.values_list("kind", flat=True))
    assert counts["street"] + counts["township"] == 25
    assert (counts["village"], counts["community"]) == (129, 45)
    shipped = {}
    for line in XICHANG_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        code, name, kind, _parent = line.split(",")
        shipped[code] = (name, kind)
    imported = {
        code: (name, kind)
        for code, name, kind in Unit.objects.filter(code__startswith="513401").values_list(
            "code", "name", "kind"
        )
    }
    assert imported == shipped
