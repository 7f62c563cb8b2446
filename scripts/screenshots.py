"""Takes the README's screenshots: the demo meeting, in session, on a phone (390x844) and a
desktop (1366x900), whole pages, their first screens in English and Welsh, and the clerk's
console; prints the phone page's height and
where "Now discussing" and the form start on it (the first screen is 844 px). Then social
media posts: on the resident page, in the moderation queue and spotlighted on the chamber
screen (docs/guide.md shows them).
Run: .venv/bin/python scripts/screenshots.py (needs Chromium)."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from playwright.async_api import async_playwright

from hub import demo
from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item, set_item_outcome
from hub.actions.meetings import change_meeting_status, update_meeting
from hub.actions.moderation import moderate
from hub.actions.participation import Submission, submit
from hub.actions.social import store_poll
from hub.actions.social_sources import add_source
from hub.app import create_app
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import Writer, writing
from hub.migrate import upgrade_async
from hub.queries.meetings import load_items
from hub.settings import Settings
from integrations.social.models import FetchResult, Media, Post

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Where the resident page's parts start (px from the top of the page) and its height.
MEASURE = """() => {
  const top = (s) => {
    const e = document.querySelector(s);
    return e ? Math.round(e.getBoundingClientRect().top + window.scrollY) : null;
  };
  return {
    height: document.documentElement.scrollHeight,
    now: top("#now-heading"),
    form: top("#participate-heading"),
    textarea: top("#body"),
    agenda: top("#agenda-heading"),
  };
}"""


async def main() -> None:
    db = Path(tempfile.mkdtemp()) / "shots.db"
    url = f"sqlite+aiosqlite:///{db}"
    await upgrade_async(url)
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        logins = await demo.seed(Writer(session))
        await session.commit()
        items = await load_items(session, logins.meeting_id)
    await engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # No social polling: the demo posts below are stored directly, and a poll would fetch real ones.
    app = create_app(Settings(database_url=url, social_polling=False))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            ws="hub.live.uvicorn_seam:FastSendProtocol",
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
        await asyncio.sleep(0.05)
    svc = app.state.services
    actor = Actor(1, "Demo Clerk")
    mid = logins.meeting_id
    async with writing(svc.sessionmaker, svc.broker) as w:
        await change_meeting_status(w, mid, "open", actor)
        for item in items[:4]:
            await set_item_outcome(w, mid, item.id, "done", actor)
        await set_current_item(w, mid, items[5].id, actor)  # 5a
    residents = [
        (
            "comment",
            "oppose",
            "Siân",
            "Llanfair library is the only warm, free place my children can do homework. Please keep Saturday opening.",
            True,
        ),
        (
            "comment",
            "support",
            None,
            "Sharing the building with the community centre makes sense if the hours stay the same.",
            True,
        ),
        (
            "question",
            None,
            "Gareth",
            "How many people answered the consultation from Penrhos itself?",
            True,
        ),
        (
            "question",
            None,
            None,
            "Will the mobile library visit the villages that lose a branch?",
            True,
        ),
        (
            "comment",
            "neutral",
            "Alun",
            "Could the council publish the footfall figures per branch?",
            False,
        ),
        ("question", None, None, "Why was the consultation only online?", False),
    ]
    for n, (kind, position, name, body, approve) in enumerate(residents):
        async with writing(svc.sessionmaker, svc.broker) as w:
            c, _ = await submit(
                w,
                mid,
                f"demo-resident-{n:02d}-xxxxxxxx",
                Submission(
                    kind=kind,
                    body=body,
                    position=position,
                    display_name=name,
                    client_token=f"t{n}",
                    area=["Llanfair ward", "Penrhos", "NP25 4"][n % 3],
                ),
            )
        if approve:
            async with writing(svc.sessionmaker, svc.broker) as w:
                await moderate(w, mid, c.id, "approve", actor)
            if n == 2:
                async with writing(svc.sessionmaker, svc.broker) as w:
                    await moderate(w, mid, c.id, "spotlight", actor)
    posts = await _social_posts(svc, mid, actor)
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=os.environ.get("COUNCIL_HUB_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        phone = await browser.new_page(viewport=PHONE, device_scale_factor=2)
        await phone.goto(f"{base}/meetings/{mid}")
        await asyncio.sleep(0.5)
        await phone.screenshot(path=OUT / "resident-phone-screen.png")  # the first screen
        await phone.screenshot(path=OUT / "resident-phone.png", full_page=True)
        m = await phone.evaluate(MEASURE)
        print(
            f"phone {PHONE['width']}x{PHONE['height']}: page {m['height']} px tall; "
            f"top of Now discussing {m['now']} px, of Have your say {m['form']} px, "
            f"of its text box {m['textarea']} px, of the agenda {m['agenda']} px"
        )
        desktop = await browser.new_page(viewport=DESKTOP)
        await desktop.goto(f"{base}/meetings/{mid}")
        await asyncio.sleep(0.5)
        await desktop.screenshot(path=OUT / "resident-desktop.png", full_page=True)
        m = await desktop.evaluate(MEASURE)
        print(f"desktop {DESKTOP['width']}x{DESKTOP['height']}: page {m['height']} px tall")
        # The first screen on a phone and a desktop in English and in Welsh (docs/guide.md,
        # "Accessibility and languages"); pages of their own, so the Welsh one's language
        # cookie does not follow the other screenshots.
        for lang in ("en", "cy"):
            for size, viewport, scale in (("phone", PHONE, 2), ("desktop", DESKTOP, 1)):
                page = await browser.new_page(viewport=viewport, device_scale_factor=scale)
                await page.goto(f"{base}/meetings/{mid}?lang={lang}")
                await asyncio.sleep(0.5)
                await page.screenshot(path=OUT / f"resident-{size}-{lang}.png")
                await page.close()
        await desktop.goto(f"{base}/staff/login")
        await desktop.fill("#email", demo.CLERK_EMAIL)
        await desktop.fill("#password", logins.clerk_password)
        await desktop.click("button[type=submit]")
        await desktop.goto(f"{base}/staff/meetings/{mid}")
        await asyncio.sleep(0.5)
        await desktop.screenshot(path=OUT / "clerk-console.png", full_page=True)
        await desktop.goto(f"{base}/staff/meetings/{mid}/moderation")
        await asyncio.sleep(0.5)
        await desktop.screenshot(path=OUT / "moderation-queue.png")
        screen = await browser.new_page(viewport={"width": 1600, "height": 900})
        await screen.goto(f"{base}/meetings/{mid}/projector")
        await asyncio.sleep(0.5)
        await screen.screenshot(path=OUT / "projector.png")
        await phone.goto(f"{base}/meetings/{mid}")
        await asyncio.sleep(0.5)
        await phone.evaluate("document.querySelector('#participate-form').scrollIntoView()")
        await phone.screenshot(path=OUT / "resident-form.png")
        await phone.evaluate("document.querySelector('#contribution-groups').scrollIntoView()")
        await phone.screenshot(path=OUT / "resident-contributions.png")
        # Social media posts: the resident's section, the queue, the chamber screen.
        await phone.evaluate("document.querySelector('#social').scrollIntoView()")
        await phone.screenshot(path=OUT / "resident-social.png")
        await desktop.goto(f"{base}/staff/meetings/{mid}/moderation")
        await asyncio.sleep(0.5)
        await desktop.locator(f"#q-{posts['waiting']}").screenshot(path=OUT / "moderation-post.png")
        async with writing(svc.sessionmaker, svc.broker) as w:
            await moderate(w, mid, posts["published"], "spotlight", actor)
        await asyncio.sleep(0.5)
        await screen.screenshot(path=OUT / "projector-post.png")
        await _admin_area(browser, base, logins.admin_password)
        await browser.close()
    server.should_exit = True
    await task
    print(f"screenshots in {OUT}")


async def _admin_area(browser: object, base: str, password: str) -> None:
    """The admin area: the deployment admin's home, a council's settings (its colours set
    through the form) and that council's home page in its colours, in Welsh."""
    admin = await browser.new_page(viewport=DESKTOP)  # type: ignore[attr-defined]
    await admin.goto(f"{base}/staff/login")
    await admin.fill("#email", demo.ADMIN_EMAIL)
    await admin.fill("#password", password)
    await admin.click("button[type=submit]")
    await admin.goto(f"{base}/staff/admin")
    await admin.screenshot(path=OUT / "admin-area.png", full_page=True)
    slug = await admin.locator("#council-table td:nth-child(2)").first.inner_text()
    await admin.goto(f"{base}/staff/councils/{slug}/settings")
    await admin.fill("#brand_colour", "#8a1538")
    await admin.fill("#brand_text_colour", "#ffffff")
    await admin.click("text=Save the colours")
    await admin.wait_for_url("**saved=colours**")
    await admin.goto(f"{base}/staff/councils/{slug}/settings")
    await admin.screenshot(path=OUT / "admin-council-settings.png")
    home = await browser.new_page(viewport=DESKTOP)  # type: ignore[attr-defined]
    await home.goto(f"{base}/c/{slug}?lang=cy")
    await home.screenshot(path=OUT / "council-home-cy.png", full_page=True)


async def _social_posts(svc: object, mid: int, actor: Actor) -> dict[str, int]:
    """Posts tagged to the demo meeting, as a poll of Mastodon stores them: two published (one
    behind a content warning), one waiting for a clerk."""
    sessionmaker, broker = svc.sessionmaker, svc.broker  # type: ignore[attr-defined]
    async with writing(sessionmaker, broker) as w:
        source = await add_source(w, demo.COUNCIL_SLUG, "mastodon", "social.wales")
        await update_meeting(w, mid, actor, hashtags="#AberglasCabinet")
    at = datetime.now(UTC)  # after 5a was made current: the posts are about it
    texts = [
        (
            "Cerys Morgan",
            "cerys@social.wales",
            "The Penrhos branch is where half the village "
            "learnt to read. Please look at the footfall before closing it #AberglasCabinet",
            None,
            (
                Media(
                    "https://social.wales/media/1.jpg",
                    "Children reading in Penrhos library",
                    "image",
                ),
            ),
        ),
        (
            "Aberglas Library Friends",
            "friends@mastodon.cymru",
            "Our survey of 300 library users "
            "is online for councillors to read before tonight's vote #AberglasCabinet",
            None,
            (),
        ),
        (
            "Dai Rees",
            "dai@social.wales",
            "Another cut dressed up as a review. #AberglasCabinet",
            "Politics",
            (),
        ),
    ]
    found = tuple(
        Post(
            platform="mastodon",
            external_id=str(n),
            uri=f"https://social.wales/users/{handle.split('@')[0]}/statuses/{n}",
            url=f"https://social.wales/@{handle.split('@')[0]}/{n}",
            author_handle=handle,
            author_name=name,
            text=text,
            language="en",
            created_at=at + timedelta(seconds=n),
            media=media,
            content_warning=warning,
            hashtags=("aberglascabinet",),
        )
        for n, (name, handle, text, warning, media) in enumerate(texts, start=1)
    )
    async with writing(sessionmaker, broker) as w:
        stored = await store_poll(
            w, source.id, FetchResult(found, "1"), {mid: ("aberglascabinet",)}, at
        )
    first, second, third = stored.new[mid]
    for cid in (first, second):
        async with writing(sessionmaker, broker) as w:
            await moderate(w, mid, cid, "approve", actor)
    return {"published": first, "waiting": third}


if __name__ == "__main__":
    asyncio.run(main())
