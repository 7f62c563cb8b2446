"""A parent item whose sub-item is being discussed reads "Under way" (issue 10): after the clerk
moved from 3 to 3a, item 3 read "Not yet discussed" beside its own start and end times. On the
resident page and on the clerk's console, live (without a reload) and as the server renders
it, and in the public snapshot."""

from __future__ import annotations

from typing import Any

import pytest

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status
from hub.events.publish import writing
from tests.browser.support import PHONE, eventually, signed_in_page
from tests.support import PASSWORD, RunningServer, Seeded, http_client

pytestmark = pytest.mark.browser


async def badge(page: Any, item_id: int) -> str:
    text = await page.text_content(f"#item-{item_id} .item__meta .item__badge")
    return (text or "").strip()


async def test_parent_reads_under_way_live_and_server_rendered(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid, svc, base = sqlite_seeded.meeting_id, sqlite_server.services, sqlite_server.base_url
    parent, first, second, last = (sqlite_seeded.item_ids[i] for i in (2, 3, 4, 5))  # 3 3a 3b 4
    actor = Actor(1, "Clerk")
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", actor)
        await set_current_item(w, mid, parent, actor)

    resident_ctx = await browser.new_context(**PHONE)
    resident = await resident_ctx.new_page()
    await resident.goto(f"{base}/meetings/{mid}")
    await eventually(lambda: resident.evaluate("window.__councilHub.state === 'live'"))
    await resident.evaluate("window.__sameDocument = true")
    clerk = await signed_in_page(
        browser, base, sqlite_seeded.users["clerk"], PASSWORD, f"/staff/meetings/{mid}"
    )
    await clerk.evaluate("window.__sameDocument = true")
    assert await badge(resident, parent) == "Being discussed now"

    # The clerk moves from 3 to 3a: 3 reads "Under way" on both pages, without a reload.
    await clerk.click(f"#item-{first} button[data-role=current]")
    # The resident's "Go to the item being discussed now" follows, too.
    await eventually(
        lambda: resident.evaluate(
            f"document.getElementById('agenda-jump-link').getAttribute('href') === '#item-{first}'"
        )
    )
    for page in (resident, clerk):
        await eventually(lambda page=page: _reads(page, parent, "Under way"))
        assert await badge(page, first) == "Being discussed now"
        assert await badge(page, second) == "Not yet discussed"
        assert await page.evaluate("window.__sameDocument === true"), "the page reloaded"
        # Its own times stay (on the console they sit in the folded part of the item).
        # (The first match is the parent's own: its sub-items come after it.)
        started = page.locator(f"#item-{parent} .item__started").first
        assert (await started.text_content() or "").startswith("Started")
    # The console's folded line reads the same as the item's details.
    assert (await clerk.text_content(f"#item-{parent} .citem__badge") or "").strip() == "Under way"

    # As the server renders it, and in the snapshot.
    for page in (resident, clerk):
        await page.reload()
        assert await badge(page, parent) == "Under way"
    assert (await clerk.text_content(f"#item-{parent} .citem__badge") or "").strip() == "Under way"
    async with http_client(base) as client:
        items = (await client.get(f"/api/meetings/{mid}")).json()["items"]
    shown = {i["id"]: (i["status"], i["display_status"]) for i in items}
    assert shown[parent] == ("pending", "underway")
    assert shown[first] == ("current", "current")

    # On to 4 with no outcome for 3 or 3a: they were discussed, not "Not yet discussed".
    await eventually(lambda: clerk.evaluate("window.__councilHub.state === 'live'"))
    await eventually(lambda: resident.evaluate("window.__councilHub.state === 'live'"))
    await clerk.click(f"#item-{last} button[data-role=current]")
    for page in (resident, clerk):
        await eventually(lambda page=page: _reads(page, parent, "Discussed"))
        assert await badge(page, first) == "Discussed"
        assert await badge(page, second) == "Not yet discussed"
    await resident_ctx.close()
    await clerk.context.close()


async def _reads(page: Any, item_id: int, text: str) -> bool:
    return await badge(page, item_id) == text
