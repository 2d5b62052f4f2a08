"""Review of the assessment's pages and API as every role: nothing of another village, nor
of a version still under the office's review, is found; bad input (garbage ids, numbers
beyond any id, filters that are not numbers, wrong methods) is a 4xx, never a 500, and
changes nothing; refusals of publishing and freezing are a 4xx with the reason on the page;
the lists issue no query per row.

The world: the village scheme of 西昌 computed for 2026-10 and published (v1), then computed
again (v2, under review); an entry indicator with figures of 礼州村 and 田坝村 (with
evidence), a rating form sent to a rater, and one appeal each of 礼州村 and 田坝村.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.appeals import decide_appeal, submit_appeal
from grassroots.assessment.actions.entries import enter_value
from grassroots.assessment.actions.publishing import publish_run
from grassroots.assessment.actions.ratings import create_form
from grassroots.assessment.models import (
    Appeal,
    Category,
    Indicator,
    ManualEntry,
    Publication,
    Result,
    Run,
    Score,
)
from grassroots.assessment.states import RunState
from tests.assessment.conftest import CST

pytestmark = pytest.mark.usefixtures("events")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Beyond any id (a signed 64-bit integer): the database driver cannot even take it.
HUGE = "99999999999999999999"
UNIT_ROLES = ("village_cadre", "neighbour_cadre", "xc_secretary", "outsider", "supervisor")
OUTSIDERS = ("resident", "dept_staff", "grid_worker", "rater")


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("依据.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def rater(tree: dict[str, Any]) -> Any:
    from grassroots.org.models import Membership, User

    user = User.objects.create_user(username="rater_x", password="x", full_name="测评人")
    Membership.objects.create(user=user, unit=tree["city"], role="rater")
    return user


@pytest.fixture
def world(
    scheme_factory: Any,
    tree: dict[str, Any],
    city_admin: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    rater: Any,
) -> dict[str, Any]:
    scheme = scheme_factory(shrinkage=False, significance=False)
    common = {"weight": Decimal(0), "rule": "range_linear", "params": {"floor": 0, "target": 100}}
    visits = Indicator.objects.create(
        scheme=scheme,
        code="visits",
        name="入户走访",
        category=Category.SPECIFIC,
        source="entry",
        position=20,
        **common,
    )
    rating = Indicator.objects.create(
        scheme=scheme,
        code="rating",
        name="满意度",
        category=Category.SATISFACTION,
        source="manual",
        position=21,
        **common,
    )
    entries = {
        key: enter_value(
            visits, tree[key], "2026-10", Decimal(90), note="台账", evidence=pdf(), actor=city_admin
        )
        for key in ("village", "neighbour_village")
    }
    form = create_form(
        scheme,
        indicator=rating,
        period="2026-10",
        title="测评",
        closes_on=dt.date(2026, 10, 31),
        raters=[rater],
        actor=city_admin,
    )
    run = compute_run(scheme, "2026-10", actor=city_admin)
    publish_run(run, actor=city_admin)
    run.refresh_from_db()
    draft = compute_run(scheme, "2026-10", actor=city_admin)  # v2, under the office's review
    patrol = Indicator.objects.get(scheme=scheme, code="patrol")
    appeals = {
        key: submit_appeal(
            run,
            tree[key],
            patrol,
            reason="巡查记录漏计",
            claimed_value=None,
            evidence=pdf(),
            actor=actor,
        )
        for key, actor in (("village", village_cadre), ("neighbour_village", neighbour_cadre))
    }
    return {
        "scheme": scheme,
        "run": run,
        "draft": draft,
        "form": form,
        "patrol": patrol,
        "entries": entries,
        "appeals": appeals,
        "scores": {
            key: Score.objects.get(run=run, unit=tree[key], indicator=patrol)
            for key in ("village", "neighbour_village")
        },
    }


@pytest.fixture
def clients(request: Any, login: Any) -> dict[str, Client]:
    found = {"anonymous": Client()}
    for name in (*UNIT_ROLES, *OUTSIDERS, "city_admin"):
        found[name] = login(request.getfixturevalue(name))
    return found


def status(client: Client, url: str, method: str = "get", **kw: Any) -> int:
    response = getattr(client, method)(url, **kw)
    handle = getattr(response, "file_to_stream", None)
    if handle is not None:  # a download holds its file open (closing the response would
        handle.close()  # also signal the end of a request, which closes the connection)
    return int(response.status_code)


def api_error(response: Any, field: str) -> str:
    return str(response.json()[field][0])


# --- scope -----------------------------------------------------------------------------------


def test_a_version_under_review_is_found_on_no_route_by_the_units(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any]
) -> None:
    draft, run = world["draft"], world["run"]
    village = tree["village"].pk
    pages = [
        f"/assessment/runs/{draft.pk}/",
        f"/assessment/runs/{draft.pk}/export.xlsx",
        f"/assessment/runs/{draft.pk}/units/{village}/",
        f"/assessment/runs/{draft.pk}/appeal/",
        f"/assessment/runs/{draft.pk}/appeal/?unit=513401101201&indicator=patrol",
        f"/assessment/runs/{run.pk}/diff/{draft.pk}/",
        f"/assessment/runs/{draft.pk}/diff/",
        f"/api/v1/assessment/runs/{draft.pk}/",
    ]
    for role in UNIT_ROLES:
        for url in pages:
            assert status(clients[role], url) in (403, 404), (role, url)  # never a 500
        # a unit's people publish nothing: refused before the run is even looked up
        assert status(clients[role], f"/assessment/runs/{draft.pk}/publish/") == 403
    answer = clients["village_cadre"].post(
        "/api/v1/assessment/appeals/",
        {"run": draft.pk, "unit": "513401101201", "indicator": "patrol", "reason": "漏计"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert Appeal.objects.filter(run=draft).count() == 0
    for url in pages:
        assert status(clients["city_admin"], url) in (200, 403), url  # the office sees it


def test_another_villages_records_are_found_nowhere(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    run, client = world["run"], clients["village_cadre"]
    theirs = {
        "score": world["scores"]["neighbour_village"],
        "appeal": world["appeals"]["neighbour_village"],
        "entry": world["entries"]["neighbour_village"],
    }
    for url in (
        f"/assessment/runs/{run.pk}/units/{tree['neighbour_village'].pk}/",
        f"/assessment/scores/{theirs['score'].pk}/evidence/",
        f"/assessment/appeals/{theirs['appeal'].pk}/",
        f"/assessment/appeals/{theirs['appeal'].pk}/evidence/",
        f"/assessment/entries/{theirs['entry'].pk}/evidence/",
        f"/assessment/runs/{run.pk}/appeal/?unit=513401101202",
        f"/api/v1/assessment/scores/{theirs['score'].pk}/",
        f"/api/v1/assessment/scores/{theirs['score'].pk}/evidence/",
        f"/api/v1/assessment/appeals/{theirs['appeal'].pk}/",
    ):
        assert status(client, url) == 404, url
    for url in (
        f"/assessment/runs/{run.pk}/",
        "/assessment/appeals/",
        "/assessment/entries/",
        "/assessment/mine/",
        f"/api/v1/assessment/runs/{run.pk}/",
        "/api/v1/assessment/results/?unit=513401101202",
        "/api/v1/assessment/scores/?unit=513401101202",
        "/api/v1/assessment/appeals/",
    ):
        body = client.get(url).content.decode()
        assert "田坝村" not in body and "513401101202" not in body, url
    book = load_workbook(
        filename=__import__("io").BytesIO(
            client.get(f"/assessment/runs/{run.pk}/export.xlsx").content
        )
    )
    rows = [
        row for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [row[1] for row in rows] == ["513401101201"]


def test_people_without_the_assessment_see_nothing_of_it(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any]
) -> None:
    run = world["run"]
    for role in OUTSIDERS:
        client = clients[role]
        for url in (
            f"/assessment/runs/{run.pk}/",
            f"/assessment/runs/{run.pk}/export.xlsx",
            f"/assessment/scores/{world['scores']['village'].pk}/evidence/",
            f"/assessment/appeals/{world['appeals']['village'].pk}/evidence/",
            f"/assessment/entries/{world['entries']['village'].pk}/evidence/",
            f"/api/v1/assessment/runs/{run.pk}/",
        ):
            assert status(client, url) in (403, 404), (role, url)
        assert client.get("/api/v1/assessment/results/").json()["count"] == 0
        assert client.get("/api/v1/assessment/appeals/").json()["count"] == 0
    assert status(clients["anonymous"], f"/assessment/runs/{run.pk}/") == 302
    assert status(clients["anonymous"], "/api/v1/assessment/results/") == 403


def test_the_unit_follows_its_accepted_appeal_to_the_new_version_and_no_further(
    world: dict[str, Any], clients: dict[str, Client], city_admin: Any
) -> None:
    appeal = decide_appeal(
        world["appeals"]["village"],
        accept=True,
        reason="核实",
        corrected_value=Decimal(100),
        actor=city_admin,
    )
    url = f"/assessment/runs/{world['run'].pk}/diff/{appeal.new_run_id}/"
    assert url in clients["village_cadre"].get(f"/assessment/appeals/{appeal.pk}/").content.decode()
    own = clients["village_cadre"].get(url)
    assert own.status_code == 200 and "礼州村" in own.content.decode()
    assert "田坝村" not in own.content.decode()
    # the neighbour's appeal made no version: the new one is not the neighbour's to see
    assert status(clients["neighbour_cadre"], url) == 404
    draft = world["draft"].pk
    assert (
        status(clients["village_cadre"], f"/assessment/runs/{world['run'].pk}/diff/{draft}/") == 404
    )


# --- bad input ---------------------------------------------------------------------------------


def test_numbers_beyond_any_id_are_not_found(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    run = world["run"].pk
    urls = [
        f"/assessment/schemes/{HUGE}/",
        f"/assessment/runs/{HUGE}/",
        f"/assessment/runs/{HUGE}/export.xlsx",
        f"/assessment/runs/{run}/units/{HUGE}/",
        f"/assessment/scores/{HUGE}/evidence/",
        f"/assessment/runs/{HUGE}/appeal/",
        f"/assessment/runs/{run}/diff/{HUGE}/",
        f"/assessment/runs/{HUGE}/diff/",
        f"/assessment/appeals/{HUGE}/",
        f"/assessment/appeals/{HUGE}/evidence/",
        f"/assessment/forms/{HUGE}/",
        f"/assessment/forms/{HUGE}/sheet/",
        f"/assessment/entries/{HUGE}/evidence/",
        f"/api/v1/assessment/runs/{HUGE}/",
        f"/api/v1/assessment/results/{HUGE}/",
        f"/api/v1/assessment/scores/{HUGE}/evidence/",
        f"/api/v1/assessment/appeals/{HUGE}/",
    ]
    for role in ("village_cadre", "city_admin", "rater"):
        clients[role].raise_request_exception = False
        for url in urls:
            assert status(clients[role], url) in (403, 404), (role, url)  # never a 500


@pytest.mark.parametrize(
    "params",
    [
        {"page": "x"},
        {"page": HUGE},
        {"year": "abc"},
        {"year": HUGE},
        {"scheme": "abc"},
        {"scheme": HUGE},
        {"scheme": "-1"},
        {"period": "x" * 300},
        {"category": "zzz", "source": "zzz", "q": "\x00"},
        {"period": "2026-10\x00"},
        {"q": "巡查\x00"},
        {"counted": "2"},
        {"state": "bogus"},
    ],
)
def test_the_pages_ignore_filters_that_name_nothing(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any], params: dict[str, str]
) -> None:
    run = world["run"].pk
    for role in ("village_cadre", "city_admin"):
        client = clients[role]
        client.raise_request_exception = False
        for url in (
            "/assessment/catalogue/",
            "/assessment/schemes/",
            "/assessment/runs/",
            f"/assessment/runs/{run}/",
            f"/assessment/scores/{world['scores']['village'].pk}/evidence/",
            "/assessment/mine/",
            "/assessment/publications/",
            "/assessment/appeals/",
            "/assessment/forms/",
            "/assessment/entries/",
            "/public/assessment/",
        ):
            assert status(client, url, data=params) == 200, (role, url, params)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/assessment/runs/?scheme=abc", "scheme"),
        (f"/api/v1/assessment/runs/?scheme={HUGE}", "scheme"),
        ("/api/v1/assessment/schemes/?year=abc", "year"),
        ("/api/v1/assessment/results/?run=abc", "run"),
        (f"/api/v1/assessment/results/?run={HUGE}", "run"),
        (f"/api/v1/assessment/scores/?run={HUGE}", "run"),
        ("/api/v1/assessment/appeals/?state=bogus", "state"),
        ("/api/v1/assessment/runs/?period=2026-10%00", "period"),
        ("/api/v1/assessment/scores/?indicator=patrol%00", "indicator"),
    ],
)
def test_the_api_refuses_filters_that_are_not_numbers_in_chinese(
    world: dict[str, Any], clients: dict[str, Client], url: str, field: str
) -> None:
    client = clients["village_cadre"]
    client.raise_request_exception = False

    answer = client.get(url)

    assert answer.status_code == 400
    message = api_error(answer, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_the_records_filter_of_the_api_is_checked(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    url = f"/api/v1/assessment/scores/{world['scores']['village'].pk}/evidence/"
    client = clients["village_cadre"]

    assert client.get(url, {"counted": "2"}).status_code == 400
    counted = client.get(url, {"counted": "true"}).json()["results"]
    others = client.get(url, {"counted": "false"}).json()["results"]
    assert len(counted) == 3 and len(others) == 1
    assert all(r["counted"] for r in counted) and not any(r["counted"] for r in others)


def test_wrong_methods_are_refused_and_change_nothing(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any]
) -> None:
    run, scheme = world["run"], world["scheme"]
    office = clients["city_admin"]
    runs_before = Run.objects.count()
    for url in (
        "/assessment/",
        "/assessment/catalogue/",
        "/assessment/schemes/",
        "/assessment/runs/",
        f"/assessment/runs/{run.pk}/",
        f"/assessment/runs/{run.pk}/export.xlsx",
        f"/assessment/runs/{run.pk}/units/{tree['village'].pk}/",
        f"/assessment/scores/{world['scores']['village'].pk}/evidence/",
        "/assessment/mine/",
        "/assessment/publications/",
        "/assessment/appeals/",
        f"/assessment/runs/{world['draft'].pk}/diff/",
        "/assessment/forms/",
        "/public/assessment/",
    ):
        assert status(office, url, "post") == 405, url
    for method in ("put", "delete", "patch"):
        assert status(office, f"/assessment/schemes/{scheme.pk}/", method) == 405
        assert status(office, f"/assessment/forms/{world['form'].pk}/", method) == 405
        assert status(office, "/assessment/entries/", method) == 405
        assert status(office, f"/api/v1/assessment/runs/{run.pk}/", method) == 405
    assert Run.objects.count() == runs_before


def test_bad_appeals_are_answered_next_to_the_field_and_write_nothing(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any]
) -> None:
    run, patrol = world["run"], world["patrol"]
    client = clients["xc_secretary"]
    before = Appeal.objects.count()
    url = f"/assessment/runs/{run.pk}/appeal/"
    for data, field in (
        ({"unit": tree["village"].pk, "indicator": patrol.pk}, "reason"),
        ({"unit": "x", "indicator": patrol.pk, "reason": "漏计"}, "unit"),
        ({"unit": tree["other_village"].pk, "indicator": patrol.pk, "reason": "漏计"}, "unit"),
        ({"unit": tree["village"].pk, "indicator": HUGE, "reason": "漏计"}, "indicator"),
        (
            {
                "unit": tree["village"].pk,
                "indicator": patrol.pk,
                "reason": "漏计",
                "claimed_value": "1e30",
            },
            "claimed_value",
        ),
    ):
        page = client.post(url, data)
        assert page.status_code == 400, data
        assert field in page.context["form"].errors, data
    answer = client.post(
        "/api/v1/assessment/appeals/",
        {"run": HUGE, "unit": "513401101201", "indicator": "patrol", "reason": "漏计"},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "run" in answer.json()
    assert Appeal.objects.count() == before


# --- publishing and freezing: refusals on the page ------------------------------------------


def test_a_refused_publication_is_answered_with_the_reason_on_the_page(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    office = clients["city_admin"]
    run = world["run"]  # published already

    page = office.post(f"/assessment/runs/{run.pk}/publish/")

    assert page.status_code == 409
    assert 'class="error refusal"' in page.content.decode()
    assert Publication.objects.filter(run__scheme=world["scheme"]).count() == 1
    scheme = world["scheme"]
    scheme.min_spread = {"min_reward_gini": "0.99"}
    scheme.save(update_fields=["min_spread"])
    refused = office.post(f"/assessment/runs/{world['draft'].pk}/publish/")
    assert refused.status_code == 400
    assert 'class="error refusal"' in refused.content.decode()
    world["draft"].refresh_from_db()
    assert world["draft"].state == RunState.COMPUTED


def test_a_refused_freeze_is_answered_with_the_reason_on_the_page(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    run = world["run"]

    page = clients["city_admin"].post(f"/assessment/runs/{run.pk}/freeze/")

    assert page.status_code == 409
    body = page.content.decode()
    assert 'class="error refusal"' in body and "2026-10-22" in body
    assert run.publication.sha256 in body
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED
    assert status(clients["village_cadre"], f"/assessment/runs/{run.pk}/freeze/", "post") == 403


def test_the_appeal_link_is_offered_only_while_appeals_are_open(
    world: dict[str, Any],
    clients: dict[str, Client],
    tree: dict[str, Any],
    login: Any,
    village_cadre: Any,
) -> None:
    url = f"/assessment/runs/{world['run'].pk}/units/{tree['village'].pk}/"
    assert "appeal-link" in clients["village_cadre"].get(url).content.decode()
    assert "appeal-link" not in clients["supervisor"].get(url).content.decode()
    with time_machine.travel(dt.datetime(2026, 10, 23, 9, tzinfo=CST), tick=False):
        closed = login(village_cadre).get(url).content.decode()
    assert "appeal-link" not in closed


# --- no query per row --------------------------------------------------------------------------


def _more_rows(world: dict[str, Any], tree: dict[str, Any], n: int, admin: Any) -> None:
    """``n`` more villages of 礼州镇, each with a published run (result, score, publication),
    an appeal and an entry, and a result and scores in the world's runs."""
    from grassroots.org.models import Unit, UnitKind

    scheme, patrol = world["scheme"], world["patrol"]
    visits = Indicator.objects.get(scheme=scheme, code="visits")
    indicators = list(Indicator.objects.filter(scheme=scheme))
    start = Unit.objects.count()
    for i in range(n):
        unit = Unit.objects.create(
            code=f"5134011013{start + i:02d}",
            name=f"新村{start + i}",
            kind=UnitKind.VILLAGE,
            parent=tree["lizhou"],
            peer_group="513401:village",
        )
        period = f"2026-{i % 9 + 1:02d}"
        run = Run.objects.create(
            scheme=scheme,
            period=period,
            version=100 + Run.objects.count(),
            state=RunState.PUBLISHED,
            fingerprint="f" * 64,
        )
        for target in (run, world["run"], world["draft"]):
            Result.objects.create(
                run=target,
                unit=unit,
                peer_group="513401:village",
                total=Decimal(50),
                rank=9,
                group_size=9,
                grade="average",
                explanation={},
            )
            for ind in indicators:
                Score.objects.create(
                    run=target, unit=unit, indicator=ind, points=Decimal(1), explanation={}
                )
        Publication.objects.create(
            run=run,
            scheme=scheme,
            period=period,
            snapshot={"results": [], "lists": {}},
            sha256=f"{run.pk:064x}",
            appeal_until=dt.date(2026, 11, 1),
            published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        )
        Appeal.objects.create(run=run, unit=unit, indicator=patrol, reason="漏计")
        ManualEntry.objects.create(
            indicator=visits, unit=unit, period=period, value=Decimal(1), entered_by=admin
        )


def test_the_lists_issue_no_query_per_row(
    world: dict[str, Any], clients: dict[str, Client], tree: dict[str, Any], city_admin: Any
) -> None:
    run, draft = world["run"], world["draft"]
    pages = [
        ("city_admin", "/assessment/"),
        ("city_admin", "/assessment/catalogue/"),
        ("city_admin", "/assessment/runs/"),
        ("city_admin", f"/assessment/schemes/{world['scheme'].pk}/"),
        ("city_admin", f"/assessment/runs/{run.pk}/"),
        ("city_admin", f"/assessment/runs/{run.pk}/export.xlsx"),
        ("city_admin", f"/assessment/runs/{draft.pk}/diff/"),
        ("city_admin", f"/assessment/runs/{run.pk}/publish/"),
        ("city_admin", "/assessment/publications/"),
        ("city_admin", "/assessment/appeals/"),
        ("city_admin", "/assessment/entries/"),
        ("xc_secretary", "/assessment/mine/"),
        ("xc_secretary", f"/assessment/runs/{run.pk}/"),
        ("xc_secretary", f"/assessment/runs/{run.pk}/appeal/"),
        ("xc_secretary", "/assessment/appeals/"),
        ("xc_secretary", "/assessment/entries/"),
        ("city_admin", f"/api/v1/assessment/runs/{run.pk}/"),
        ("city_admin", "/api/v1/assessment/runs/"),
        ("city_admin", f"/api/v1/assessment/results/?run={run.pk}"),
        ("city_admin", f"/api/v1/assessment/scores/?run={run.pk}"),
        ("city_admin", "/api/v1/assessment/appeals/"),
        ("city_admin", "/api/v1/assessment/publications/"),
        ("anonymous", "/public/assessment/"),
    ]

    def queries(role: str, url: str) -> int:
        cache.clear()  # the portal caches a publication's parts: measure both runs cold
        with CaptureQueriesContext(connection) as ctx:
            assert status(clients[role], url) == 200, (role, url)
        return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])

    _more_rows(world, tree, 2, city_admin)
    few = {page: queries(*page) for page in pages}
    _more_rows(world, tree, 5, city_admin)
    many = {page: queries(*page) for page in pages}
    assert many == few


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("513401101201,visits,2026-10,80,台\x00账", "依据"),
        ("5134011012\x0001,visits,2026-10,80,台账", "单位代码"),
        ("513401101201,vis\x00its,2026-10,80,台账", "指标代码"),
    ],
)
def test_an_import_with_a_nul_character_is_refused_on_its_cell(
    world: dict[str, Any], clients: dict[str, Client], row: str, column: str
) -> None:
    before = list(ManualEntry.objects.values_list("pk", "value", "note"))
    upload = SimpleUploadedFile(
        "录入.csv", f"单位代码,指标代码,期间,数值,依据\n{row}\n".encode(), content_type="text/csv"
    )

    page = clients["city_admin"].post(
        "/assessment/entries/",
        {"action": "import", "scheme": world["scheme"].pk, "file": upload},
    )

    assert page.status_code == 400
    assert [e.column for e in page.context["import_errors"]] == [column]
    assert list(ManualEntry.objects.values_list("pk", "value", "note")) == before


# --- the portal's current red and black lists ----------------------------------------------


def test_the_current_lists_are_the_newest_periods_not_the_last_published(
    world: dict[str, Any], tree: dict[str, Any], city_admin: Any
) -> None:
    from tests.assessment.publishing_support import run_with_results

    september = run_with_results(
        world["scheme"],
        "2026-09",
        [(tree["other_village"], "90"), (tree["village"], "50"), (tree["neighbour_village"], "40")],
    )
    with time_machine.travel(dt.datetime(2026, 10, 16, 9, tzinfo=CST), tick=False):
        publish_run(september, actor=city_admin)  # a corrected September, published later

    with CaptureQueriesContext(connection) as ctx:
        page = Client().get("/public/assessment/")

    current = page.content.decode().split('class="card lists')[1].split("</section>")[0]
    assert "2026-10" in current and "2026-09" not in current
    red = current.split('class="red-list"')[1].split("</ul>")[0]
    assert "礼州村" in red and "安宁村" not in red
    # the snapshots (every result of a run) are read for the current lists only
    assert sum(1 for q in ctx.captured_queries if '"snapshot"' in q["sql"]) == 1
    for url in ("/api/v1/assessment/publications/", "/assessment/publications/"):
        client = Client()
        client.force_login(city_admin, backend="django.contrib.auth.backends.ModelBackend")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert not any('"snapshot"' in q["sql"] for q in ctx.captured_queries), url


@pytest.mark.parametrize("sheet", ["abc", "1.5", "\x00", "", HUGE])
def test_excluding_a_sheet_that_is_not_a_number_is_not_found(
    world: dict[str, Any], clients: dict[str, Client], sheet: str
) -> None:
    form = world["form"]
    states = list(form.sheets.values_list("pk", "state"))

    page = clients["city_admin"].post(
        f"/assessment/forms/{form.pk}/", {"action": "exclude", "sheet": sheet, "reason": "重复"}
    )

    assert page.status_code == 404
    assert list(form.sheets.values_list("pk", "state")) == states


def test_an_indicator_with_entered_figures_is_not_deleted_by_the_editor(
    world: dict[str, Any], tree: dict[str, Any], city_admin: Any, rater: Any
) -> None:
    """Indicators added after the last run (no scores yet) but already with a figure
    entered, or a rating form sent: deleting one is refused with the reason, not a 500."""
    from grassroots.assessment.actions.schemes import save_scheme
    from grassroots.assessment.errors import AssessmentError

    scheme = world["scheme"]
    common = {"weight": Decimal(0), "rule": "range_linear", "params": {"floor": 0, "target": 100}}
    farming = Indicator.objects.create(
        scheme=scheme,
        code="farming",
        name="春耕",
        category=Category.SPECIFIC,
        source="entry",
        position=30,
        **common,
    )
    enter_value(
        farming, tree["village"], "2026-11", Decimal(1), note="", evidence=None, actor=city_admin
    )
    leaders = Indicator.objects.create(
        scheme=scheme,
        code="leaders",
        name="领导评价",
        category=Category.SATISFACTION,
        source="manual",
        position=31,
        **common,
    )
    create_form(
        scheme,
        indicator=leaders,
        period="2026-11",
        title="领导评价",
        closes_on=dt.date(2026, 11, 30),
        raters=[rater],
        actor=city_admin,
    )
    for indicator in (farming, leaders):
        with pytest.raises(AssessmentError) as refused:
            save_scheme(scheme, actor=city_admin, deleted=[indicator])
        assert refused.value.field == "indicators" and indicator.code in refused.value.message
    assert Indicator.objects.filter(scheme=scheme).count() == 7
    assert ManualEntry.objects.filter(indicator=farming).count() == 1


@pytest.mark.parametrize("text", ["", "我的评分有依据"])
def test_a_refused_justification_says_why_on_the_page(
    world: dict[str, Any], clients: dict[str, Client], text: str
) -> None:
    """The sheet is not flagged (still to be filled): no justification form is shown, so
    the refusal is at the top of the page."""
    form = world["form"]

    page = clients["rater"].post(
        f"/assessment/forms/{form.pk}/sheet/", {"action": "justify", "justification": text}
    )

    assert page.status_code in (400, 409)
    assert page.context["error"]
    assert 'role="alert"' in page.content.decode()
    assert not form.sheets.get().justification


def test_the_office_and_the_units_find_appeals_publications_and_entries(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    wanted = ("/assessment/appeals/", "/assessment/publications/", "/assessment/entries/")
    for role, url in (("city_admin", "/assessment/"), ("village_cadre", "/assessment/mine/")):
        body = clients[role].get(url).content.decode()
        for link in wanted:
            assert f'href="{link}"' in body, (role, link)


def test_a_superseded_publication_points_to_the_corrected_one(
    world: dict[str, Any], city_admin: Any
) -> None:
    first = world["run"].publication
    appeal = decide_appeal(
        world["appeals"]["village"],
        accept=True,
        reason="核实",
        corrected_value=Decimal(100),
        actor=city_admin,
    )
    corrected = publish_run(appeal.new_run, actor=city_admin)

    old = Client().get(f"/public/assessment/{first.sha256}/").content.decode()
    new = Client().get(f"/public/assessment/{corrected.sha256}/").content.decode()

    assert 'class="warning superseded"' in old
    assert f"/public/assessment/{corrected.sha256}/" in old
    assert 'class="warning superseded"' not in new
