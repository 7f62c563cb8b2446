"""The meeting's webcast on its page: embedded only from a privacy-respecting or allowed player,
with the CSP widened for that one origin only; after the meeting, each item links to the
recording at the moment it was taken up."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from hub.actions._locks import Actor
from hub.actions.agenda import ItemSpec, set_current_item
from hub.actions.councils import update_policy
from hub.actions.meetings import change_meeting_status, create_meeting
from hub.events.publish import writing
from hub.models import AgendaItem
from hub.queries.timeline import opened_at
from tests.support import RunningServer, Seeded, http_client

CLERK = Actor(user_id=1, display_name="Clerk")
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
OWN_PLAYER = "https://aberglas.public-i.tv/core/portal/webcast_interactive/812345"


async def _meeting(server: RunningServer, webcast: str) -> tuple[int, list[int]]:
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        m = await create_meeting(
            w,
            council_slug="aberglas",
            title="Full Council",
            body_name="Council",
            starts_at=datetime(2026, 12, 3, 18, 0, tzinfo=UTC),
            webcast_url=webcast,
            items=[ItemSpec("1", "Apologies"), ItemSpec("2", "Budget")],
        )
    async with svc.sessionmaker() as session:
        from sqlalchemy import select

        ids = list(
            await session.scalars(
                select(AgendaItem.id)
                .where(AgendaItem.meeting_id == m.id)
                .order_by(AgendaItem.position)
            )
        )
    return m.id, ids


def _frames(response: httpx.Response) -> str | None:
    found = re.search(r"frame-src ([^;]+)", response.headers["content-security-policy"])
    return found.group(1) if found else None


async def test_embedded_only_from_allowed_players(server: RunningServer, seeded: Seeded) -> None:
    async with http_client(server.base_url) as http:
        youtube, _ = await _meeting(server, YOUTUBE)
        page = await http.get(f"/meetings/{youtube}")
        assert _frames(page) == "https://www.youtube-nocookie.com"
        assert 'data-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page.text
        assert "youtube.com/embed" not in page.text  # never the cookie-setting player

        # A page without an embeddable video allows no frames at all.
        plain = await http.get(f"/meetings/{seeded.meeting_id}")  # https://example.org/live
        assert _frames(plain) is None and 'id="webcast"' not in plain.text
        assert "https://example.org/live" in plain.text  # still linked

        own, _ = await _meeting(server, OWN_PLAYER)
        assert _frames(await http.get(f"/meetings/{own}")) is None  # not allowed yet
        svc = server.services
        async with writing(svc.sessionmaker, svc.broker) as w:
            await update_policy(
                w, "aberglas", {"video_hosts": "https://aberglas.public-i.tv/core/portal/"}
            )
        allowed = await http.get(f"/meetings/{own}")
        assert _frames(allowed) == "https://aberglas.public-i.tv"
        assert _frames(await http.get("/")) is None


async def test_after_the_meeting_items_link_to_the_recording(
    server: RunningServer, seeded: Seeded
) -> None:
    svc = server.services
    mid, (first, second) = await _meeting(server, YOUTUBE)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", CLERK)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await set_current_item(w, mid, first, CLERK)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await set_current_item(w, mid, second, CLERK)
    async with http_client(server.base_url) as http:
        during = await http.get(f"/meetings/{mid}")
        assert "item__recording" not in during.text.split('id="agenda"', 1)[1]
        async with writing(svc.sessionmaker, svc.broker) as w:
            await change_meeting_status(w, mid, "close", CLERK)
        after = await http.get(f"/meetings/{mid}")
    async with svc.sessionmaker() as session:
        opened = await opened_at(session, mid)
        items = {i: await session.get(AgendaItem, i) for i in (first, second)}
    assert opened is not None
    links = re.findall(r'class="item__recording" href="([^"]+)"', after.text)
    expected = []
    for item_id in (first, second):
        item = items[item_id]
        assert item is not None and item.started_at is not None
        seconds = max(0, int((item.started_at - opened).total_seconds()))
        expected.append(f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t={seconds}s")
    assert links == expected
