"""A grid worker's day through the pages, and what the village, the township and the
city then see: the new household and people on their lists and overviews, the overdue
counts agreeing between the overview, the overdue page, the phone pages and the metric
``residents.overdue_visits``, a visit with a photo and a problem found opening an event in
the village's queue, a household moved with its open care, a household moving out ending
its care. Run without the test's wrapping transaction (``transaction=True``) so that on
PostgreSQL every action's row locks run as in production; then no page, export or audit
entry holds a full ID number or phone.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.common.metrics import Period, get
from grassroots.events.models import Event
from grassroots.org.models import Membership, Unit, UnitKind
from grassroots.residents.models import Household, KeyPerson, Resident, Visit
from tests.conftest import valid_id_number
from tests.events.photos import upload
from tests.residents.test_care_support import NOW, make_category, make_group

pytestmark = pytest.mark.django_db(transaction=True)

ID_HEAD = valid_id_number("19500304", 801)
PHONE_HEAD = "13712345678"
ID_CHILD = valid_id_number("20150101", 802, male=False)
PHONE_PLACE = "13698765432"
SECRETS = (ID_HEAD, PHONE_HEAD, ID_CHILD, PHONE_PLACE)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GRASSROOTS_DATA_DIR = str(tmp_path)
    yield


def _ok(response: Any, code: int = 302) -> Any:
    assert response.status_code == code, (
        response.status_code,
        re.findall(r"class=\"error\"[^>]*>([^<]*)", _text(response)),
    )
    return response


def _text(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    return str(response.content.decode("utf-8", "replace"))


def _fig(html: str, css: str) -> int:
    """The number of an overview figure (``<li class="fig-…">…<span class="n">N``)."""
    found = re.search(rf'<li class="{css}[^"]*">.*?<span class="n">(\d+)</span>', html, re.S)
    assert found, css
    return int(found[1])


def _overdue_counts(clients: dict[str, Client], role: str) -> dict[str, int]:
    client = clients[role]
    home = client.get(reverse("residents:home"))
    overdue = client.get(reverse("residents:overdue"))
    return {
        "home": _fig(_text(home), "fig-overdue"),
        "overdue_page": overdue.context["summary"].total_overdue,
        "overdue_people": overdue.context["page"].paginator.count,
    }


def test_a_grid_workers_day_as_everyone_sees_it(
    tree: dict[str, Any],
    grid_worker: Any,
    village_cadre: Any,
    xc_secretary: Any,
    city_admin: Any,
    login: Any,
    official_calendar: None,
) -> None:
    Membership.objects.update(valid_from=dt.date(2026, 1, 1))
    grid2 = Unit.objects.create(
        code="513401101201002", name="礼州村第2网格", kind=UnitKind.GRID, parent=tree["village"]
    )
    group, category = make_group(every=30), make_category(tree)
    clients = {
        "grid_worker": login(grid_worker),
        "village_cadre": login(village_cadre),
        "xc_secretary": login(xc_secretary),
        "city_admin": login(city_admin),
    }
    phone = clients["grid_worker"]
    grid = tree["grid"]
    seen: list[str] = []

    def read(role: str, url: str, params: dict[str, str] | None = None) -> str:
        response = _ok(clients[role].get(url, params or {}), 200)
        seen.append(_text(response))
        return seen[-1]

    # September 1st: the grid worker records a place, a household and its two members.
    with time_machine.travel(NOW.replace(month=9, day=1), tick=False):
        _ok(
            phone.post(
                reverse("residents:m_place_new"),
                {
                    "grid": grid.pk,
                    "kind": "rental",
                    "name": "阿都出租大院",
                    "manager_name": "阿都",
                    "manager_phone": PHONE_PLACE,
                },
            )
        )
        _ok(
            phone.post(
                reverse("residents:m_household_new"),
                {"grid": grid.pk, "number": "0808", "address": "礼州村8组8号"},
            )
        )
        household = Household.objects.get(number="0808")
        add = reverse("residents:m_member_add", args=[household.pk])
        _ok(
            phone.post(
                add,
                {
                    "name": "吉克老人",
                    "relationship": "head",
                    "id_number": ID_HEAD,
                    "phone": PHONE_HEAD,
                    "residence": "registered",
                },
            )
        )
        _ok(
            phone.post(
                add,
                {
                    "name": "吉克小妹",
                    "relationship": "grandchild",
                    "id_number": ID_CHILD,
                    "residence": "floating",
                },
            )
        )
        head = Resident.objects.get(name="吉克老人")
        care_add = reverse("residents:care_add", args=[head.pk])
        _ok(phone.post(care_add, {"group": group.code, "since": "2026-09-01"}))
        kp = KeyPerson.objects.get(resident=head)

    # The village, the township and the city see them at once.
    for role in ("village_cadre", "xc_secretary", "city_admin"):
        html = read(role, reverse("residents:home"))
        assert _fig(html, "fig-households") == 1 and _fig(html, "fig-registered") == 1
        assert _fig(html, "fig-floating") == 1 and _fig(html, "fig-places") == 1
        assert "吉克老人" in read(role, reverse("residents:households"))
        assert "阿都出租大院" in read(role, reverse("residents:places"))
        assert "吉克老人" in read(role, reverse("residents:care"))
    assert "吉克老人" in read("xc_secretary", reverse("residents:export"))

    # October 15th: the first visit (due October 1st) is 14 days overdue everywhere.
    with time_machine.travel(NOW, tick=False):
        expected = {"home": 1, "overdue_page": 1, "overdue_people": 1}
        for role in ("grid_worker", "village_cadre", "xc_secretary", "city_admin"):
            assert _overdue_counts(clients, role) == expected, role
        mine = _ok(phone.get(reverse("residents:m_visits")), 200)
        assert mine.context["overdue_count"] == 1
        assert _ok(phone.get(reverse("mobile:home")), 200).context["visits_overdue"] == 1
        units = [tree["village"], tree["lizhou"], tree["city"]]
        values = get("residents.overdue_visits")(Period.parse("2026-10"), units)
        assert [v.value for v in values] == [1, 1, 1]

        # The visit: the person met, a leaking roof, a photo → an event of the grid.
        visit_url = reverse("residents:m_visit", args=[kp.pk])
        form = _ok(phone.get(visit_url), 200).context["form"]
        _ok(
            phone.post(
                visit_url,
                {
                    "visited_on": "2026-10-15",
                    "met": "person",
                    "findings": "屋顶漏雨, 需要维修",
                    "problem_found": "on",
                    "category": category.code,
                    "title": "老人住房屋顶漏雨",
                    "photos": upload(),
                    "idempotency_key": form["idempotency_key"].initial,
                },
            )
        )
        visit = Visit.objects.get()
        assert visit.event is not None and visit.photos.count() == 1
        event = Event.objects.get(pk=visit.event.pk)
        assert event.grid_id == grid.pk and event.attachments.count() == 1
        queue = read("village_cadre", reverse("events:queue"))
        assert event.number and event.number in queue
        for role in ("grid_worker", "village_cadre", "xc_secretary", "city_admin"):
            assert _overdue_counts(clients, role) == dict.fromkeys(expected, 0), role
        values = get("residents.overdue_visits")(Period.parse("2026-10"), units)
        assert [v.value for v in values] == [0, 0, 0]
        read("village_cadre", reverse("residents:care_detail", args=[kp.pk]))
        read("grid_worker", visit_url)

        # The township moves the household to the second grid: its open care follows.
        move = reverse("residents:household_move", args=[household.pk])
        _ok(clients["xc_secretary"].post(move, {"grid": grid2.pk, "note": "调整网格"}))
        kp.refresh_from_db()
        assert kp.grid_id == grid2.pk
        overdue = _ok(clients["xc_secretary"].get(reverse("residents:overdue")), 200)
        [village] = [
            r for r in overdue.context["summary"].villages if r.unit.pk == tree["village"].pk
        ]
        assert [(g.unit.code, g.in_care) for g in village.grids] == [(grid2.code, 1)]
        # The first grid's worker no longer keeps them; the village still does.
        assert "吉克老人" not in read("grid_worker", reverse("residents:care"))
        assert "吉克老人" in read("village_cadre", reverse("residents:care"))

        # The household moves out as a whole: members moved out, care ended.
        status = reverse("residents:household_status", args=[household.pk])
        _ok(clients["village_cadre"].post(status, {"status": "moved_out", "on": "2026-10-15"}))
        assert set(household.members.values_list("status", flat=True)) == {"moved_out"}
        kp.refresh_from_db()
        assert kp.ended_on is not None
        html = read("xc_secretary", reverse("residents:home"))
        assert _fig(html, "fig-households") == 0 and _fig(html, "fig-moved-out") == 2
        read("xc_secretary", reverse("residents:household_detail", args=[household.pk]))
        read("village_cadre", reverse("residents:m_household", args=[household.pk]))

    # No page or export read here, no audit entry holds a full number.
    for body in seen:
        for secret in SECRETS:
            assert secret not in body
    for entry in AuditEntry.objects.all():
        logged = f"{entry.before}{entry.after}{entry.note}{entry.object_repr}{entry.actor_label}"
        for secret in SECRETS:
            assert secret not in logged, entry.action
