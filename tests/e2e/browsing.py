"""Helpers of the browser tests: a context per person, logging in through the form, acting
on an event page like a user (open the box, fill, send), reading the page back.

``Browse.step`` keeps a picture of a page at each named step of a scenario; when a test
fails, the ``pytest_runtest_makereport`` hook of ``conftest`` writes those and the last view
of every open page to a temporary folder and names it in the failure report.

Selectors follow the markup users see: ``details.verb-<verb>`` boxes on the event page
(forms with fields prefixed ``<verb>-``), the status badge in ``.event-head``, the
timeline's ``ol.timeline``, the unread count in the header's inbox link.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: A mid-range phone held upright (grid workers, residents).
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
#: The narrowest phone the pages are made for (the 375-px bar of issue 6).
SMALL_PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
#: An office screen (dispatchers, department staff, leaders).
DESK = {"viewport": {"width": 1280, "height": 800}}

#: What the browser logs for an answer a test provokes on purpose (a form sent back with
#: its errors is a 400, a page out of scope a 404).
BAD_REQUEST_LOG = "status of 400"
NOT_FOUND_LOG = "status of 404"


def chromium_missing() -> bool:
    return not CHROMIUM.exists() and shutil.which("chromium") is None


def _console_error(msg: Any, errors: list[str], who: str) -> None:
    # The site has no favicon yet; the browser's request for it is not our error.
    if msg.type == "error" and not str(msg.location.get("url", "")).endswith("/favicon.ico"):
        errors.append(f"[{who}] {msg.text} {msg.location.get('url', '')}")


@dataclass
class Browse:
    """Opens a browser context per person; collects the console errors of every page."""

    browser: Any
    base_url: str
    contexts: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: (step name, PNG) pictures taken by ``step``, written out only when a test fails.
    shots: list[tuple[str, bytes]] = field(default_factory=list)

    def open(self, who: str, *, phone: bool = False, **options: Any) -> Any:
        """A new page in its own context (own cookies): a phone or an office screen;
        ``options`` go to the context and win over the screen's (e.g. ``**SMALL_PHONE``)."""
        settings = {**(PHONE if phone else DESK), **options}
        context = self.browser.new_context(locale="zh-CN", base_url=self.base_url, **settings)
        context.set_default_timeout(20_000)  # the machine is shared
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"[{who}] {exc}"))
        page.on("console", lambda msg: _console_error(msg, self.errors, who))
        return page

    def login(
        self,
        user: Any,
        *,
        phone: bool = False,
        next_url: str = "/",
        password: str = PASSWORD,
        **options: Any,
    ) -> Any:
        """A page of ``user``, logged in through the login form, now at ``next_url``."""
        page = self.open(user.username, phone=phone, **options)
        page.goto(f"/accounts/login/?next={quote(next_url)}")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile("^" + re.escape(self.base_url + next_url) + r"(\?.*)?$"))
        return page

    def unexpected_errors(self, *expected: str) -> list[str]:
        """The console errors, less those that contain one of the ``expected`` texts."""
        return [e for e in self.errors if not any(x in e for x in expected)]

    def step(self, name: str, page: Any) -> None:
        """Keep a picture of ``page`` as it is at the step ``name`` (saved on failure)."""
        try:
            self.shots.append((name, page.screenshot(type="png")))
        except Exception as exc:
            self.errors.append(f"[screenshot {name}] {exc}")

    def save_screenshots(self, folder: Path) -> list[Path]:
        """Write the steps' pictures, then the last view of every open page, to ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        saved: list[Path] = []
        for n, (name, png) in enumerate(self.shots, start=1):
            path = folder / f"{n:02d}-{_slug(name)}.png"
            path.write_bytes(png)
            saved.append(path)
        pages = [page for context in self.contexts for page in context.pages]
        for n, page in enumerate(pages, start=1):
            path = folder / f"last-{n:02d}-{_slug(page.url.rsplit('//', 1)[-1])}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception:  # noqa: S112 - a closed or crashed page has no picture
                continue
            saved.append(path)
        return saved

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", text).strip("-")[:60] or "page"


# --- the event page ---------------------------------------------------------------------------


def act(
    page: Any,
    verb: str,
    *,
    fill: dict[str, str] | None = None,
    choose: dict[str, str] | None = None,
    outcome: str | None = None,
    files: dict[str, list[dict[str, Any]]] | None = None,
    leaves: bool = False,
) -> int:
    """Open the verb's box on the event page, fill its form, send it; the HTTP status.

    htmx sends the form and swaps the answer in place (also a 400 or 409); this returns
    once the new part has settled. With ``leaves``, the event leaves the user's sight
    and the browser is sent to the queue instead. Field names come without the prefix.
    """
    box = page.locator(f"details.verb-{verb}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    form = box.locator("form")
    for name, value in (fill or {}).items():
        form.locator(f"[name='{verb}-{name}']").fill(value)
    for name, value in (choose or {}).items():
        form.locator(f"select[name='{verb}-{name}']").select_option(value)
    if outcome is not None:
        form.locator(f"input[name='{verb}-outcome'][value='{outcome}']").check()
    for name, items in (files or {}).items():
        form.locator(f"input[name='{verb}-{name}']").set_input_files(files=items)
    if not leaves:
        page.evaluate(
            "() => { window.__settled = new Promise(done =>"
            " document.addEventListener('htmx:afterSettle', done, {once: true})); }"
        )
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/{verb}/")
    ) as answer:
        form.locator("button[type=submit]").click()
    status: int = answer.value.status
    if leaves:
        page.wait_for_url(re.compile(r"/events/queue/"))
    else:
        page.evaluate("() => window.__settled.then(() => true)")
    return status


def deadline_in(days: int) -> tuple[str, str]:
    """A deadline ``days`` ahead: as a datetime-local field takes it, and as pages show it."""
    from django.utils import timezone

    moment = timezone.localtime() + dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M"), moment.strftime("%Y-%m-%d %H:%M")


def status_badge(page: Any) -> str:
    text: str = page.locator(".event-head .badge").first.inner_text()
    return text.strip()


def timeline_heads(page: Any) -> list[str]:
    """The kinds of the timeline's lines, oldest first, as the page shows them."""
    heads: list[str] = page.locator("ol.timeline > li .tl-head strong").all_inner_texts()
    return [h.strip() for h in heads]


def timeline_line(page: Any, kind: str) -> Any:
    """The last timeline line of ``kind`` (e.g. ``return``), a locator."""
    return page.locator(f"ol.timeline > li.tl-{kind}").last


def inbox_badge(page: Any) -> int:
    """The unread count in the header (0 when no badge is shown)."""
    badge = page.locator("header a[href='/inbox/'] .badge")
    return int(badge.inner_text()) if badge.count() else 0


def open_from_inbox(page: Any, text: str) -> None:
    """Go to the inbox and open the first unread message that mentions ``text``."""
    page.goto("/inbox/")
    row = page.locator("table.inbox tr.unread", has_text=text).first
    with page.expect_navigation():
        row.locator("td form button").first.click()


def event_id_from(url: str) -> int:
    found = re.search(r"/(?:events|m/e)/(\d+)/", url)
    assert found, url
    return int(found.group(1))


def png_file(
    name: str = "photo.png", color: tuple[int, int, int] = (30, 120, 200)
) -> dict[str, Any]:
    from tests.pages_support import png_bytes

    return {"name": name, "mimeType": "image/png", "buffer": png_bytes(color)}


def images_loaded(page: Any, selector: str) -> list[int]:
    """The natural widths of the images matched (0 for one that did not load); lazy ones
    are loaded first."""
    widths: list[int] = page.eval_on_selector_all(
        selector,
        "imgs => Promise.all(imgs.map(i => {"
        " i.loading = 'eager'; return i.decode().then(() => i.naturalWidth, () => 0); }))",
    )
    return widths


def wait_until(page: Any, predicate: str, arg: Any = None, timeout: float = 15.0) -> None:
    """Wait until the JavaScript function ``predicate`` (``"(arg) => …"`` or an expression)
    is true in the page, polling with ``page.evaluate`` from here.

    Not ``page.wait_for_function``: since Playwright 1.65 its in-page polling compiles the
    predicate with ``eval``, which the site's Content-Security-Policy (no 'unsafe-eval')
    rightly refuses; ``evaluate`` goes through the debugging protocol and is not affected.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(predicate, arg):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {predicate}")
        page.wait_for_timeout(100)
