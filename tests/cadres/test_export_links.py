"""The lists lead to their exports with the filters the person set, and a unit leader, who
may export but not import, finds the export in the section's tabs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def link_to(page: str, name: str) -> str:
    start = page.index(f'href="{reverse(name)}')
    return page[start + len('href="') : page.index('"', start + len('href="'))].replace(
        "&amp;", "&"
    )


def test_the_file_list_exports_what_it_shows(
    login: Any, xc_secretary: Any, make_cadre: Any
) -> None:
    make_cadre(name="吉克阿依")
    make_cadre(name="王小明")
    client = login(xc_secretary)

    page = client.get(reverse("cadres:list"), {"q": "吉克"}).content.decode()
    href = link_to(page, "cadres:export_roster")
    assert "q=%E5%90%89%E5%85%8B" in href

    book = load_workbook(io.BytesIO(client.get(href).content), read_only=True)
    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["吉克阿依"]


def test_a_unit_leader_has_an_export_tab_and_no_import(login: Any, xc_secretary: Any) -> None:
    page = login(xc_secretary).get(reverse("cadres:home")).content.decode()
    assert f'href="{reverse("cadres:export")}"' in page
    assert f'href="{reverse("cadres:import")}"' not in page


def test_the_pool_and_training_pages_link_to_their_exports(login: Any, org_dept: Any) -> None:
    client = login(org_dept)
    pool = client.get(reverse("cadres:pool"), {"status": "in_pool"}).content.decode()
    assert "status=in_pool" in link_to(pool, "cadres:export_pool")
    short = client.get(reverse("cadres:training_short")).content.decode()
    href = link_to(short, "cadres:export_training")
    assert "year=" in href and client.get(href).status_code == 200
