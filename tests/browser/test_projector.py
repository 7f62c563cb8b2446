"""The chamber screen follows the meeting, in a real browser: "Latest" lists only the current
item's comments and changes with it, and a spotlight goes when the item changes unless the
clerk pinned it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import axe_violations, eventually, signed_in_page
from tests.support import PASSWORD, RunningServer, Seeded, contribute, resident, sign_in

pytestmark = pytest.mark.browser


async def _live(page: Any) -> None:
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )


async def _latest(page: Any) -> list[str]:
    texts = await page.evaluate(
        "[...document.querySelectorAll('#projector-comments .pcomment__body')]"
        ".map(p => p.textContent)"
    )
    return list(texts)


async def _spotlight(page: Any) -> str | None:
    shown = await page.evaluate(
        "document.querySelector('#projector-spotlight').hidden ? null : "
        "document.querySelector('#projector-question .spotlight__body').textContent"
    )
    return shown if isinstance(shown, str) else None


async def test_the_screen_follows_the_current_item(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    seeded = sqlite_seeded
    base, mid, items = sqlite_server.base_url, seeded.meeting_id, seeded.item_ids
    clerk = await sign_in(base, sqlite_seeded.users["clerk"])
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200

    async def current(item: int) -> None:
        r = await clerk.post(f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"})
        assert r.status_code == 200

    async def publish(body: str, item: int, kind: str = "comment") -> int:
        cid = int((await contribute(author, mid, body, kind=kind, item_id=item)).json()["id"])
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
        )
        assert r.status_code == 200
        return cid

    author = resident(base)
    await current(items[0])
    await publish("On the first item", items[0])
    await publish("On the second item", items[1])
    question = await publish("What about the first item?", items[0], kind="question")

    ctx = await browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = await ctx.new_page()
    await screen.goto(f"{base}/meetings/{mid}/projector")
    await _live(screen)
    # Rendered by the server: only the current item's comment.
    assert await _latest(screen) == ["On the first item"]

    # Live: another item's comment does not appear; the current item's does.
    await publish("Second item again", items[1])
    await publish("First item again", items[0])
    await eventually(lambda: _equals(_latest(screen), ["First item again", "On the first item"]))

    # The item changes: "Latest" follows it.
    await current(items[1])
    await eventually(lambda: _equals(_latest(screen), ["Second item again", "On the second item"]))

    # An unpinned spotlight goes when the item changes.
    spot = f"/staff/meetings/{mid}/contributions/{question}/moderate"
    assert (await clerk.post(spot, {"action": "spotlight"})).status_code == 200
    await eventually(lambda: _equals(_spotlight(screen), "What about the first item?"))
    await current(items[2])
    await eventually(lambda: _equals(_spotlight(screen), None))
    assert await _latest(screen) == []
    assert await screen.is_visible("#projector-comments-empty")

    # A pinned one stays: the clerk ticks "Keep on screen when the item changes" on the
    # moderation page as they spotlight it.
    moderation = await signed_in_page(
        browser, base, seeded.users["clerk"], PASSWORD, f"/staff/meetings/{mid}/moderation"
    )
    await moderation.check(f"#pin-{question}")
    await moderation.click(f"#d-{question} button[data-role=spotlight]")
    await eventually(lambda: _equals(_spotlight(screen), "What about the first item?"))
    badge = f"#d-{question} .dentry__spotlight"
    await eventually(lambda: moderation.evaluate(f"!!document.querySelector('{badge}')"))
    assert await moderation.text_content(badge) == "On screen now, kept when the item changes"
    await current(items[1])
    await eventually(lambda: _equals(_latest(screen), ["Second item again", "On the second item"]))
    assert await _spotlight(screen) == "What about the first item?"
    # And after a reload (the server's rendering agrees).
    await screen.reload()
    await _live(screen)
    assert await _spotlight(screen) == "What about the first item?"
    assert await _latest(screen) == ["Second item again", "On the second item"]

    for lang in ("en", "cy"):
        await screen.goto(f"{base}/meetings/{mid}/projector?lang={lang}")
        await _live(screen)
        violations = await axe_violations(screen)
        assert violations == [], (lang, [(v["id"], v["help"]) for v in violations])
    await ctx.close()
    await moderation.context.close()
    await author.aclose()
    await clerk.http.aclose()


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
