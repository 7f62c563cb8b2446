"""Social media posts in real browsers, one scenario on three pages open at once: a resident's
page, the chamber screen and a clerk's moderation queue. A post the clerk approves from the
queue (its keyboard shortcut) reaches the resident's page live, attributed and apart from
residents' comments, its content warning folded; spotlighted, it reaches the chamber screen;
moved to another item, it moves on the page; withdrawn as deleted at its source, it goes from
both. A post whose author opted out of public display has no approve button. The resident page
is axe-clean with posts on it, and no page asks anything of another site: every request each
page makes is recorded, and every one is to the hub itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from hub.actions._locks import Actor
from hub.actions.meetings import update_meeting
from hub.events.publish import writing
from integrations.social.models import Media
from tests.actions.test_social import post
from tests.browser.support import PHONE, axe_violations, eventually, signed_in_page
from tests.conftest import settings_for
from tests.support import (
    PASSWORD,
    RunningServer,
    Seeded,
    contribute,
    resident,
    run_server,
    sign_in,
)
from tests.web.test_social_posts import store_posts

pytestmark = pytest.mark.browser


@pytest.fixture
async def quiet_server(sqlite_url: str, sqlite_seeded: Seeded) -> AsyncIterator[RunningServer]:
    """The hub without its social poller: the scenario's meeting has hashtags and sources, and
    a poll would go out to the real platforms (the posts here come from store_posts)."""
    async with run_server(settings_for(sqlite_url, social_polling=False)) as running:
        yield running


def _record(context: Any, seen: list[str]) -> None:
    """Every request the context's pages make, and every socket they open."""
    context.on("request", lambda request: seen.append(request.url))
    context.on("page", lambda page: page.on("websocket", lambda ws: seen.append(ws.url)))


async def _live(page: Any) -> None:
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )


async def _has(page: Any, selector: str) -> bool:
    return bool(await page.evaluate("(s) => !!document.querySelector(s)", selector))


async def _visible(page: Any, selector: str) -> bool:
    return bool(await page.is_visible(selector)) if await _has(page, selector) else False


async def _text(page: Any, selector: str) -> str:
    return " ".join(((await page.text_content(selector)) or "").split())


async def test_a_post_a_clerk_approves_reaches_residents_and_the_chamber(
    browser: Any, quiet_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    sqlite_server = quiet_server
    base, mid, items = sqlite_server.base_url, sqlite_seeded.meeting_id, sqlite_seeded.item_ids
    svc = sqlite_server.services
    clerk = await sign_in(base, sqlite_seeded.users["clerk"])
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200
    r = await clerk.post(f"/staff/meetings/{mid}/items/{items[0]}/status", {"status": "current"})
    assert r.status_code == 200
    async with writing(svc.sessionmaker, svc.broker) as w:
        await update_meeting(w, mid, Actor(1, "Clerk"), hashtags="#AberglasCabinet")
    # A resident's comment, published: the post must not read as one of these.
    async with resident(base) as author:
        comment = int((await contribute(author, mid, "Keep the library open")).json()["id"])
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{comment}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200

    seen: list[str] = []
    phone = await browser.new_context(**PHONE)
    _record(phone, seen)
    page = await phone.new_page()
    await page.goto(f"{base}/meetings/{mid}")
    await _live(page)
    assert await _visible(page, "#social") and await _visible(page, "#social-empty")
    assert "#AberglasCabinet" in await _text(page, "#social-about")

    chamber = await browser.new_context(viewport={"width": 1920, "height": 1080})
    _record(chamber, seen)
    screen = await chamber.new_page()
    await screen.goto(f"{base}/meetings/{mid}/projector")
    await _live(screen)

    # Two posts arrive from a poll (while the pages are open): both wait for a clerk. Posted
    # now (not at the fixtures' fixed time): a post is tied to the item current when it was
    # posted, and the item was made current a moment ago by the real clock.
    now = datetime.now(UTC)
    warned, opted_out = await store_posts(
        sqlite_server,
        mid,
        [
            post(
                1,
                text="The library is where I learnt to read #AberglasCabinet",
                content_warning="Library closures",
                language="en",
                created_at=now,
                media=(
                    Media("https://social.example/media/1.jpg", "Readers in the library", "image"),
                ),
            ),
            post(2, text="Not for everyone's eyes", public_ok=False, created_at=now),
        ],
    )
    moderation = await signed_in_page(
        browser, base, sqlite_seeded.users["clerk"], PASSWORD, f"/staff/meetings/{mid}/moderation"
    )
    _record(moderation.context, seen)
    await eventually(lambda: _has(moderation, f"#q-{warned}"))
    assert await _text(moderation, f"#q-{warned} .mentry__platform") == "Mastodon"
    assert "Content warning: Library closures" in await _text(moderation, f"#q-{warned}")
    await eventually(lambda: _has(moderation, f"#q-{opted_out}"))
    assert not await _has(moderation, f"#q-{opted_out} button[data-role=approve]")
    assert "Author opted out of public display" in await _text(moderation, f"#q-{opted_out}")
    assert not await _has(page, f"#post-{warned}")  # nothing before a clerk says so
    violations = await axe_violations(moderation)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    # The clerk approves it with the queue's shortcut.
    await moderation.focus(f"#q-{warned}")
    await moderation.keyboard.press("a")
    await eventually(lambda: _has(page, f"#post-{warned}"))
    entry = f"#social #post-{warned}"
    by = await _text(page, f"{entry} .post__by")
    assert "Resident 1" in by and "@resident1@social.example" in by and "on Mastodon" in by
    link = page.locator(f"{entry} .post__link a")
    assert await link.get_attribute("href") == "https://social.example/@resident1/1"
    assert await link.get_attribute("rel") == "noopener noreferrer nofollow ugc"
    assert await link.get_attribute("target") is None  # the page's links open in place
    # Folded behind its warning until the resident opens it; then the text and the picture
    # as a link with its alt text.
    assert not await page.is_visible(f"{entry} .post__body")
    await page.click(f"{entry} summary.post__warning")
    assert await page.is_visible(f"{entry} .post__body")
    assert await page.get_attribute(f"{entry} .post__body", "lang") == "en"
    assert await _text(page, f"{entry} .post__media a") == "Picture: Readers in the library"
    # In the current item's group, never among residents' comments.
    assert await _has(page, f"#sgroup-item-{items[0]} #post-{warned}")
    assert not await _has(page, f"#contribution-groups #post-{warned}")
    assert "Resident 1" not in await _text(page, "#contribution-groups")
    assert not await _visible(page, "#social-empty")

    violations = await axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    # Spotlighted from "Recently decided": on the chamber screen, attributed.
    await eventually(lambda: _has(moderation, f"#d-{warned} button[data-role=spotlight]"))
    await moderation.click(f"#d-{warned} button[data-role=spotlight]")
    await eventually(lambda: _visible(screen, "#projector-spotlight"))
    assert await _text(screen, "#projector-spotlight-heading") == "From social media"
    spot = await _text(screen, "#projector-question")
    assert "Resident 1 @resident1@social.example on Mastodon" in spot
    assert "Content warning: Library closures" in spot and "where I learnt to read" in spot

    # Moved to another item: it changes group on the resident's page.
    await moderation.click(f"#d-{warned} details[data-role=move-details] summary")
    await moderation.select_option(f"#d-move-to-{warned}", str(items[2]))
    await moderation.click(f"#d-{warned} button[data-role=move-confirm]")
    await eventually(lambda: _has(page, f"#sgroup-item-{items[2]} #post-{warned}"))
    assert not await _has(page, f"#sgroup-item-{items[0]}")

    # Deleted at its source: one click withdraws it from every page and the screen.
    await moderation.click(f"#d-{warned} button[data-role=withdraw]")
    await eventually(lambda: _equals(_has(page, f"#post-{warned}"), False))
    await eventually(lambda: _equals(_visible(screen, "#projector-spotlight"), False))
    await eventually(lambda: _visible(page, "#social-empty"))
    assert "Deleted at its source" in await _text(moderation, f"#d-{warned}")

    # Welsh, with a post on the page (the server's rendering this time).
    [published] = await store_posts(
        sqlite_server, mid, [post(3, platform="bluesky", created_at=datetime.now(UTC))]
    )
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{published}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200
    await page.goto(f"{base}/meetings/{mid}?lang=cy")
    await _live(page)
    assert "ar Bluesky" in await _text(page, f"#post-{published} .post__by")
    violations = await axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    origin = urlsplit(base).netloc
    assert seen and all(urlsplit(url).netloc == origin for url in seen), sorted(
        {url for url in seen if urlsplit(url).netloc != origin}
    )
    assert any(url.startswith("ws://") for url in seen)  # the sockets were recorded too
    for context in (phone, chamber, moderation.context):
        await context.close()
    await clerk.http.aclose()


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
