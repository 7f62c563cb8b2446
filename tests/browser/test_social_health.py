"""The console's "Social media" panel in a real browser: a source added on the sources page
appears, its posts fetched and its failures show as they happen (the staff stream's
social.source.health), the same as after a reload; axe-core finds nothing on either page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.models import utcnow
from tests.browser.support import axe_violations, eventually, signed_in_page
from tests.conftest import settings_for
from tests.integrations.social.fakes import json_response
from tests.integrations.social.platforms import World
from tests.integrations.social.test_runner import KEY, live_meeting
from tests.support import PASSWORD, RunningServer, Seeded, run_server

pytestmark = pytest.mark.browser


@pytest.fixture
async def polling_server(sqlite_url: str, sqlite_seeded: Seeded) -> AsyncIterator[RunningServer]:
    settings = settings_for(
        sqlite_url, credentials_key=(KEY,), social_poll_seconds=0.3, lease_seconds=1.5
    )
    async with run_server(settings) as running:
        yield running


def _untimed(text: str) -> str:
    return re.sub(r"\d\d:\d\d", "HH:MM", text)


async def panel(page: Any) -> str:
    return str(await page.inner_text("#social-health"))


async def test_the_console_follows_each_source_live(
    browser: Any, polling_server: RunningServer, sqlite_seeded: Seeded, world: World
) -> None:
    server = polling_server
    mid = await live_meeting(server.services.sessionmaker, sqlite_seeded)
    clerk = sqlite_seeded.users["clerk"]
    console = await signed_in_page(
        browser, server.base_url, clerk, PASSWORD, f"/staff/meetings/{mid}"
    )
    assert "No social media sources are set up" in await panel(console)

    # Another tab: the sources page, where the clerk adds a Mastodon instance.
    sources = await console.context.new_page()
    await sources.goto(f"{server.base_url}/staff/councils/aberglas/social")
    assert await axe_violations(sources) == []
    world.mastodon.post("Library hours #AberglasCabinet", utcnow(), ["AberglasCabinet"])
    await sources.fill("#m-name", "social.example")
    await sources.fill("#m-url", world.api.base_url)
    await sources.click("text=Add the Mastodon instance")
    await sources.wait_for_url("**/social#source-*")

    async def says(*words: str) -> bool:
        text = await panel(console)
        return all(w in text for w in words)

    await eventually(lambda: says("social.example", "Working", "Posts fetched\n1"), timeout=10)
    assert "No social media sources" not in await panel(console)
    world.mastodon.fault = lambda _: json_response({"error": "down"}, 503)
    await eventually(
        lambda: says("Failing: trying again later", "Mastodon answered 503."), timeout=10
    )
    live = await panel(console)
    assert await axe_violations(console) == []
    await console.reload()
    await eventually(lambda: says("Failing: trying again later"))
    # The same words (times aside: the next poll moves with each failure, which is not sent).
    assert _untimed(await panel(console)) == _untimed(live)
    await console.context.close()
