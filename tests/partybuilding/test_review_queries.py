"""Every list page of party building (but the decision log's) reads a fixed number of
queries: the same with one record of each kind as with several in several villages (no
query per row). Calendar queries (``common_calendar``, cached per process) are left out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.partybuilding.actions import culture as culture_actions
from grassroots.partybuilding.actions import meetings_resolutions as resolution_actions
from tests.conftest import ensure_party_defaults
from tests.partybuilding import meetings_support as ms
from tests.partybuilding import venues_support as vs
from tests.partybuilding.competitions_support import make_competition
from tests.partybuilding.culture_support import png_bytes, upload

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    ("home", {}),
    ("meetings", {}),
    ("missed", {"period": "2026-09"}),
    ("venues", {}),
    ("venues_map", {}),
    ("checklist", {}),
    ("songs", {}),
    ("histories", {}),
    ("mottos", {}),
    ("performers", {}),
    ("competitions", {}),
    ("judging", {}),
]


@pytest.fixture(autouse=True)
def _clock(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    ensure_party_defaults()
    with time_machine.travel(ms.NOW, tick=False):
        yield


def add_round(tree: dict[str, Any], admin: Any, cadres: dict[Any, Any], n: int) -> None:
    """One more record of every kind in each of the villages of ``cadres``."""
    for unit, cadre in cadres.items():
        meeting = ms.held(cadre, unit, f"2026-{n:02d}", f"2026-{n:02d}-10")
        resolution_actions.add_resolution(
            meeting.pk, actor=cadre, title=f"决议{n}", members_total=7,
            members_present=5, votes_for=5,
        )  # fmt: skip
        v = vs.venue(admin, unit, f"{unit.name}阵地{n}")
        vs.inspect(admin, v, "2026-10-01", vs.all_ids(), photos=[vs.photo()])
        culture_actions.create_song(unit, {"title": f"歌{n}"}, actor=admin)
        history = culture_actions.create_history(
            unit, {"title": f"史{n}", "body": "<p>古</p>"}, actor=admin
        )
        culture_actions.add_history_photos(
            history.pk, [upload("h.png", png_bytes(), "image/png")], actor=admin
        )
        culture_actions.create_motto(unit, {"family": f"王{n}", "motto": "勤俭"}, actor=admin)
        culture_actions.create_performer(
            unit, {"name": f"阿说{n}", "specialty": "singing", "phone": "13912345678"}, actor=admin
        )
    make_competition(tree["lizhou"], admin, title=f"竞演{n}")


@pytest.mark.parametrize("role", ["city_admin", "xc_secretary", "village_cadre"])
def test_every_list_page_reads_a_fixed_number_of_queries(
    tree: dict[str, Any],
    city_admin: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    request: Any,
    login: Any,
    role: str,
) -> None:
    client = login(request.getfixturevalue(role))
    cadres = {tree["village"]: village_cadre, tree["neighbour_village"]: neighbour_cadre}

    def counts() -> dict[str, int]:
        found: dict[str, int] = {}
        for name, query in [*LIST_PAGES, ("village_archive", {})]:
            args = [tree["village"].code] if name == "village_archive" else []
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse(f"partybuilding:{name}", args=args), query)
            if name == "checklist" and role != "city_admin":
                assert response.status_code == 403
                continue
            assert response.status_code == 200, name
            found[name] = len(
                [q for q in ctx.captured_queries if "common_calendar" not in q["sql"]]
            )
        return found

    add_round(tree, city_admin, cadres, 7)
    client.get(reverse("partybuilding:home"))  # warm the per-process caches
    few = counts()
    for n in (8, 9):
        add_round(tree, city_admin, cadres, n)
    many = counts()
    grew: Callable[[str], bool] = lambda name: many[name] > few[name]  # noqa: E731
    assert [n for n in few if grew(n)] == [], (few, many)


def test_the_resolutions_actions_import_first() -> None:
    """``actions.meetings_resolutions`` imported before ``actions.meetings`` (a fresh
    process) used to fail on a circular import."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'grassroots.settings'); django.setup(); "
        "import grassroots.partybuilding.actions.meetings_resolutions; "
        "from grassroots.partybuilding.actions.meetings import add_resolution; print('ok')"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
