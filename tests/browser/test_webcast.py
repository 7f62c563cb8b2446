"""The webcast in a real browser: nothing is requested from the video's site until the resident
presses play; then the privacy-respecting player loads under the page's CSP; when the meeting
closes, each item links to the recording at its moment, live. axe-clean."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from hub.actions._locks import Actor
from hub.actions.agenda import ItemSpec, set_current_item
from hub.actions.meetings import change_meeting_status, create_meeting
from hub.events.publish import writing
from tests.browser.support import PHONE, axe_violations, eventually
from tests.support import RunningServer, Seeded

pytestmark = pytest.mark.browser
CLERK = Actor(user_id=1, display_name="Clerk")


async def test_the_video_loads_only_when_asked(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    svc, base = sqlite_server.services, sqlite_server.base_url
    async with writing(svc.sessionmaker, svc.broker) as w:
        meeting = await create_meeting(
            w,
            council_slug="aberglas",
            title="Full Council",
            body_name="Council",
            starts_at=datetime(2026, 12, 3, 18, 0, tzinfo=UTC),
            webcast_url="https://youtu.be/dQw4w9WgXcQ",
            items=[ItemSpec("1", "Apologies"), ItemSpec("2", "Budget")],
        )
        mid = meeting.id
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", CLERK)
    async with svc.sessionmaker() as session:
        from sqlalchemy import select

        from hub.models import AgendaItem

        first = await session.scalar(
            select(AgendaItem.id).where(AgendaItem.meeting_id == mid, AgendaItem.number == "1")
        )
    assert first is not None
    async with writing(svc.sessionmaker, svc.broker) as w:
        await set_current_item(w, mid, first, CLERK)

    context = await browser.new_context(**PHONE)
    player_loads: list[str] = []

    async def fake_player(route: Any) -> None:
        player_loads.append(route.request.url)
        await route.fulfill(content_type="text/html", body="<title>The player</title>")

    await context.route("https://www.youtube-nocookie.com/**", fake_player)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = await context.new_page()
    await page.goto(f"{base}/meetings/{mid}")
    await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))
    assert await page.is_visible("#webcast-play")
    foreign = [u for u in requests if urlsplit(u).netloc != urlsplit(base).netloc]
    assert foreign == [] and player_loads == []
    violations = await axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    await page.click("#webcast-play")
    await eventually(lambda: page.evaluate("!!document.querySelector('iframe.webcast__frame')"))
    assert await page.get_attribute("iframe.webcast__frame", "src") == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )

    async def player_loaded() -> bool:
        return bool(player_loads)

    await eventually(player_loaded)
    assert player_loads == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]

    # The meeting closes: the items taken up link to the recording at their moment, live.
    assert await page.locator(".item__recording").count() == 0
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "close", CLERK)
    await eventually(
        lambda: page.evaluate("document.querySelectorAll('.item__recording').length === 1")
    )
    href = await page.get_attribute(".item__recording", "href")
    assert href is not None and href.startswith("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=")
    await context.close()
