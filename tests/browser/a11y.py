"""The accessibility tests' shared stage (issue 15): one server per test module, with meetings in
every state a resident meets (before it opens, live, adjourned, closed), a council whose default
language is Welsh, something in every list (published and waiting contributions, a rejection,
a social and an agenda source), and browser contexts signed in as a clerk or not, in English
and in Welsh (the ``lang`` cookie).

A test module uses it by importing the fixtures (``a11y_stage``, ``a11y_browser``) and marking
its tests ``MODULE_LOOP``: everything here lives in the module's event loop, built once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.agenda_sources import add_source as add_agenda_source
from hub.actions.councils import create_council
from hub.actions.invites import create_invite
from hub.actions.meetings import change_meeting_status, create_meeting
from hub.actions.moderation import moderate
from hub.actions.participation import Submission, submit
from hub.actions.social_sources import add_source as add_social_source
from hub.events.publish import writing
from hub.queries.meetings import load_items
from tests.browser.support import connect_browser, eventually
from tests.conftest import _sqlite_copy, seed_url, settings_for
from tests.support import AGENDA, PASSWORD, RunningServer, Seeded, run_server, set_policy

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
LANGS = ("en", "cy")
CLERK = Actor(1, "Clerk")
STARTS = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@dataclass
class Stage:
    server: RunningServer
    seeded: Seeded
    ids: dict[str, int | str] = field(default_factory=dict)  # what page paths name
    contexts: dict[tuple[str, str], Any] = field(default_factory=dict)  # (who, lang) -> context

    @property
    def base(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return self.base + path.format(**self.ids)

    async def open(self, who: str, lang: str, path: str, *, live: bool = False) -> Any:
        """A new page in the (who, lang) context at ``path``; with ``live``, once its stream
        is connected (what the script adds is then on the page too)."""
        page = await self.contexts[(who, lang)].new_page()
        response = await page.goto(self.url(path))
        assert response is not None
        page.status = response.status  # the tests check it
        if live:
            await eventually(
                lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
            )
        return page


async def publish(
    server: RunningServer,
    mid: int,
    n: int,
    item_id: int | None,
    kind: str,
    body: str,
    action: str | None = "approve",
) -> int:
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        c, _ = await submit(
            w,
            mid,
            f"a11y-resident-{mid}-{n:02d}-xxxxxxxx",
            Submission(
                kind=kind,
                body=body,
                position="oppose" if kind == "comment" else None,
                display_name="Nia" if n % 2 else None,
                client_token=f"a11y-{mid}-{n}",
                item_id=item_id,
                general=item_id is None,
            ),
        )
    if action is not None:
        async with writing(svc.sessionmaker, svc.broker) as w:
            reason = None if action == "approve" else "off_topic"
            await moderate(w, mid, c.id, action, CLERK, reason)
    return int(c.id)


async def _meeting(server: RunningServer, slug: str, title: str, *steps: str) -> tuple[int, int]:
    """A meeting of the council ``slug`` taken through ``steps`` (meeting actions; "current":
    its first item under discussion). Returns its id and its first item's id."""
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        meeting = await create_meeting(
            w,
            council_slug=slug,
            title=title,
            body_name="Cabinet",
            starts_at=STARTS,
            location="Council Chamber",
            items=AGENDA,
        )
    async with svc.sessionmaker() as session:
        first = (await load_items(session, meeting.id))[0].id
    for step in steps:
        async with writing(svc.sessionmaker, svc.broker) as w:
            if step == "current":
                await set_current_item(w, meeting.id, first, CLERK)
            else:
                await change_meeting_status(w, meeting.id, step, CLERK)
    return int(meeting.id), int(first)


async def build(server: RunningServer, seeded: Seeded) -> dict[str, int | str]:
    svc = server.services
    # Every request comes from 127.0.0.1: the sweep must not meet the rate limits.
    await set_policy(svc.sessionmaker, svc.broker, rate_per_participant=10_000)
    await set_policy(svc.sessionmaker, svc.broker, rate_per_address=100_000)
    live, item = await _meeting(server, "aberglas", "Full Council", "open", "current")
    n = 0
    for item_id, kind, body in (
        (item, "comment", "Please keep Saturday opening at Llanfair."),
        (item, "question", "How many people answered the consultation?"),
        (None, "question", "Will the webcast be archived?"),
    ):
        await publish(server, live, n := n + 1, item_id, kind, body)
    waiting = await publish(server, live, n := n + 1, item, "comment", "Why not Sundays?", None)
    await publish(server, live, n := n + 1, item, "comment", "Off topic entirely.", "reject")
    adjourned, _ = await _meeting(server, "aberglas", "Planning", "open", "current", "adjourn")
    closed, _ = await _meeting(server, "aberglas", "Licensing", "open", "current", "close")
    async with writing(svc.sessionmaker, svc.broker) as w:
        cymru = await create_council(w, slug="cymru", name="Cyngor Cymru", language="cy")
        # A waiting invitation, whose link's page the sweep opens (signed out).
        invite = await create_invite(
            w, council_id=cymru.id, email="new.clerk@cymru.invalid", role="clerk", actor=None
        )
        social = await add_social_source(
            w, "aberglas", "mastodon", "aberglas", base_url="https://social.example"
        )
        await add_agenda_source(
            w,
            council_slug="aberglas",
            name="committee-papers",
            kind="ical",
            url="https://example.invalid/meetings.ics",
        )
    welsh, _ = await _meeting(server, "cymru", "Cabinet", "open", "current")
    return {
        "pre_open": seeded.meeting_id,
        "live": live,
        "item": item,
        "waiting": waiting,
        "adjourned": adjourned,
        "closed": closed,
        "welsh": welsh,
        "slug": "aberglas",
        "social_source": social.id,
        "invite": invite.token,
    }


async def signed_in_context(browser: Any, base: str, email: str, lang: str) -> Any:
    """A context signed in through the real form, reading pages in ``lang``."""
    context = await browser.new_context()
    await context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = await context.new_page()
    await page.goto(f"{base}/staff/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/staff/")
    await page.close()
    return context


# What is outside the viewport sideways or cut off by its box (overflow hidden/clip), among
# visible elements; the visually-hidden text for screen readers is 1 px by design. A data table
# may scroll inside its own box (1.4.10's exception for two-dimensional content) if the keyboard
# can scroll it too (tabindex="0", as .table-wrap has); one the keyboard cannot is "unreachable".
LOST = """() => {
  const width = document.documentElement.clientWidth;
  const lost = [];
  for (const e of document.body.querySelectorAll("*")) {
    if (e.closest(".visually-hidden, .skip-link, script, [hidden]")) continue;
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // not shown, or hidden as .visually-hidden is
    const s = getComputedStyle(e);
    if (s.visibility === "hidden") continue;
    const name = e.tagName + (e.id ? "#" + e.id : "") + "." + e.className;
    let box = null;
    for (let n = e.parentElement; n && n !== document.body; n = n.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(n).overflowX)) { box = n; break; }
    }
    if (box) {
      if (box.scrollWidth > box.clientWidth + 1 && box.tabIndex < 0) {
        lost.push([name, "unreachable", box.tagName + "." + box.className]);
      }
      continue;
    }
    if (r.left < -1 || r.right > width + 1) lost.push([name, "outside", r.left, r.right]);
    const clips = ["hidden", "clip"].includes(s.overflowX);
    if (clips && e.scrollWidth > e.clientWidth + 1) {
      lost.push([name, "cut", e.scrollWidth, e.clientWidth]);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, lost: lost.slice(0, 20)};
}"""


MIN_TARGET_PX = 24  # WCAG 2.2 2.5.8 Target Size (Minimum)

# Interactive elements smaller than the minimum, except links inside a sentence (2.5.8's
# "inline" exception): those size with the text around them.
SMALL = """(min) => {
  const small = [];
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, " +
    "[tabindex='0']";
  for (const e of document.querySelectorAll(controls)) {
    if (e.closest(".visually-hidden, [hidden]") || e.classList.contains("skip-link")) continue;
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (getComputedStyle(e).visibility === "hidden") continue;
    if (e.tagName === "A") {
      const block = e.parentElement;
      const own = e.textContent.trim();
      const around = block ? block.textContent.replace(own, "").trim() : "";
      if (around.length > 0 && ["P", "LI", "DD", "SPAN", "TD"].includes(block.tagName)) continue;
    }
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      const name = e.tagName + (e.id ? "#" + e.id : "") + "." + e.className;
      small.push([name, e.textContent.trim().slice(0, 40), r.width, r.height]);
    }
  }
  return small;
}"""


async def text_at(page: Any, scale: int) -> None:
    """What a browser's text-size setting does (not its zoom, which is the 320 px case): the
    default font size, which rem, em and the media queries in em all follow."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send(
        "Page.setFontSizes", {"fontSizes": {"standard": 16 * scale, "fixed": 13 * scale}}
    )
    size = await page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert size == f"{16 * scale}px", size


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def a11y_browser(browser_server: Any) -> AsyncIterator[Any]:
    """One Playwright client for the module (the ``browser`` fixture's is per test and per
    loop)."""
    async for b in connect_browser(browser_server):
        yield b


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def a11y_stage(
    a11y_browser: Any, sqlite_template: Any, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stage]:
    url = _sqlite_copy(sqlite_template, tmp_path_factory.mktemp("a11y"))
    seeded = await seed_url(url)
    # No polling or syncing: the social and agenda sources build() adds name servers that are
    # not there (a sync would try to reach them in the middle of the sweep).
    async with run_server(settings_for(url, social_polling=False, agenda_sync=False)) as server:
        stage = Stage(server, seeded, await build(server, seeded))
        for lang in LANGS:
            resident = await a11y_browser.new_context()
            await resident.add_cookies([{"name": "lang", "value": lang, "url": stage.base}])
            stage.contexts[("resident", lang)] = resident
            stage.contexts[("clerk", lang)] = await signed_in_context(
                a11y_browser, stage.base, seeded.users["clerk"], lang
            )
            # The deployment's admin: the admin area, every account, a council's staff.
            stage.contexts[("admin", lang)] = await signed_in_context(
                a11y_browser, stage.base, seeded.users["admin"], lang
            )
        # No cookie: the council's own default language.
        stage.contexts[("resident", "default")] = await a11y_browser.new_context()
        try:
            yield stage
        finally:
            for context in stage.contexts.values():
                await context.close()
