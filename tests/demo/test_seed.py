"""The demo city: real 西昌 units, generated grids and shapes, demo logins, one transaction."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.demo import seeding
from grassroots.demo.geometry import from_geojson, to_geojson
from grassroots.demo.plan import grid_sizes, split, village_households
from grassroots.demo.seeding import SeedError, database_is_empty, load_plan, seed
from grassroots.demo.users import DEMO_PASSWORD, demo_logins
from grassroots.org.divisions import import_divisions
from grassroots.org.models import Membership, Role, Unit, User

# Argon2 costs a third of a second per login; the demo's dozen logins need not pay it here.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SMALL_DIVISIONS = {
    "provinces.csv": 'code,name\n51,"四川省"\n',
    "cities.csv": 'code,name,provinceCode\n5134,"凉山彝族自治州",51\n5101,"成都市",51\n',
    "areas.csv": (
        "code,name,cityCode,provinceCode\n"
        '513401,"西昌市",5134,51\n513402,"会理市",5134,51\n510104,"锦江区",5101,51\n'
    ),
    "streets.csv": (
        "code,name,areaCode,provinceCode,cityCode\n"
        '513401001,"北城街道",513401,51,5134\n'
        '513401101,"礼州镇",513401,51,5134\n'
        '513402100,"鹿厂镇",513402,51,5134\n'
        '510104020,"春熙路街道",510104,51,5101\n'
    ),
    "villages.csv": (
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        '513401001003,"大通门社区居民委员会",513401001,51,5134,513401\n'
        '513401101200,"陈远村村民委员会",513401101,51,5134,513401\n'
        '513401101201,"白沙村村民委员会",513401101,51,5134,513401\n'
        '513402100200,"鹿厂村村民委员会",513402100,51,5134,513402\n'
        '510104020001,"书院街社区居民委员会",510104020,51,5101,510104\n'
    ),
}


@pytest.fixture(scope="class")
def city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[seeding.SeedSummary]:
    """西昌 seeded once for ``TestCity``, inside a transaction rolled back after it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed("city", seed=2026, months=0)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def fast_hashers() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def shape(unit: Unit) -> Any:
    assert unit.geometry is not None, unit.code
    return from_geojson(unit.geometry)


def assert_tiles(parent: Unit, children: list[Unit]) -> None:
    """The children's polygons cover the parent and do not overlap (up to rounding)."""
    outer = shape(parent)
    pieces = [shape(child) for child in children]
    assert all(piece.is_valid and piece.area > 0 for piece in pieces)
    tolerance = 1e-3 * outer.area
    assert math.isclose(sum(p.area for p in pieces), outer.area, rel_tol=1e-3)
    assert shapely.union_all(pieces).symmetric_difference(outer).area <= tolerance
    tree = shapely.STRtree(pieces)
    left, right = tree.query(pieces, predicate="intersects")
    pairs = left < right
    array = np.asarray(pieces)
    overlap = shapely.area(shapely.intersection(array[left[pairs]], array[right[pairs]]))
    assert float(overlap.sum()) <= tolerance


# --- the city ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestCity:
    """西昌 at the city scale, seeded once for all of these."""

    def test_city_has_the_real_townships_villages_and_communities(self, city: Any) -> None:
        counts = Counter(Unit.objects.values_list("kind", flat=True))
        assert counts["county"] == 1
        assert counts["street"] + counts["township"] == 25
        assert (counts["street"], counts["township"]) == (7, 18)
        assert (counts["village"], counts["community"]) == (129, 45)
        assert counts["department"] == 8
        assert counts["grid"] == city.counts["grid"] > 174
        root = Unit.objects.get(parent=None)
        assert (root.code, root.name, root.path, root.depth) == ("513401", "西昌市", "513401", 0)
        assert Unit.objects.get(code="513401101").name == "礼州镇"
        assert Unit.objects.get(code="513401D01").name == "西昌市住房和城乡建设局"

    def test_every_path_depth_and_peer_group_is_consistent(self, city: Any) -> None:
        units = {u.pk: u for u in Unit.objects.all()}
        for u in units.values():
            if u.parent_id is None:
                continue
            parent = units[u.parent_id]
            assert u.path == f"{parent.path}.{u.code}"
            assert u.depth == parent.depth + 1
            assert u.peer_group == f"513401:{u.kind}"

    def test_grids_hold_300_to_500_households_and_numbers_add_up(self, city: Any) -> None:
        grids = list(Unit.objects.filter(kind="grid").select_related("parent"))
        assert all(300 <= g.households <= 500 for g in grids)
        assert all(g.population > 0 for g in grids)
        per_village: dict[int, list[Unit]] = {}
        for g in grids:
            per_village.setdefault(g.parent_id or 0, []).append(g)
        villages = list(Unit.objects.filter(kind__in=["village", "community"]))
        assert {v.pk for v in villages} == set(per_village)
        for v in villages:
            mine = per_village[v.pk]
            assert v.households == sum(g.households for g in mine)
            assert v.population == sum(g.population for g in mine)
            assert sorted(g.code for g in mine)[0] == f"{v.code}001"
        root = Unit.objects.get(code="513401")
        assert root.population == 950_000
        assert 2.6 <= root.population / root.households <= 3.0
        townships = Unit.objects.filter(kind__in=["street", "township"])
        assert sum(t.population for t in townships) == 950_000
        # the streets (街道) of the town centre are denser than the townships
        density = {
            kind: sum(t.population for t in townships if t.kind == kind)
            / sum(shape(t).area for t in townships if t.kind == kind)
            for kind in ("street", "township")
        }
        assert density["street"] > 3 * density["township"]

    def test_grid_names_follow_their_village(self, city: Any) -> None:
        grid = Unit.objects.get(code="513401101201001")
        assert grid.name == "白沙村第1网格"
        assert grid.parent is not None and grid.parent.name == "白沙村村民委员会"
        assert Unit.objects.get(code="513401001003001").name == "大通门社区第1网格"

    def test_polygons_tile_their_parents(self, city: Any) -> None:
        root = Unit.objects.get(code="513401")
        assert_tiles(root, list(Unit.objects.filter(parent=root).exclude(kind="department")))
        for code in ("513401001", "513401101", "513401228"):
            township = Unit.objects.get(code=code)
            assert_tiles(township, list(Unit.objects.filter(parent=township)))
        villages = Unit.objects.filter(kind__in=["village", "community"]).order_by("code")
        for village in list(villages)[::25]:
            assert_tiles(village, list(Unit.objects.filter(parent=village)))
        # about where 西昌 is
        centre = shape(root).centroid
        assert abs(centre.x - 102.26) < 0.3 and abs(centre.y - 27.9) < 0.3

    def test_every_role_has_a_demo_login_with_a_membership(self, city: Any) -> None:
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff
        assert admin.check_password(DEMO_PASSWORD)
        held = {m.role: m for m in Membership.objects.select_related("unit", "user")}
        assert set(held) == set(Role.values)
        assert held["city_admin"].unit.code == "513401"
        assert held["unit_leader"].unit.code == "513401101"
        # the township's discipline office (纪委); ``committee`` is a village's supervisor
        assert Membership.objects.get(user__username="supervisor").unit.code == "513401101"
        village = held["village_cadre"].unit
        assert village.kind == "village" and village.parent_id == held["unit_leader"].unit.pk
        assert held["department_staff"].unit.kind == "department"
        grids = set(Unit.objects.filter(parent=village).values_list("pk", flat=True))
        workers = Membership.objects.filter(role="grid_worker")
        assert set(workers.values_list("unit_id", flat=True)) == grids
        for user in User.objects.all():
            assert user.full_name and user.phone.startswith("1380834")
            assert user.check_password(DEMO_PASSWORD)

        logins = demo_logins()
        assert [row["username"] for row in logins[:5]] == [
            "admin",
            "city_admin",
            "unit_leader",
            "supervisor",
            "village_cadre",
        ]
        assert {row["username"] for row in logins} == set(
            User.objects.values_list("username", flat=True)
        )
        by_name = {row["username"]: row for row in logins}
        assert by_name["unit_leader"] == {
            "username": "unit_leader",
            "role": "Township leader",
            "unit": "礼州镇",
        }

    def test_the_seed_is_audited(self, city: Any) -> None:
        entry = AuditEntry.objects.get(action="demo.city.seeded")
        assert entry.after["scale"] == "city"
        assert entry.after["units"]["village"] == 129
        assert entry.unit_path == "513401"

    def test_a_database_with_units_is_refused(self, city: Any) -> None:
        count = Unit.objects.count()
        assert not database_is_empty()
        with pytest.raises(SeedError):
            seed("town")
        with pytest.raises(CommandError):
            call_command("seed", "--scale", "town", stdout=io.StringIO())
        assert Unit.objects.count() == count

    def test_the_town_is_the_same_township_as_in_the_city(self, city: Any) -> None:
        plan = load_plan("town", seed=2026)
        (township,) = plan.root.children
        assert township.code == "513401101"
        assert to_geojson(township.geometry) == Unit.objects.get(code="513401101").geometry

    def test_importing_the_province_later_moves_the_city_under_it(
        self, city: Any, tmp_path: Path
    ) -> None:
        directory = tmp_path / "divisions"
        directory.mkdir()
        for name in ("provinces.csv", "cities.csv", "areas.csv"):
            (directory / name).write_text(SMALL_DIVISIONS[name], encoding="utf-8")
        grids = Unit.objects.filter(kind="grid").count()

        summary = import_divisions(directory, under="513401")

        assert summary.moved == 1
        root = Unit.objects.get(code="513401")
        assert root.path == "51.5134.513401"
        assert Unit.objects.filter(kind="grid", path__startswith="51.5134.513401.").count() == grids
        grid = Unit.objects.get(code="513401101201001")
        assert (grid.path, grid.depth) == (
            "51.5134.513401.513401101.513401101201.513401101201001",
            5,
        )


# --- determinism, atomicity, other scales -------------------------------------------------


def test_the_plan_is_deterministic_for_a_seed() -> None:
    def fingerprint(plan: Any) -> list[tuple[Any, ...]]:
        return [
            (u.code, u.population, u.households, tuple(u.grid_households), u.geometry.wkb)
            for u in plan.units()
        ]

    a = load_plan("city", seed=7)
    b = load_plan("city", seed=7)
    c = load_plan("city", seed=8)
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)


@pytest.mark.django_db
def test_the_seeded_database_is_deterministic(fast_hashers: None) -> None:
    def dump() -> list[tuple[Any, ...]]:
        return list(
            Unit.objects.order_by("code").values_list(
                "code", "name", "kind", "path", "population", "households", "geometry"
            )
        )

    seed("town", seed=11)
    first = dump()
    seed("town", seed=11, reset=True)
    assert dump() == first
    seed("town", seed=12, reset=True)
    assert dump() != first
    # the same real units; only the generated grids differ in number
    real = [row[0] for row in first if row[2] != "grid"]
    assert [row[0] for row in dump() if row[2] != "grid"] == real


@pytest.mark.django_db
def test_the_town_scale(fast_hashers: None) -> None:
    summary = seed("town", seed=2026)
    townships = Unit.objects.filter(kind__in=["street", "township"])
    assert [t.code for t in townships] == ["513401101"]
    villages = summary.counts["village"] + summary.counts["community"]
    assert villages == Unit.objects.filter(parent=townships[0]).count() == 13
    root = Unit.objects.get(code="513401")
    assert root.population == townships[0].population
    assert Membership.objects.filter(role="unit_leader", unit=townships[0]).exists()


@pytest.mark.django_db
def test_an_interrupted_seed_leaves_nothing(
    fast_hashers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    real = seeding.plan_grids

    def interrupted(village: Any, seed: int) -> Any:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt
        return real(village, seed)

    monkeypatch.setattr(seeding, "plan_grids", interrupted)
    with pytest.raises(KeyboardInterrupt):
        seed("town")
    assert database_is_empty()
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_prefecture_scale_reads_the_division_files(fast_hashers: None, tmp_path: Path) -> None:
    directory = tmp_path / "divisions"
    directory.mkdir()
    for name, text in SMALL_DIVISIONS.items():
        (directory / name).write_text(text, encoding="utf-8")
    with pytest.raises(SeedError):
        seed("prefecture")

    summary = seed("prefecture", divisions_dir=directory)

    root = Unit.objects.get(parent=None)
    assert (root.code, root.kind, root.name) == ("5134", "prefecture", "凉山彝族自治州")
    counties = Unit.objects.filter(kind="county")
    assert {c.code for c in counties} == {"513401", "513402"}
    # four villages cannot hold 4.86 million people: each stops at the ceiling
    assert root.population == sum(c.population for c in counties) == 4 * 60_000
    assert not Unit.objects.filter(code__startswith="5101").exists()
    assert summary.counts["department"] == 16
    assert Unit.objects.get(code="513402D01").name == "会理市住房和城乡建设局"
    assert_tiles(root, list(Unit.objects.filter(kind="county")))
    grids = Unit.objects.filter(kind="grid")
    assert grids.exists() and all(300 <= g.households <= 500 for g in grids)


def test_the_command_prints_the_logins(fast_hashers: None, db: Any) -> None:
    out = io.StringIO()
    call_command("seed", "--scale", "town", "--seed", "3", "--months", "12", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert "village_cadre" in text and "礼州镇" in text
    assert "seed 3" in text


# --- the arithmetic --------------------------------------------------------------------------


def test_split_is_exact_and_respects_floors() -> None:
    shares = split(10_000, [1.0, 2.0, 3.0], [1_000, 1_000, 1_000])
    assert sum(shares) == 10_000 and min(shares) >= 1_000
    assert shares[0] < shares[1] < shares[2]


@pytest.mark.parametrize("households", [300, 420, 500, 600, 601, 999, 1000, 1001, 1499, 8765])
def test_grid_sizes_stay_within_bounds(households: int) -> None:
    import random

    sizes = grid_sizes(households, random.Random(households))
    assert sum(sizes) == households
    assert all(300 <= s <= 500 for s in sizes)


def test_village_households_avoid_the_gap_between_one_and_two_grids() -> None:
    import random

    rng = random.Random(1)
    for population in range(1_000, 2_000, 7):
        h = village_households(population, "village", rng)
        assert h >= 300 and not 500 < h < 600
