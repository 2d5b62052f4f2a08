"""The admin shows cadre records read-only, masked and in scope; the list pages keep their
query count whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.cadres.actions import pool
from grassroots.common.masking import mask_id_number
from grassroots.org.models import User

pytestmark = pytest.mark.django_db


def test_the_admin_is_read_only_and_masks_personal_numbers(
    login: Any, make_cadre: Any, xc_secretary: Any, outsider: Any, tree: dict[str, Any]
) -> None:
    cadre = make_cadre(name="吉克阿依", phone="13912345678")
    root = User.objects.create_superuser("root", password="Correct-Horse-42")
    client = login(root)
    assert client.get("/admin/cadres/cadre/").status_code == 200
    page = client.get(f"/admin/cadres/cadre/{cadre.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "吉克阿依" in html
    assert cadre.id_number not in html and "13912345678" not in html
    assert mask_id_number(cadre.id_number) in html
    assert client.get("/admin/cadres/cadre/add/").status_code == 403
    for model in ("reserveentry", "tempering", "trainingrecord", "grade", "fileview"):
        assert client.get(f"/admin/cadres/{model}/").status_code == 200
    # staff see their own scope only
    for person in (xc_secretary, outsider):
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    change = f"/admin/cadres/cadre/{cadre.pk}/change/"
    assert login(xc_secretary).get(change).status_code == 200
    assert login(outsider).get(change).status_code == 302  # "does not exist"
    # who opened a file is the organisation department's to read
    assert login(xc_secretary).get("/admin/cadres/fileview/").status_code == 403


def queries_of(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_query_per_row(
    login: Any, make_cadre: Any, org_dept: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            cadre = make_cadre(
                unit=tree["village"] if i % 2 else tree["lizhou"],
                birth_date=dt.date(1985 + i % 10, 1, 1),
            )
            entry = pool.nominate(
                cadre,
                actor=xc_secretary,
                unit=cadre.unit,
                target_level="village_head",
                voters=10,
                votes=8,
                reason="推荐",
            )
            pool.review_entry(entry, actor=org_dept, admit=True)

    client = login(org_dept)
    add(2)
    few = {u: queries_of(client, u) for u in ("/cadres/files/", "/cadres/pool/")}
    add(12)
    many = {u: queries_of(client, u) for u in ("/cadres/files/", "/cadres/pool/")}
    assert many == few
