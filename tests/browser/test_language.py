"""A resident switches the meeting page to Welsh in a real browser (Chromium) and it stays in
Welsh as the meeting goes on: the switch is a plain link (no script needed) and is remembered,
dates are in Welsh (the server's babel and the page's Intl.DateTimeFormat alike), the current
item shows its Welsh title, and live updates (an item made current, a Welsh title added, the
start moved) arrive in Welsh too, with English-only titles marked lang="en"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.agenda_edit import edit_item, edit_meeting
from hub.actions.meetings import change_meeting_status
from hub.events.publish import writing
from hub.queries.meetings import load_items, load_meeting
from tests.browser.support import PHONE, axe_violations, eventually
from tests.support import RunningServer, Seeded

pytestmark = pytest.mark.browser

CLERK = Actor(1, "Clerk")


async def test_a_resident_follows_the_meeting_in_welsh(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    svc = sqlite_server.services
    mid = sqlite_seeded.meeting_id
    async with svc.sessionmaker() as session:
        items = await load_items(session, mid)
    first, second = items[0], items[1]
    async with writing(svc.sessionmaker, svc.broker) as w:
        await edit_item(
            w, mid, first.id, CLERK, number=first.number, title=first.title,
            description=first.description, title_cy="Ymddiheuriadau",
        )  # fmt: skip

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    assert await page.get_attribute("html", "lang") == "en"
    # The switch is a link: it works without script, and the choice is remembered.
    await page.click(".lang-switch a[hreflang=cy]")
    await page.wait_for_url("**lang=cy")
    assert await page.get_attribute("html", "lang") == "cy"
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    assert await page.get_attribute("html", "lang") == "cy"
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )
    await page.evaluate("window.__sameDocument = true")
    # Served in Welsh: 23 November 2026 was a Monday.
    starts = await page.text_content("#meeting-starts")
    assert starts is not None and "Tachwedd" in starts and "Llun" in starts, starts
    assert await page.text_content(f"#item-{first.id} .item__title") == "Ymddiheuriadau"
    assert await page.get_attribute(f"#item-{first.id} .item__title", "lang") is None
    assert await page.get_attribute(f"#item-{second.id} .item__title", "lang") == "en"

    # Live: the meeting opens, item 1 becomes current; "Now discussing" in Welsh.
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", CLERK)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await set_current_item(w, mid, first.id, CLERK)
    await eventually(
        lambda: page.evaluate(
            "(document.querySelector('#now-discussing .now__title') || {}).textContent"
            " === 'Ymddiheuriadau'"
        )
    )
    badge = await page.text_content(f"#item-{first.id} .item__badge")
    assert badge == "Yn cael ei thrafod nawr"
    # A Welsh title added to item 2, then item 2 made current: both arrive as events.
    async with writing(svc.sessionmaker, svc.broker) as w:
        await edit_item(
            w, mid, second.id, CLERK, number=second.number, title=second.title,
            description=second.description, title_cy="Cofnodion",
        )  # fmt: skip
    await eventually(
        lambda: page.evaluate(
            f"document.querySelector('#item-{second.id} .item__title').textContent === 'Cofnodion'"
        )
    )
    assert await page.get_attribute(f"#item-{second.id} .item__title", "lang") is None
    async with writing(svc.sessionmaker, svc.broker) as w:
        await set_current_item(w, mid, second.id, CLERK)
    await eventually(
        lambda: page.evaluate(
            "(document.querySelector('#now-discussing .now__title') || {}).textContent"
            " === 'Cofnodion'"
        )
    )
    # The start moved to a Saturday in December: the page formats it itself (Intl, in Welsh).
    async with svc.sessionmaker() as session:
        meeting = await load_meeting(session, mid)
    assert meeting is not None
    async with writing(svc.sessionmaker, svc.broker) as w:
        await edit_meeting(
            w, mid, CLERK, title=meeting.title, body_name=meeting.body_name,
            starts_at=datetime(2026, 12, 5, 10, 0, tzinfo=UTC), location=meeting.location,
            webcast_url=meeting.webcast_url,
        )  # fmt: skip
    await eventually(
        lambda: page.evaluate(
            "document.querySelector('#meeting-starts').textContent.includes('Rhagfyr')"
        )
    )
    starts = await page.text_content("#meeting-starts")
    assert starts is not None and "Sadwrn" in starts and "10:00" in starts, starts
    assert await page.evaluate("window.__sameDocument === true"), "the page reloaded"
    assert await axe_violations(page) == []
    await context.close()
