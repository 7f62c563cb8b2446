"""Staff accounts in a real browser: a council's admin invites a clerk (no mail: the page shows
the link), the clerk opens the link, chooses a password, is signed in and drives a meeting in
the console (opens it, sets the current item); a clerk of another council is refused at that
meeting's console, queue and settings. The new pages pass axe in English and Welsh."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hub.models import AgendaItem, Meeting
from tests.browser.support import axe_violations, eventually
from tests.support import PASSWORD, RunningServer, Seeded

pytestmark = pytest.mark.browser

CHOSEN = "heather quarry lantern violin"


async def _signed_in(browser: Any, base: str, email: str) -> Any:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/staff/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/staff/")
    return page


async def _axe_in_both_languages(page: Any, url: str) -> None:
    for lang in ("en", "cy"):
        response = await page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert response.status == 200, url
        assert await page.get_attribute("html", "lang") == lang
        violations = await axe_violations(page)
        assert violations == [], (url, lang, [(v["id"], v["help"]) for v in violations])
    await page.goto(f"{url}{'&' if '?' in url else '?'}lang=en")


async def test_an_invited_clerk_drives_a_meeting_and_another_council_is_refused(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    admin = await _signed_in(browser, base, sqlite_seeded.users["council_admin"])
    await admin.click("a[href='/staff/councils/aberglas/staff']")
    await admin.wait_for_url(f"{base}/staff/councils/aberglas/staff")
    await admin.fill("#invite-email", "nia@aberglas.invalid")
    await admin.select_option("#invite-role", "clerk")
    await admin.click("form[action$='/staff/invites'] button[type=submit]")
    await admin.wait_for_selector("#invite-link")
    link = await admin.input_value("#invite-link")
    assert link.startswith(f"{base}/staff/invites/")
    assert "sends no email" in (await admin.text_content("#new-invite") or "")
    violations = await axe_violations(admin)  # the page with the link on it
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    # The clerk opens the link in a browser of their own.
    clerk = await (await browser.new_context()).new_page()
    await _axe_in_both_languages(clerk, link)
    await clerk.fill("#display_name", "Nia Jones")
    await clerk.fill("#password", CHOSEN)
    await clerk.fill("#password_again", CHOSEN)
    await clerk.click("button[type=submit]")
    await clerk.wait_for_url(f"{base}/staff/")
    assert "Nia Jones" in (await clerk.text_content(".staff-bar__who") or "")

    # And drives the meeting: opens it, and sets the current item.
    await clerk.click(f"a[href='/staff/meetings/{mid}']")
    await clerk.wait_for_url(f"{base}/staff/meetings/{mid}")
    await eventually(
        lambda: clerk.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )
    await clerk.click("form[data-action=open] button[type=submit]")
    await eventually(
        lambda: clerk.evaluate(
            "document.querySelector('#meeting-status').dataset.status === 'live'"
        )
    )
    item = sqlite_seeded.item_ids[1]
    await clerk.click(f"#item-{item} button[data-role=current]")

    async def current() -> bool:
        async with sqlite_server.services.sessionmaker() as session:
            row = await session.scalar(select(AgendaItem).where(AgendaItem.id == item))
            meeting = await session.scalar(select(Meeting).where(Meeting.id == mid))
        return row is not None and row.status == "current" and meeting.status == "live"  # type: ignore[union-attr]

    await eventually(current)

    # A clerk of another council is refused at this meeting's console, queue and settings.
    other = await _signed_in(browser, base, sqlite_seeded.users["other_clerk"])
    for path in (
        f"/staff/meetings/{mid}",
        f"/staff/meetings/{mid}/moderation",
        f"/staff/meetings/{mid}/agenda",
        "/staff/councils/aberglas/settings",
        "/staff/councils/aberglas/staff",
    ):
        response = await other.goto(f"{base}{path}")
        assert response.status == 403, path
    assert "Aberglas" not in (await (await other.goto(f"{base}/staff/")).text())

    # The council's admin sees it all in the audit log; the pages pass axe in both languages.
    await _axe_in_both_languages(admin, f"{base}/staff/councils/aberglas/audit")
    log = await admin.text_content("#council-audit") or ""
    assert "Nia Jones (nia@aberglas.invalid) accepted the invitation to join as Clerk." in log
    await _axe_in_both_languages(admin, f"{base}/staff/councils/aberglas/staff")
    await _axe_in_both_languages(admin, f"{base}/staff/")
    deployment = await _signed_in(browser, base, sqlite_seeded.users["admin"])
    await _axe_in_both_languages(deployment, f"{base}/staff/users")
