"""Real browsers (Playwright driving Chromium) on the real app: a clerk drives the meeting in
one context, a resident on a phone follows in another, without reloading; axe-core finds no
WCAG 2.2 AA violations on the resident page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from hub.actions.meetings import update_meeting
from hub.events.publish import writing
from hub.models import AgendaItem
from tests.browser.support import PHONE, axe_violations, eventually
from tests.support import PASSWORD, RunningServer, Seeded

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__pwned=1">Any other <b>business</b>'


async def test_clerk_drives_resident_follows(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    hostile_item = sqlite_seeded.item_ids[-1]
    async with sqlite_server.services.sessionmaker() as session:
        await session.execute(
            update(AgendaItem).where(AgendaItem.id == hostile_item).values(title=HOSTILE)
        )
        await session.commit()
    base = sqlite_server.base_url
    csp_errors: list[str] = []

    resident_ctx = await browser.new_context(**PHONE)
    resident = await resident_ctx.new_page()
    resident.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await resident.goto(f"{base}/meetings/{mid}")
    await eventually(
        lambda: resident.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )
    # Mark the document: if the page reloads, the mark is gone.
    await resident.evaluate("window.__sameDocument = true")

    clerk_ctx = await browser.new_context()
    clerk = await clerk_ctx.new_page()
    await clerk.goto(f"{base}/staff/meetings/{mid}")
    assert "/staff/login" in clerk.url
    await clerk.fill("#email", sqlite_seeded.users["clerk"])
    await clerk.fill("#password", PASSWORD)
    await clerk.click("button[type=submit]")
    await clerk.wait_for_url(f"{base}/staff/meetings/{mid}")
    await eventually(
        lambda: clerk.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )

    # Before the meeting is in session, the console says why "Make current" is greyed out.
    assert await clerk.is_visible("#current-needs-live")
    await clerk.click("form[data-action=open] button")
    await eventually(
        lambda: resident.evaluate(
            "document.querySelector('#meeting-status').dataset.status === 'live'"
        )
    )

    await eventually(lambda: clerk.is_hidden("#current-needs-live"))
    target = sqlite_seeded.item_ids[3]  # item 3a
    await clerk.click(f"#item-{target} button[data-role=current]")
    await eventually(
        lambda: resident.evaluate(
            f"document.querySelector('#item-{target}').classList.contains('item--current')"
        )
    )
    now = await resident.text_content("#now-discussing")
    assert now is not None and "Findings" in now and "3a" in now
    assert await resident.get_attribute(f"#item-{target}", "aria-current") == "true"
    assert await resident.evaluate("window.__sameDocument === true"), "the page reloaded"

    # The outcome note reaches the resident too.
    await clerk.fill(f"#note-{target}", "Noted, with thanks to residents")
    await clerk.click(f"#item-{target} button[data-role=outcome][value=done]")
    await eventually(
        lambda: resident.evaluate(
            f"document.querySelector('#item-{target}').classList.contains('item--done')"
        )
    )
    assert "Noted, with thanks to residents" in (
        await resident.text_content(f"#item-{target}") or ""
    )

    # Hostile markup in a title is shown as text and never runs.
    hostile_text = await resident.text_content(f"#item-{hostile_item} .item__title")
    assert hostile_text == HOSTILE
    assert await resident.evaluate("window.__pwned === undefined")

    violations = await axe_violations(resident)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
    assert csp_errors == []
    await resident_ctx.close()
    await clerk_ctx.close()


async def test_resident_page_reconnects_and_catches_up(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """The connection drops (wifi change); events happen meanwhile; the page catches up."""
    from hub.actions._locks import Actor
    from hub.actions.agenda import set_current_item
    from hub.actions.meetings import change_meeting_status
    from hub.events.publish import writing

    mid = sqlite_seeded.meeting_id
    services = sqlite_server.services
    ctx = await browser.new_context(**PHONE)
    page = await ctx.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))
    # Drop every socket of the meeting from the server side, as a network change would. (The
    # page says "live" when its socket opens, a moment before the server has attached it.)

    async def attached() -> bool:
        channel = services.streams.channels.get(mid)
        return channel is not None and len(channel.fanout.public) == 1

    await eventually(attached)
    channel = services.streams.channels[mid]
    for conn in list(channel.fanout.public):
        conn.sink.close(1012, "network change")
    actor = Actor(1, "Clerk")
    async with writing(services.sessionmaker, services.broker) as w:
        await change_meeting_status(w, mid, "open", actor)
    async with writing(services.sessionmaker, services.broker) as w:
        await set_current_item(w, mid, sqlite_seeded.item_ids[1], actor)
    await eventually(
        lambda: page.evaluate(
            f"document.querySelector('#item-{sqlite_seeded.item_ids[1]}').classList.contains('item--current')"
        ),
        timeout=10,
    )
    assert await page.evaluate("document.querySelector('#meeting-status').dataset.status") == "live"
    await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))
    await ctx.close()


async def test_resident_page_without_javascript_shows_current_state(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    from hub.actions._locks import Actor
    from hub.actions.agenda import set_current_item
    from hub.actions.meetings import change_meeting_status
    from hub.events.publish import writing

    mid = sqlite_seeded.meeting_id
    services = sqlite_server.services
    actor = Actor(1, "Clerk")
    async with writing(services.sessionmaker, services.broker) as w:
        await change_meeting_status(w, mid, "open", actor)
        await set_current_item(w, mid, sqlite_seeded.item_ids[2], actor)
    ctx = await browser.new_context(java_script_enabled=False, **PHONE)
    page = await ctx.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    assert "item--current" in (
        await page.get_attribute(f"#item-{sqlite_seeded.item_ids[2]}", "class") or ""
    )
    assert "Library opening hours" in (await page.text_content("#now-discussing") or "")
    assert await page.is_visible("#agenda")
    await ctx.close()


async def test_the_form_follows_the_submission_window_live(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """A window changed by a clerk or an operator (an action, so an event) opens and closes the
    resident's form without a reload; so does a window time passing while the page is open."""
    mid, svc = sqlite_seeded.meeting_id, sqlite_server.services
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{mid}")
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )
    await page.evaluate("window.__sameDocument = true")
    assert await page.is_visible("#participate-form")

    async def set_window(**bounds: Any) -> None:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await update_meeting(w, mid, **bounds)

    await set_window(submissions_close_at=datetime.now(UTC) - timedelta(minutes=1))
    await eventually(lambda: page.is_hidden("#participate-form"))
    closed = await page.text_content("#participate-closed")
    assert closed is not None and "ended" in closed
    await set_window(submissions_close_at=None)
    await eventually(lambda: page.is_visible("#participate-form"))
    # Opening in two seconds: closed now, open when the time passes, with no event between.
    await set_window(submissions_open_at=datetime.now(UTC) + timedelta(seconds=2))
    await eventually(lambda: page.is_hidden("#participate-form"))
    assert "open when" in (await page.text_content("#participate-closed") or "")
    await eventually(lambda: page.is_visible("#participate-form"), timeout=6)
    assert await page.evaluate("window.__sameDocument === true"), "the page reloaded"
    await context.close()


async def test_the_privacy_notice_in_both_languages(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """Reached from the resident page's footer, with the resident's participant code; axe
    finds no WCAG 2.2 AA violation in English or Welsh."""
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{sqlite_server.base_url}/meetings/{sqlite_seeded.meeting_id}")
    code = await page.text_content("#mine-code .code")
    await page.click("#privacy-link")
    await page.wait_for_url("**/c/aberglas/privacy")
    assert code and await page.text_content("#participant-code") == code
    for lang in ("en", "cy"):
        await page.goto(f"{sqlite_server.base_url}/c/aberglas/privacy?lang={lang}")
        assert await page.get_attribute("html", "lang") == lang
        assert await axe_violations(page) == [], lang
    await context.close()
