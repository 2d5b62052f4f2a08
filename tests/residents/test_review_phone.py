"""The grid worker's phone pages on a 375-px phone (Playwright + Debian's Chromium; skipped
without it): nothing scrolls sideways, every control a thumb must hit is at least 44 px
high and wide (links inside a sentence aside), every field has a label, and the page is
in Chinese (no English sentence left untranslated)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from grassroots.events.models import Category
from tests.conftest import valid_id_number
from tests.e2e.browsing import SMALL_PHONE, Browse
from tests.residents.test_care_support import make_category, make_group, put_in_care

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: Every visible control smaller than 44 × 44 CSS px (a link inside running text, or a
#: control whose label around it is the target, is measured by that label); every field
#: without a name a screen reader can read; every text node with an English phrase.
AUDIT = r"""() => {
  const small = [], unlabelled = [], english = [];
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const describe = el => {
    const text = el.innerText || el.value || el.getAttribute('aria-label') || '';
    const name = el.name ? `[name=${el.name}]` : '';
    return `${el.tagName.toLowerCase()}${name} "${text.trim().slice(0, 30)}"`;
  };
  const inSentence = el => {
    const p = el.parentElement;
    return el.tagName === 'A' && p && ['P', 'LI', 'SPAN', 'TD', 'FOOTER'].includes(p.tagName) &&
      !p.matches('.pagination, nav, .bigbar, .switch') &&
      p.innerText.trim().length > el.innerText.trim().length + 4;
  };
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll('main ' + controls.split(', ').join(', main '))) {
    if (!visible(el) || inSentence(el)) continue;
    let box = el.getBoundingClientRect();
    const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
    if (['checkbox', 'radio'].includes(el.type) && label) {
      const l = label.getBoundingClientRect();
      box = {width: Math.max(l.width, box.width), height: Math.max(l.height, box.height)};
    }
    if (box.height < 43.5 || box.width < 43.5) {
      small.push(`${describe(el)} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  const fields = 'main input:not([type=hidden]):not([type=submit]), main select, main textarea';
  for (const el of document.querySelectorAll(fields)) {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') ||
      el.getAttribute('aria-labelledby');
    if (!named) unlabelled.push(describe(el));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const parent = walker.currentNode.parentElement;
    const code = parent && ['SCRIPT', 'STYLE'].includes(parent.tagName);
    if (!code && /[A-Za-z]{3,}\s+[A-Za-z]{2,}/.test(text)) {
      english.push(text.slice(0, 60));
    }
  }
  return {
    sideways: document.documentElement.scrollWidth > window.innerWidth,
    small, unlabelled, english,
  };
}"""


@pytest.fixture
def browse(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Browse]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    session = Browse(browser, live_server.url)
    try:
        yield session
    finally:
        session.close()


def test_the_phone_pages_suit_a_thumb_on_a_small_phone(
    browse: Browse,
    tree: dict[str, Any],
    make_household: Any,
    grid_worker: Any,
    official_calendar: None,
) -> None:
    from grassroots.org.models import Unit, UnitKind
    from grassroots.residents.actions.households import add_resident
    from grassroots.residents.actions.places import create_place

    Unit.objects.create(
        code="513401101201002", name="礼州村第2网格", kind=UnitKind.GRID, parent=tree["village"]
    )
    from grassroots.org.models import Membership

    Membership.objects.create(
        user=grid_worker, unit=Unit.objects.get(code="513401101201002"), role="grid_worker"
    )
    make_category(tree)
    today = timezone.localdate()
    household = make_household(members=1, address="礼州镇礼州村一组二十八号附一号东侧二单元")
    add_resident(
        household,
        actor=grid_worker,
        name="吉克拉且",
        relationship="grandchild",
        id_number=valid_id_number("20150101", 777),
    )
    create_place(actor=grid_worker, grid=tree["grid"], kind="rental", name="出租大院")
    kp = put_in_care(
        household.members.order_by("pk").first(),
        make_group(),
        grid_worker,
        today - dt.timedelta(days=40),
    )
    for _ in range(25):
        make_household(members=1)
    from grassroots.residents.actions.care import record_visit

    found_problem = record_visit(
        kp,
        actor=grid_worker,
        visited_on=today,
        met="person",
        findings="屋顶漏雨",
        problem_found=True,
        category=Category.objects.get(),
        title="屋顶漏雨",
    )
    urls = [
        "/m/",
        "/m/report/",
        "/residents/m/",
        "/residents/m/?q=%E5%B1%85%E6%B0%91",
        f"/residents/m/households/{household.pk}/",
        f"/residents/m/households/{household.pk}/members/new/",
        "/residents/m/households/new/",
        "/residents/m/places/new/",
        "/residents/m/visits/",
        f"/residents/m/visits/{kp.pk}/",
        f"/m/e/{found_problem.event_id}/",
    ]
    small: dict[str, Any] = SMALL_PHONE
    page = browse.login(grid_worker, phone=True, next_url="/m/", **small)
    found = {}
    for url in urls:
        answer = page.goto(url)
        assert answer is not None and answer.status == 200, url
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        result = page.evaluate(AUDIT)
        problems = {k: v for k, v in result.items() if v}
        if problems:
            found[url] = problems
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_a_double_tap_on_a_phone_form_sends_it_once(
    browse: Browse, make_household: Any, grid_worker: Any
) -> None:
    """On a slow connection a second tap on "save" sent the member (or place, or
    household) form again, recording it twice: the button is disabled once sent."""
    household = make_household(members=1)
    small: dict[str, Any] = SMALL_PHONE
    page = browse.login(
        grid_worker,
        phone=True,
        next_url=f"/residents/m/households/{household.pk}/members/new/",
        **small,
    )
    # Count the submissions the page makes (and keep it from leaving, so as to tap again).
    page.evaluate(
        """() => { window.sent = 0; document.querySelector('form.phone-form')
          .addEventListener('submit', e => { window.sent += 1; e.preventDefault(); }); }"""
    )
    page.fill("input[name=name]", "吉克拉且")
    page.select_option("select[name=relationship]", "child")
    page.click("form.phone-form button[type=submit]")
    page.wait_for_timeout(200)
    page.evaluate("() => document.querySelector('form.phone-form button[type=submit]').click()")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.sent") == 1
    assert page.inner_text("form.phone-form button[type=submit]") == "正在提交…"
