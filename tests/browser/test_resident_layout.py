"""The resident page on a meeting night, phone first (issue 10): on a 390x844 phone "Now
discussing" and "Have your say" start within the first screen, the agenda is one tap away from
anywhere and the item being discussed is one more; on a 1366x900 desktop the agenda sits beside
the discussion; without JavaScript it all still renders; axe-clean in English and Welsh.

The meeting is the demo's (hub/demo.py: 11 items with sub-items, a place and a webcast), in
session with items 1-4 done, 5a being discussed and comments published, as
scripts/screenshots.py shows it (the page measured 6,251 px tall on a phone before)."""

from __future__ import annotations

from typing import Any

import pytest

from hub import demo
from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item, set_item_outcome
from hub.actions.meetings import change_meeting_status
from hub.actions.moderation import moderate
from hub.actions.participation import Submission, submit
from hub.events.publish import Writer, writing
from hub.queries.meetings import load_items
from tests.browser.support import PHONE, axe_violations, eventually
from tests.support import RunningServer, Seeded

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SCREEN = 844  # the phone's first screen


async def meeting_night(server: RunningServer) -> tuple[int, dict[str, int]]:
    """The demo meeting in session on 5a, with comments published about 6, the meeting in
    general and (last) 5a. Returns the meeting id and item ids by number."""
    svc = server.services
    async with svc.sessionmaker() as session:
        logins = await demo.seed(Writer(session))
        await session.commit()
        items = await load_items(session, logins.meeting_id)
    mid = logins.meeting_id
    ids = {item.number: item.id for item in items}
    actor = Actor(1, "Clerk")
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", actor)
        for number in ("1", "2", "3", "4"):
            await set_item_outcome(w, mid, ids[number], "done", actor)
        await set_current_item(w, mid, ids["5a"], actor)
    posts = [
        (ids["6"], "comment", "A safer crossing at Station Road, please."),
        (None, "question", "Will the webcast be archived?"),
        (ids["5a"], "question", "How many people answered the consultation?"),
        (ids["5a"], "comment", "Please keep Saturday opening at Llanfair."),
    ]
    for n, (item_id, kind, body) in enumerate(posts):
        async with writing(svc.sessionmaker, svc.broker) as w:
            c, _ = await submit(
                w,
                mid,
                f"layout-resident-{n:02d}-xxxxxxxx",
                Submission(
                    kind=kind,
                    body=body,
                    position="support" if kind == "comment" else None,
                    display_name=None,
                    client_token=f"layout-{n}",
                    item_id=item_id,
                    general=item_id is None,
                ),
            )
        async with writing(svc.sessionmaker, svc.broker) as w:
            await moderate(w, mid, c.id, "approve", actor)
    return mid, ids


async def box(page: Any, selector: str) -> dict[str, float]:
    found = await page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return dict(found)


async def page_height(page: Any) -> int:
    return int(await page.evaluate("document.documentElement.scrollHeight"))


async def in_view_below_bar(page: Any, selector: str) -> bool:
    """The element's top is on screen and not under the sticky bar of links."""
    target = await box(page, selector)
    bar = await box(page, "nav.page-nav--bar")
    viewport = page.viewport_size
    return bar["y"] + bar["height"] - 1 <= target["y"] < viewport["height"]


async def test_phone_first_screen_and_one_tap_to_the_agenda(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid, ids = await meeting_night(sqlite_server)
    ctx = await browser.new_context(**PHONE)
    page = await ctx.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))

    # The first screen: what is being discussed, and the form with a way in.
    now = await box(page, "#now-discussing")
    assert now["y"] + now["height"] <= SCREEN, now
    assert "5a" in (await page.text_content("#now-discussing") or "")
    heading = await box(page, "#participate-heading")
    assert heading["y"] + heading["height"] <= SCREEN, heading
    first_control = await box(page, "#kind-comment")
    assert first_control["y"] + first_control["height"] <= SCREEN, first_control
    say = page.locator("nav.page-nav--bar a[href='#participate']")
    assert await say.is_visible()
    height = await page_height(page)
    assert height < 5400, f"the phone page is {height} px tall (6,251 before)"

    # From further down (the end of the form), the agenda is one tap away ...
    await page.locator("#participate-submit").scroll_into_view_if_needed()
    agenda_link = page.locator("nav.page-nav--bar a[href='#agenda-heading']")
    assert await agenda_link.is_visible()
    link = await agenda_link.bounding_box()
    assert link is not None and 0 <= link["y"] < SCREEN, "the bar scrolled away"
    await agenda_link.click()
    await eventually(lambda: in_view_below_bar(page, "#agenda-heading"))
    # ... and the item being discussed one more, marked as such.
    await page.click("#agenda-jump-link")
    await eventually(lambda: in_view_below_bar(page, f"#item-{ids['5a']}"))
    assert await page.get_attribute(f"#item-{ids['5a']}", "aria-current") == "true"
    # "Now discussing" links there too.
    await page.evaluate("window.scrollTo(0, 0)")
    await page.click("#now-discussing a")
    await eventually(lambda: in_view_below_bar(page, f"#item-{ids['5a']}"))
    await ctx.close()

    # Reflow at 320 px: nothing scrolls sideways.
    ctx = await browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = await ctx.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}?lang=cy")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    await ctx.close()


async def test_desktop_agenda_beside_the_discussion(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid, _ = await meeting_night(sqlite_server)
    ctx = await browser.new_context(**DESKTOP)
    page = await ctx.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    now = await box(page, "section.now")
    form = await box(page, "#participate")
    agenda = await box(page, "section.agenda-section")
    # Side by side: the agenda to the right of the discussion, level with "Now discussing".
    assert agenda["x"] >= now["x"] + now["width"], (now, agenda)
    assert agenda["x"] >= form["x"] + form["width"], (form, agenda)
    assert abs(agenda["y"] - now["y"]) < 5, (now, agenda)
    assert agenda["y"] < 900
    await ctx.close()


async def test_published_for_the_current_item_come_first(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid, ids = await meeting_night(sqlite_server)
    for options in (PHONE, {**PHONE, "java_script_enabled": False}):
        ctx = await browser.new_context(**options)
        page = await ctx.new_page()
        await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
        first = page.locator("#contribution-groups > .cgroup").first
        assert await first.get_attribute("data-group") == f"item-{ids['5a']}"
        # Before the agenda, on a phone.
        assert (await box(page, "#contributions"))["y"] < (await box(page, "#agenda-heading"))["y"]
        await ctx.close()


async def test_without_javascript(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid, ids = await meeting_night(sqlite_server)
    ctx = await browser.new_context(java_script_enabled=False, **PHONE)
    page = await ctx.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    assert "5a" in (await page.text_content("#now-discussing") or "")
    assert await page.is_visible("#participate-form")
    assert await page.is_visible("#body")
    assert await page.is_visible("#agenda")
    assert await page.get_attribute("#agenda-jump-link", "href") == f"#item-{ids['5a']}"
    await page.click("nav.page-nav--bar a[href='#agenda-heading']")
    assert page.url.endswith("#agenda-heading")
    await eventually(lambda: in_view_below_bar(page, "#agenda-heading"))
    await ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_axe_clean_in_english_and_welsh(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded, size: str
) -> None:
    mid, _ = await meeting_night(sqlite_server)
    ctx = await browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    page = await ctx.new_page()
    for lang in ("en", "cy"):
        await page.goto(f"{sqlite_server.base_url}/meetings/{mid}?lang={lang}")
        await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))
        violations = await axe_violations(page)
        assert violations == [], (lang, [(v["id"], v["help"], v["nodes"]) for v in violations])
    await ctx.close()
