"""Bugs found in the review of grid basics, each with the test that failed before its fix."""

from __future__ import annotations

import html
import re
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from grassroots.residents.models import Household, Resident


@pytest.mark.django_db(transaction=True)
def test_a_household_moving_out_is_one_transaction(make_household: Any, grid_worker: Any) -> None:
    """The whole household moves out in one transaction: when its last step fails, its
    members are still living there (and on PostgreSQL the row locks need the
    transaction at all)."""
    from grassroots.audit import actions as audit
    from grassroots.residents.actions import households as actions

    household = make_household(members=2)
    real = audit.record

    def failing(action: str, *args: Any, **kwargs: Any) -> Any:
        if action == "residents.household.status_changed":
            raise RuntimeError("the audit log is down")
        return real(action, *args, **kwargs)

    with mock.patch.object(actions, "record", failing), pytest.raises(RuntimeError):
        actions.set_household_status(household, actor=grid_worker, status="moved_out")
    household.refresh_from_db()
    assert household.status == "active"
    assert set(Resident.objects.values_list("status", flat=True)) == {"present"}
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_the_phone_search_keeps_its_text_on_the_next_page(
    make_household: Any, grid_worker: Any, login: Any
) -> None:
    """A search such as 3#楼 (building 3, as addresses are written) or 1&2 stays on the
    next page's link, encoded (it was pasted raw, the # cut the link short)."""
    for text in ("3#楼", "1&2号", "a+b"):
        for n in range(22):
            make_household(members=1, address=f"礼州村{text}{n}室")
        client = login(grid_worker)
        page = client.get(reverse("residents:m_home"), {"q": text})
        assert page.status_code == 200 and page.context["page"].paginator.count == 22
        href = re.search(r'href="(\?[^"]*page=2)"', page.content.decode())
        assert href, text
        following = client.get(reverse("residents:m_home") + html.unescape(href[1]))
        assert following.context["search"] == text
        assert following.context["page"].number == 2


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.django_db
def test_full_width_digits_from_a_chinese_input_method_are_taken(
    make_household: Any, grid_worker: Any, login: Any
) -> None:
    """An ID number and a phone typed with a Chinese input method in full-width mode
    (５１３４…, １３８…) are stored plain — they were refused as "not digits", or a mixed
    phone was stored half full-width — and such an ID number finds its household."""
    from grassroots.residents.actions.households import add_resident
    from tests.conftest import valid_id_number

    household = make_household(members=0)
    number = valid_id_number("19800101", 901)
    person = add_resident(
        household,
        actor=grid_worker,
        name="吉克阿依",
        relationship="head",
        id_number=number.translate(FULL_WIDTH),
        phone="13８1234５678",
    )
    person.refresh_from_db()
    assert person.id_number == number and person.phone == "13812345678"
    found = login(grid_worker).get(
        reverse("residents:households"), {"q": number.translate(FULL_WIDTH)}
    )
    assert [h.pk for h in found.context["page"].object_list] == [household.pk]


@pytest.mark.django_db
def test_an_import_takes_full_width_numbers_and_never_echoes_a_phone(
    grid_worker: Any, village_cadre: Any, tmp_path: Any
) -> None:
    from grassroots.residents.importing.households import HouseholdImportError, import_households
    from tests.conftest import valid_id_number

    number = valid_id_number("19700302", 902)
    header = "网格编码,户号,姓名,与户主关系,性别,公民身份号码,联系电话\n"
    good = tmp_path / "good.csv"
    good.write_text(
        header + f"513401101201001,0901,吉克石且,户主,,{number.translate(FULL_WIDTH)},"
        "１３８－１２３４－５６７８\n",
        encoding="utf-8",
    )
    import_households(good, actor=village_cadre)
    person = Resident.objects.get(name="吉克石且")
    assert person.id_number == number and person.phone == "13812345678"

    bad = tmp_path / "bad.csv"
    bad.write_text(header + "513401101201001,0902,沙马阿依,户主,女,,138123456789\n", "utf-8")
    with pytest.raises(HouseholdImportError) as refused:
        import_households(bad, actor=village_cadre)
    shown = " ".join(str(e) for e in refused.value.errors)
    assert "电话" in shown and "138123456789" not in shown
