"""The fixed cast shared by the whole suite.

A small real-shaped tree (西昌市 → two townships → villages → grids, plus a department)
and one person per role, so that a permission test is one line:

    西昌市 513401                      city_admin
    ├── 礼州镇 513401101               xc_secretary (unit_leader), supervisor
    │   ├── 礼州村 513401101201        village_cadre
    │   │   └── 网格 513401101201001   grid_worker
    │   └── 田坝村 513401101202        neighbour_cadre
    ├── 安宁镇 513401102               outsider (unit_leader of another township)
    │   └── 安宁村 513401102201
    └── 住建局 513401D01               dept_staff
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import itertools
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import chinese_calendar
import pytest
import time_machine
from django.test import Client
from hypothesis import settings as hypothesis_settings

from grassroots.common.idnumbers import id_check_char

# Property tests run the same examples on every run (CI never fails by the luck of the draw;
# a failure found once is found again); GRASSROOTS_HYPOTHESIS=explore draws new ones.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore")
hypothesis_settings.load_profile(os.environ.get("GRASSROOTS_HYPOTHESIS", "repeatable"))


def ensure_party_defaults() -> None:
    """Give a test the decision rules and the venue checklist that the party-building
    migration seeds."""
    from django.apps import apps as django_apps

    from grassroots.partybuilding.models import ChecklistItem, DecisionRule

    if not DecisionRule.objects.exists() or not ChecklistItem.objects.exists():
        importlib.import_module("grassroots.partybuilding.migrations.0002_defaults").add(
            django_apps, None
        )


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Argon2 costs up to a second per user here; tests that check hashing opt back in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _admin_two_factor_off(settings: Any) -> None:
    """Administrators' second log-in step (``org.twofactor``) is off for the suite, whose
    fixtures log in with ``force_login``; tests/org/test_twofactor.py turns it on."""
    settings.ADMIN_TWO_FACTOR = False


@pytest.fixture(autouse=True)
def _fresh_grid_index() -> Iterator[None]:
    """The grid index is cached per process; a rolled-back test sends no signal to drop it."""
    from grassroots.common.geo import invalidate_grid_index

    invalidate_grid_index()
    yield
    invalidate_grid_index()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Every test starts in the site's language (Chinese): a page served in English through
    the test client leaves English active in the thread (LocaleMiddleware activates a
    language and nothing deactivates it), which changed later tests' messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Pages cache what they computed (dashboards, portal snapshots, maps) under keys that a
    rolled-back test may reuse with other rows: every test starts from an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


LAST_LIBRARY_YEAR = max(chinese_calendar.holidays).year


def seed_migration() -> ModuleType:
    return importlib.import_module("grassroots.common.migrations.0002_seed_chinese_calendar")


@contextlib.contextmanager
def seeded_town(blocker: Any, *, months: int, now: dt.datetime) -> Iterator[Any]:
    """The demo's 礼州镇 (``seed("town", seed=2026, months=…)``) written at ``now`` inside a
    transaction that is rolled back afterwards: for module-scoped fixtures that seed once."""
    from django.db import transaction
    from django.test.utils import override_settings

    from grassroots.demo.seeding import seed

    with (
        blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        time_machine.travel(now, tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_seeded()
            yield seed("town", seed=2026, months=months)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def ensure_seeded() -> None:
    """Give a test the seeded official calendar and key groups back: a transactional test
    (which empties every table when it ends) may have run before it."""
    from django.apps import apps as django_apps

    from grassroots.common import workdays
    from grassroots.common.models import CalendarDay, CalendarYear

    ensure_key_groups()
    ensure_party_defaults()
    if CalendarYear.objects.filter(year=LAST_LIBRARY_YEAR, complete=True).exists():
        return
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    seed_migration().seed_calendar(django_apps, None)
    workdays.mark_stale()


def ensure_key_groups() -> None:
    """Give a test the key groups the residents' migration seeds (a transactional test run
    before it may have emptied the table)."""
    from django.apps import apps as django_apps

    from grassroots.residents.models import KeyGroup

    if not KeyGroup.objects.exists():
        importlib.import_module("grassroots.residents.migrations.0002_key_groups").add(
            django_apps, None
        )


@pytest.fixture
def official_calendar(db: Any) -> None:
    """The official working-day calendar as the migration seeds it."""
    ensure_seeded()


@pytest.fixture
def tree(db: Any) -> dict[str, Any]:
    from grassroots.org.models import Unit, UnitKind

    def unit(code: str, name: str, kind: str, parent: Unit | None = None, **kw: Any) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=kind, parent=parent, **kw)

    city = unit("513401", "西昌市", UnitKind.COUNTY, population=950000, households=340000)
    lizhou = unit("513401101", "礼州镇", UnitKind.TOWNSHIP, city, peer_group="513401:township")
    anning = unit("513401102", "安宁镇", UnitKind.TOWNSHIP, city, peer_group="513401:township")
    v1 = unit("513401101201", "礼州村", UnitKind.VILLAGE, lizhou, peer_group="513401:village")
    v2 = unit("513401101202", "田坝村", UnitKind.VILLAGE, lizhou, peer_group="513401:village")
    v3 = unit("513401102201", "安宁村", UnitKind.VILLAGE, anning, peer_group="513401:village")
    grid = unit("513401101201001", "礼州村第1网格", UnitKind.GRID, v1)
    dept = unit("513401D01", "西昌市住房和城乡建设局", UnitKind.DEPARTMENT, city)
    return {
        "city": city,
        "lizhou": lizhou,
        "anning": anning,
        "village": v1,
        "neighbour_village": v2,
        "other_village": v3,
        "grid": grid,
        "department": dept,
    }


def _person(username: str, role: str | None, unit: Any, **extra: Any) -> Any:
    from grassroots.org.models import Membership, User

    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=extra.pop("full_name", username), **extra
    )
    if role is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def city_admin(tree: dict[str, Any]) -> Any:
    return _person("city_admin", "city_admin", tree["city"], full_name="王主任")


@pytest.fixture
def xc_secretary(tree: dict[str, Any]) -> Any:
    return _person("xc_secretary", "unit_leader", tree["lizhou"], full_name="李书记")


@pytest.fixture
def supervisor(tree: dict[str, Any]) -> Any:
    return _person("supervisor", "supervisor", tree["lizhou"], full_name="赵监督")


@pytest.fixture
def committee_member(tree: dict[str, Any]) -> Any:
    """A member of 礼州村's oversight committee (村务监督委员会): a supervisor of the village."""
    return _person("committee_member", "supervisor", tree["village"], full_name="孙监委")


@pytest.fixture
def village_cadre(tree: dict[str, Any]) -> Any:
    return _person(
        "village_cadre",
        "village_cadre",
        tree["village"],
        full_name="张村长",
        phone="13812345678",
    )


@pytest.fixture
def neighbour_cadre(tree: dict[str, Any]) -> Any:
    return _person("neighbour_cadre", "village_cadre", tree["neighbour_village"])


@pytest.fixture
def grid_worker(tree: dict[str, Any]) -> Any:
    return _person("grid_worker", "grid_worker", tree["grid"], full_name="阿衣格格")


@pytest.fixture
def dept_staff(tree: dict[str, Any]) -> Any:
    return _person("dept_staff", "department_staff", tree["department"])


@pytest.fixture
def outsider(tree: dict[str, Any]) -> Any:
    return _person("outsider", "unit_leader", tree["anning"], full_name="外乡书记")


@pytest.fixture
def resident(tree: dict[str, Any]) -> Any:
    return _person("resident", None, None, full_name="群众甲")


@pytest.fixture
def login() -> Any:
    """``login(user)`` → a test client with that user's session."""

    def _login(user: Any) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, and on PostgreSQL, before it is dropped, the sessions
    that threads of the tests left open on it (a live server's or a job's connection kept
    for ``CONN_MAX_AGE``) are listed on stderr and ended: the server refuses to drop a
    database someone is connected to, which failed a whole run at its very end."""
    yield
    import sys

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, left(query, 120) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        left = cursor.fetchall()
        for pid, state, query in left:
            print(f"\nleft open on the test database: {pid} {state}: {query}", file=sys.stderr)
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


# --- households and residents (residents app; the registers read them) -----------------

_household_numbers = itertools.count(1)


def valid_id_number(birth: str = "19800101", serial: int = 1, *, male: bool = True) -> str:
    """A well-formed ID number of 西昌 (513401) born on ``birth`` (YYYYMMDD)."""
    order = (serial * 2 + (1 if male else 0)) % 1000
    first17 = f"513401{birth}{order:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def make_household(tree: dict[str, Any]) -> Any:
    """``make_household(members=2, grid=tree["grid"], **fields)`` → a saved Household of the
    test grid (礼州村第1网格) with a head and ``members - 1`` others (written directly, not
    through the actions)."""
    from grassroots.residents.models import Household, Resident

    ensure_key_groups()

    def _make(members: int = 2, grid: Any = None, **kw: Any) -> Any:
        n = next(_household_numbers)
        grid = grid or tree["grid"]
        fields: dict[str, Any] = {
            "grid": grid,
            "village": grid.parent,
            "number": f"H{n:05d}",
            "address": f"礼州村{n}组{n}号",
        }
        fields.update(kw)
        household = Household.objects.create(**fields)
        for i in range(members):
            Resident.objects.create(
                household=household,
                name=f"居民{n}{'甲乙丙丁戊'[i % 5]}",
                gender="m" if i % 2 == 0 else "f",
                # 500 sequence numbers a day: every 50 households the next birthday, so that
                # no two people of a test share an ID number (its blind index is unique).
                id_number=valid_id_number(
                    (dt.date(1980, 1, 1) + dt.timedelta(days=n // 50)).strftime("%Y%m%d"),
                    n * 10 + i,
                    male=i % 2 == 0,
                ),
                phone=f"139{n:04d}{i:04d}",
                relationship="head" if i == 0 else "child",
            )
        return household

    return _make


# --- a browser for the tests that look at pages in Chromium -----------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, /usr/bin/chromium) for every test of a module
    (starting one costs about a second); the module is skipped without it."""
    from tests.e2e.browsing import CHROMIUM, LAUNCH_ARGS, chromium_missing

    sync_api = pytest.importorskip("playwright.sync_api")
    if chromium_missing():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
            )
            try:
                yield chromium
            finally:
                chromium.close()
