"""The admin shows tasks read-only, in the viewer's scope."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.org.models import User
from grassroots.supervision import actions

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_a_task_read_only(
    village_task: Any, village_cadre: Any, neighbour_cadre: Any, login: Any
) -> None:
    actions.report_progress(village_task, actor=village_cadre, value=3, note="进展")
    admin = User.objects.create_superuser("root", password="Correct-Horse-42")
    client = login(admin)
    listing = client.get("/admin/supervision/task/")
    assert listing.status_code == 200
    assert village_task.title in listing.content.decode()
    page = client.get(f"/admin/supervision/task/{village_task.pk}/change/")
    assert page.status_code == 200
    assert "进展" in page.content.decode()
    assert client.get("/admin/supervision/task/add/").status_code == 403
    # staff see only their scope: the village its own share, not the neighbour's
    change = f"/admin/supervision/task/{village_task.pk}/change/"
    for person in (village_cadre, neighbour_cadre):
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    assert login(village_cadre).get(change).status_code == 200
    assert login(neighbour_cadre).get(change).status_code == 302  # "does not exist"
